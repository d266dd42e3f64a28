// Semantic types, as the checker computes them (distinct from the syntax in ast.ts).

export type PrimType = 'BOOL' | 'BYTE' | 'INT' | 'INT16' | 'INT32' | 'INT64' | 'REAL32' | 'REAL64';

export type Type =
  /** `alias` names a `DATA TYPE` that renames this type: a distinct type with the same representation. */
  | { readonly kind: 'prim'; readonly name: PrimType; readonly alias?: string }
  /** `size` is null for an open array (`[]T`): its size is known only at run time. */
  | { readonly kind: 'array'; readonly size: number | null; readonly elem: Type; readonly alias?: string }
  | { readonly kind: 'chan'; readonly protocol: Type }
  | { readonly kind: 'timer' };

export const INT: Type = { kind: 'prim', name: 'INT' };
export const BYTE: Type = { kind: 'prim', name: 'BYTE' };
export const BOOL: Type = { kind: 'prim', name: 'BOOL' };

export function prim(name: PrimType): Type {
  return name === 'INT' ? INT : name === 'BYTE' ? BYTE : name === 'BOOL' ? BOOL : { kind: 'prim', name };
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  if ((a.kind === 'prim' || a.kind === 'array') && a.alias !== (b as typeof a).alias) return false;
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
      return true;
  }
}

export function isPrim(t: Type, ...names: PrimType[]): boolean {
  return t.kind === 'prim' && (names.length === 0 || names.includes(t.name));
}

export function isIntegerType(t: Type): boolean {
  return t.kind === 'prim' && (t.name === 'INT' || t.name === 'INT16' || t.name === 'INT32' || t.name === 'INT64' || t.name === 'BYTE');
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
      return 4;
  }
}

export function typeName(t: Type): string {
  if ((t.kind === 'prim' || t.kind === 'array') && t.alias) return t.alias;
  switch (t.kind) {
    case 'prim':
      return t.name;
    case 'array':
      return `[${t.size ?? ''}]${typeName(t.elem)}`;
    case 'chan':
      return `CHAN ${typeName(t.protocol)}`;
    case 'timer':
      return 'TIMER';
  }
}
