// The subscript algebra the usage rules reason with: a subscript as a linear form over names (`i + 1`,
// `2 * j - k`), a ring subscript (`(i + 1) \ n`), a range (what `a[i]` names outside the replicator of `i`) or
// anything. On these, `overlap` decides whether two paths into the same array may name the same element, also
// between two replicas of a replicated PAR, whose index differs. Nothing here knows about processes or messages;
// usage.ts builds the paths and reports the conflicts.

import type { Expr } from './ast.js';
import type { Symbol } from './symbols.js';

/** `c + Σ coef·name`: a subscript that is linear in names whose values are fixed while the uses are compared. */
export interface Linear {
  readonly c: bigint;
  readonly terms: ReadonlyMap<Symbol, bigint>;
}

/** One subscript on the way from a root to an element. */
export type Sub =
  /** A linear subscript; a constant when it has no terms. */
  | { readonly k: 'lin'; readonly lin: Linear }
  /** `lin \ m` with a positive constant `m` (the classic ring subscript `c[(i + 1) \ n]`). */
  | { readonly k: 'mod'; readonly lin: Linear; readonly m: bigint }
  /** Some element between `lo` and `hi`: what `a[i]` names once outside the replicator of `i`. */
  | { readonly k: 'range'; readonly lo: bigint; readonly hi: bigint }
  /**
   * The elements `lin` .. `lin + count - 1` of a segment `[a FROM lin FOR count]` whose start is not a constant;
   * `count` is null when it is not a constant either (or the segment runs to the end): it is never negative.
   */
  | { readonly k: 'seg'; readonly lin: Linear; readonly count: bigint | null }
  | { readonly k: 'any' };

/** The index of the replicated PAR whose replicas two uses come from, and its count if constant. */
export interface Replicas {
  readonly index: Symbol;
  readonly count: bigint | null;
  /** The replicator's STEP: two replicas' indices differ by a multiple of it; null when it is not a constant. */
  readonly step?: bigint | null;
}

export const ANY: Sub = { k: 'any' };

/** The upper end of a segment that runs to the end of its array. */
export const UNBOUNDED = 1n << 62n;

/** A subscript as a path step. */
export function subOf(e: Expr): Sub {
  const lin = linearOf(e);
  if (lin) return { k: 'lin', lin };
  if (e.kind === 'dyadic' && (e.op === '\\' || e.op === 'REM')) {
    const m = e.right.constValue;
    const inner = linearOf(e.left);
    if (inner && m !== undefined && m > 0n) return { k: 'mod', lin: inner, m };
  }
  return ANY;
}

/** An integer expression as a linear form over names, or null if it is not one. */
export function linearOf(e: Expr): Linear | null {
  if (e.constValue !== undefined) return { c: e.constValue, terms: new Map() };
  switch (e.kind) {
    case 'name': {
      const sym = e.decl;
      if (!sym || (sym.kind !== 'var' && sym.kind !== 'param' && sym.kind !== 'abbrev') || sym.type.kind !== 'prim')
        return null;
      return { c: 0n, terms: new Map([[sym, 1n]]) };
    }
    case 'dyadic': {
      const l = linearOf(e.left);
      const r = linearOf(e.right);
      if (!l || !r) return null;
      switch (e.op) {
        case '+':
        case 'PLUS':
          return addLinear(l, r, 1n);
        case '-':
        case 'MINUS':
          return addLinear(l, r, -1n);
        case '*':
        case 'TIMES':
          if (l.terms.size === 0) return scaleLinear(r, l.c);
          if (r.terms.size === 0) return scaleLinear(l, r.c);
          return null;
        default:
          return null;
      }
    }
    case 'monadic': {
      if (e.op !== '-' && e.op !== 'MINUS') return null;
      const inner = linearOf(e.operand);
      return inner ? scaleLinear(inner, -1n) : null;
    }
    default:
      return null;
  }
}

export function addLinear(a: Linear, b: Linear, sign: bigint): Linear {
  const terms = new Map(a.terms);
  for (const [sym, coef] of b.terms) {
    const v = (terms.get(sym) ?? 0n) + sign * coef;
    if (v === 0n) terms.delete(sym);
    else terms.set(sym, v);
  }
  return { c: a.c + sign * b.c, terms };
}

export function scaleLinear(a: Linear, f: bigint): Linear {
  if (f === 0n) return { c: 0n, terms: new Map() };
  const terms = new Map<Symbol, bigint>();
  for (const [sym, coef] of a.terms) terms.set(sym, coef * f);
  return { c: a.c * f, terms };
}

export function constOf(s: Sub): bigint | null {
  return s.k === 'lin' && s.lin.terms.size === 0 ? s.lin.c : null;
}

export function mentionsSub(s: Sub, sym: Symbol): boolean {
  return (s.k === 'lin' || s.k === 'mod' || s.k === 'seg') && s.lin.terms.has(sym);
}

export function mentions(path: readonly Sub[], sym: Symbol): boolean {
  return path.some((s) => mentionsSub(s, sym));
}

/**
 * Replace names by linear forms in subscripts (a PROC's VAL parameters by the actuals of a call); a name mapped
 * to null could be anything, so its subscripts stand for any element.
 */
export function substitute(path: readonly Sub[], values: ReadonlyMap<Symbol, Linear | null>): Sub[] {
  return path.map((s) => {
    if (s.k !== 'lin' && s.k !== 'mod' && s.k !== 'seg') return s;
    let lin: Linear = { c: s.lin.c, terms: new Map() };
    for (const [sym, coef] of s.lin.terms) {
      const v = values.get(sym);
      if (v === null) return ANY;
      lin = addLinear(lin, v === undefined ? { c: 0n, terms: new Map([[sym, coef]]) } : scaleLinear(v, coef), 1n);
    }
    return s.k === 'lin' ? { k: 'lin', lin } : s.k === 'mod' ? { k: 'mod', lin, m: s.m } : { ...s, lin };
  });
}

/** Once the names in `gone` are out of scope, subscripts in terms of them could be any element. */
export function forget(path: readonly Sub[], gone: ReadonlySet<Symbol>): Sub[] {
  return path.map((s) =>
    (s.k === 'lin' || s.k === 'mod' || s.k === 'seg') && [...s.lin.terms.keys()].some((t) => gone.has(t)) ? ANY : s,
  );
}

/** A subscript in terms of a replicator index, seen from outside the replicator: the range it runs over. */
export function closeSub(s: Sub, index: Symbol, span: { lo: bigint; hi: bigint } | null): Sub {
  if (!mentionsSub(s, index)) return s;
  if (!span || (s.k !== 'lin' && s.k !== 'mod' && s.k !== 'seg') || s.lin.terms.size !== 1) return ANY;
  const coef = s.lin.terms.get(index)!;
  const a = s.lin.c + coef * span.lo;
  const b = s.lin.c + coef * span.hi;
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  if (s.k === 'lin') return { k: 'range', lo, hi };
  if (s.k === 'seg')
    return s.count === null ? { k: 'range', lo, hi: UNBOUNDED } : { k: 'range', lo, hi: hi + s.count - 1n };
  // `\` keeps the dividend's sign: a non-negative dividend gives 0 .. m-1.
  return lo >= 0n ? { k: 'range', lo: 0n, hi: s.m - 1n } : { k: 'range', lo: 1n - s.m, hi: s.m - 1n };
}

/**
 * Whether two paths into the same root may name overlapping parts. With `replicas`, the two uses come from
 * different replicas of a replicated PAR, whose index therefore has different values in them.
 */
export function overlap(a: readonly Sub[], b: readonly Sub[], replicas: Replicas | null): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (disjointSubs(a[i]!, b[i]!, replicas)) return false;
  return true;
}

/** True when two subscripts certainly differ. */
export function disjointSubs(x: Sub, y: Sub, replicas: Replicas | null): boolean {
  if (x.k === 'any' || y.k === 'any') return false;
  if (x.k === 'seg' || y.k === 'seg') return segmentsDisjoint(x, y, replicas);
  if (x.k === 'range' || y.k === 'range') {
    const rx = x.k === 'range' ? x : constOf(x) !== null ? { lo: constOf(x)!, hi: constOf(x)! } : null;
    const ry = y.k === 'range' ? y : constOf(y) !== null ? { lo: constOf(y)!, hi: constOf(y)! } : null;
    return !!rx && !!ry && (rx.hi < ry.lo || ry.hi < rx.lo);
  }
  if (x.k === 'lin' && y.k === 'lin') return linearDiffers(x.lin, y.lin, replicas);
  if ((x.k === 'lin' && y.k === 'mod') || (x.k === 'mod' && y.k === 'lin')) {
    // v against (v + k) \ m, in one use (the ring idiom `c[i]` beside `c[(i + 1) \ n]`): (v + k) REM m equals v
    // only if k is a multiple of m, whatever v is. Between replicas the index has other values in the two, so
    // the rule holds only for forms that do not name it.
    const l = x.k === 'lin' ? x.lin : (y as { lin: Linear }).lin;
    const md = (x.k === 'mod' ? x : y) as { lin: Linear; m: bigint };
    if (replicas && (l.terms.has(replicas.index) || md.lin.terms.has(replicas.index))) return false;
    if (!sameTerms(l, md.lin) || md.m === 0n) return false;
    return (md.lin.c - l.c) % md.m !== 0n;
  }
  if (x.k === 'mod' && y.k === 'mod') {
    // (i + k) \ m in two replicas of `PAR i = b FOR n` with n <= m: the dividends differ by less than m.
    if (!replicas || x.m !== y.m || replicas.count === null || replicas.count > x.m) return false;
    if (replicas.step !== undefined && replicas.step !== 1n && replicas.step !== -1n) return false;
    const coef = x.lin.terms.get(replicas.index);
    return (coef === 1n || coef === -1n) && sameLinear(x.lin, y.lin);
  }
  return false;
}

/** A subscript as a run of elements `lin` .. `lin + count - 1` (count null: unknown, never negative), if it is one. */
function asSegment(s: Sub): { lin: Linear; count: bigint | null } | null {
  if (s.k === 'seg') return s;
  if (s.k === 'lin') return { lin: s.lin, count: 1n };
  if (s.k === 'range') {
    const lin = { c: s.lo, terms: new Map<Symbol, bigint>() };
    return { lin, count: s.hi >= UNBOUNDED ? null : s.hi - s.lo + 1n };
  }
  return null;
}

/**
 * Whether two runs of elements, one of them a segment with a start that is not constant, certainly do not meet:
 * `[a FROM i + 1 FOR n]` beside `a[i]`, or `[a FROM 4 * i FOR 4]` in two replicas of `PAR i`. Names other than the
 * replicas' index must cancel between the starts; what is left is the starts' distance, `k + a·δ` for the
 * difference δ of the two replicas' indices (never 0, at most count - 1 apart), and the runs miss each other when
 * that distance is at least the first run's length or at most minus the second's.
 */
function segmentsDisjoint(x: Sub, y: Sub, replicas: Replicas | null): boolean {
  const sx = asSegment(x);
  const sy = asSegment(y);
  if (!sx || !sy) return false;
  const index = replicas?.index;
  const names = new Set([...sx.lin.terms.keys(), ...sy.lin.terms.keys()]);
  for (const sym of names) {
    if (sym !== index && (sx.lin.terms.get(sym) ?? 0n) !== (sy.lin.terms.get(sym) ?? 0n)) return false;
  }
  const k = sy.lin.c - sx.lin.c;
  const apart = (d: bigint): boolean => (sx.count !== null && d >= sx.count) || (sy.count !== null && d <= -sy.count);
  const step = replicas?.step === undefined ? 1n : replicas.step;
  const cx = index ? (sx.lin.terms.get(index) ?? 0n) : 0n;
  const cy = index ? (sy.lin.terms.get(index) ?? 0n) : 0n;
  if (cx === 0n && cy === 0n) return apart(k);
  if (step === null || cx !== cy || !replicas) return false;
  // y's start minus x's is k + a·δ, δ = (i_y - i_x) / step a nonzero whole number.
  const a = cx * step;
  const limit = replicas.count === null ? null : replicas.count - 1n;
  // Replicas' runs can be compared only when both lengths are known: they meet when -|y| < k + a·δ < |x|.
  if (sx.count === null || sy.count === null) return false;
  const lo = -sy.count + 1n - k;
  const hi = sx.count - 1n - k;
  const abs = a < 0n ? -a : a;
  let [dLo, dHi] = a > 0n ? [ceilDiv(lo, abs), floorDiv(hi, abs)] : [ceilDiv(-hi, abs), floorDiv(-lo, abs)];
  if (limit !== null) {
    if (dLo < -limit) dLo = -limit;
    if (dHi > limit) dHi = limit;
  }
  // Some δ other than 0 in dLo .. dHi makes them meet.
  return dLo > dHi || (dLo === 0n && dHi === 0n);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}

/** Whether two linear forms have the same names with the same coefficients (their constants may differ). */
function sameTerms(a: Linear, b: Linear): boolean {
  if (a.terms.size !== b.terms.size) return false;
  for (const [sym, coef] of a.terms) if (b.terms.get(sym) !== coef) return false;
  return true;
}

function sameLinear(a: Linear, b: Linear): boolean {
  if (a.c !== b.c || a.terms.size !== b.terms.size) return false;
  for (const [sym, coef] of a.terms) if (b.terms.get(sym) !== coef) return false;
  return true;
}

/**
 * True when two linear subscripts certainly differ. Names other than the replicas' index have the same value in
 * both uses, so they must cancel; the index differs between replicas by 1 .. count-1.
 */
function linearDiffers(x: Linear, y: Linear, replicas: Replicas | null): boolean {
  const index = replicas?.index;
  const names = new Set([...x.terms.keys(), ...y.terms.keys()]);
  for (const sym of names) if (sym !== index && (x.terms.get(sym) ?? 0n) !== (y.terms.get(sym) ?? 0n)) return false;
  const d = y.c - x.c;
  // With STEP s, i1 - i2 is s times a difference of 1 .. count-1: the coefficient scales by s.
  const step = replicas?.step === undefined ? 1n : replicas.step;
  const a = index ? (x.terms.get(index) ?? 0n) * (step ?? 1n) : 0n;
  const b = index ? (y.terms.get(index) ?? 0n) * (step ?? 1n) : 0n;
  if (a === 0n && b === 0n) return d !== 0n;
  if (step === null) return false;
  if (a !== b) return false;
  // a·(i1 - i2) = d with i1 ≠ i2 and |i1 - i2| <= count - 1.
  if (d % a !== 0n) return true;
  const q = d / a;
  if (q === 0n) return true;
  const limit = replicas!.count;
  return limit !== null && (q < 0n ? -q : q) > limit - 1n;
}

export function subKey(s: Sub): string {
  const lin = (l: Linear) => `${l.c}${[...l.terms].map(([sym, coef]) => `+${coef}*${symId(sym)}`).join('')}`;
  switch (s.k) {
    case 'lin':
      return lin(s.lin);
    case 'mod':
      return `(${lin(s.lin)})\\${s.m}`;
    case 'range':
      return `${s.lo}..${s.hi}`;
    case 'seg':
      return `${lin(s.lin)}+[${s.count ?? '*'}]`;
    case 'any':
      return '*';
  }
}

/** A small number naming a symbol, for keys. */
const ids = new WeakMap<object, number>();
let nextId = 1;

export function symId(s: Symbol): number {
  let id = ids.get(s);
  if (id === undefined) {
    id = nextId++;
    ids.set(s, id);
  }
  return id;
}
