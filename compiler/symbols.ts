// What a name refers to, after the checker has resolved it. The code generator assigns storage to variables
// (the `slot` fields) when it lays out workspaces.

import type { ProcDef, Expr } from './ast.js';
import type { Span } from './source.js';
import type { Type } from './types.js';

interface SymbolBase {
  readonly name: string;
  readonly span: Span;
  readonly type: Type;
}

/**
 * A variable, channel or timer that lives in a workspace slot (or an array of them).
 * `owner` is the PROC whose workspace holds it.
 */
export interface VarSymbol extends SymbolBase {
  readonly kind: 'var';
  /** Replicator indices are read-only. */
  readonly readOnly: boolean;
  /** Set by the code generator: the workspace that holds it and the word offset there. */
  frame?: unknown;
  slot?: number;
}

/** A compile-time constant: a VAL abbreviation of a constant expression. */
export interface ConstSymbol extends SymbolBase {
  readonly kind: 'const';
  /** Integer-like values (INT, BYTE, BOOL) as bigint; strings and tables as bytes. */
  readonly value: bigint | Uint8Array;
}

/** A VAL abbreviation of a run-time expression, or a reference abbreviation of an element. */
export interface AbbrevSymbol extends SymbolBase {
  readonly kind: 'abbrev';
  readonly isVal: boolean;
  readonly target: Expr;
  frame?: unknown;
  slot?: number;
}

/** A formal parameter of a PROC. `byRef` formals hold an address; VAL scalars hold the value. */
export interface ParamSymbol extends SymbolBase {
  readonly kind: 'param';
  readonly isVal: boolean;
  readonly byRef: boolean;
  readonly index: number;
  readonly direction: '?' | '!' | null;
  frame?: unknown;
  slot?: number;
}

export interface ProcSymbol {
  readonly kind: 'proc';
  readonly name: string;
  readonly span: Span;
  readonly def: ProcDef;
  readonly params: readonly ParamSymbol[];
}

/** A PROTOCOL definition; its type is a `protocol` type. */
export interface ProtocolSymbol extends SymbolBase {
  readonly kind: 'protocol';
}

export type Symbol = VarSymbol | ConstSymbol | AbbrevSymbol | ParamSymbol | ProcSymbol | ProtocolSymbol;
