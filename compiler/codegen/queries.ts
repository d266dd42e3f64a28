// Questions the code generator asks about types and expressions in several places.

import type { Expr } from '../ast.js';
import type { FunctionSymbol } from '../symbols.js';
import { byteSize, isPrim, type Type } from '../types.js';

export function isWide(t: Type | undefined): boolean {
  return t !== undefined && isPrim(t, 'INT64', 'REAL64');
}

export function isReal(t: Type | undefined): boolean {
  return t !== undefined && isPrim(t, 'REAL32', 'REAL64');
}

export function is16(t: Type | undefined): boolean {
  return t !== undefined && isPrim(t, 'INT16');
}

export function isElement(e: Expr): boolean {
  return e.kind === 'name' || e.kind === 'subscript';
}

/** Whether an array expression runs code before its address is known (a segment, a built table). */
export function needsPrep(e: Expr): boolean {
  switch (e.kind) {
    case 'slice':
    case 'constructor':
      return true;
    case 'table':
      return !e.constBytes;
    case 'subscript':
      return needsPrep(e.base);
    case 'direction':
      return needsPrep(e.channel);
    default:
      return false;
  }
}

export function wordsFor(t: Type): number {
  const bytes = byteSize(t) ?? 4;
  if (t.kind === 'prim') return bytes > 4 ? 2 : 1;
  return Math.max(1, Math.ceil(bytes / 4));
}

/**
 * Whether a FUNCTION's results come back in registers: one scalar (a two-word one in A and B), or up to three
 * one-word scalars in A, B and C. Other results (arrays, records, more of them, two-word ones among several) are
 * stored by the FUNCTION through addresses the caller passes as its first parameter words (docs/codegen.md).
 */
export function resultsInRegisters(sym: FunctionSymbol): boolean {
  const r = sym.results;
  if (r.length === 1 && r[0]!.kind === 'prim') return true;
  return r.length <= 3 && r.every((t) => t.kind === 'prim' && !isWide(t));
}

/** Whether `t` is an end of a CHAN TYPE (a word holding its bundle's address). */
export function isEnd(t: Type | undefined): t is Extract<Type, { kind: 'end' }> {
  return !!t && t.kind === 'end';
}

/** Whether `e` is `svr[req]`, a channel of a bundle. */
export function isBundleChannel(e: Expr): e is Extract<Expr, { kind: 'subscript' }> {
  return e.kind === 'subscript' && isEnd(e.base.type);
}
