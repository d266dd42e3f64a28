// The abstract syntax tree the parser produces. Every node carries its source span. The checker resolves names
// and types and records them in the optional `decl` / `type` fields; the code generator reads only checked trees.

import type { Span } from './source.js';
import type { Type } from './types.js';
import type { FunctionSymbol, Symbol, VarSymbol } from './symbols.js';

export interface Node {
  readonly span: Span;
}

export interface Ident extends Node {
  readonly name: string;
}

// ---------------------------------------------------------------------------------------------------- types

export type PrimName = 'BOOL' | 'BYTE' | 'INT' | 'INT16' | 'INT32' | 'INT64' | 'REAL32' | 'REAL64';

/** A type as written; `mobile` is occam-π's `MOBILE T` (or a `MOBILE RECORD`). */
export type TypeNode = TypeNodeKinds & { readonly mobile?: boolean };

type TypeNodeKinds =
  | (Node & { readonly kind: 'prim'; readonly name: PrimName })
  /** `[n]T`, or `[]T` (size null) in formals and abbreviations. */
  | (Node & { readonly kind: 'array'; readonly size: Expr | null; readonly elem: TypeNode })
  /** `CHAN OF P` or `CHAN P`. */
  | (Node & { readonly kind: 'chan'; readonly protocol: ProtocolNode; readonly shared?: '?' | '!' | 'both' })
  | (Node & { readonly kind: 'barrier' })
  | (Node & { readonly kind: 'timer' })
  /** A user-defined type or protocol name. */
  | (Node & { readonly kind: 'named'; readonly name: string })
  /** occam-π `N?` / `N!` (`SHARED N!`): the server (`?`) or client (`!`) end of the CHAN TYPE `N`. */
  | (Node & { readonly kind: 'end'; readonly name: string; readonly end: '?' | '!'; readonly shared?: boolean })
  /** `[PACKED] RECORD` with its fields, the body of a `DATA TYPE` (its span is the keyword). */
  | (Node & { readonly kind: 'record'; readonly packed: boolean; readonly fields: readonly RecordFieldNode[] });

/** One line of a RECORD's fields: `INT x, y:`. */
export interface RecordFieldNode extends Node {
  readonly type: TypeNode;
  readonly names: readonly Ident[];
}

/** One line of a CHAN TYPE's fields: `CHAN INT req?, more?:` (each name with the direction its server uses). */
export interface ChanTypeFieldNode extends Node {
  readonly type: TypeNode;
  readonly names: readonly { readonly name: Ident; readonly dir: '?' | '!' | null }[];
}

/** A channel protocol. */
export type ProtocolNode =
  | (Node & { readonly kind: 'simple'; readonly type: TypeNode })
  | (Node & { readonly kind: 'named'; readonly name: string })
  /** `CHAN OF ANY`. */
  | (Node & { readonly kind: 'any' })
  /** `INT; BYTE`, `INT::[]BYTE`: each item is a separate communication. */
  | (Node & { readonly kind: 'sequential'; readonly items: readonly ProtocolItemNode[] });

/** One item of a sequential protocol: a data type, or a counted array `count::[]elem`. */
export type ProtocolItemNode =
  | (Node & { readonly kind: 'data'; readonly type: TypeNode })
  | (Node & { readonly kind: 'counted'; readonly count: TypeNode; readonly elem: TypeNode });

/** One tag of a variant protocol (`PROTOCOL P` / `CASE` / `tag; INT`). */
export interface VariantNode extends Node {
  readonly tag: Ident;
  readonly items: readonly ProtocolItemNode[];
}

// ---------------------------------------------------------------------------------------------------- expressions

export type DyadicOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '\\'
  | 'REM'
  | 'PLUS'
  | 'MINUS'
  | 'TIMES'
  | '/\\'
  | '\\/'
  | '><'
  | 'BITAND'
  | 'BITOR'
  | '<<'
  | '>>'
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'AND'
  | 'OR'
  | 'AFTER'
  | UserOperator;

export type MonadicOp = '-' | 'MINUS' | '~' | 'BITNOT' | 'NOT' | UserOperator;

/** Symbols with no built-in meaning, for user-defined operators (tokens.ts, USER_OPERATORS, and `??`). */
export type UserOperator =
  | '!!'
  | '$$'
  | '%%'
  | '%>'
  | '&&'
  | '&>'
  | '++'
  | '**'
  | '<%'
  | '<&'
  | '<@'
  | '<]'
  | '=='
  | '@@'
  | '@>'
  | '[>'
  | '%'
  | '@'
  | '^'
  | '??';

interface ExprBase extends Node {
  /** occam-π `CLONE x` (on a name): the value is copied, where a MOBILE's assignment would move it. */
  readonly clone?: boolean;
  /** Filled in by the checker. */
  type?: Type;
  /** Filled in by the checker when the expression is a compile-time constant of a scalar type. */
  constValue?: bigint;
  /** Filled in by the checker when the expression is a compile-time constant REAL32/REAL64 (rounded to its type). */
  realValue?: number;
}

export type Expr =
  /**
   * An integer literal. `hex` marks `#` literals, which are bit patterns for their type (`#FFFFFFFF` is -1 as an INT)
   * rather than numbers that must fit the type's range.
   */
  | (ExprBase & {
      readonly kind: 'int';
      readonly value: bigint;
      readonly decoration: TypeNode | null;
      readonly hex?: boolean;
    })
  /** A real literal such as `2.5` or `1.0E+3`; `text` is the literal as written (normalised). */
  | (ExprBase & { readonly kind: 'real'; readonly text: string; readonly decoration: TypeNode | null })
  /** A character literal `'a'`. */
  | (ExprBase & { readonly kind: 'byte'; readonly value: number; readonly decoration: TypeNode | null })
  | (ExprBase & { readonly kind: 'bool'; readonly value: boolean })
  /** A string; `"ab"(BYTES)` carries the decoration, an array type of the same size. */
  | (ExprBase & { readonly kind: 'string'; readonly bytes: Uint8Array; readonly decoration?: TypeNode })
  | NameExpr
  | (ExprBase & { readonly kind: 'subscript'; readonly base: Expr; readonly index: Expr })
  | (ExprBase & { readonly kind: 'dyadic'; readonly op: DyadicOp; readonly left: Expr; readonly right: Expr })
  | (ExprBase & { readonly kind: 'monadic'; readonly op: MonadicOp; readonly operand: Expr })
  | (ExprBase & { readonly kind: 'size'; readonly operand: Expr })
  /** `SIZE [n]T`: the number of elements of an array type (a constant). */
  | (ExprBase & { readonly kind: 'sizeof'; readonly target: TypeNode })
  | (ExprBase & { readonly kind: 'mostpos' | 'mostneg'; readonly target: TypeNode })
  /** `T e`, `T ROUND e`, `T TRUNC e`. */
  | (ExprBase & {
      readonly kind: 'conversion';
      readonly target: TypeNode;
      readonly mode: 'exact' | 'ROUND' | 'TRUNC';
      readonly operand: Expr;
    })
  /** A FUNCTION call used as an operand. */
  /** A FUNCTION call; the checker sets `decl` to the FUNCTION it calls. */
  | (ExprBase & {
      readonly kind: 'call';
      readonly callee: Ident;
      readonly args: readonly Expr[];
      decl?: FunctionSymbol;
    })
  /** A channel end with a direction decorator: `c?` or `c!` (in actual parameters). */
  | (ExprBase & { readonly kind: 'direction'; readonly channel: Expr; readonly direction: '?' | '!' })
  /** A segment `[base FROM start FOR count]`; `[base FROM start]` has a null count, `[base FOR count]` a null start. */
  | (ExprBase & {
      readonly kind: 'slice';
      readonly base: Expr;
      readonly start: Expr | null;
      readonly count: Expr | null;
    })
  /** A table `[e1, e2, ...]`. The checker sets `constBytes` when every element is a constant. */
  | (ExprBase & {
      readonly kind: 'table';
      readonly elems: readonly Expr[];
      constBytes?: Uint8Array;
      /** `[1, 2](PAIR)`: the table is of that array type; `[1, 2](POINT)`: a RECORD's fields, in order. */
      readonly decoration?: TypeNode;
    })
  /** `(specs VALOF process RESULT e)`: a value process inside an expression (the checker allows one result). */
  | (ExprBase & {
      readonly kind: 'valof';
      readonly specs: readonly Spec[];
      readonly body: Process | null;
      readonly results: readonly Expr[];
    })
  /**
   * `BYTESIN (T)` or `BYTESIN (e)`: the bytes a type or a value occupies, a constant except for an array with open
   * dimensions, whose checked value the checker puts in `sized` (the sizes are read when it runs).
   */
  | (ExprBase & {
      readonly kind: 'bytesin';
      readonly target: TypeNode | null;
      readonly operand: Expr | null;
      sized?: Expr;
    })
  /** `OFFSETOF (T, field)`: the byte offset of a field in a RECORD type (a constant). */
  | (ExprBase & { readonly kind: 'offsetof'; readonly target: TypeNode; readonly field: Ident })
  /** An occam-pi array constructor `[i = base FOR count | value]`. */
  | (ExprBase & {
      readonly kind: 'constructor';
      readonly index: Ident;
      readonly base: Expr;
      readonly count: Expr;
      /** `[i = b FOR n STEP s | v]`; absent means 1. */
      readonly step?: Expr;
      readonly value: Expr;
      decl?: VarSymbol;
    })
  /** occam-π `MOBILE N`: a new bundle of the CHAN TYPE `N`, as the pair of its ends (`cli, svr := MOBILE N`). */
  | (ExprBase & { readonly kind: 'mobile'; readonly target: Ident })
  /** A counted array item of a communication: `n::buf`. */
  | (ExprBase & { readonly kind: 'counted'; readonly count: Expr; readonly array: Expr });

export interface NameExpr extends ExprBase {
  readonly kind: 'name';
  readonly name: string;
  /** Filled in by the checker. */
  decl?: Symbol;
  /** Set by the checker (mobiles.ts) on a use of a CHAN TYPE end that may have been moved away: checked at run time. */
  mayBeUndefined?: boolean;
}

// ---------------------------------------------------------------------------------------------------- specifications

export interface Formal extends Node {
  readonly isVal: boolean;
  /** occam-pi `RESULT` formal: passed by reference, written before it is read. */
  readonly isResult?: boolean;
  readonly type: TypeNode;
  readonly name: Ident;
  /** Direction decorator on a channel formal. */
  readonly direction: '?' | '!' | null;
  /** Filled in by the checker. */
  decl?: Symbol;
}

export type Spec =
  /** `INT a, b:` `[10]BYTE buf:` `CHAN INT c:` */
  | (Node & { readonly kind: 'decl'; readonly type: TypeNode; readonly names: readonly Ident[]; decls?: VarSymbol[] })
  /** `VAL [T] x IS e:` */
  | (Node & {
      readonly kind: 'val';
      readonly type: TypeNode | null;
      readonly name: Ident;
      readonly value: Expr;
      decl?: Symbol;
    })
  /** `[T] x IS element:` (`RESULT T x IS element:` when `isResult`) */
  | (Node & {
      readonly kind: 'abbrev';
      readonly type: TypeNode | null;
      readonly name: Ident;
      readonly target: Expr;
      readonly isResult?: boolean;
      /** `CHAN INT d! IS c!:`: the abbreviation is that end of the channel. */
      readonly direction?: '?' | '!';
      decl?: Symbol;
    })
  /** occam-pi `INITIAL T x IS e:`: a variable with an initial value. */
  | (Node & {
      readonly kind: 'initial';
      readonly type: TypeNode;
      readonly name: Ident;
      readonly value: Expr;
      decl?: VarSymbol;
    })
  /** `[VAL] T x RETYPES e:` / `RESHAPES`: the same bytes seen as another type. */
  | (Node & {
      readonly kind: 'retypes';
      readonly isVal: boolean;
      readonly reshape: boolean;
      readonly type: TypeNode;
      readonly name: Ident;
      readonly target: Expr;
      decl?: Symbol;
    })
  /** occam-π `CHAN TYPE N` / `MOBILE RECORD` with its channel fields; `fields` is null for `CHAN TYPE N:`. */
  | (Node & { readonly kind: 'chantype'; readonly name: Ident; readonly fields: readonly ChanTypeFieldNode[] | null })
  /** `DATA TYPE N IS T:` */
  | (Node & { readonly kind: 'datatype'; readonly name: Ident; readonly type: TypeNode })
  /** `PLACE x IN WORKSPACE:` / `IN VECSPACE:` (a hint) or `PLACE x AT e:` (rejected). */
  | (Node & { readonly kind: 'place'; readonly name: Ident; readonly at: Expr | null })
  | ProcDef
  | FunctionDef
  /** `PROTOCOL P IS INT; BYTE:` (body) or `PROTOCOL P` with `CASE` variants indented under it. */
  | (Node & {
      readonly kind: 'protocol';
      readonly name: Ident;
      readonly body: ProtocolNode | null;
      readonly variants: readonly VariantNode[] | null;
      decl?: Symbol;
    });

export interface ProcDef extends Node {
  readonly kind: 'proc';
  readonly name: Ident;
  readonly formals: readonly Formal[];
  readonly body: Process;
  /** `REC PROC` / `RECURSIVE PROC`: its name is in scope in its own body. */
  readonly recursive?: boolean;
  decl?: Symbol;
}

/**
 * `T1, T2 FUNCTION f (formals)`. The long form's body is a value process: `specs` (before VALOF, visible in the
 * RESULT line), the process under VALOF, and the RESULT expressions. The short form `... IS e1, e2:` has no specs
 * and a null `body`.
 */
export interface FunctionDef extends Node {
  readonly kind: 'function';
  readonly resultTypes: readonly TypeNode[];
  readonly name: Ident;
  readonly formals: readonly Formal[];
  readonly specs: readonly Spec[];
  readonly body: Process | null;
  readonly results: readonly Expr[];
  /** `REC` / `RECURSIVE` FUNCTION: its name is in scope in its own body. */
  readonly recursive?: boolean;
  decl?: Symbol;
}

// ---------------------------------------------------------------------------------------------------- processes

export interface Replicator extends Node {
  readonly index: Ident;
  readonly base: Expr;
  readonly count: Expr;
  /** `i = b FOR n STEP s`: the index takes b, b + s, ... (n values); absent means 1. */
  readonly step?: Expr;
  /** Filled in by the checker. */
  decl?: VarSymbol;
}

export interface Choice extends Node {
  readonly specs: readonly Spec[];
  readonly guard: Expr;
  readonly body: Process;
}

/** One option of a CASE: its constant values, or null for ELSE. */
export interface CaseOption extends Node {
  readonly specs: readonly Spec[];
  readonly values: readonly Expr[] | null;
  readonly body: Process;
}

/**
 * occam-π extended input `c ?? x`: the process run while the outputter is still held in the rendezvous
 * (`during`), and the one run after it has been released (`after`, SKIP when not written).
 */
export interface Extended {
  readonly during: Process;
  readonly after: Process;
}

/** What an ALT alternative waits for; `cond` is the boolean written before `&`, if any. */
export type Guard =
  /** `[cond &] c ? x; y`, or `c ?? x; y` (`extended`: the alternative's body is the during-process) */
  | (Node & {
      readonly kind: 'input';
      readonly cond: Expr | null;
      readonly channel: Expr;
      readonly items: readonly Expr[];
      readonly extended?: boolean;
    })
  /** `[cond &] t ? AFTER e` */
  | (Node & { readonly kind: 'timeout'; readonly cond: Expr | null; readonly timer: Expr; readonly after: Expr })
  /** `[cond &] SKIP` */
  | (Node & { readonly kind: 'skip'; readonly cond: Expr | null })
  /** `[cond &] c ? CASE` (or `??`, `extended`) with its variants: the input happens once the guard is chosen. */
  | (Node & {
      readonly kind: 'case';
      readonly cond: Expr | null;
      readonly channel: Expr;
      readonly variants: readonly VariantInput[];
      readonly extended?: boolean;
    });

/** One variant of a `c ? CASE` input: the tag, the items to input after it, and the process to run then. */
export interface VariantInput extends Node {
  readonly specs: readonly Spec[];
  readonly tag: Ident;
  readonly items: readonly Expr[];
  /** The variant's process; of an extended `?? CASE`, the during-process. */
  readonly body: Process;
  /** Of an extended `?? CASE`: the process after the outputter is released. */
  readonly after?: Process;
  /** Filled in by the checker: the tag's number in its protocol. */
  tagValue?: number;
}

export interface Alternative extends Node {
  readonly specs: readonly Spec[];
  readonly guard: Guard;
  /** The process run when the guard is chosen; of an extended input guard, the during-process. */
  readonly body: Process;
  /** Of an extended input guard `c ?? x`: the process after the outputter is released. */
  readonly after?: Process;
}

export type Process =
  | (Node & { readonly kind: 'skip' })
  | (Node & { readonly kind: 'stop' })
  | (Node & { readonly kind: 'assign'; readonly targets: readonly Expr[]; readonly values: readonly Expr[] })
  | (Node & { readonly kind: 'output'; readonly channel: Expr; readonly items: readonly Expr[] })
  | (Node & {
      readonly kind: 'input';
      readonly channel: Expr;
      readonly items: readonly Expr[];
      /** occam-π `c ?? x` with its during- and after-processes. */
      readonly extended?: Extended;
    })
  | (Node & { readonly kind: 'seq'; readonly repl: Replicator | null; readonly body: readonly Process[] })
  | (Node & {
      readonly kind: 'par';
      readonly pri: boolean;
      readonly repl: Replicator | null;
      readonly body: readonly Process[];
      /** occam-π `PAR ... ENROLL b, c`: every branch is enrolled on these BARRIERs while it runs. */
      readonly enroll?: readonly Expr[];
    })
  /** `IF`: choices may be nested IFs, which are flattened in order. */
  | (Node & {
      readonly kind: 'if';
      readonly repl: Replicator | null;
      readonly choices: readonly (Choice | IfProcess)[];
    })
  | (Node & { readonly kind: 'while'; readonly cond: Expr; readonly body: Process })
  /** occam-π `CLAIM c!` / `CLAIM c?`: the body has the SHARED channel end to itself. */
  | (Node & { readonly kind: 'claim'; readonly channel: Expr; readonly body: Process; claimDir?: '?' | '!' })
  /** occam-π `SYNC b`: wait until every process enrolled on the BARRIER has synchronised. */
  | (Node & { readonly kind: 'sync'; readonly barrier: Expr })
  /** `ASM` / `GUY`: Transputer instructions written in the program (compiler/checker/asm.ts). */
  | (Node & { readonly kind: 'asm'; readonly guy: boolean; readonly lines: readonly AsmLine[] })
  /** occam-π `FORKING`: the body, then a wait for every process it FORKed to end. */
  | (Node & { readonly kind: 'forking'; readonly body: Process })
  /** occam-π `FORK p (...)`: start the call as a process of its own and carry on. */
  | (Node & { readonly kind: 'fork'; readonly call: Extract<Process, { kind: 'pcall' }> })
  | (Node & { readonly kind: 'pcall'; readonly callee: Ident; readonly args: readonly Expr[]; decl?: Symbol })
  /** Specifications in front of a process: their scope is that process. */
  | (Node & { readonly kind: 'scope'; readonly specs: readonly Spec[]; readonly body: Process })
  | (Node & { readonly kind: 'case'; readonly selector: Expr; readonly options: readonly CaseOption[] })
  /** `ALT` / `PRI ALT`: alternatives may be nested ALTs, which are flattened in order. */
  | (Node & {
      readonly kind: 'alt';
      readonly pri: boolean;
      readonly repl: Replicator | null;
      readonly alternatives: readonly (Alternative | AltProcess)[];
      /** Specifications in front of a nested ALT, in its enclosing ALT. */
      readonly specs?: readonly Spec[];
    })
  /** Timer input `t ? AFTER e`: wait until the clock is after `e`. */
  | (Node & { readonly kind: 'delay'; readonly timer: Expr; readonly after: Expr })
  /** Variant input `c ? CASE` with its variants (or the one-line form `c ? CASE tag; x`, one variant, body SKIP). */
  | (Node & {
      readonly kind: 'caseinput';
      readonly channel: Expr;
      readonly variants: readonly VariantInput[];
      /** occam-π `c ?? CASE`: each variant's body is its during-process, `after` what follows the release. */
      readonly extended?: boolean;
    })
  /** `PLACED PAR [i = b FOR n]`: processes put on cores of the mesh (compiler/placement.ts). */
  | PlacedProcess
  | ProcessorClause;

/** `PROCESSOR x, y` with the process indented under it. */
export interface ProcessorClause extends Node {
  readonly kind: 'processor';
  readonly x: Expr;
  readonly y: Expr;
  readonly body: Process;
}

export interface PlacedProcess extends Node {
  readonly kind: 'placed';
  /** A replicated PLACED PAR has exactly one branch, a PROCESSOR clause. */
  readonly repl: Replicator | null;
  /** PROCESSOR clauses and nested PLACED PARs (anything else is reported by the checker). */
  readonly branches: readonly Process[];
}

/** A line of an ASM block: `:name`, or an instruction or pseudo-instruction with its operands. */
export type AsmLine =
  | (Node & { readonly kind: 'label'; readonly name: string })
  | (Node & { readonly kind: 'op'; readonly op: string; readonly operands: readonly AsmOperand[] });

/** An operand in ASM code. */
export type AsmOperand =
  /** `:name` */
  | (Node & { readonly kind: 'label'; readonly name: string })
  /** `:a - :b`, for LDLABELDIFF */
  | (Node & { readonly kind: 'labeldiff'; readonly to: string; readonly from: string })
  /** `.WSSIZE`, `.STATIC`, `.VSPTR`, or minus one of them */
  | (Node & { readonly kind: 'special'; readonly name: string; readonly negate: boolean })
  /** `ADDRESSOF e` */
  | (Node & { readonly kind: 'address'; readonly expr: Expr })
  | (Node & { readonly kind: 'expr'; readonly expr: Expr });

export type IfProcess = Extract<Process, { kind: 'if' }>;
export type AltProcess = Extract<Process, { kind: 'alt' }>;

/** A source file: a sequence of top-level specifications (the last PROC is the program). */
export interface Program extends Node {
  readonly specs: readonly Spec[];
}
