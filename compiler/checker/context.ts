// The checker's state, shared by every file in this folder: the diagnostics, the PROCs found so far, the routine
// being checked, the names a FUNCTION may change, and what is declared and used (for the "never used" warnings).
// The other files in this folder are functions that take this context as their first argument.

import type { Diagnostics } from '../source.js';
import type { ProcSymbol, Routine, Symbol } from '../symbols.js';

/**
 * The checker's recursive entry points. Types hold expressions (array sizes) and processes hold specifications
 * (which hold processes), so a few files call files above them; they do it through this table, which index.ts
 * fills in, so that every file in this folder imports only files below it.
 */
export interface Parts {
  readonly checkExpr: typeof import('./expressions.js').checkExpr;
  readonly checkSpecs: typeof import('./specifications.js').checkSpecs;
  readonly checkProcess: typeof import('./processes.js').checkProcess;
}

export class Checker {
  readonly procs: ProcSymbol[] = [];
  /** The PROC or FUNCTION whose body is being checked (null at the outermost level). */
  routine: Routine | null = null;
  /** While checking a FUNCTION's value process: the names declared inside it, which it may change. */
  fnLocals: Set<Symbol> | null = null;
  /** Names mentioned anywhere, and names declared inside bodies, for the "never used" warnings. */
  readonly used = new Set<Symbol>();
  readonly declared: Symbol[] = [];
  /**
   * Above 0 while checking an operand that is never evaluated (the right of `FALSE AND e` or `TRUE OR e`):
   * a constant subscript out of range there is not an error, as in KRoC.
   */
  unevaluated = 0;

  constructor(
    readonly diags: Diagnostics,
    readonly parts: Parts,
  ) {}
}

/** What messages call the value process being checked: `a VALOF` inside an expression, else `a FUNCTION`. */
export function valueProcessName(ck: Checker): string {
  return ck.routine?.kind === 'function' && ck.routine.inline ? 'a VALOF' : 'a FUNCTION';
}
