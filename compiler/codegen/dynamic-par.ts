// A replicated PAR whose count is known only at run time, or too large to copy its body for every index: one copy
// of the body, started once per index in workspaces allocated together from the heap (docs/codegen.md, PAR and
// PRI PAR). The body reaches the names around the PAR through a static link, as a routine defined inside another
// does, because its workspace is at no fixed distance from its parent's.

import type { Process, Replicator } from '../ast.js';
import { exprText } from '../ast-queries.js';
import { Frame } from '../workspace.js';
import { Fn, Op } from '../../emulator/isa.js';
import { type CodeGen, type ProcInfo, setStorage } from './context.js';
import { statement } from './hoisting.js';
import { enroll, enrollAgain, resignBranch } from './barriers.js';
import type { Symbol } from '../symbols.js';
import { maxMemoryWords, frameBase } from './routines.js';

/**
 * Each replica's block, from low addresses up: the words it needs below its Wptr, its frame W[0 .. size-1], then
 * W[size] = static link (its parent routine's workspace), W[size+1] = its index, W[size+2] = the join block.
 */
const LINK_WORDS = 3;

export function dynamicPar(gen: CodeGen, r: Replicator, body: readonly Process[], used: readonly Symbol[]): void {
  const parentFrame = gen.frame;
  const outer = gen.routineInfo!;
  const mark = parentFrame.mark();
  const tBase = parentFrame.alloc(1);
  const tCount = parentFrame.alloc(1);
  const tBlock = parentFrame.alloc(1);
  const tI = parentFrame.alloc(1);
  const tW = parentFrame.alloc(1);

  const frame = new Frame(null, Math.max(2, maxMemoryWords([...body])));
  const info: ProcInfo = {
    label: gen.label('par.replica'),
    frame,
    outer,
    staticLink: { frame, slot: () => frame.size },
  };
  gen.frameOwner.set(frame, info);
  const blockWords = (): number => frame.need() + frame.size + LINK_WORDS;

  const done = gen.label('dpar.done');
  const loop = gen.label('dpar.loop');
  const join = gen.label('dpar.join');
  gen.line(r.span);
  statement(gen, [r.base], () => gen.parts.expr(gen, r.base));
  gen.fn(Fn.stl, tBase);
  statement(gen, [r.count], () => gen.parts.expr(gen, r.count));
  gen.fn(Fn.stl, tCount);
  // A negative count is a run-time error; a zero count starts nothing.
  gen.fn(Fn.ldc, -1);
  gen.fn(Fn.ldl, tCount);
  gen.op(Op.gt);
  const ok = gen.label('dpar.count');
  gen.jump(Fn.cj, ok);
  gen.check(r.count.span, `the replicator count \`${exprText(r.count)}\` is negative`);
  gen.op(Op.seterr);
  gen.place(ok);
  // With ENROLL, the replicas are enrolled on the BARRIERs in place of this process (compiler/codegen/barriers.ts).
  for (const b of used) {
    enroll(gen, b, () => {
      gen.fn(Fn.ldl, tCount);
      gen.fn(Fn.adc, -1);
    });
  }
  gen.fn(Fn.ldl, tCount);
  gen.jump(Fn.cj, done);
  // One block for every replica's workspace.
  gen.fn(Fn.ldl, tCount);
  gen.fn(Fn.ldc, () => 4 * blockWords());
  gen.check(r.count.span, `the workspaces of ${exprText(r.count)} processes do not fit in memory`);
  gen.op(Op.mul);
  gen.op(Op.malloc);
  gen.fn(Fn.stl, tBlock);
  // The join block: the replicas and this process.
  gen.fn(Fn.ldl, tCount);
  gen.fn(Fn.adc, 1);
  gen.fn(Fn.stl, 1);
  gen.address(join);
  gen.fn(Fn.stl, 0);
  gen.fn(Fn.ldc, 0);
  gen.fn(Fn.stl, tI);
  gen.fn(Fn.ldl, tBlock);
  gen.fn(Fn.ldnlp, () => frame.need());
  gen.fn(Fn.stl, tW);
  gen.place(loop);
  // The replica's static link, index and join block.
  frameBase(gen, outer);
  gen.fn(Fn.ldl, tW);
  gen.fn(Fn.stnl, () => frame.size);
  gen.fn(Fn.ldl, tBase);
  gen.fn(Fn.ldl, tI);
  gen.check(r.span, `arithmetic overflow in the replicator index \`${exprText(r.base)}\` + i`);
  gen.op(Op.add);
  gen.fn(Fn.ldl, tW);
  gen.fn(Fn.stnl, () => frame.size + 1);
  gen.fn(Fn.ldlp, 0);
  gen.fn(Fn.ldl, tW);
  gen.fn(Fn.stnl, () => frame.size + 2);
  const started = gen.label('started');
  gen.fn(Fn.ldc, { to: info.label, from: started });
  gen.fn(Fn.ldl, tW);
  gen.op(Op.startp);
  gen.place(started);
  gen.fn(Fn.ldl, tW);
  gen.fn(Fn.ldnlp, blockWords);
  gen.fn(Fn.stl, tW);
  gen.fn(Fn.ldl, tI);
  gen.fn(Fn.adc, 1);
  gen.fn(Fn.stl, tI);
  gen.fn(Fn.ldl, tCount);
  gen.fn(Fn.ldl, tI);
  gen.op(Op.gt);
  gen.fn(Fn.eqc, 0);
  gen.jump(Fn.cj, loop);
  gen.fn(Fn.ldlp, 0);
  gen.op(Op.endp);

  // The body, run by every replica.
  const saved = { frame: gen.frame, info: gen.routineInfo };
  gen.frame = frame;
  gen.routineInfo = info;
  setStorage(r.decl!, { frame, slot: () => frame.size + 1 });
  gen.place(info.label);
  for (const c of body) gen.parts.process(gen, c);
  resignBranch(gen, used);
  gen.fn(Fn.ldl, () => frame.size + 2);
  gen.op(Op.endp);
  gen.frame = saved.frame;
  gen.routineInfo = saved.info;

  // The last to finish continues here, in this process's workspace.
  gen.place(join);
  gen.fn(Fn.ldl, tBlock);
  gen.op(Op.mrelease);
  gen.place(done);
  enrollAgain(gen, used);
  parentFrame.release(mark);
}
