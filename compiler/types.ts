// Semantic types, as the checker computes them (distinct from the syntax in ast.ts).

export type PrimType = 'BOOL' | 'BYTE' | 'INT' | 'INT16' | 'INT32' | 'INT64' | 'REAL32' | 'REAL64';

export type Type =
  /** `alias` names a `DATA TYPE` that renames this type: a distinct type with the same representation. */
  | { readonly kind: 'prim'; readonly name: PrimType; readonly alias?: string; readonly mobile?: boolean }
  /** `size` is null for an open array (`[]T`): its size is known only at run time. */
  /**
   * A RECORD type is held as an array of its bytes (`size` bytes, `elem` BYTE) with `record` describing its fields,
   * so that storage, copies and communication treat it as the block of bytes it is.
   */
  | {
      readonly kind: 'array';
      readonly size: number | null;
      readonly elem: Type;
      readonly alias?: string;
      readonly record?: RecordDef;
      /** occam-π `MOBILE [n]T` or a MOBILE RECORD: assignment moves the value instead of copying it. */
      readonly mobile?: boolean;
    }
  /** `shared`: occam-π SHARED channel ends (`?` the reading end, `!` the writing end, or both), used under CLAIM. */
  | { readonly kind: 'chan'; readonly protocol: Type; readonly shared?: SharedEnds }
  /**
   * occam-π: the server (`?`) or client (`!`) end of a CHAN TYPE bundle, `shared` when several processes take
   * turns at it under CLAIM. A word holding the bundle's address in the heap (docs/isa.md, Channel bundles).
   */
  | { readonly kind: 'end'; readonly def: ChanTypeDef; readonly end: '?' | '!'; readonly shared?: boolean }
  /** occam-π BARRIER: four words (docs/isa.md, Barriers). */
  | { readonly kind: 'barrier' }
  | { readonly kind: 'timer' }
  /** A channel protocol that is not a single data type: named, sequential, counted, variant, or ANY. */
  | { readonly kind: 'protocol'; readonly def: ProtocolDef };

/** An occam-π CHAN TYPE: its channels, each with the direction its server (`?`) end uses it in. */
export interface ChanTypeDef {
  readonly name: string;
  readonly fields: readonly ChanTypeField[];
}

export interface ChanTypeField {
  readonly name: string;
  /** What the channel carries (a data type or a `protocol` type, as a `chan` type's protocol). */
  readonly protocol: Type;
  /** `?`: the server end inputs from it and the client end outputs to it; `!` the other way round. */
  readonly dir: '?' | '!';
  /** Where its channel word is, in bytes from the bundle's address. */
  readonly offset: number;
}

/** The direction in which the `end` end of a bundle uses a channel whose server direction is `dir`. */
export function fieldDirection(end: '?' | '!', dir: '?' | '!'): '?' | '!' {
  return end === '?' ? dir : dir === '?' ? '!' : '?';
}

/** A RECORD's fields, at the byte offsets occ21 gives them (docs/language.md, "Records"). */
export interface RecordDef {
  readonly packed: boolean;
  readonly fields: readonly RecordField[];
}

export interface RecordField {
  readonly name: string;
  readonly type: Type;
  readonly offset: number;
}

/** Whether a type is occam-π MOBILE (`MOBILE INT`, `MOBILE [4]BYTE`, a MOBILE RECORD). */
export function isMobile(t: Type | undefined): boolean {
  return t !== undefined && (t.kind === 'prim' || t.kind === 'array') && t.mobile === true;
}

/** The RECORD a type is, if it is one. */
export function recordOf(t: Type | undefined): RecordDef | undefined {
  return t !== undefined && t.kind === 'array' ? t.record : undefined;
}

/** One item of a sequential protocol. */
export type ProtocolItem =
  | { readonly kind: 'data'; readonly type: Type }
  | { readonly kind: 'counted'; readonly count: Type; readonly elem: Type };

export interface ProtocolDef {
  /** The PROTOCOL's name; null for an anonymous one (`CHAN OF INT::[]BYTE`). */
  readonly name: string | null;
  /** Sequential items; null for a variant protocol or ANY. */
  readonly items: readonly ProtocolItem[] | null;
  /** Variant protocol tags, in order (the tag's number is its index); null otherwise. */
  readonly variants: readonly { readonly tag: string; readonly items: readonly ProtocolItem[] }[] | null;
  readonly any?: boolean;
}

/** `CHAN OF ANY`. */
export const ANY_PROTOCOL: ProtocolDef = { name: 'ANY', items: null, variants: null, any: true };

export const INT: Type = { kind: 'prim', name: 'INT' };
export const BYTE: Type = { kind: 'prim', name: 'BYTE' };
export const BOOL: Type = { kind: 'prim', name: 'BOOL' };

export function prim(name: PrimType): Type {
  return name === 'INT' ? INT : name === 'BYTE' ? BYTE : name === 'BOOL' ? BOOL : { kind: 'prim', name };
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  if ((a.kind === 'prim' || a.kind === 'array') && a.alias !== (b as typeof a).alias) return false;
  if (a.kind === 'array' && a.record !== (b as typeof a).record) return false;
  switch (a.kind) {
    case 'prim':
      return a.name === (b as typeof a).name;
    case 'array': {
      const bb = b as typeof a;
      return (a.size === null || bb.size === null || a.size === bb.size) && sameType(a.elem, bb.elem);
    }
    case 'chan':
      return sameType(a.protocol, (b as typeof a).protocol);
    case 'timer':
    case 'barrier':
      return true;
    case 'end': {
      const bb = b as typeof a;
      return a.def === bb.def && a.end === bb.end && !!a.shared === !!bb.shared;
    }
    case 'protocol':
      return sameProtocol(a.def, (b as typeof a).def);
  }
}

function sameProtocol(a: ProtocolDef, b: ProtocolDef): boolean {
  if (a === b) return true;
  // Named protocols are the same only if they are the same definition; anonymous ones compare by structure.
  if (a.name !== null || b.name !== null || !a.items || !b.items || a.items.length !== b.items.length) return false;
  return a.items.every((x, i) => {
    const y = b.items![i]!;
    if (x.kind === 'data') return y.kind === 'data' && sameType(x.type, y.type);
    return y.kind === 'counted' && sameType(x.count, y.count) && sameType(x.elem, y.elem);
  });
}

export function isPrim(t: Type, ...names: PrimType[]): boolean {
  return t.kind === 'prim' && (names.length === 0 || names.includes(t.name));
}

export function isIntegerType(t: Type): boolean {
  return (
    t.kind === 'prim' &&
    (t.name === 'INT' || t.name === 'INT16' || t.name === 'INT32' || t.name === 'INT64' || t.name === 'BYTE')
  );
}

/** Bytes a value of this type occupies in a message or an array element. */
export function byteSize(t: Type): number | null {
  switch (t.kind) {
    case 'prim':
      switch (t.name) {
        case 'BOOL':
        case 'BYTE':
          return 1;
        case 'INT16':
          return 2;
        case 'INT':
        case 'INT32':
        case 'REAL32':
          return 4;
        case 'INT64':
        case 'REAL64':
          return 8;
      }
      break;
    case 'array': {
      if (t.size === null) return null;
      const e = byteSize(t.elem);
      return e === null ? null : e * t.size;
    }
    case 'chan':
    case 'timer':
    case 'end':
      return 4;
    case 'barrier':
      return 16;
    case 'protocol':
      return null;
  }
}

/** Which ends of a SHARED channel are shared. */
export type SharedEnds = '?' | '!' | 'both';

export function typeName(t: Type): string {
  if ((t.kind === 'prim' || t.kind === 'array') && t.alias) return t.alias;
  switch (t.kind) {
    case 'prim':
      return t.name;
    case 'array':
      return `[${t.size ?? ''}]${typeName(t.elem)}`;
    case 'chan':
      return `${t.shared ? 'SHARED ' : ''}CHAN ${typeName(t.protocol)}`;
    case 'timer':
      return 'TIMER';
    case 'barrier':
      return 'BARRIER';
    case 'end':
      return `${t.shared ? 'SHARED ' : ''}${t.def.name}${t.end}`;
    case 'protocol':
      return t.def.name ?? protocolText(t.def);
  }
}

function protocolText(d: ProtocolDef): string {
  return (d.items ?? [])
    .map((i) => (i.kind === 'data' ? typeName(i.type) : `${typeName(i.count)}::[]${typeName(i.elem)}`))
    .join('; ');
}
