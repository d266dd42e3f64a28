// The layout of a RECORD type, as occ21 lays it out: fields in order of size, smallest first (a PACKED RECORD
// keeps the order written), each at a multiple of its element size (elements larger than a word at a multiple of
// two words), the whole padded to a word.
// It takes the type resolver as a parameter so that it imports nothing above it (types.ts calls it).

import type { TypeNode } from '../ast.js';
import type { Span } from '../source.js';
import { BYTE, byteSize, type RecordField, type Type, typeName } from '../types.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';

type Resolve = (ck: Checker, node: TypeNode, scope: Scope, allowOpen: boolean) => Type | null;

const WORD = 4;

/** The type of a `[PACKED] RECORD` body: its fields laid out, the whole padded to a word. */
export function recordType(
  ck: Checker,
  node: Extract<TypeNode, { kind: 'record' }>,
  scope: Scope,
  resolveType: Resolve,
): Type | null {
  const fields: { name: string; type: Type; span: Span; bytes: number; order: number }[] = [];
  const seen = new Map<string, Span>();
  let ok = true;
  for (const line of node.fields) {
    const t = resolveType(ck, line.type, scope, false);
    if (!t) {
      ok = false;
      continue;
    }
    const bytes = byteSize(t);
    if (!isData(t) || bytes === null) {
      ck.diags.error(line.type.span, `a RECORD field must be a data type, not ${typeName(t)}`);
      ok = false;
      continue;
    }
    for (const n of line.names) {
      const before = seen.get(n.name);
      if (before) {
        ck.diags.error(n.span, `the field \`${n.name}\` is declared twice in this RECORD`, undefined, [
          { span: before, message: `\`${n.name}\` is first declared here` },
        ]);
        ok = false;
        continue;
      }
      seen.set(n.name, n.span);
      fields.push({ name: n.name, type: t, span: n.span, bytes, order: fields.length });
    }
  }
  if (!ok) return null;
  // occ21 puts the fields of a RECORD in order of size, smallest first (ties in the order written); a PACKED
  // RECORD keeps the order written.
  const placed = node.packed ? [...fields] : [...fields].sort((a, b) => a.bytes - b.bytes || a.order - b.order);
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const f of placed) {
    const unit = byteSize(baseElement(f.type)) ?? WORD;
    // Elements larger than a word (INT64, REAL64, records) go on a multiple of two words, as KRoC does.
    const align = unit > WORD ? 2 * WORD : Math.max(1, unit);
    const padded = Math.ceil(offset / align) * align;
    if (node.packed && padded !== offset) {
      ck.diags.error(
        f.span,
        `the field \`${f.name}\` would start at byte ${offset}, but a PACKED RECORD's ${typeName(f.type)} must start at a multiple of ${align} bytes`,
        'put the fields in another order, or add BYTE fields to pad',
      );
      return null;
    }
    offsets.set(f.name, padded);
    offset = padded + f.bytes;
  }
  const size = Math.ceil(offset / WORD) * WORD;
  if (node.packed && size !== offset) {
    ck.diags.error(
      node.span,
      `a PACKED RECORD must be a whole number of words long, but this one is ${offset} bytes`,
      `add ${size - offset} BYTE field(s) at the end to pad it`,
    );
    return null;
  }
  const def: RecordField[] = fields.map((f) => ({ name: f.name, type: f.type, offset: offsets.get(f.name)! }));
  return { kind: 'array', size, elem: BYTE, record: { packed: node.packed, fields: def } };
}

/** The type an array's elements are made of, all dimensions removed (a RECORD is its own element). */
function baseElement(t: Type): Type {
  while (t.kind === 'array' && !t.record) t = t.elem;
  return t;
}

function isData(t: Type): boolean {
  return t.kind === 'prim' || (t.kind === 'array' && t.size !== null && isData(t.elem));
}
