// A value process inside an expression, `(VALOF ... RESULT e)` with specifications before VALOF. It is checked as
// a FUNCTION's body is (no side effects: it may change only the names declared inside it; one result here) and
// then becomes a call of a FUNCTION without parameters defined where it stands: the node is rewritten in place
// into a `call` whose `decl` is that FUNCTION (marked `inline`), so every later stage treats it as a call, and the
// code generator generates the FUNCTION the first time it is called, reaching the names around it through its
// static link.

import type { Expr, FunctionDef } from '../ast.js';
import type { FunctionSymbol } from '../symbols.js';
import { type Type, typeName } from '../types.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';

/** A VALOF inside an expression: one result, whose type is the expression's. */
export function valofType(
  ck: Checker,
  e: Extract<Expr, { kind: 'valof' }>,
  scope: Scope,
  expected?: Type,
): Type | null {
  if (e.results.length > 1) {
    liftValof(ck, e, scope, []);
    ck.diags.error(
      e.results[1]!.span,
      `a VALOF inside an expression gives one result, but this one gives ${e.results.length}`,
      'a VALOF with several results can only be assigned: a, b := (VALOF ... RESULT x, y)',
    );
    return null;
  }
  return liftValof(ck, e, scope, [expected])?.[0] ?? null;
}

/**
 * Check a VALOF as a FUNCTION without parameters and make it a call of that FUNCTION; `expected` are the types the
 * context wants for its results (for untyped literals). Returns the result types, or null after an error.
 */
export function liftValof(
  ck: Checker,
  e: Extract<Expr, { kind: 'valof' }>,
  scope: Scope,
  expected: readonly (Type | undefined)[],
): Type[] | null {
  const name = { span: e.span, name: `VALOF.${e.span.line}` };
  const def: FunctionDef = {
    kind: 'function',
    span: e.span,
    resultTypes: [],
    name,
    formals: [],
    specs: e.specs,
    body: e.body,
    results: e.results,
  };
  const results: Type[] = [];
  const sym: FunctionSymbol = {
    kind: 'function',
    name: name.name,
    span: e.span,
    def,
    params: [],
    results,
    outer: ck.routine,
    inline: true,
  };
  const saved = { routine: ck.routine, fnLocals: ck.fnLocals };
  ck.routine = sym;
  ck.fnLocals = new Set();
  const inner = ck.parts.checkSpecs(ck, e.specs, scope);
  if (e.body) ck.parts.checkProcess(ck, e.body, inner);
  const types = e.results.map((r, i) => ck.parts.checkExpr(ck, r, inner, expected[i]));
  ck.routine = saved.routine;
  ck.fnLocals = saved.fnLocals;
  let ok = types.length > 0;
  types.forEach((t, i) => {
    if (!t) ok = false;
    else if (t.kind === 'chan' || t.kind === 'timer' || (t.kind === 'array' && t.size === null)) {
      ck.diags.error(e.results[i]!.span, `the result of a VALOF must be a value of a known size, not ${typeName(t)}`);
      ok = false;
    } else results.push(t);
  });
  if (!ok) return null;
  def.decl = sym;
  // From here on the VALOF is a call of its FUNCTION.
  Object.assign(e, { kind: 'call', callee: name, args: [], decl: sym });
  return results;
}
