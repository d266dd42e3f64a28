// Protocols: PROTOCOL definitions (sequential and variant), and outputs and inputs checked against the protocol
// of their channel, item by item and tag by tag.

import type { Expr, Spec } from '../ast.js';
import { exprText } from '../ast-queries.js';
import type { Span } from '../source.js';
import type { ProtocolSymbol } from '../symbols.js';
import { ANY_PROTOCOL, BYTE, sameType, type ProtocolDef, type ProtocolItem, typeName } from '../types.js';
import type { Checker } from './context.js';
import { Scope } from './scope.js';
import { isDataType, protocolItems, resolveProtocol } from './types.js';
import { checkExpr, checkWritable } from './expressions.js';

export function checkProtocolDef(ck: Checker, spec: Extract<Spec, { kind: 'protocol' }>, scope: Scope): void {
  let def: ProtocolDef | null = null;
  const name = spec.name.name;
  if (spec.body) {
    const body = spec.body;
    if (body.kind === 'simple' || body.kind === 'named') {
      const t = resolveProtocol(ck, body, scope);
      if (t && t.kind === 'protocol') def = { ...t.def, name };
      else if (t) def = { name, items: [{ kind: 'data', type: t }], variants: null };
    } else if (body.kind === 'any') {
      def = { ...ANY_PROTOCOL, name };
    } else if (body.kind === 'sequential') {
      const items = protocolItems(ck, body.items, scope);
      if (items) def = { name, items, variants: null };
    }
  } else {
    const variants: { tag: string; items: ProtocolItem[] }[] = [];
    const seen = new Map<string, Span>();
    for (const v of spec.variants ?? []) {
      const prev = seen.get(v.tag.name);
      if (prev) {
        ck.diags.error(v.tag.span, `the tag \`${v.tag.name}\` appears twice in PROTOCOL ${name}`, undefined, [
          { span: prev, message: 'first here' },
        ]);
        continue;
      }
      seen.set(v.tag.name, v.tag.span);
      variants.push({ tag: v.tag.name, items: protocolItems(ck, v.items, scope) ?? [] });
    }
    if (variants.length > 255) ck.diags.error(spec.name.span, `PROTOCOL ${name} has more than 255 tags`);
    def = { name, items: null, variants };
  }
  if (!def) return;
  const sym: ProtocolSymbol = { kind: 'protocol', name, span: spec.name.span, type: { kind: 'protocol', def } };
  spec.decl = sym;
  scope.define(sym);
}

/** The tag named by the first item of a variant output, or null after an error. */
export function variantTag(
  ck: Checker,
  def: ProtocolDef,
  item: Expr | undefined,
  chan: Expr,
): { index: number; items: readonly ProtocolItem[] } | null {
  const tags = def.variants!;
  if (!item || item.kind !== 'name') {
    ck.diags.error(
      item ? item.span : chan.span,
      `a message on \`${exprText(chan)}\` (PROTOCOL ${def.name}) starts with one of its tags: ${tags.map((t) => t.tag).join(', ')}`,
    );
    return null;
  }
  const index = tags.findIndex((t) => t.tag === item.name);
  if (index < 0) {
    ck.diags.error(
      item.span,
      `\`${item.name}\` is not a tag of PROTOCOL ${def.name}`,
      `its tags are ${tags.map((t) => t.tag).join(', ')}`,
    );
    return null;
  }
  item.type = BYTE;
  item.constValue = BigInt(index);
  return { index, items: tags[index]!.items };
}

export function checkProtocolOutput(
  ck: Checker,
  chan: Expr,
  def: ProtocolDef,
  items: readonly Expr[],
  scope: Scope,
): void {
  if (def.any) {
    for (const item of items) {
      const t = checkExpr(ck, item, scope);
      if (t && (item.kind === 'counted' || !isDataType(ck, t)))
        ck.diags.error(item.span, `cannot send ${typeName(t)} on a CHAN OF ANY`);
    }
    return;
  }
  let expected: readonly ProtocolItem[] | null = def.items;
  let rest = items;
  if (def.variants) {
    const tag = variantTag(ck, def, items[0], chan);
    if (!tag) return;
    expected = tag.items;
    rest = items.slice(1);
  }
  checkItems(ck, chan, def, expected!, rest, scope, 'output');
}

export function checkProtocolInput(
  ck: Checker,
  chan: Expr,
  def: ProtocolDef,
  items: readonly Expr[],
  scope: Scope,
): void {
  if (def.variants) {
    ck.diags.error(
      chan.span,
      `\`${exprText(chan)}\` carries the variant PROTOCOL ${def.name}: input from it with \`${exprText(chan)} ? CASE\``,
    );
    return;
  }
  if (def.any) {
    for (const item of items) {
      const t = checkWritable(ck, item, scope, 'input to');
      // An array whose size is known only at run time (a segment, an open parameter) takes that many bytes.
      const sized = t?.kind === 'array' && t.size === null && isDataType(ck, { ...t, size: 0 });
      if (t && !isDataType(ck, t) && !sized)
        ck.diags.error(item.span, `cannot receive ${typeName(t)} from a CHAN OF ANY`);
    }
    return;
  }
  checkItems(ck, chan, def, def.items!, items, scope, 'input');
}

/** Check the items of a communication against the protocol's items, one by one. */
export function checkItems(
  ck: Checker,
  chan: Expr,
  def: ProtocolDef,
  expected: readonly ProtocolItem[],
  items: readonly Expr[],
  scope: Scope,
  dir: 'input' | 'output',
): void {
  const what = def.name ? `PROTOCOL ${def.name}` : `protocol ${typeName({ kind: 'protocol', def })}`;
  if (items.length !== expected.length) {
    const span = items.length > 0 ? items[0]!.span : chan.span;
    ck.diags.error(
      span,
      `\`${exprText(chan)}\` carries ${expected.length} item(s) per message (${what}), but this ${dir} has ${items.length}`,
    );
  }
  items.forEach((item, i) => {
    const want = expected[i];
    if (!want) return;
    if (want.kind === 'data') {
      if (item.kind === 'counted') {
        ck.diags.error(item.span, `item ${i + 1} of ${what} is ${typeName(want.type)}, not a counted array`);
        return;
      }
      const t = dir === 'output' ? checkExpr(ck, item, scope, want.type) : checkWritable(ck, item, scope, 'input to');
      if (t && !sameType(t, want.type))
        ck.diags.error(
          item.span,
          `item ${i + 1} of ${what} is ${typeName(want.type)}, but \`${exprText(item)}\` is ${typeName(t)}`,
        );
      return;
    }
    if (item.kind !== 'counted') {
      ck.diags.error(item.span, `item ${i + 1} of ${what} is a counted array: write count::array`);
      checkExpr(ck, item, scope);
      return;
    }
    const ct =
      dir === 'output'
        ? checkExpr(ck, item.count, scope, want.count)
        : checkWritable(ck, item.count, scope, 'input to');
    if (ct && !sameType(ct, want.count))
      ck.diags.error(item.count.span, `the count must be ${typeName(want.count)}, but this is ${typeName(ct)}`);
    const at = dir === 'output' ? checkExpr(ck, item.array, scope) : checkWritable(ck, item.array, scope, 'input to');
    if (at && (at.kind !== 'array' || !sameType(at.elem, want.elem))) {
      ck.diags.error(item.array.span, `the array must be of ${typeName(want.elem)}, but this is ${typeName(at)}`);
    }
    const n = item.count.constValue;
    if (at && at.kind === 'array' && at.size !== null && n !== undefined && (n < 0n || n > BigInt(at.size))) {
      ck.diags.error(
        item.count.span,
        `the count ${n} is out of range: \`${exprText(item.array)}\` has ${at.size} elements`,
      );
    }
  });
}
