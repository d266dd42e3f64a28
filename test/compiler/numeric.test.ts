// The numeric types in the compiler: checker diagnostics for literals and conversions, correctly rounded real
// literals, constant folding, and the shape of the generated code (which instructions carry each operation).

import { describe, it, expect } from 'vitest';
import { compileSource, checkSource } from '../../compiler/compile.js';
import { intToReal, realLiteralValue, foldRealConversion } from '../../compiler/numeric.js';
import { decode } from '../../emulator/isa.js';
import { prim } from '../../compiler/types.js';

const REAL32 = prim('REAL32');
const REAL64 = prim('REAL64');

function messages(body: string, decls = ''): string[] {
  const src = `${decls}PROC main (CHAN BYTE kyb?, scr!, err!)\n${body}\n:\n`;
  return checkSource('t.occ', src)
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.span.line}:${d.span.col} ${d.message}`);
}

/** Mnemonics of main's code (up to its `ret`). */
function mnemonics(body: string, rangeChecks = true): string[] {
  const src = `PROC main (CHAN BYTE kyb?, scr!, err!)\n${body}\n:\n`;
  const r = compileSource('t.occ', src, { rangeChecks });
  if (!r.image) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  const code = r.image.cores[0]!.code;
  const out: string[] = [];
  for (let p = 0; p < code.length;) {
    const d = decode(code, p);
    out.push(d.name);
    p += d.length;
    if (d.name === 'ret') break;
  }
  return out;
}

describe('checker: numeric types', () => {
  it('accepts every numeric type in declarations, arrays and channels', () => {
    expect(
      messages('  INT16 a:\n  INT32 b:\n  INT64 c:\n  REAL32 d:\n  REAL64 e:\n  [4]INT64 f:\n  CHAN REAL64 g:\n  SKIP'),
    ).toEqual([]);
  });
  it('types an undecorated real literal from its context', () => {
    expect(messages('  REAL32 x:\n  x := 2.5')).toEqual([]);
    expect(messages('  REAL64 x:\n  x := (x * 2.0) + 1.5')).toEqual([]);
  });
  it('rejects a real literal with no context', () => {
    expect(messages('  VAL x IS 2.5:\n  SKIP')).toEqual([
      '2:12 the real literal 2.5 needs a type: nothing here says whether it is REAL32 or REAL64',
    ]);
  });
  it('rejects a real literal decorated with an integer type, and an integer literal for a real', () => {
    expect(messages('  INT x:\n  x := 2.5(INT)')).toEqual(['3:8 a real literal cannot be INT']);
    expect(messages('  REAL32 x:\n  x := 3')).toEqual(['3:8 an integer literal cannot be REAL32']);
  });
  it('requires ROUND or TRUNC between reals and integers, and for REAL64 to REAL32', () => {
    expect(messages('  REAL32 x:\n  INT n:\n  x := REAL32 n')).toEqual([
      '4:8 converting INT to REAL32 needs ROUND or TRUNC',
    ]);
    expect(messages('  REAL64 x:\n  REAL32 y:\n  y := REAL32 x')).toEqual([
      '4:8 converting REAL64 to REAL32 needs ROUND or TRUNC',
    ]);
    expect(messages('  REAL64 x:\n  REAL32 y:\n  x := REAL64 y')).toEqual([]);
    expect(messages('  INT n:\n  n := INT ROUND n')).toEqual([
      '3:8 ROUND is for conversions to or from REAL32 and REAL64',
    ]);
  });
  it('rejects BOOL to and from reals', () => {
    expect(messages('  REAL32 x:\n  BOOL b:\n  b := BOOL ROUND x')).toEqual([
      '4:8 BOOL and REAL32 cannot be converted into each other',
    ]);
  });
  it('rejects modulo and bitwise operators on reals', () => {
    expect(messages('  REAL64 x:\n  x := x TIMES x')).toEqual([
      '3:8 `TIMES` needs integer operands, but these are REAL64',
    ]);
    expect(messages('  REAL64 x:\n  x := x /\\ x')).toEqual(['3:8 `/\\` needs integer operands, but these are REAL64']);
  });
  it('keeps INT, INT32 and INT64 apart', () => {
    expect(messages('  INT32 a:\n  INT b:\n  b := a + b')).toEqual([
      '4:8 the operands of `+` have different types: INT32 and INT',
    ]);
  });
  it('folds constants of every integer width with their overflow rules', () => {
    expect(messages('  VAL INT16 x IS 32767(INT16) + 1(INT16):\n  SKIP')).toEqual([
      '2:18 the constant expression 32767(INT16) + 1(INT16) overflows INT16',
    ]);
    expect(messages('  VAL INT16 x IS 32767(INT16) PLUS 1(INT16):\n  SKIP')).toEqual([]);
    // As in KRoC, the remainder of MOSTNEG by -1 is 0; only the quotient overflows.
    expect(messages('  VAL INT x IS (MOSTNEG INT) \\ (-1):\n  SKIP')).toEqual([]);
    expect(messages('  VAL INT x IS (MOSTNEG INT) / (-1):\n  SKIP')).toEqual([
      '2:16 the constant expression (MOSTNEG INT) / (-1) overflows INT',
    ]);
  });
  it('reads hex literals as bit patterns of their type', () => {
    expect(messages('  VAL INT16 x IS #FFFF(INT16):\n  VAL INT16 y IS x + 1(INT16):\n  SKIP')).toEqual([]);
    expect(messages('  VAL INT16 x IS #10000(INT16):\n  SKIP')).toEqual(['2:18 65536 does not fit in INT16']);
  });
  it('checks constant shift counts against the width', () => {
    expect(messages('  INT16 x:\n  x := x << 17')).toEqual(['3:13 shift count 17 is out of range 0..16 for INT16']);
    expect(messages('  INT64 x:\n  x := x >> 64')).toEqual([]);
  });
  it('folds real constants and reports a constant overflow', () => {
    expect(messages('  VAL REAL32 big IS 1.0E+38 * 10.0(REAL32):\n  SKIP')).toEqual([
      '2:21 the constant expression 1.0E+38 * 10.0(REAL32) overflows REAL32 (or divides by zero)',
    ]);
    expect(messages('  VAL INT n IS INT ROUND 1.0E+10(REAL64):\n  SKIP')).toEqual([
      '2:16 `1.0E+10(REAL64)` cannot be converted to INT: out of range',
    ]);
  });
});

describe('real literals and conversions at compile time', () => {
  it('rounds REAL64 literals as JavaScript does (correctly)', () => {
    for (const t of [
      '0.1',
      '2.5',
      '1.7976931348623157E+308',
      '4.9E-324',
      '123456789.123456789',
      '9007199254740993.0',
    ]) {
      expect(realLiteralValue(t, REAL64)).toBe(Number(t));
    }
  });
  it('rounds REAL32 literals once, where Math.fround(Number(text)) would round twice', () => {
    // Just above the midpoint between 1 and the next single: the double nearest the text is the midpoint itself.
    const text = '1.0000000596046447753906250001';
    expect(Math.fround(Number(text))).toBe(1);
    expect(realLiteralValue(text, REAL32)).toBe(1.0000001192092896);
    expect(realLiteralValue('1.40129846E-45', REAL32)).toBe(2 ** -149);
    expect(realLiteralValue('3.5E+38', REAL32)).toBe(Infinity);
  });
  it('rounds integers to reals to nearest or towards zero', () => {
    expect(intToReal(16777217n, REAL32, false)).toBe(16777216);
    expect(intToReal(16777219n, REAL32, false)).toBe(16777220);
    expect(intToReal(16777219n, REAL32, true)).toBe(16777218);
    expect(intToReal(-(2n ** 63n), REAL64, false)).toBe(-(2 ** 63));
    expect(intToReal((1n << 53n) + 1n, REAL64, false)).toBe(2 ** 53);
  });
  it('folds real to integer conversions with range checks', () => {
    expect(foldRealConversion(undefined, 2.5, REAL64, prim('INT'), 'ROUND')).toBe(2n);
    expect(foldRealConversion(undefined, -2.7, REAL64, prim('INT'), 'TRUNC')).toBe(-2n);
    expect(foldRealConversion(undefined, 40000, REAL64, prim('INT16'), 'ROUND')).toBe('range');
  });
});

describe('code shapes', () => {
  it('REAL64 arithmetic runs on the FPU with a check after each operation', () => {
    const m = mnemonics('  REAL64 x, y:\n  x := x + y');
    expect(m).toContain('fpldnldb');
    expect(m).toContain('fpadd');
    expect(m).toContain('fpchkerr');
    expect(m).toContain('fpstnldb');
  });
  it('REAL32 uses the single-length loads and stores', () => {
    const m = mnemonics('  REAL32 x, y:\n  x := x * y');
    expect(m).toEqual(expect.arrayContaining(['fpldnlsn', 'fpmul', 'fpstnlsn']));
    expect(m).not.toContain('fpldnldb');
  });
  it('real negation multiplies by -1.0 in place', () => {
    expect(mnemonics('  REAL64 x:\n  x := -x')).toContain('fpldnlmuldb');
  });
  it('INT ROUND uses fprtoi32 and fpstnli32; TRUNC first selects fpurz', () => {
    const r = mnemonics('  REAL64 x:\n  INT n:\n  n := INT ROUND x');
    expect(r).toEqual(expect.arrayContaining(['fprtoi32', 'fpstnli32', 'fpchkerr']));
    expect(r).not.toContain('fpentry');
    expect(mnemonics('  REAL64 x:\n  INT n:\n  n := INT TRUNC x')).toContain('fpentry');
  });
  it('INT64 + and - use the checked long instructions; PLUS and MINUS the unchecked ones', () => {
    const add = mnemonics('  INT64 a, b:\n  a := a + b');
    expect(add).toEqual(expect.arrayContaining(['lsum', 'ladd']));
    const sub = mnemonics('  INT64 a, b:\n  a := a - b');
    expect(sub).toEqual(expect.arrayContaining(['ldiff', 'lsub']));
    const plus = mnemonics('  INT64 a, b:\n  a := a PLUS b');
    expect(plus).not.toContain('ladd');
  });
  it('INT64 TIMES is lmul plus two prods; shifts are lshl/lshr', () => {
    const t = mnemonics('  INT64 a, b:\n  a := a TIMES b');
    expect(t.filter((x) => x === 'prod')).toHaveLength(2);
    expect(t).toContain('lmul');
    expect(mnemonics('  INT64 a:\n  INT n:\n  a := a << n')).toContain('lshl');
  });
  it('INT64 * and / call the runtime routines', () => {
    expect(mnemonics('  INT64 a, b:\n  a := a * b')).toContain('call');
    expect(mnemonics('  INT64 a, b:\n  a := a + b')).not.toContain('call');
  });
  it('INT64 to INT checks with csngl; INT to INT64 extends with xdble', () => {
    expect(mnemonics('  INT64 a:\n  INT n:\n  n := INT a')).toContain('csngl');
    expect(mnemonics('  INT64 a:\n  INT n:\n  a := INT64 n')).toContain('xdble');
  });
  it('INT16 arithmetic checks the 16-bit range with cword; array elements are two bytes', () => {
    expect(mnemonics('  INT16 a:\n  a := a + a')).toContain('cword');
    const load = mnemonics('  [4]INT16 v:\n  INT i:\n  INT16 x:\n  x := v[i]');
    expect(load.filter((x) => x === 'lb')).toHaveLength(2);
    expect(load).toContain('xword');
    const store = mnemonics('  [4]INT16 v:\n  INT i:\n  v[i] := 5');
    expect(store.filter((x) => x === 'sb')).toHaveLength(2);
  });
  it('--no-checks drops subscript, conversion and shift-count checks but keeps overflow checks', () => {
    const body = '  [4]INT v:\n  INT i, n:\n  BYTE b:\n  SEQ\n    v[i] := n << i\n    b := BYTE n\n    n := n + 1';
    const on = mnemonics(body, true);
    const off = mnemonics(body, false);
    expect(on.filter((x) => x === 'csub0').length).toBeGreaterThanOrEqual(3);
    expect(off).not.toContain('csub0');
    expect(off).toContain('adc');
  });
});
