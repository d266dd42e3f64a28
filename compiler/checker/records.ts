// RECORD values: field selection `r[f]`, record literals `[1, 2](POINT)`, BYTESIN and OFFSETOF (the layout of a
// RECORD type is record-layout.ts). A record is held as an array of its bytes with the fields described alongside
// (types.ts, RecordDef), so a field selection is a subscript whose index the checker turns into the constant byte
// offset of the field; storage, copies and communication then need nothing new.

import type { Expr } from '../ast.js';
import { constBytes, exprText } from '../ast-queries.js';
import type { ConstSymbol } from '../symbols.js';
import { byteSize, INT, recordOf, sameType, type Type, typeName } from '../types.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';
import { resolveType } from './types.js';

/** `r[f]`: the field `f` of the record `r`, whose type is `bt`. The index becomes the field's byte offset. */
export function fieldSelection(ck: Checker, e: Extract<Expr, { kind: 'subscript' }>, bt: Type): Type | null {
  const rec = recordOf(bt)!;
  const names = rec.fields.map((f) => f.name).join(', ');
  if (e.index.kind !== 'name') {
    ck.diags.error(
      e.index.span,
      `\`${exprText(e.base)}\` is a RECORD (${typeName(bt)}): select one of its fields by name`,
      rec.fields.length > 0 ? `its fields are ${names}` : undefined,
    );
    return null;
  }
  const field = rec.fields.find((f) => f.name === (e.index as { name: string }).name);
  if (!field) {
    ck.diags.error(
      e.index.span,
      `${typeName(bt)} has no field \`${e.index.name}\``,
      rec.fields.length > 0 ? `its fields are ${names}` : undefined,
    );
    return null;
  }
  const offset: ConstSymbol = {
    kind: 'const',
    name: field.name,
    span: e.index.span,
    type: INT,
    value: BigInt(field.offset),
  };
  e.index.decl = offset;
  e.index.type = INT;
  e.index.constValue = BigInt(field.offset);
  // A field of a constant record is a constant.
  const bytes = constBytes(e.base);
  const w = byteSize(field.type);
  if (bytes && field.type.kind === 'prim' && w !== null && w <= 8 && field.offset + w <= bytes.length) {
    let v = 0n;
    for (let k = w - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[field.offset + k]!);
    if (field.type.name === 'REAL32' || field.type.name === 'REAL64') return field.type;
    e.constValue = field.type.name === 'BYTE' || field.type.name === 'BOOL' ? v : BigInt.asIntN(w * 8, v);
  }
  return field.type;
}

/** A table that is a value of the RECORD type `t`: its elements are the fields, in the order they are written. */
export function recordLiteral(ck: Checker, e: Extract<Expr, { kind: 'table' }>, scope: Scope, t: Type): Type | null {
  const rec = recordOf(t)!;
  if (e.elems.length !== rec.fields.length) {
    ck.diags.error(
      e.span,
      `${typeName(t)} has ${rec.fields.length} field(s), but this literal gives ${e.elems.length} value(s)`,
      `its fields, in order, are ${rec.fields.map((f) => f.name).join(', ')}`,
    );
    return null;
  }
  let ok = true;
  const out = new Uint8Array(t.kind === 'array' ? t.size! : 0);
  let constant = true;
  e.elems.forEach((x, i) => {
    const f = rec.fields[i]!;
    const xt = ck.parts.checkExpr(ck, x, scope, f.type);
    if (!xt) {
      ok = false;
      return;
    }
    if (!sameType(xt, f.type)) {
      ck.diags.error(
        x.span,
        `field \`${f.name}\` of ${typeName(t)} is ${typeName(f.type)}, but this is ${typeName(xt)}`,
      );
      ok = false;
      return;
    }
    const b = constBytes(x);
    if (b) out.set(b, f.offset);
    else constant = false;
  });
  if (!ok) return null;
  if (constant) e.constBytes = out;
  return t;
}

/** `BYTESIN (T)` or `BYTESIN (e)`: always a constant here, since every data type has a size known when compiled. */
export function bytesInType(ck: Checker, e: Extract<Expr, { kind: 'bytesin' }>, scope: Scope): Type | null {
  let t: Type | null;
  const target = e.target;
  let value: Expr | null = e.operand;
  if (target && target.kind === 'named' && scope.lookup(target.name)?.kind !== 'type') {
    // A lone name that is not a type is a variable: `BYTESIN (x)`.
    const sym = scope.lookup(target.name);
    if (!sym) {
      ck.diags.error(target.span, `\`${target.name}\` is not declared`);
      return null;
    }
    const operand: Expr = { kind: 'name', span: target.span, name: target.name };
    t = ck.parts.checkExpr(ck, operand, scope);
    value = operand;
  } else if (target) t = resolveType(ck, target, scope, false);
  else t = ck.parts.checkExpr(ck, e.operand!, scope);
  if (!t) return null;
  const n = byteSize(t);
  if (n === null && value && openDataArray(t)) {
    // An open array's size is known when the program runs: (its open dimensions) times the rest, then.
    e.sized = value;
    return INT;
  }
  if (n === null || t.kind === 'chan' || t.kind === 'timer') {
    ck.diags.error(
      e.span,
      t.kind === 'array' && t.size === null
        ? `BYTESIN of ${typeName(t)} is not known when the program is compiled`
        : `BYTESIN needs a data type or a value, not ${typeName(t)}`,
    );
    return null;
  }
  e.constValue = BigInt(n);
  return INT;
}

/** An array of data whose dimensions are open somewhere and whose elements have a fixed size. */
function openDataArray(t: Type): boolean {
  let d: Type = t;
  while (d.kind === 'array' && d.record === undefined) d = d.elem;
  return t.kind === 'array' && byteSize({ ...d }) !== null && d.kind !== 'chan' && d.kind !== 'timer';
}

/** `OFFSETOF (T, f)`: the byte offset of field `f` in the RECORD type `T`. */
export function offsetOfType(ck: Checker, e: Extract<Expr, { kind: 'offsetof' }>, scope: Scope): Type | null {
  const t = resolveType(ck, e.target, scope, false);
  if (!t) return null;
  const rec = recordOf(t);
  if (!rec) {
    ck.diags.error(e.target.span, `OFFSETOF needs a RECORD type, but ${typeName(t)} is not one`);
    return null;
  }
  const f = rec.fields.find((x) => x.name === e.field.name);
  if (!f) {
    ck.diags.error(
      e.field.span,
      `${typeName(t)} has no field \`${e.field.name}\``,
      rec.fields.length > 0 ? `its fields are ${rec.fields.map((x) => x.name).join(', ')}` : undefined,
    );
    return null;
  }
  e.constValue = BigInt(f.offset);
  return INT;
}

/** A message for operations that need an array but were given a RECORD (SIZE, segments). */
export function notAnArray(ck: Checker, e: Expr, t: Type, what: string): void {
  ck.diags.error(e.span, `\`${exprText(e)}\` is a RECORD (${typeName(t)}), not an array, so it has no ${what}`);
}
