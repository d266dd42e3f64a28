// occam-π FORKING and FORK (docs/codegen.md, FORKING and FORK). A FORK starts a call as a process of its own, in a
// workspace taken from the heap; the FORKING block around it keeps a join block (as a PAR does) counting itself
// and the processes still running, and waits at its end for the count to reach zero. A forked process releases its
// own workspace and ends with `endp` on that join block, so the last one to end resumes the FORKING block.

import { moveInto, releaseWith } from './bundles.js';
import type { Process } from '../ast.js';
import type { ProcSymbol } from '../symbols.js';
import { BELOW_ANY, CALL_WORDS } from '../workspace.js';
import { Fn, Op } from '../../emulator/isa.js';
import type { CodeGen, Word } from './context.js';
import { argWords, frameBase } from './routines.js';
import { RECURSIVE_CALL_WORDS } from './recursion.js';
import { statement } from './hoisting.js';

/** The join block slot of each FORKING being generated, innermost last. */
const forkings = new WeakMap<CodeGen, number[]>();

export function forking(gen: CodeGen, p: Extract<Process, { kind: 'forking' }>): void {
  const mark = gen.frame.mark();
  // The join block: [where the last process to end continues, processes still running].
  const join = gen.frame.alloc(2);
  const stack = forkings.get(gen) ?? [];
  forkings.set(gen, stack);
  gen.line(p.span);
  gen.fn(Fn.ldc, 1);
  gen.fn(Fn.stl, join + 1);
  const resume = gen.label('forking.end');
  gen.address(resume);
  gen.fn(Fn.stl, join);
  stack.push(join);
  gen.parts.process(gen, p.body);
  stack.pop();
  // Wait for the forked processes: the last to end continues at `resume` with Wptr at the join block.
  gen.fn(Fn.ldlp, join);
  gen.op(Op.endp);
  gen.place(resume);
  gen.fn(Fn.ajw, -join);
  gen.frame.release(mark);
}

export function fork(gen: CodeGen, p: Extract<Process, { kind: 'fork' }>): void {
  const join = forkings.get(gen)?.at(-1);
  const sym = p.call.decl as ProcSymbol;
  const callee = gen.procInfo.get(sym)!;
  gen.line(p.span);
  statement(gen, p.call.args, () => {
    const words: Word[] = [];
    const outer = callee.outer;
    let blk = 0;
    // CHAN TYPE ends move into the forked process: each is a word of its workspace, passed by its address.
    const ends: number[] = [];
    if (outer) words.push({ emit: () => frameBase(gen, outer), depth: 1 });
    sym.params.forEach((param, i) => {
      if (param.type.kind !== 'end' || param.isVal) {
        words.push(...argWords(gen, param, p.call.args[i]!));
        return;
      }
      const k = ends.length;
      ends.push(i);
      words.push({
        emit: () => {
          gen.fn(Fn.ldl, blk);
          gen.fn(Fn.ldnlp, () => below() + endSlot(k));
        },
        depth: 1,
      });
    });
    const n = words.length;
    const m = Math.max(0, n - 3);
    // The forked process's workspace: what the call needs below it, then its frame: W[0 .. m-1] = parameter words
    // 3 and up, W[m .. m+2] = words 0..2, W[m+3] = the join block, W[m+4] = the block's own address, then the
    // ends it was given and two words to release them with.
    const below = (): number =>
      BELOW_ANY + (sym.def.recursive ? RECURSIVE_CALL_WORDS : CALL_WORDS + callee.frame.total());
    const endSlot = (k: number): number => m + 5 + k;
    const size = (): number => below() + m + 5 + (ends.length > 0 ? ends.length + 2 : 0);
    const mark = gen.frame.mark();
    blk = gen.frame.alloc(1);
    gen.fn(Fn.ldc, () => 4 * size());
    gen.op(Op.malloc);
    gen.fn(Fn.stl, blk);
    ends.forEach((i, k) => moveInto(gen, p.call.args[i]!, blk, () => below() + endSlot(k)));
    words.forEach((w, i) => {
      w.emit();
      gen.fn(Fn.ldl, blk);
      gen.fn(Fn.stnl, () => below() + (i < 3 ? m + i : i - 3));
    });
    if (join === undefined) throw new Error('codegen: FORK outside FORKING');
    gen.fn(Fn.ldlp, join);
    gen.fn(Fn.ldl, blk);
    gen.fn(Fn.stnl, () => below() + m + 3);
    gen.fn(Fn.ldl, blk);
    gen.fn(Fn.ldl, blk);
    gen.fn(Fn.stnl, () => below() + m + 4);
    gen.fn(Fn.ldl, join + 1);
    gen.fn(Fn.adc, 1);
    gen.fn(Fn.stl, join + 1);
    const entry = gen.label('fork.process');
    const started = gen.label('started');
    const over = gen.label('fork.over');
    gen.fn(Fn.ldc, { to: entry, from: started });
    gen.fn(Fn.ldl, blk);
    gen.fn(Fn.ldnlp, below);
    gen.op(Op.startp);
    gen.place(started);
    gen.jump(Fn.j, over);
    // The forked process: call the PROC, then release the workspace and end.
    gen.place(entry);
    for (let i = Math.min(3, n) - 1; i >= 0; i--) gen.fn(Fn.ldl, m + i);
    gen.jump(Fn.call, callee.label);
    ends.forEach((_, k) => releaseWith(gen, () => gen.fn(Fn.ldl, endSlot(k)), endSlot(ends.length)));
    gen.fn(Fn.ldl, m + 3);
    gen.fn(Fn.ldl, m + 4);
    gen.op(Op.mrelease);
    gen.op(Op.endp);
    gen.place(over);
    gen.frame.release(mark);
  });
}
