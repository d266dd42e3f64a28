// The `lend` loop that replicated SEQ, replicated IF and replicated ALT's enabling and disabling compile to: its
// control block, the count check and the loop's two ends. (A replicated PAR is not a loop: each index value gets
// its own branch.)

import type { Replicator } from '../ast.js';
import { exprText } from '../ast-queries.js';
import { Fn, Op } from '../../emulator/isa.js';
import { type CodeGen, setStorage } from './context.js';
import { statement } from './hoisting.js';

/** The start of a `lend` loop over a replicator; returns the control block's slot (the index is its first word). */
export function replicateOpen(gen: CodeGen, r: Replicator): number {
  const k = gen.frame.alloc(2);
  const sym = r.decl!;
  setStorage(sym, { frame: gen.frame, slot: () => k });
  const top = gen.label('loop');
  const end = gen.label('loop.end');
  gen.loops.set(k, { top, end });
  gen.line(r.span);
  statement(gen, [r.base], () => gen.parts.expr(gen, r.base));
  gen.fn(Fn.stl, k);
  statement(gen, [r.count], () => gen.parts.expr(gen, r.count));
  gen.fn(Fn.stl, k + 1);
  const n = r.count.constValue;
  if (n === undefined) {
    gen.fn(Fn.ldl, k + 1);
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
  const { top, end } = gen.loops.get(k)!;
  setStorage(r.decl!, { frame: gen.frame, slot: () => k });
  gen.fn(Fn.ldlp, k);
  gen.fn(Fn.ldc, { to: end, from: top });
  gen.op(Op.lend);
  gen.place(end);
}
