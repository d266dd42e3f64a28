// Questions the code generator asks about types and expressions in several places.

import type { Expr } from '../ast.js';
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
