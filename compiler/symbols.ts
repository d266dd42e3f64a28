// What a name refers to, after the checker has resolved it. The code generator assigns storage to variables
// (the `slot` fields) when it lays out workspaces.

import type { ProcDef, FunctionDef, Expr } from './ast.js';
import type { Span } from './source.js';
import type { ChanTypeDef, Type } from './types.js';

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
  /** Integer-like values (INT, BYTE, BOOL, INT16/32/64) as bigint; REAL32/REAL64 as number; strings and tables as bytes. */
  readonly value: bigint | Uint8Array | number;
}

/** A VAL abbreviation of a run-time expression, or a reference abbreviation of an element. */
export interface AbbrevSymbol extends SymbolBase {
  readonly kind: 'abbrev';
  readonly isVal: boolean;
  readonly target: Expr;
  /** A channel abbreviation decorated `?` or `!`: only that end may be used through it. */
  readonly direction?: '?' | '!';
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
  /** The PROC or FUNCTION this one is defined inside (it then takes a static link as hidden parameter 0). */
  readonly outer?: ProcSymbol | FunctionSymbol | null;
  /** Set by the checker: the body (or a PROC it calls) communicates, runs a PAR or ALT, or waits on a timer. */
  effects?: boolean;
}

/** A PROTOCOL definition; its type is a `protocol` type. */
export interface ProtocolSymbol extends SymbolBase {
  readonly kind: 'protocol';
}

/** A FUNCTION: like a PROC whose VAL parameters give one or more results. */
export interface FunctionSymbol {
  readonly kind: 'function';
  readonly name: string;
  readonly span: Span;
  readonly def: FunctionDef;
  readonly params: readonly ParamSymbol[];
  readonly results: readonly Type[];
  readonly outer?: ProcSymbol | FunctionSymbol | null;
  /** A VALOF inside an expression, made a FUNCTION by the checker (checker/valof.ts): generated when first called. */
  readonly inline?: boolean;
}

/** A `DATA TYPE` name, or an occam-π `CHAN TYPE` (`chanType`; its variables are its ends, `N?` and `N!`). */
export interface TypeSymbol {
  readonly kind: 'type';
  readonly name: string;
  readonly span: Span;
  readonly type: Type;
  readonly chanType?: ChanTypeDef;
}

export type Symbol =
  VarSymbol | ConstSymbol | AbbrevSymbol | ParamSymbol | ProcSymbol | ProtocolSymbol | FunctionSymbol | TypeSymbol;

/** A PROC or a FUNCTION. */
export type Routine = ProcSymbol | FunctionSymbol;
