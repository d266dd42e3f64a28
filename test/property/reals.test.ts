// Property: random REAL32/REAL64 expressions (+ - * / \ and monadic -), nested deeper than the FPU's three
// registers, compiled and run on the emulated T800 FPU, compared bit for bit with JavaScript's IEEE arithmetic
// (Math.fround after every REAL32 operation). The remainder's reference is computed exactly with BigInt. A
// result that is not finite (overflow, division by zero, an invalid remainder) must end the run with a run-time
// error.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { runProgram } from '../helpers/property.js';

type RealType = 'REAL32' | 'REAL64';
const DYADIC = ['+', '-', '*', '/', '\\'] as const;

type E =
  | { readonly kind: 'var'; readonly i: number }
  | { readonly kind: 'neg'; readonly x: E }
  | { readonly kind: 'dy'; readonly op: (typeof DYADIC)[number]; readonly l: E; readonly r: E };

const VARS = 4;

function exprArb(): fc.Arbitrary<E> {
  const tree = fc.letrec<{ e: E }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: VARS - 1 }).map((i): E => ({ kind: 'var', i })) },
      { weight: 1, arbitrary: tie('e').map((x): E => ({ kind: 'neg', x })) },
      {
        weight: 5,
        arbitrary: fc
          .record({ op: fc.constantFrom(...DYADIC), l: tie('e'), r: tie('e') })
          .map((o): E => ({ kind: 'dy', ...o })),
      },
    ),
  }));
  return tree.e;
}

function valueArb(t: RealType): fc.Arbitrary<number> {
  const single = t === 'REAL32';
  const any = single
    ? fc.float({ noNaN: true, noDefaultInfinity: true })
    : fc.double({ noNaN: true, noDefaultInfinity: true });
  return fc
    .oneof(
      fc.integer({ min: -20, max: 20 }).map((n) => n / 4),
      any,
      fc.constantFrom(0, 1, -1, 0.1, 3, 1e30, -1e-30, single ? 3.4e38 : 1.7e308),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    )
    .map((v) => (single ? Math.fround(v) : v));
}

function depth(e: E): number {
  return e.kind === 'var' ? 1 : e.kind === 'neg' ? 1 + depth(e.x) : 1 + Math.max(depth(e.l), depth(e.r));
}

function render(e: E): string {
  switch (e.kind) {
    case 'var':
      return `v${e.i}`;
    case 'neg':
      return `(- ${render(e.x)})`;
    case 'dy':
      return `(${render(e.l)} ${e.op} ${render(e.r)})`;
  }
}

/** x as an exact fraction num / 2^k (x finite). */
function exact(x: number): { num: bigint; shift: bigint } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp !== 0) mant |= 1n << 52n;
  const e2 = (exp === 0 ? 1 : exp) - 1075;
  // x = sign * mant * 2^e2; express over 2^1100 so every double shares the denominator.
  return { num: sign * (mant << BigInt(e2 + 1100)), shift: 1100n };
}

/** The IEEE remainder computed exactly: x - y * n, n the integer nearest x / y, ties to even. */
function referenceRemainder(x: number, y: number): number {
  if (!Number.isFinite(x) || !Number.isFinite(y) || y === 0) return NaN;
  const a = exact(x).num;
  const b = exact(y).num;
  let n = a / b;
  const r0 = a - n * b;
  // Round the quotient to nearest, ties to even (BigInt division truncates).
  const twice = 2n * (r0 < 0n ? -r0 : r0);
  const bb = b < 0n ? -b : b;
  const away = a < 0n !== b < 0n ? -1n : 1n;
  if (twice > bb || (twice === bb && (n & 1n) !== 0n)) n += away;
  const r = a - n * b;
  if (r === 0n) return x < 0 || Object.is(x, -0) ? -0 : 0;
  // r / 2^1100 is exactly representable (a remainder always is).
  return exactScale(r);
}

/** r / 2^1100 as a double, for an r whose value is exactly representable. */
function exactScale(r: bigint): number {
  // Drop trailing zero bits until the integer fits in 53 bits, then scale by the power of two in two exact steps.
  const neg = r < 0n;
  let m = neg ? -r : r;
  let e = -1100;
  while (m > 1n << 53n) {
    if ((m & 1n) !== 0n) throw new Error('remainder not representable');
    m >>= 1n;
    e++;
  }
  const v = Number(m) * 2 ** Math.max(e, -1000) * 2 ** Math.min(0, e - Math.max(e, -1000));
  return neg ? -v : v;
}

/** The reference value of an expression; NaN when occam says it fails. */
function evaluate(e: E, t: RealType, vars: readonly number[]): number {
  const round = t === 'REAL32' ? Math.fround : (x: number) => x;
  switch (e.kind) {
    case 'var':
      return vars[e.i]!;
    case 'neg': {
      const x = evaluate(e.x, t, vars);
      return -x;
    }
    case 'dy': {
      const a = evaluate(e.l, t, vars);
      const b = evaluate(e.r, t, vars);
      if (!Number.isFinite(a) || !Number.isFinite(b)) return NaN;
      let v: number;
      switch (e.op) {
        case '+':
          v = round(a + b);
          break;
        case '-':
          v = round(a - b);
          break;
        case '*':
          v = round(a * b);
          break;
        case '/':
          v = b === 0 ? NaN : round(a / b);
          break;
        default:
          v = referenceRemainder(a, b);
          break;
      }
      return Number.isFinite(v) ? v : NaN;
    }
  }
}

/** An occam literal for a finite value of the type (shortest digits that read back exactly). */
function literal(v: number, t: RealType): string {
  const mag = Math.abs(v);
  let text = t === 'REAL32' ? mag.toExponential(8) : mag.toExponential();
  const parts = text.split('e') as [string, string];
  let mant = parts[0];
  const exp = parts[1];
  if (!mant.includes('.')) mant += '.0';
  const sign = exp.startsWith('-') ? '-' : '+';
  text = `${mant}E${sign}${exp.replace(/^[+-]/, '')}`;
  const lit = `${text}(${t})`;
  return v < 0 || Object.is(v, -0) ? `(- ${lit})` : lit;
}

function program(e: E, t: RealType, vars: readonly number[], expected: number): string {
  return (
    [
      'PROC main (CHAN BYTE kyb?, scr!, err!)',
      `  ${t} ${vars.map((_, i) => `v${i}`).join(', ')}, r:`,
      '  SEQ',
      ...vars.map((v, i) => `    v${i} := ${literal(v, t)}`),
      `    r := ${render(e)}`,
      '    IF',
      `      r = ${literal(Number.isFinite(expected) ? expected : 0, t)}`,
      "        scr ! 'Y'",
      '      TRUE',
      "        scr ! 'N'",
      ':',
    ].join('\n') + '\n'
  );
}

function property(t: RealType, runs: number, seed: number): { deep: number; errors: number; values: number } {
  const stats = { deep: 0, errors: 0, values: 0 };
  fc.assert(
    fc.property(exprArb(), fc.array(valueArb(t), { minLength: VARS, maxLength: VARS }), (e, vars) => {
      const expected = evaluate(e, t, vars);
      const source = program(e, t, vars, expected);
      const got = runProgram(source);
      if (depth(e) > 3) stats.deep++;
      if (Number.isNaN(expected)) {
        stats.errors++;
        expect(got, source).toMatchObject({ kind: 'run-time-error' });
      } else {
        stats.values++;
        expect(got, source).toEqual({ kind: 'value', text: 'Y' });
      }
    }),
    { numRuns: runs, seed },
  );
  return stats;
}

describe('real expressions against JavaScript IEEE arithmetic', () => {
  const cases: Array<[RealType, number]> = [
    ['REAL32', 500],
    ['REAL64', 500],
  ];
  for (const [t, runs] of cases) {
    it(`${t}: ${runs} random expressions`, () => {
      const seed = process.env['PROPERTY_SEED'] ? Number(process.env['PROPERTY_SEED']) : t === 'REAL32' ? 32 : 64;
      const stats = property(t, runs * Number(process.env['PROPERTY_SCALE'] ?? 1), seed);
      console.log(
        `property ${t}: ${runs} cases, ${stats.values} values, ${stats.errors} run-time errors, ${stats.deep} deeper than 3`,
      );
      expect(stats.deep).toBeGreaterThan(runs / 5);
      expect(stats.errors).toBeGreaterThan(0);
      expect(stats.values).toBeGreaterThan(runs / 5);
    });
  }

  it('the exact reference remainder agrees with known IEEE remainders', () => {
    expect(referenceRemainder(5, 4)).toBe(1);
    expect(referenceRemainder(3, 2)).toBe(-1);
    expect(referenceRemainder(1.5, 1)).toBe(-0.5);
    expect(referenceRemainder(-7.5, 2)).toBe(0.5);
    expect(referenceRemainder(1e300, 3)).toBeLessThanOrEqual(1.5);
  });
});
