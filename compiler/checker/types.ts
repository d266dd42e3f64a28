// Type names to types: primitive types, arrays with constant or open sizes, channels and their protocols,
// timers, and the names of declared protocols and data types.

import type { ProtocolItemNode, ProtocolNode, TypeNode } from '../ast.js';
import { ANY_PROTOCOL, INT, isPrim, prim, type ProtocolItem, type Type, typeName } from '../types.js';
import type { Checker } from './context.js';
import { Scope } from './scope.js';
import { recordType } from './record-layout.js';
import { chanTypeWithoutEnd, resolveEnd } from './chantypes.js';

/** The most elements an array may have in one dimension (docs/language.md). */
export const MAX_ARRAY_ELEMENTS = 0x1000000n;

/** Types the code generator can handle today. */
const SUPPORTED_PRIMS = new Set(['INT', 'BYTE', 'BOOL', 'INT16', 'INT32', 'INT64', 'REAL32', 'REAL64']);

export function resolveType(ck: Checker, node: TypeNode, scope: Scope, allowOpen: boolean): Type | null {
  if (node.mobile && node.kind === 'array' && node.size === null && !allowOpen) {
    ck.diags.error(
      node.span,
      'a MOBILE array of a size known only at run time is not supported yet',
      'occmesh has MOBILE data of fixed size: MOBILE INT, MOBILE [n]T and MOBILE RECORDs',
    );
    return null;
  }
  const t = resolveUnmarked(ck, node, scope, allowOpen);
  if (!t || !node.mobile) return t;
  if (t.kind === 'prim' || (t.kind === 'array' && (t.size !== null || t.record))) return { ...t, mobile: true };
  ck.diags.error(
    node.span,
    t.kind === 'array'
      ? 'a MOBILE array of a size known only at run time is not supported yet'
      : `${typeName(t)} cannot be MOBILE`,
    t.kind === 'array'
      ? 'occmesh has MOBILE data of fixed size: MOBILE INT, MOBILE [n]T and MOBILE RECORDs'
      : 'MOBILE data is a value type, a fixed-size array or a RECORD',
  );
  return t;
}

function resolveUnmarked(ck: Checker, node: TypeNode, scope: Scope, allowOpen: boolean): Type | null {
  switch (node.kind) {
    case 'prim':
      if (!SUPPORTED_PRIMS.has(node.name)) {
        ck.diags.error(node.span, `type ${node.name} is not supported yet`);
        return null;
      }
      return prim(node.name);
    case 'array': {
      const elem = resolveType(ck, node.elem, scope, allowOpen);
      if (!elem) return null;
      if (node.size === null) {
        if (!allowOpen) ck.diags.error(node.span, 'an array declaration needs a size', 'write [10]INT a:');
        else if (elem.kind === 'end') endArray(ck, node);
        return { kind: 'array', size: null, elem };
      }
      ck.parts.checkExpr(ck, node.size, scope, INT);
      const n = node.size.constValue;
      if (n === undefined) {
        ck.diags.error(node.size.span, 'an array size must be a constant', 'use a literal or a VAL constant');
        return null;
      }
      if (n < 0n || n > MAX_ARRAY_ELEMENTS) {
        ck.diags.error(
          node.size.span,
          n < 0n
            ? `array size ${n} is negative`
            : `array size ${n} is over the limit of ${MAX_ARRAY_ELEMENTS} (2^24) elements`,
          n < 0n ? 'an array has from 0 to 16777216 elements' : 'a larger table needs several arrays',
        );
        // Still an array, so its uses are not reported again as "not an array".
        return { kind: 'array', size: n < 0n ? 0 : Number(MAX_ARRAY_ELEMENTS), elem };
      }
      // An array of timers is allowed (each element reads the one clock); arrays of barriers and of CHAN TYPE
      // ends are not yet.
      if (elem.kind === 'end') {
        endArray(ck, node);
      } else if (elem.kind !== 'prim' && elem.kind !== 'chan' && elem.kind !== 'array' && elem.kind !== 'timer') {
        ck.diags.error(node.span, 'arrays of barriers are not supported yet');
      }
      return { kind: 'array', size: Number(n), elem };
    }
    case 'chan': {
      const t = resolveProtocol(ck, node.protocol, scope);
      return t ? { kind: 'chan', protocol: t, ...(node.shared ? { shared: node.shared } : {}) } : null;
    }
    case 'timer':
      return { kind: 'timer' };
    case 'record':
      return recordType(ck, node, scope, resolveType);
    case 'barrier':
      return { kind: 'barrier' };
    case 'end':
      return resolveEnd(ck, node, scope);
    case 'named': {
      const sym = scope.lookup(node.name);
      if (sym?.kind === 'type' && sym.chanType) {
        chanTypeWithoutEnd(ck, node, node.name);
        return null;
      }
      if (sym?.kind === 'type') return sym.type;
      if (sym && sym.kind === 'protocol') {
        ck.diags.error(
          node.span,
          `\`${node.name}\` is a PROTOCOL, not a data type`,
          `a channel of it is written CHAN OF ${node.name}`,
        );
        return null;
      }
      ck.diags.error(node.span, `unknown type \`${node.name}\``);
      return null;
    }
  }
}

function endArray(ck: Checker, node: TypeNode): void {
  ck.diags.error(
    node.span,
    'an array of CHAN TYPE ends is not supported (occ21 rejects it too: it wants a MOBILE array of them)',
  );
}

/** The message type of a channel: a data type for a simple protocol, else a `protocol` type. */
export function resolveProtocol(ck: Checker, p: ProtocolNode, scope: Scope): Type | null {
  switch (p.kind) {
    case 'any':
      return { kind: 'protocol', def: ANY_PROTOCOL };
    case 'named': {
      const sym = scope.lookup(p.name);
      if (sym && sym.kind === 'protocol') return sym.type;
      if (sym && sym.kind === 'type' && sym.chanType) {
        chanTypeWithoutEnd(ck, p, p.name);
        return null;
      }
      if (sym && sym.kind === 'type') return sym.type;
      if (sym) {
        ck.diags.error(p.span, `\`${p.name}\` is not a PROTOCOL or a data type`);
        return null;
      }
      ck.diags.error(p.span, `unknown protocol \`${p.name}\``, 'define it first with PROTOCOL');
      return null;
    }
    case 'simple': {
      const t = resolveType(ck, p.type, scope, false);
      if (!t) return null;
      if (!isDataType(ck, t) && t.kind !== 'end') {
        ck.diags.error(p.span, `a channel cannot carry ${typeName(t)}`);
        return null;
      }
      return t;
    }
    case 'sequential': {
      const items = protocolItems(ck, p.items, scope);
      return items ? { kind: 'protocol', def: { name: null, items, variants: null } } : null;
    }
  }
}

export function isDataType(ck: Checker, t: Type): boolean {
  return t.kind === 'prim' || (t.kind === 'array' && t.size !== null && isDataType(ck, t.elem));
}

export function protocolItems(ck: Checker, nodes: readonly ProtocolItemNode[], scope: Scope): ProtocolItem[] | null {
  const out: ProtocolItem[] = [];
  let ok = true;
  for (const n of nodes) {
    if (n.kind === 'data') {
      const t = resolveType(ck, n.type, scope, false);
      if (t && !isDataType(ck, t) && t.kind !== 'end') {
        ck.diags.error(n.span, `a protocol item cannot be ${typeName(t)}`);
        ok = false;
      } else if (t) out.push({ kind: 'data', type: t });
      else ok = false;
      continue;
    }
    const count = resolveType(ck, n.count, scope, false);
    const arr = resolveType(ck, n.elem, scope, true);
    if (!count || !arr) {
      ok = false;
      continue;
    }
    if (!isPrim(count, 'INT', 'BYTE', 'INT16', 'INT32', 'INT64')) {
      ck.diags.error(n.count.span, `the count of a counted array must be an integer type, not ${typeName(count)}`);
      ok = false;
    }
    if (arr.kind !== 'array' || arr.size !== null || !isDataType(ck, { ...arr, size: 0 })) {
      ck.diags.error(n.elem.span, 'a counted array protocol is written COUNT::[]ELEMENT, like INT::[]BYTE');
      ok = false;
      continue;
    }
    out.push({ kind: 'counted', count, elem: arr.elem });
  }
  return ok ? out : null;
}
