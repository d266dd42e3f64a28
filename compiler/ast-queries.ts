// Questions about checked syntax trees that the checker, the usage rules, placement and the code generator all
// ask: an expression's source text, the variable an element is rooted at, the bytes of a constant array value,
// whether a type is an array of channels. They read only what the checker has filled in (`decl`, `type`,
// `constValue`, `realValue`, `constBytes`), so every later stage can import them without importing the checker.

import type { Expr, NameExpr } from './ast.js';
import { isRealType, realBytes } from './numeric.js';
import { byteSize, isMobile, type Type } from './types.js';

/** The bytes of a constant array value (a string, a constant table, or a name for one), if it is one. */
export function constBytes(e: Expr): Uint8Array | null {
  if (e.kind === 'string') return e.bytes;
  if (e.kind === 'table') return e.constBytes ?? null;
  if (e.kind === 'name' && e.decl?.kind === 'const' && e.decl.value instanceof Uint8Array) return e.decl.value;
  if (e.constValue !== undefined && e.type && e.type.kind === 'prim') {
    const w = byteSize(e.type) ?? 4;
    const out = new Uint8Array(w);
    let v = BigInt.asUintN(w * 8, e.constValue);
    for (let k = 0; k < w; k++) {
      out[k] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  }
  if (e.realValue !== undefined && e.type && isRealType(e.type)) return realBytes(e.realValue, e.type);
  return null;
}

export function isChanArray(t: Type): boolean {
  return t.kind === 'array' && (t.elem.kind === 'chan' || isChanArray(t.elem));
}

/** The variable an element expression is rooted at (`a` in `a[i][j]`), if any. */
export function rootName(e: Expr): NameExpr | null {
  switch (e.kind) {
    case 'name':
      return e;
    case 'subscript':
    case 'slice':
      return rootName(e.base);
    case 'direction':
      return rootName(e.channel);
    default:
      return null;
  }
}

/** The source text of an expression, for messages. */
export function exprText(e: Expr): string {
  return e.span.file.text.slice(e.span.start, e.span.end);
}

/**
 * Whether `target := value` moves a MOBILE (occam-π): both are names of MOBILE variables and the value is not a
 * CLONE. The move exchanges the two values, as KRoC's exchange of the two MOBILEs' storage does.
 */
export function isMobileMove(target: Expr, value: Expr): boolean {
  return (
    target.kind === 'name' && value.kind === 'name' && !value.clone && isMobile(target.type) && isMobile(value.type)
  );
}
