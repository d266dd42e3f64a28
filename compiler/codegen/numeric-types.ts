// The types narrower or wider than a word and the reals: which code evaluates them, INT16 wrapping and checks,
// conversions between numeric types, FPU entry and REAL constants in the pool. Compile-time real arithmetic
// itself is compiler/numeric.ts.

import type { Expr } from '../ast.js';
import { exprText } from '../ast-queries.js';
import { isPrim, type Type } from '../types.js';
import { Fn, FpOp, Op } from '../../emulator/isa.js';
import { is16, isReal, isWide } from './queries.js';
import { type CodeGen, MAX_REGS, storageOf } from './context.js';
import { byteMask, fpentry, word } from './primitives.js';
import { elementAddress } from './addresses.js';
import { evalWide, numericCompare } from './two-word.js';
import { fexpr } from './fpu.js';

// INT32 is INT by another name. INT16 values sit sign-extended in words (two bytes in arrays and messages: loads
// sign-extend, arithmetic is checked against the 16-bit range). INT64 and REAL64 values are two words and never
// sit on the register stack: they are computed into workspace temporaries ("places") with the long-arithmetic
// instructions or the FPU. REAL32 and REAL64 arithmetic runs on the FPU stack (FA, FB, FC, spilling when deeper);
// a REAL32 value that an integer context needs (a VAL parameter, an output) travels as its bit pattern.

/** Registers needed by expressions the numeric code generates, or undefined for the classic cases. */
export function numericDepth(gen: CodeGen, e: Expr): number | undefined {
  const t = e.type;
  if (!t) return undefined;
  if (isWide(t)) return MAX_REGS;
  if (isPrim(t, 'REAL32')) {
    if (e.realValue !== undefined) return 1;
    if (e.kind === 'name' || e.kind === 'subscript' || e.kind === 'call') return undefined;
    return MAX_REGS;
  }
  if (e.constValue !== undefined) return undefined;
  if (e.kind === 'conversion') {
    const from = e.operand.type!;
    if (isReal(from) || isWide(from)) return MAX_REGS;
    if (is16(t) && !isPrim(from, 'INT16', 'BYTE', 'BOOL')) return Math.max(gen.parts.depth(gen, e.operand), 2);
    return undefined;
  }
  if (e.kind === 'dyadic' && e.left.type && (isReal(e.left.type) || isWide(e.left.type))) return MAX_REGS;
  if (is16(t)) {
    if (e.kind === 'name') {
      const sym = e.decl!;
      if (sym.kind === 'var') return 2;
      // Through a pointer (a reference parameter or an abbreviation of an element), the two bytes are loaded and
      // joined with the whole stack.
      if ((sym.kind === 'param' && sym.byRef) || sym.kind === 'abbrev') return MAX_REGS;
      return undefined;
    }
    if (e.kind === 'subscript') return MAX_REGS;
    if (e.kind === 'monadic') return Math.max(gen.parts.depth(gen, e.operand), 2);
    if (e.kind === 'dyadic' && e.op === '>>') {
      return e.right.constValue === undefined ? MAX_REGS : Math.max(gen.parts.depth(gen, e.left), 2);
    }
  }
  return undefined;
}

/** Evaluate the expressions the numeric code handles into A; false for the classic cases. */
export function numericExpr(gen: CodeGen, e: Expr): boolean {
  const t = e.type;
  if (!t) return false;
  if (isWide(t)) throw new Error('codegen: a two-word value cannot be loaded into a register');
  if (isPrim(t, 'REAL32')) {
    if (e.realValue !== undefined) {
      gen.fn(Fn.ldc, float32Bits(e.realValue));
      return true;
    }
    if (e.kind === 'name' || e.kind === 'subscript' || e.kind === 'call') return false;
    // Computed on the FPU; the bits come over through a temporary.
    const mark = gen.frame.mark();
    const tmp = gen.frame.alloc(1);
    fexpr(gen, e);
    gen.fn(Fn.ldlp, tmp);
    gen.op(Op.fpstnlsn);
    gen.fn(Fn.ldl, tmp);
    gen.frame.release(mark);
    return true;
  }
  if (e.constValue !== undefined) return false;
  if (e.kind === 'dyadic' && e.left.type && (isReal(e.left.type) || isWide(e.left.type))) {
    numericCompare(gen, e);
    return true;
  }
  if (is16(t)) {
    if (e.kind === 'name') {
      const sym = e.decl!;
      if (gen.refs.has(sym)) {
        gen.loadSlot(storageOf(sym));
        load16(gen);
        return true;
      }
      if (sym.kind === 'var') {
        // Two-byte stores through a reference may leave the upper half of the word stale.
        gen.loadSlot(storageOf(sym));
        wrap16(gen);
        return true;
      }
      return false;
    }
    if (e.kind === 'subscript') {
      elementAddress(gen, e);
      load16(gen);
      return true;
    }
  }
  return false;
}

/** Sign-extend the low 16 bits of A. */
export function wrap16(gen: CodeGen): void {
  gen.fn(Fn.ldc, 0x8000);
  gen.op(Op.xword);
}

/** Error unless A holds a value in the INT16 range. */
export function check16(gen: CodeGen, e: Expr): void {
  gen.fn(Fn.ldc, 0x8000);
  gen.check(e.span, `INT16 overflow in \`${exprText(e)}\` (an INT16 holds -32768..32767)`);
  gen.op(Op.cword);
}

/** Replace the address in A by the INT16 stored there (two bytes, little-endian, sign-extended). */
function load16(gen: CodeGen): void {
  gen.op(Op.dup);
  gen.op(Op.lb);
  gen.op(Op.rev);
  gen.fn(Fn.adc, 1);
  gen.op(Op.lb);
  gen.fn(Fn.ldc, 8);
  gen.op(Op.shl);
  gen.op(Op.or);
  wrap16(gen);
}

/** Store the INT16 that `load` pushes into a two-byte element. */
export function store16(gen: CodeGen, target: Expr, load: () => void): void {
  store16At(gen, load, () => elementAddress(gen, target));
}

/** Store the INT16 that `load` pushes into the two bytes at the address `address` pushes, low byte first. */
export function store16At(gen: CodeGen, load: () => void, address: () => void): void {
  const mark = gen.frame.mark();
  const tv = gen.frame.alloc(1);
  const ta = gen.frame.alloc(1);
  load();
  gen.fn(Fn.stl, tv);
  address();
  gen.fn(Fn.stl, ta);
  gen.fn(Fn.ldl, tv);
  gen.fn(Fn.ldl, ta);
  gen.op(Op.sb);
  gen.fn(Fn.ldl, tv);
  gen.fn(Fn.ldc, 8);
  gen.op(Op.shr);
  gen.fn(Fn.ldl, ta);
  gen.fn(Fn.adc, 1);
  gen.op(Op.sb);
  gen.frame.release(mark);
}

/** INT16 `>>` is logical on the 16-bit pattern: mask first, shift, sign-extend. */
export function shr16(gen: CodeGen, e: Extract<Expr, { kind: 'dyadic' }>): void {
  const mark = gen.frame.mark();
  const t = gen.frame.alloc(1);
  gen.parts.expr(gen, e.left);
  gen.fn(Fn.ldc, 0xffff);
  gen.op(Op.and);
  gen.fn(Fn.stl, t);
  gen.parts.expr(gen, e.right);
  if (e.right.constValue === undefined && gen.rangeChecks) {
    gen.fn(Fn.ldc, 17);
    gen.check(e.right.span, `shift count out of range 0..16 in \`${exprText(e)}\``);
    gen.op(Op.csub0);
  }
  gen.fn(Fn.ldl, t);
  gen.op(Op.rev);
  gen.op(Op.shr);
  wrap16(gen);
  gen.frame.release(mark);
}

/** INT16 `\\`: the remainder of the sign-extended words. */
export function rem16(gen: CodeGen, e: Extract<Expr, { kind: 'dyadic' }>): void {
  // Both operands are sign-extended in their words, so the word remainder is the INT16 one (MOSTNEG \ -1 is 0).
  gen.check(e.span, `division by zero in \`${exprText(e)}\``);
  gen.op(Op.rem);
}

/** Narrow the INT in A to a smaller target type, with the range check. */
function narrowInt(gen: CodeGen, to: Type, e: Expr): void {
  if (!gen.rangeChecks) {
    if (isPrim(to, 'BYTE')) byteMask(gen);
    return;
  }
  const what = `\`${exprText(e.kind === 'conversion' ? e.operand : e)}\` is out of range for ${typeNameOf(to)} in \`${exprText(e)}\``;
  if (isPrim(to, 'BYTE') || isPrim(to, 'BOOL')) {
    gen.fn(Fn.ldc, isPrim(to, 'BYTE') ? 256 : 2);
    gen.check(e.span, what);
    gen.op(Op.csub0);
  } else if (is16(to)) {
    gen.fn(Fn.ldc, 0x8000);
    gen.check(e.span, what);
    gen.op(Op.cword);
  }
}

/** Conversions to INT, INT32, INT16, BYTE or BOOL that involve the new types; false for the classic cases. */
export function numericConversion(gen: CodeGen, e: Extract<Expr, { kind: 'conversion' }>): boolean {
  const to = e.type!;
  const from = e.operand.type!;
  if (isReal(from)) {
    const mark = gen.frame.mark();
    const tmp = gen.frame.alloc(1);
    fexpr(gen, e.operand);
    if (e.mode === 'TRUNC') fpentry(gen, FpOp.fpurz);
    gen.op(Op.fprtoi32);
    if (gen.rangeChecks) {
      gen.check(e.span, `\`${exprText(e.operand)}\` is out of range for ${typeNameOf(to)} in \`${exprText(e)}\``);
      gen.op(Op.fpchkerr);
    }
    gen.fn(Fn.ldlp, tmp);
    gen.op(Op.fpstnli32);
    gen.fn(Fn.ldl, tmp);
    gen.frame.release(mark);
    narrowInt(gen, to, e);
    return true;
  }
  if (isPrim(from, 'INT64')) {
    const mark = gen.frame.mark();
    const p = evalWide(gen, e.operand);
    word(gen, p, 1);
    word(gen, p, 0);
    if (gen.rangeChecks) {
      gen.check(e.span, `\`${exprText(e.operand)}\` is out of range for ${typeNameOf(to)} in \`${exprText(e)}\``);
      gen.op(Op.csngl);
    }
    gen.frame.release(mark);
    narrowInt(gen, to, e);
    return true;
  }
  if (is16(to) && !isPrim(from, 'INT16', 'BYTE', 'BOOL')) {
    gen.parts.expr(gen, e.operand);
    narrowInt(gen, to, e);
    return true;
  }
  return false;
}

function typeNameOf(t: Type): string {
  return t.kind === 'prim' ? t.name : 'this type';
}

function float32Bits(v: number): number {
  return new Int32Array(Float32Array.of(v).buffer)[0]!;
}
