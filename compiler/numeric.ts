// Compile-time arithmetic on REAL32/REAL64 values: correctly rounded literals, constant folding with the same IEEE
// results the T800 FPU gives at run time, and conversions between reals and integers.

import { ieeeRemainder, roundInteger, NEAREST, ZERO } from '../emulator/fpu.js';
import { isPrim, type Type } from './types.js';

export function isRealType(t: Type): boolean {
  return isPrim(t, 'REAL32', 'REAL64');
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * num / den (both positive) rounded to a binary float with `p` significant bits and smallest exponent `minExp`
 * (the exponent of the least significant bit of the smallest subnormal), to nearest (ties to even) or towards zero.
 * The result may be Infinity; the caller decides whether that is an error.
 */
function roundRational(num: bigint, den: bigint, p: number, minExp: number, towardZero: boolean): number {
  if (num === 0n) return 0;
  let e = bitLength(num) - bitLength(den) - p;
  for (;;) {
    // q = floor(num / (den * 2^e)) must have exactly p bits (fewer only when e is clamped at minExp).
    if (e < minExp) e = minExp;
    const n = e < 0 ? num << BigInt(-e) : num;
    const d = e > 0 ? den << BigInt(e) : den;
    let q = n / d;
    const r = n - q * d;
    const bits = bitLength(q);
    if (bits > p) {
      e++;
      continue;
    }
    if (bits < p && e > minExp) {
      e--;
      continue;
    }
    if (!towardZero && (2n * r > d || (2n * r === d && (q & 1n) === 1n))) q++;
    return Number(q) * 2 ** e;
  }
}

const SINGLE_FORMAT = { p: 24, minExp: -149 };
const DOUBLE_FORMAT = { p: 53, minExp: -1074 };

/** The value of a real literal (text `digits.digits[E±digits]`) correctly rounded to REAL32 or REAL64. */
export function realLiteralValue(text: string, t: Type): number {
  const m = /^([0-9]+)\.([0-9]+)(?:E([+-])([0-9]+))?$/.exec(text);
  if (!m) return Number(text);
  const [, whole, frac, sign, exp] = m;
  const digits = BigInt(whole! + frac!);
  const e = -frac!.length + (exp ? (sign === '-' ? -1 : 1) * Number(exp) : 0);
  if (digits === 0n) return 0;
  // Exponents far outside either format round to zero or infinity whatever the digits.
  if (e > 400) return Infinity;
  if (e < -400 - (whole! + frac!).length) return 0;
  let num = digits;
  let den = 1n;
  if (e >= 0) num *= 10n ** BigInt(e);
  else den = 10n ** BigInt(-e);
  const f = isPrim(t, 'REAL32') ? SINGLE_FORMAT : DOUBLE_FORMAT;
  const v = roundRational(num, den, f.p, f.minExp, false);
  return isPrim(t, 'REAL32') && v > 3.4028234663852886e38 ? Infinity : v;
}

/** An integer rounded to a real type (ROUND: to nearest; TRUNC: towards zero). */
export function intToReal(v: bigint, t: Type, trunc: boolean): number {
  const f = isPrim(t, 'REAL32') ? SINGLE_FORMAT : DOUBLE_FORMAT;
  const mag = v < 0n ? -v : v;
  const r = roundRational(mag, 1n, f.p, f.minExp, trunc);
  return v < 0n ? -r : r;
}

/** A real value rounded to single precision, to nearest or towards zero. */
function toSingle(x: number, trunc: boolean): number {
  const f = Math.fround(x);
  if (!trunc || f === x || !Number.isFinite(x)) return f;
  if (Math.abs(f) <= Math.abs(x)) return f;
  // fround went away from zero: take the neighbour towards zero.
  const buf = new Float32Array(1);
  const bits = new Int32Array(buf.buffer);
  buf[0] = f;
  bits[0] = bits[0]! - 1;
  return buf[0]!;
}

const INT_LIMITS: Record<string, [bigint, bigint]> = {
  BYTE: [0n, 255n],
  INT16: [-(1n << 15n), (1n << 15n) - 1n],
  INT: [-(1n << 31n), (1n << 31n) - 1n],
  INT32: [-(1n << 31n), (1n << 31n) - 1n],
  INT64: [-(1n << 63n), (1n << 63n) - 1n],
};

/**
 * Fold a conversion that involves a real type. Returns the constant (bigint for an integer target, number for a
 * real one), 'range' if the value does not fit the target, or undefined if the operand is not constant.
 */
export function foldRealConversion(
  intValue: bigint | undefined,
  realValue: number | undefined,
  from: Type,
  to: Type,
  mode: 'exact' | 'ROUND' | 'TRUNC',
): bigint | number | 'range' | undefined {
  const trunc = mode === 'TRUNC';
  if (isRealType(to)) {
    if (isRealType(from)) {
      if (realValue === undefined) return undefined;
      if (isPrim(to, 'REAL64')) return realValue;
      const v = toSingle(realValue, trunc);
      return Number.isFinite(v) ? v : 'range';
    }
    if (intValue === undefined) return undefined;
    return intToReal(intValue, to, trunc);
  }
  if (realValue === undefined) return undefined;
  const r = roundInteger(realValue, trunc ? ZERO : NEAREST);
  const lim = to.kind === 'prim' ? INT_LIMITS[to.name] : undefined;
  if (!lim || !Number.isFinite(r)) return 'range';
  const b = BigInt(r);
  if (b < lim[0] || b > lim[1]) return 'range';
  return b;
}

/** Fold `a op b` for REAL32/REAL64 constants exactly as the FPU computes it (Infinity or NaN: an error). */
export function foldRealDyadic(op: string, a: number, b: number, t: Type): number {
  let v: number;
  switch (op) {
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
      v = b === 0 ? NaN : a / b;
      break;
    default:
      v = ieeeRemainder(a, b);
      break;
  }
  return isPrim(t, 'REAL32') ? Math.fround(v) : v;
}

/** The bytes of a real constant as it sits in memory (little-endian IEEE 754). */
export function realBytes(v: number, t: Type): Uint8Array {
  if (isPrim(t, 'REAL32')) return new Uint8Array(Float32Array.of(v).buffer);
  return new Uint8Array(Float64Array.of(v).buffer);
}
