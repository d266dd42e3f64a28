// occam-π CHAN TYPEs: bundles of channels made at run time (`cli, svr := MOBILE N`), reached through their two
// ends, `N?` (the server) and `N!` (the client). This file checks the definitions, the end types, field selection
// `svr[req]` and the direction each end uses a field in, allocation, and the assignments and communications that
// move an end (docs/language.md, "CHAN TYPEs and mobile channel ends"). Which ends are defined where is
// mobiles.ts's question, asked after the whole program is checked.

import type { Expr, Spec, TypeNode } from '../ast.js';
import { exprText, rootName } from '../ast-queries.js';
import type { Span } from '../source.js';
import type { ConstSymbol } from '../symbols.js';
import { type ChanTypeDef, type ChanTypeField, fieldDirection, INT, type Type, typeName } from '../types.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';

type Resolve = (ck: Checker, node: TypeNode, scope: Scope, allowOpen: boolean) => Type | null;

/** The first channel word of a bundle: the word at the bundle's address counts the ends that refer to it. */
export const BUNDLE_HEADER_BYTES = 4;

/** `CHAN TYPE N` / `MOBILE RECORD` / `CHAN T f?:` ...: defines the type `N`, whose variables are its ends. */
export function checkChanTypeDef(
  ck: Checker,
  spec: Extract<Spec, { kind: 'chantype' }>,
  scope: Scope,
  resolve: Resolve,
): void {
  // `CHAN TYPE N:` declares N ahead of its definition (so that protocols, and N itself, can carry its ends); the
  // definition then fills in the same CHAN TYPE. A CHAN TYPE's own name is in scope in its fields.
  const prev = scope.lookupHere(spec.name.name);
  const ahead = prev?.kind === 'type' && prev.chanType && forward.has(prev.chanType) ? prev.chanType : null;
  const fields: ChanTypeField[] = ahead ? (ahead.fields as ChanTypeField[]) : [];
  if (!ahead) {
    const def: ChanTypeDef = { name: spec.name.name, fields };
    scope.define({ kind: 'type', name: spec.name.name, span: spec.name.span, type: INT, chanType: def });
    if (spec.fields === null) {
      forward.add(def);
      return;
    }
  } else if (spec.fields === null) return;
  else forward.delete(ahead);
  const seen = new Map<string, Span>();
  for (const line of spec.fields!) {
    const t = resolve(ck, line.type, scope, false);
    if (t && (t.kind !== 'chan' || t.shared)) {
      ck.diags.error(
        line.type.span,
        `a field of a CHAN TYPE is a channel, but this is ${typeName(t)}`,
        'write CHAN INT name?: (the direction is the one the server end uses it in)',
      );
    }
    for (const { name, dir } of line.names) {
      const prev = seen.get(name.name);
      if (prev) {
        ck.diags.error(name.span, `CHAN TYPE ${spec.name.name} has two fields called \`${name.name}\``, undefined, [
          { span: prev, message: 'the first is here' },
        ]);
        continue;
      }
      seen.set(name.name, name.span);
      if (!dir) {
        ck.diags.error(
          name.span,
          `the field \`${name.name}\` of a CHAN TYPE needs a direction`,
          `write ${name.name}? if the server (?) end inputs from it, ${name.name}! if it outputs to it`,
        );
      }
      if (t && t.kind === 'chan') {
        fields.push({
          name: name.name,
          protocol: t.protocol,
          dir: dir ?? '?',
          offset: BUNDLE_HEADER_BYTES + 4 * fields.length,
        });
      }
    }
  }
}

/** CHAN TYPEs declared ahead (`CHAN TYPE N:`) whose definition has not come yet. */
const forward = new WeakSet<ChanTypeDef>();

/** `N?`, `N!`, `SHARED N!`: an end of the CHAN TYPE `N`. */
export function resolveEnd(ck: Checker, node: Extract<TypeNode, { kind: 'end' }>, scope: Scope): Type | null {
  const sym = scope.lookup(node.name);
  if (sym?.kind === 'type' && sym.chanType) {
    return { kind: 'end', def: sym.chanType, end: node.end, ...(node.shared ? { shared: true } : {}) };
  }
  ck.diags.error(
    node.span,
    sym ? `\`${node.name}\` is not a CHAN TYPE, so it has no ${node.end} end` : `unknown CHAN TYPE \`${node.name}\``,
  );
  return null;
}

/** A CHAN TYPE's name where a type is wanted: its variables are its ends. */
export function chanTypeWithoutEnd(ck: Checker, node: TypeNode, name: string): void {
  ck.diags.error(
    node.span,
    `\`${name}\` is a CHAN TYPE: a variable of it is one of its ends`,
    `write ${name}? for the server end or ${name}! for the client end`,
  );
}

/** The end type and field of a field selection `e` = `svr[req]`, once checked. */
export function endFieldOf(e: Expr): { end: Extract<Type, { kind: 'end' }>; field: ChanTypeField } | null {
  if (e.kind === 'direction') return endFieldOf(e.channel);
  if (e.kind !== 'subscript' || e.base.type?.kind !== 'end' || e.index.kind !== 'name') return null;
  const end = e.base.type;
  const name = e.index.name;
  const field = end.def.fields.find((f) => f.name === name);
  return field ? { end, field } : null;
}

/** `svr[req]`: the channel `req` of the bundle `svr` is an end of; the index becomes the field's byte offset. */
export function endFieldSelection(
  ck: Checker,
  e: Extract<Expr, { kind: 'subscript' }>,
  bt: Extract<Type, { kind: 'end' }>,
): Type | null {
  const names = bt.def.fields.map((f) => f.name).join(', ');
  const hint = bt.def.fields.length > 0 ? `its channels are ${names}` : undefined;
  if (e.index.kind !== 'name') {
    ck.diags.error(
      e.index.span,
      `\`${exprText(e.base)}\` is an end of CHAN TYPE ${bt.def.name}: select one of its channels by name`,
      hint,
    );
    return null;
  }
  const field = bt.def.fields.find((f) => f.name === (e.index as { name: string }).name);
  if (!field) {
    ck.diags.error(e.index.span, `CHAN TYPE ${bt.def.name} has no channel \`${e.index.name}\``, hint);
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
  return { kind: 'chan', protocol: field.protocol };
}

/** A communication on `e` in direction `dir`: a channel of a bundle is used in the direction its end allows. */
export function checkFieldDirection(ck: Checker, e: Expr, dir: '?' | '!'): void {
  const f = endFieldOf(e);
  if (!f) return;
  const allowed = fieldDirection(f.end.end, f.field.dir);
  if (allowed === dir) return;
  const endName = f.end.end === '?' ? 'server (?)' : 'client (!)';
  ck.diags.error(
    e.span,
    `cannot ${dir === '!' ? 'output to' : 'input from'} \`${exprText(e.kind === 'direction' ? e.channel : e)}\`: the ${endName} end of ${f.end.def.name} ${allowed === '?' ? 'inputs from' : 'outputs to'} \`${f.field.name}\``,
    `the field is declared \`${f.field.name}${f.field.dir}\`: the server end ${f.field.dir === '?' ? 'inputs' : 'outputs'}, the client end ${f.field.dir === '?' ? 'outputs' : 'inputs'}`,
  );
}

/** `a, b := MOBILE N`: a new bundle; one target is its server end and the other its client end. */
export function checkMobileAllocation(
  ck: Checker,
  targets: readonly Expr[],
  value: Extract<Expr, { kind: 'mobile' }>,
  scope: Scope,
  writable: (e: Expr) => Type | null,
): void {
  const sym = scope.lookup(value.target.name);
  const def = sym?.kind === 'type' ? sym.chanType : undefined;
  const types = targets.map(writable);
  if (!def) {
    ck.diags.error(value.target.span, `\`${value.target.name}\` is not a CHAN TYPE`, 'MOBILE N needs a CHAN TYPE N');
    return;
  }
  value.type = INT;
  if (targets.length !== 2) {
    ck.diags.error(
      value.span,
      `MOBILE ${def.name} makes a bundle with two ends: assign it to a pair`,
      `write cli, svr := MOBILE ${def.name} with ${def.name}! cli and ${def.name}? svr`,
    );
    return;
  }
  const ends = new Set<string>();
  targets.forEach((t, i) => {
    const tt = types[i];
    if (!tt) return;
    if (tt.kind !== 'end' || tt.def !== def) {
      ck.diags.error(
        t.span,
        `\`${exprText(t)}\` is ${typeName(tt)}, but MOBILE ${def.name} gives the ends ${def.name}? and ${def.name}!`,
      );
      return;
    }
    ends.add(tt.end);
  });
  if (ends.size === 1) {
    const e = [...ends][0]!;
    ck.diags.error(
      value.span,
      `both targets are ${def.name}${e} ends: one must be the server (?) end and the other the client (!) end`,
    );
  }
}

/** `x := y` with ends: `y` must be a variable holding an end of the same type (it moves, unless SHARED). */
export function checkEndAssignment(ck: Checker, target: Type, value: Expr, span: Span): void {
  if (target.kind !== 'end') return;
  if (!rootName(value) || value.kind !== 'name') {
    ck.diags.error(span, `an end of CHAN TYPE ${target.def.name} can only be assigned from a variable holding one`);
  }
}

/** Whether a protocol item or a channel may carry `t` (an end of a CHAN TYPE may travel on a channel). */
export function isEndType(t: Type | null | undefined): t is Extract<Type, { kind: 'end' }> {
  return !!t && t.kind === 'end';
}
