// The `lend` loop that replicated SEQ, replicated IF and replicated ALT's enabling and disabling compile to: its
// control block, the count check and the loop's two ends. (A replicated PAR is not a loop: each index value gets
// its own branch.)

import type { Replicator } from '../ast.js';
import { exprText } from '../ast-queries.js';
import { Fn, Op } from '../../emulator/isa.js';
import { type CodeGen, setStorage } from './context.js';
import { statement } from './hoisting.js';

/**
 * The start of a `lend` loop over a replicator; returns the slot of the index. Without STEP the index is the first
 * word of `lend`'s control block; with STEP, `lend` counts in the two words after it and the index moves by the
 * step (kept in a fourth word unless it is a constant) at the end of each pass.
 */
export function replicateOpen(gen: CodeGen, r: Replicator, slot?: number): number {
  const stepped = r.step !== undefined;
  // `slot`: the control block of an earlier loop over the same replicator (an ALT's enabling loop, for its
  // disabling loop), so code generated once that reads the index (a VALOF in a guard) finds it in both.
  const k = slot ?? gen.frame.alloc(stepped ? 4 : 2);
  const block = stepped ? k + 1 : k;
  const sym = r.decl!;
  setStorage(sym, { frame: gen.frame, slot: () => k });
  const top = gen.label('loop');
  const end = gen.label('loop.end');
  gen.loops.set(r, { top, end });
  gen.line(r.span);
  statement(gen, [r.base], () => gen.parts.expr(gen, r.base));
  gen.fn(Fn.stl, k);
  if (stepped) {
    if (r.step!.constValue === undefined) {
      statement(gen, [r.step!], () => gen.parts.expr(gen, r.step!));
      gen.fn(Fn.stl, k + 3);
    }
    gen.fn(Fn.ldc, 0);
    gen.fn(Fn.stl, block);
  }
  statement(gen, [r.count], () => gen.parts.expr(gen, r.count));
  gen.fn(Fn.stl, block + 1);
  const n = r.count.constValue;
  if (n === undefined) {
    gen.fn(Fn.ldl, block + 1);
    gen.op(Op.mint);
    gen.check(r.count.span, `the replicator count \`${exprText(r.count)}\` is negative`);
    gen.op(Op.csub0);
    gen.jump(Fn.cj, end);
  } else if (n === 0n) {
    gen.jump(Fn.j, end);
  }
  gen.place(top);
  return k;
}

export function replicateClose(gen: CodeGen, r: Replicator, k: number): void {
  const { top, end } = gen.loops.get(r)!;
  setStorage(r.decl!, { frame: gen.frame, slot: () => k });
  if (r.step) {
    // The index moves without an overflow check: the last move may pass MOSTPOS with no index left to use.
    gen.fn(Fn.ldl, k);
    if (r.step.constValue !== undefined) gen.fn(Fn.ldc, Number(BigInt.asIntN(32, r.step.constValue)));
    else gen.fn(Fn.ldl, k + 3);
    gen.op(Op.sum);
    gen.fn(Fn.stl, k);
  }
  gen.fn(Fn.ldlp, r.step ? k + 1 : k);
  gen.fn(Fn.ldc, { to: end, from: top });
  gen.op(Op.lend);
  gen.place(end);
}
