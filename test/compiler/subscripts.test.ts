// The subscript algebra of the usage rules (compiler/subscripts.ts), on its own: linear forms read from
// expressions, substitution and scope, ranges seen from outside a replicator, and the overlap question, also
// between replicas of a replicated PAR.

import { describe, expect, it } from 'vitest';
import type { Expr } from '../../compiler/ast.js';
import type { Symbol } from '../../compiler/symbols.js';
import {
  ANY,
  addLinear,
  closeSub,
  constOf,
  forget,
  linearOf,
  mentions,
  overlap,
  scaleLinear,
  subKey,
  subOf,
  substitute,
  type Linear,
  type Sub,
} from '../../compiler/subscripts.js';
import { INT } from '../../compiler/types.js';

// ---------------------------------------------------------------------------------------------------- helpers

function variable(name: string): Symbol {
  return { kind: 'var', name, type: INT, readOnly: false } as unknown as Symbol;
}

const i = variable('i');
const j = variable('j');
const n = variable('n');

const num = (v: number): Expr => ({ kind: 'int', constValue: BigInt(v) }) as unknown as Expr;
const ref = (s: Symbol): Expr => ({ kind: 'name', name: s.name, decl: s }) as unknown as Expr;
const dy = (op: string, left: Expr, right: Expr): Expr => ({ kind: 'dyadic', op, left, right }) as unknown as Expr;
const neg = (operand: Expr): Expr => ({ kind: 'monadic', op: '-', operand }) as unknown as Expr;

/** `c + Σ coef·name` written as [c, [name, coef], ...]. */
function lin(c: number, ...terms: [Symbol, number][]): Linear {
  return { c: BigInt(c), terms: new Map(terms.map(([s, k]) => [s, BigInt(k)])) };
}
const at = (c: number, ...terms: [Symbol, number][]): Sub => ({ k: 'lin', lin: lin(c, ...terms) });
const ring = (m: number, c: number, ...terms: [Symbol, number][]): Sub => ({
  k: 'mod',
  lin: lin(c, ...terms),
  m: BigInt(m),
});
const range = (lo: number, hi: number): Sub => ({ k: 'range', lo: BigInt(lo), hi: BigInt(hi) });

/** A linear form as text, names in the order given, for readable expectations. */
function show(l: Linear | null): string {
  if (!l) return 'null';
  const terms = [...l.terms].map(([s, k]) => `${k}*${s.name}`);
  return [...terms, `${l.c}`].join(' + ');
}

// ---------------------------------------------------------------------------------------------------- tests

describe('linear forms of expressions', () => {
  it('reads constants, names, sums, differences and constant multiples', () => {
    expect(show(linearOf(num(7)))).toBe('7');
    expect(show(linearOf(ref(i)))).toBe('1*i + 0');
    expect(show(linearOf(dy('+', ref(i), num(1))))).toBe('1*i + 1');
    expect(show(linearOf(dy('-', dy('*', num(2), ref(i)), ref(j))))).toBe('2*i + -1*j + 0');
    expect(show(linearOf(dy('TIMES', ref(j), num(3))))).toBe('3*j + 0');
    expect(show(linearOf(neg(dy('PLUS', ref(i), num(2)))))).toBe('-1*i + -2');
  });

  it('gives up on products of names and on other operators', () => {
    expect(linearOf(dy('*', ref(i), ref(j)))).toBeNull();
    expect(linearOf(dy('/', ref(i), num(2)))).toBeNull();
  });

  it('cancels terms that sum to zero', () => {
    const d = addLinear(lin(1, [i, 1], [j, 2]), lin(0, [i, 1]), -1n);
    expect(show(d)).toBe('2*j + 1');
    expect(scaleLinear(lin(5, [i, 3]), 0n).terms.size).toBe(0);
  });

  it('makes a ring subscript of `e \\ m` with a positive constant m, and anything of the rest', () => {
    expect(subOf(dy('\\', dy('+', ref(i), num(1)), num(4)))).toEqual(ring(4, 1, [i, 1]));
    expect(subOf(dy('\\', ref(i), ref(n)))).toBe(ANY);
    expect(subOf(dy('/', ref(i), num(2)))).toBe(ANY);
    expect(constOf(subOf(num(3)))).toBe(3n);
    expect(constOf(subOf(ref(i)))).toBeNull();
  });
});

describe('overlap of two paths into one array', () => {
  it('constants differ or not', () => {
    expect(overlap([at(1)], [at(2)], null)).toBe(false);
    expect(overlap([at(1)], [at(1)], null)).toBe(true);
  });

  it('compares the common prefix only: a row overlaps its elements', () => {
    expect(overlap([at(1)], [at(1), at(2)], null)).toBe(true);
    expect(overlap([at(1), at(2)], [at(1), at(3)], null)).toBe(false);
    expect(overlap([at(0), at(2)], [at(1), at(2)], null)).toBe(false);
  });

  it('the same names cancel: a[i] and a[i + 1] are different elements, a[i] and a[j] may be one', () => {
    expect(overlap([at(0, [i, 1])], [at(1, [i, 1])], null)).toBe(false);
    expect(overlap([at(0, [i, 1])], [at(0, [j, 1])], null)).toBe(true);
    expect(overlap([at(0, [i, 1])], [at(0, [i, 1])], null)).toBe(true);
  });

  it('anything overlaps everything', () => {
    expect(overlap([ANY], [at(3)], null)).toBe(true);
    expect(overlap([at(3)], [ANY], null)).toBe(true);
  });

  it('ranges are compared with constants and with each other', () => {
    expect(overlap([range(0, 3)], [at(4)], null)).toBe(false);
    expect(overlap([range(0, 3)], [at(3)], null)).toBe(true);
    expect(overlap([range(0, 3)], [range(4, 9)], null)).toBe(false);
    expect(overlap([range(0, 4)], [range(4, 9)], null)).toBe(true);
    expect(overlap([range(0, 3)], [at(0, [i, 1])], null)).toBe(true);
  });

  it('between replicas the index differs: a[i] is a different element in each', () => {
    const replicas = { index: i, count: 8n };
    expect(overlap([at(0, [i, 1])], [at(0, [i, 1])], replicas)).toBe(false);
    // 2i and 2i + 1 never meet, in one replica or two.
    expect(overlap([at(0, [i, 2])], [at(1, [i, 2])], replicas)).toBe(false);
    // a[i + 1] in replica i meets a[i] in replica i + 1.
    expect(overlap([at(0, [i, 1])], [at(1, [i, 1])], replicas)).toBe(true);
    // ... unless the replicas are too few to be that far apart.
    expect(overlap([at(0, [i, 1])], [at(8, [i, 1])], replicas)).toBe(false);
    expect(overlap([at(0, [i, 1])], [at(7, [i, 1])], replicas)).toBe(true);
    expect(overlap([at(0, [i, 1])], [at(1, [i, 1])], { index: i, count: 1n })).toBe(false);
    // With an unknown count anything beyond the index itself may meet.
    expect(overlap([at(0, [i, 1])], [at(100, [i, 1])], { index: i, count: null })).toBe(true);
    // Other names still have to cancel.
    expect(overlap([at(0, [i, 1], [j, 1])], [at(0, [i, 1])], replicas)).toBe(true);
  });

  it('a segment with a start that is not constant is compared with elements and segments by the names', () => {
    const seg = (count: number | null, c: number, ...terms: [Symbol, number][]): Sub => ({
      k: 'seg',
      lin: lin(c, ...terms),
      count: count === null ? null : BigInt(count),
    });
    // a[p] and [a FROM p + 1 FOR n], whatever n is.
    expect(overlap([at(0, [i, 1])], [seg(null, 1, [i, 1])], null)).toBe(false);
    expect(overlap([at(1, [i, 1])], [seg(null, 1, [i, 1])], null)).toBe(true);
    // [a FROM p FOR 2] holds a[p + 1] but not a[p + 2].
    expect(overlap([seg(2, 0, [i, 1])], [at(1, [i, 1])], null)).toBe(true);
    expect(overlap([seg(2, 0, [i, 1])], [at(2, [i, 1])], null)).toBe(false);
    expect(overlap([seg(2, 0, [i, 1])], [seg(3, 2, [i, 1])], null)).toBe(false);
    // Names that do not cancel: anything.
    expect(overlap([seg(2, 0, [i, 1])], [at(5, [j, 1])], null)).toBe(true);
    const replicas = { index: i, count: 2n };
    // [a FROM 4 * i FOR 4] in two replicas of PAR i: 0..3 and 4..7; FOR 5 would overlap.
    expect(overlap([seg(4, 0, [i, 4])], [seg(4, 0, [i, 4])], replicas)).toBe(false);
    expect(overlap([seg(5, 0, [i, 4])], [seg(5, 0, [i, 4])], replicas)).toBe(true);
    // [a FROM 2 * i FOR 4] overlaps its neighbour; [a FROM 8 * i FOR 4] never does, however many replicas.
    expect(overlap([seg(4, 0, [i, 2])], [seg(4, 0, [i, 2])], replicas)).toBe(true);
    expect(overlap([seg(4, 0, [i, 8])], [seg(4, 0, [i, 8])], { index: i, count: null })).toBe(false);
    // [a FROM i FOR 4] in replicas of PAR i = 0 FOR 2 STEP 4 is 0..3 and 4..7.
    expect(overlap([seg(4, 0, [i, 1])], [seg(4, 0, [i, 1])], { ...replicas, step: 4n })).toBe(false);
    // Far apart, with few replicas: [a FROM i FOR 2] against [a FROM i + 5 FOR 2] with 2 replicas.
    expect(overlap([seg(2, 0, [i, 1])], [seg(2, 5, [i, 1])], replicas)).toBe(false);
    expect(overlap([seg(2, 0, [i, 1])], [seg(2, 5, [i, 1])], { index: i, count: 8n })).toBe(true);
    // An unknown length between replicas: anything.
    expect(overlap([seg(null, 0, [i, 8])], [seg(4, 0, [i, 8])], replicas)).toBe(true);
    // Seen from outside the replicator of i = 0 .. 1: elements 0 .. 7.
    expect(closeSub(seg(4, 0, [i, 4]), i, { lo: 0n, hi: 1n })).toEqual(range(0, 7));
  });

  it('a ring subscript (i + k) \\ m differs between replicas when there are at most m of them', () => {
    expect(overlap([ring(4, 1, [i, 1])], [ring(4, 1, [i, 1])], { index: i, count: 4n })).toBe(false);
    expect(overlap([ring(4, 1, [i, 1])], [ring(4, 1, [i, 1])], { index: i, count: 5n })).toBe(true);
    expect(overlap([ring(4, 1, [i, 1])], [ring(4, 1, [i, 1])], null)).toBe(true);
    expect(overlap([ring(4, 1, [i, 1])], [ring(5, 1, [i, 1])], { index: i, count: 4n })).toBe(true);
  });

  it('in one use, v and (v + k) \\ m differ unless k is a multiple of m (the ring idiom in one call)', () => {
    expect(overlap([at(0, [i, 1])], [ring(3, 1, [i, 1])], null)).toBe(false);
    expect(overlap([ring(3, 2, [i, 1])], [at(0, [i, 1])], null)).toBe(false);
    expect(overlap([at(5, [i, 1])], [ring(3, 7, [i, 1])], null)).toBe(false);
    // k a multiple of m: (i + 3) \ 3 is i for i from 0 to 2.
    expect(overlap([at(0, [i, 1])], [ring(3, 3, [i, 1])], null)).toBe(true);
    expect(overlap([at(0, [i, 1])], [ring(3, 0, [i, 1])], null)).toBe(true);
    // Other names must match, and between replicas the index does not stand for one value.
    expect(overlap([at(0, [j, 1])], [ring(3, 1, [i, 1])], null)).toBe(true);
    expect(overlap([at(0, [i, 1])], [ring(3, 1, [i, 1])], { index: i, count: 3n })).toBe(true);
  });
});

describe('subscripts across scopes and calls', () => {
  it('seen from outside its replicator, a subscript in the index is the range it runs over', () => {
    expect(closeSub(at(1, [i, 1]), i, { lo: 0n, hi: 4n })).toEqual(range(1, 5));
    expect(closeSub(at(0, [i, -1]), i, { lo: 0n, hi: 4n })).toEqual(range(-4, 0));
    expect(closeSub(ring(3, 1, [i, 1]), i, { lo: 0n, hi: 9n })).toEqual(range(0, 2));
    expect(closeSub(ring(3, -5, [i, 1]), i, { lo: 0n, hi: 9n })).toEqual(range(-2, 2));
    // Unknown bounds, or other names as well: any element.
    expect(closeSub(at(1, [i, 1]), i, null)).toBe(ANY);
    expect(closeSub(at(1, [i, 1], [j, 1]), i, { lo: 0n, hi: 4n })).toBe(ANY);
    // A subscript that does not mention the index is left alone.
    expect(closeSub(at(1, [j, 1]), i, { lo: 0n, hi: 4n })).toEqual(at(1, [j, 1]));
  });

  it('substitutes actual parameters for names, and a name that could be anything makes any element', () => {
    const values = new Map<Symbol, Linear | null>([[i, lin(2, [j, 1])]]);
    expect(substitute([at(1, [i, 3])], values)).toEqual([at(7, [j, 3])]);
    expect(substitute([ring(4, 0, [i, 1])], values)).toEqual([ring(4, 2, [j, 1])]);
    expect(substitute([at(1, [i, 1])], new Map([[i, null]]))).toEqual([ANY]);
    expect(substitute([at(1, [n, 1]), range(0, 2)], values)).toEqual([at(1, [n, 1]), range(0, 2)]);
  });

  it('forgets subscripts in names that went out of scope', () => {
    expect(forget([at(1, [i, 1]), at(2), at(0, [j, 1])], new Set([i]))).toEqual([ANY, at(2), at(0, [j, 1])]);
    expect(mentions([at(2), at(0, [j, 1])], j)).toBe(true);
    expect(mentions([at(2), ANY], j)).toBe(false);
  });

  it('keys tell different subscripts apart and equal ones together', () => {
    expect(subKey(at(1, [i, 1]))).toBe(subKey(at(1, [i, 1])));
    const keys = [at(1, [i, 1]), at(1, [j, 1]), at(1), ring(4, 1, [i, 1]), range(1, 2), ANY].map(subKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
