// Assignment: single and multiple targets, stores to variables and array elements, and the slots of names
// that can be reached without an address.

import type { Expr } from '../ast.js';
import { isMobileMove } from '../ast-queries.js';
import { byteSize } from '../types.js';
import { Fn, Op } from '../../emulator/isa.js';
import { isWide, resultsInRegisters, wordsFor } from './queries.js';
import type { CodeGen } from './context.js';
import { arrayRef, copyArray, elementAddress, storeValueAt } from './addresses.js';
import { assignWideMulti, storeFrom, storeNumeric } from './numeric-stores.js';
import { expr } from './expressions.js';

export function assign(gen: CodeGen, targets: readonly Expr[], values: readonly Expr[]): void {
  if (targets.length > 1 && targets.some((t) => isWide(t.type!))) return assignWideMulti(gen, targets, values);
  if (targets.length === 1) {
    if (isMobileMove(targets[0]!, values[0]!)) mobileMove(gen, targets[0]!, values[0]!);
    else if (targets[0]!.type!.kind === 'array') copyArray(gen, values[0]!, targets[0]!, targets[0]!.span);
    else store(gen, targets[0]!, values[0]!);
    return;
  }
  // Every right-hand side is evaluated before anything is assigned (arrays into workspace copies).
  const mark = gen.frame.mark();
  const temps = values.map((v) => {
    const vt = v.type!;
    if (vt.kind === 'array') {
      const bytes = byteSize(vt) ?? 0;
      const t = gen.frame.alloc(Math.max(1, Math.ceil(bytes / 4)));
      storeValueAt(gen, v, { emit: () => gen.fn(Fn.ldlp, t), depth: 1 }, vt);
      return t;
    }
    const t = gen.frame.alloc(1);
    expr(gen, v);
    gen.fn(Fn.stl, t);
    return t;
  });
  targets.forEach((target, i) => {
    if (target.type!.kind === 'array') {
      const dst = arrayRef(gen, target);
      gen.fn(Fn.ldlp, temps[i]!);
      dst.addr.emit();
      gen.fn(Fn.ldc, byteSize(values[i]!.type!) ?? 0);
      gen.op(Op.move);
    } else storeFrom(gen, target, () => gen.fn(Fn.ldl, temps[i]!));
  });
  gen.frame.release(mark);
}

/** `a, b := f (x)`: the FUNCTION leaves its results in A, B, C. */
export function multiResult(gen: CodeGen, targets: readonly Expr[], call: Expr): void {
  if (call.kind !== 'call') throw new Error('codegen: a multiple assignment from one value that is not a call');
  const fn = call.decl!;
  if (!resultsInRegisters(fn)) {
    // The FUNCTION stores its results in temporaries, which are then copied to the targets.
    const temps = fn.results.map((t) => gen.frame.alloc(wordsFor(t)));
    gen.parts.callRoutine(
      gen,
      fn,
      call.args,
      temps.map((t) => ({ emit: () => gen.fn(Fn.ldlp, t), depth: 1 })),
    );
    targets.forEach((target, i) => {
      const t = fn.results[i]!;
      if (t.kind === 'prim' && !isWide(t)) {
        storeFrom(gen, target, () => gen.fn(Fn.ldl, temps[i]!));
        return;
      }
      const a = gen.frame.alloc(1);
      if (t.kind === 'array') arrayRef(gen, target).addr.emit();
      else elementAddress(gen, target);
      gen.fn(Fn.stl, a);
      gen.fn(Fn.ldlp, temps[i]!);
      gen.fn(Fn.ldl, a);
      gen.fn(Fn.ldc, byteSize(t)!);
      gen.op(Op.move);
    });
    return;
  }
  gen.parts.callRoutine(gen, call.decl!, call.args);
  const temps = targets.map(() => gen.frame.alloc(1));
  for (const t of temps) gen.fn(Fn.stl, t);
  targets.forEach((target, i) => storeFrom(gen, target, () => gen.fn(Fn.ldl, temps[i]!)));
}

/**
 * `b := a` of MOBILEs (occam-π): the value moves to `b`, and `a`, now undefined, holds what `b` held, as KRoC's
 * exchange of the two MOBILEs' storage leaves them. The words are exchanged through a temporary with `move`.
 */
function mobileMove(gen: CodeGen, target: Expr, value: Expr): void {
  const bytes = byteSize(target.type!) ?? 4;
  const mark = gen.frame.mark();
  const t = gen.frame.alloc(Math.max(1, Math.ceil(bytes / 4)));
  const move = (src: () => void, dst: () => void): void => {
    src();
    dst();
    gen.fn(Fn.ldc, bytes);
    gen.op(Op.move);
  };
  move(
    () => elementAddress(gen, value),
    () => gen.fn(Fn.ldlp, t),
  );
  move(
    () => elementAddress(gen, target),
    () => elementAddress(gen, value),
  );
  move(
    () => gen.fn(Fn.ldlp, t),
    () => elementAddress(gen, target),
  );
  gen.frame.release(mark);
}

function store(gen: CodeGen, target: Expr, value: Expr): void {
  if (storeNumeric(gen, target, value)) return;
  storeFrom(gen, target, () => expr(gen, value));
}
