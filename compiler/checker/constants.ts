// Constant folding of integer expressions with occam's rules: `+`, `-`, `*`, `/`, `\` are checked (overflow in
// a constant is an error), PLUS, MINUS, TIMES and the bit operators wrap, BYTE is unsigned. The ranges of the
// integer types are here too. REAL32/REAL64 constants are folded by ../numeric.ts.

import type { Expr } from '../ast.js';
import { exprText } from '../ast-queries.js';
import { BOOL, INT, type Type, typeName } from '../types.js';
import type { Checker } from './context.js';

export const MOST_POS_INT = 0x7fffffffn;
export const MOST_NEG_INT = -0x80000000n;

/** Fold a dyadic expression whose operands are constants, with occam's overflow rules. */
export function fold(ck: Checker, e: Extract<Expr, { kind: 'dyadic' }>, operandType: Type, result: Type): Type | null {
  const a = e.left.constValue;
  const b = e.right.constValue;
  if (a === undefined || b === undefined) return result;
  const t = operandType;
  let v: bigint;
  switch (e.op) {
    case '+':
      v = a + b;
      break;
    case '-':
      v = a - b;
      break;
    case '*':
      v = a * b;
      break;
    case '/':
    case '\\':
    case 'REM':
      if (b === 0n) {
        ck.diags.error(e.span, 'division by zero in a constant expression');
        return null;
      }
      v = e.op === '/' ? a / b : a % b;
      // A constant MOSTNEG \ -1 folds to 0, as KRoC folds it (only MOSTNEG / -1 overflows); at run time the
      // remainder instruction still reports it as an overflow.
      break;
    case 'PLUS':
      v = wrap(a + b, t);
      break;
    case 'MINUS':
      v = wrap(a - b, t);
      break;
    case 'TIMES':
      v = wrap(a * b, t);
      break;
    case '/\\':
    case 'BITAND':
      v = wrap(a & b, t);
      break;
    case '\\/':
    case 'BITOR':
      v = wrap(a | b, t);
      break;
    case '><':
      v = wrap(a ^ b, t);
      break;
    case '<<':
    case '>>': {
      const bits = BigInt(bitsOf(t));
      if (b < 0n || b > bits) {
        ck.diags.error(e.right.span, `shift count ${b} is out of range 0..${bits}`);
        return null;
      }
      const mask = (1n << bits) - 1n;
      const u = a & mask;
      v = wrap(e.op === '<<' ? (u << b) & mask : u >> b, t);
      break;
    }
    case '=':
      v = a === b ? 1n : 0n;
      break;
    case '<>':
      v = a !== b ? 1n : 0n;
      break;
    case '<':
      v = a < b ? 1n : 0n;
      break;
    case '<=':
      v = a <= b ? 1n : 0n;
      break;
    case '>':
      v = a > b ? 1n : 0n;
      break;
    case '>=':
      v = a >= b ? 1n : 0n;
      break;
    case 'AFTER':
      // The difference modulo the type's width, read as signed (for BYTE too, as at run time and in KRoC).
      v = BigInt.asIntN(bitsOf(t), a - b) > 0n ? 1n : 0n;
      break;
    default:
      return result;
  }
  if (result !== BOOL && !inRange(v, t)) {
    ck.diags.error(e.span, `the constant expression ${exprText(e)} overflows ${typeName(t)}`);
    return null;
  }
  e.constValue = v;
  return result;
}

export function bitsOf(t: Type): number {
  if (t.kind !== 'prim') return 32;
  return t.name === 'BYTE' ? 8 : t.name === 'INT16' ? 16 : t.name === 'INT64' ? 64 : 32;
}

export function limits(t: Type): { lo: bigint; hi: bigint } {
  if (t.kind === 'prim' && t.name === 'BYTE') return { lo: 0n, hi: 255n };
  if (t.kind === 'prim' && t.name === 'BOOL') return { lo: 0n, hi: 1n };
  const bits = BigInt(bitsOf(t));
  return t === INT
    ? { lo: MOST_NEG_INT, hi: MOST_POS_INT }
    : { lo: -(1n << (bits - 1n)), hi: (1n << (bits - 1n)) - 1n };
}

export function inRange(v: bigint, t: Type): boolean {
  const { lo, hi } = limits(t);
  return v >= lo && v <= hi;
}

/** Reduce modulo 2^bits into the type's range (BYTE is unsigned). */
export function wrap(v: bigint, t: Type): bigint {
  const bits = bitsOf(t);
  return t.kind === 'prim' && t.name === 'BYTE' ? BigInt.asUintN(bits, v) : BigInt.asIntN(bits, v);
}
