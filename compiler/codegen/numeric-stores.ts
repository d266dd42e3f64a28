// Storing, assigning and outputting values of the numeric types that need more than `stl`/`stnl`: INT16,
// INT64 and the reals.

import type { Expr } from '../ast.js';
import { byteSize, isPrim, type Type } from '../types.js';
import { Fn, Op } from '../../emulator/isa.js';
import { is16, isElement, isWide } from './queries.js';
import { type CodeGen, MAX_REGS, type Word } from './context.js';
import { copyPlace, localSlot, type Place, placeAddress, temp, word } from './primitives.js';
import { addressDepth, channelAddress, elementAddress } from './addresses.js';
import { evalWide } from './two-word.js';
import { fexpr, usesFP } from './fpu.js';
import { store16, store16At } from './numeric-types.js';

/** Assignments to INT64, REAL32 and REAL64 targets; false if the classic word path does it. */
export function storeNumeric(gen: CodeGen, target: Expr, value: Expr): boolean {
  const t = target.type!;
  if (isWide(t)) {
    const mark = gen.frame.mark();
    const p = evalWide(gen, value);
    storePlace(gen, target, p);
    gen.frame.release(mark);
    return true;
  }
  if (!isPrim(t, 'REAL32') || value.realValue !== undefined || value.kind === 'name' || value.kind === 'subscript')
    return false;
  const local = localSlot(gen, target);
  if (local) {
    fexpr(gen, value);
    gen.fn(Fn.ldlp, local);
  } else if (usesFP(gen, target)) {
    const mark = gen.frame.mark();
    const ta = gen.frame.alloc(1);
    elementAddress(gen, target);
    gen.fn(Fn.stl, ta);
    fexpr(gen, value);
    gen.fn(Fn.ldl, ta);
    gen.frame.release(mark);
  } else {
    fexpr(gen, value);
    elementAddress(gen, target);
  }
  gen.op(Op.fpstnlsn);
  return true;
}

/** Store an INT16, INT64 or REAL64 value at the address `dst` pushes. */
export function storeNumericAt(gen: CodeGen, value: Expr, dst: Word, type: Type): void {
  const mark = gen.frame.mark();
  if (is16(type)) {
    store16At(
      gen,
      () => gen.parts.expr(gen, value),
      () => dst.emit(),
    );
  } else {
    const p = evalWide(gen, value);
    const ta = gen.frame.alloc(1);
    dst.emit();
    gen.fn(Fn.stl, ta);
    for (let i = 0; i < 2; i++) {
      word(gen, p, i);
      gen.fn(Fn.ldl, ta);
      gen.fn(Fn.stnl, i);
    }
  }
  gen.frame.release(mark);
}

/** Copy a two-word place into an INT64/REAL64 element. */
function storePlace(gen: CodeGen, target: Expr, p: Place): void {
  const local = localSlot(gen, target);
  if (local) {
    copyPlace(gen, p, local);
    return;
  }
  const ta = gen.frame.alloc(1);
  elementAddress(gen, target);
  gen.fn(Fn.stl, ta);
  for (let i = 0; i < 2; i++) {
    word(gen, p, i);
    gen.fn(Fn.ldl, ta);
    gen.fn(Fn.stnl, i);
  }
}

/** Multiple assignment with two-word values: every right-hand side is copied to a temporary first. */
export function assignWideMulti(gen: CodeGen, targets: readonly Expr[], values: readonly Expr[]): void {
  const mark = gen.frame.mark();
  const temps = values.map((v) => {
    if (isWide(v.type!)) {
      const t = gen.frame.alloc(2);
      const inner = gen.frame.mark();
      copyPlace(gen, evalWide(gen, v), () => t);
      gen.frame.release(inner);
      return { wide: true, slot: t };
    }
    const t = gen.frame.alloc(1);
    gen.parts.expr(gen, v);
    gen.fn(Fn.stl, t);
    return { wide: false, slot: t };
  });
  targets.forEach((target, i) => {
    const tmp = temps[i]!;
    if (tmp.wide) {
      const inner = gen.frame.mark();
      storePlace(gen, target, { kind: 'slot', st: temp(gen, tmp.slot) });
      gen.frame.release(inner);
    } else storeFrom(gen, target, () => gen.fn(Fn.ldl, tmp.slot));
  });
  gen.frame.release(mark);
}

/** Output a two-byte (INT16) or eight-byte (INT64, REAL64) value with `out`. */
export function outputNumeric(gen: CodeGen, chan: Expr, item: Expr, size: number): void {
  const mark = gen.frame.mark();
  if (size === 2) {
    const t = gen.frame.alloc(1);
    gen.parts.expr(gen, item);
    gen.fn(Fn.stl, t);
    gen.fn(Fn.ldlp, t);
  } else {
    placeAddress(gen, evalWide(gen, item));
  }
  channelAddress(gen, chan);
  gen.fn(Fn.ldc, size);
  gen.op(Op.out);
  gen.frame.release(mark);
}

/** The address of a VAL INT64/REAL64 actual parameter: the element itself, or a temporary holding the value. */
export function valueAddress(gen: CodeGen, arg: Expr): void {
  if (arg.constValue === undefined && arg.realValue === undefined && isElement(arg)) {
    elementAddress(gen, arg);
    return;
  }
  placeAddress(gen, evalWide(gen, arg));
}

/** Store the value that `load` pushes (using at most one register after it is done) into an element. */
export function storeFrom(gen: CodeGen, target: Expr, load: () => void): void {
  const local = localSlot(gen, target);
  if (local) {
    load();
    gen.fn(Fn.stl, local);
    return;
  }
  const isByte = byteSize(target.type!) === 1;
  if (byteSize(target.type!) === 2) return store16(gen, target, load);
  if (addressDepth(gen, target) < MAX_REGS) {
    load();
    elementAddress(gen, target);
  } else {
    const mark = gen.frame.mark();
    const t = gen.frame.alloc(1);
    load();
    gen.fn(Fn.stl, t);
    elementAddress(gen, target);
    gen.fn(Fn.ldl, t);
    gen.op(Op.rev);
    gen.frame.release(mark);
  }
  if (isByte) gen.op(Op.sb);
  else gen.fn(Fn.stnl, 0);
}
