// User-defined operators: `T FUNCTION "op" (VAL A a, VAL B b)` (or one parameter, for a monadic operator) defines
// `op` for operands of types A and B. Definitions of one operator for different operand types live side by side
// (overloading): each scope keeps its definitions of each operator, and an expression `x op y` whose operand types
// one of them takes becomes a call of it (the node is rewritten in place into a `call`).
// Operators with no definition for their operand types keep their built-in meaning; the symbols that have none
// (`@@`, `??`, `++`, ...) are then an error.

import type { Expr } from '../ast.js';
import type { FunctionSymbol } from '../symbols.js';
import { sameType, type Type, typeName } from '../types.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';

/** The operators occam gives a meaning to; the others exist only as user-defined operators. */
const BUILT_IN = new Set([
  '+',
  '-',
  '*',
  '/',
  '\\',
  'REM',
  'PLUS',
  'MINUS',
  'TIMES',
  '/\\',
  '\\/',
  '><',
  'BITAND',
  'BITOR',
  '<<',
  '>>',
  '=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
  'AND',
  'OR',
  'AFTER',
  '~',
  'BITNOT',
  'NOT',
]);

/** Whether a FUNCTION's name is an operator in quotes. */
export function isOperatorName(name: string): boolean {
  return name.length >= 3 && name.startsWith('"') && name.endsWith('"');
}

/** Operator definitions by the scope they are defined in, for each operator, in the order defined. */
const definitions = new WeakMap<Scope, Map<string, FunctionSymbol[]>>();

/** occ21 reads the operator name `"**"` as `*`. */
const canonical = (op: string): string => (op === '**' ? '*' : op);

/** File an operator definition under its operator (called when the FUNCTION is defined). */
export function defineOperator(ck: Checker, sym: FunctionSymbol, scope: Scope): void {
  const op = canonical(sym.name.slice(1, -1));
  const n = sym.params.length;
  if (n !== 1 && n !== 2) {
    ck.diags.error(sym.span, `an operator takes one operand or two, but FUNCTION ${sym.name} has ${n}`);
    return;
  }
  if (sym.results.length !== 1) {
    ck.diags.error(sym.span, `an operator gives one result, but FUNCTION ${sym.name} gives ${sym.results.length}`);
    return;
  }
  let here = definitions.get(scope);
  if (!here) definitions.set(scope, (here = new Map()));
  here.set(op, [...(here.get(op) ?? []), sym]);
  // The operator's name itself says that some definition is in scope.
  scope.defineAs(`"${op}"`, sym);
}

/** The definitions of `op` visible from `scope`, innermost and latest first, that take these operand types. */
function candidates(scope: Scope, op: string, types: readonly Type[], arity: number): FunctionSymbol[] {
  const out: FunctionSymbol[] = [];
  for (let s: Scope | null = scope; s; s = s.parent) {
    const list = definitions.get(s)?.get(op) ?? [];
    for (let k = list.length - 1; k >= 0; k--) {
      const f = list[k]!;
      if (f.params.length === arity && types.every((t, i) => sameType(f.params[i]!.type, t))) out.push(f);
    }
  }
  return out;
}

/**
 * The type of `left op right` if a user-defined operator applies; undefined when the built-in meaning is to be used.
 * Checks the operands itself (the built-in checks then run again on them, which is harmless).
 */
export function userDyadic(ck: Checker, e: Extract<Expr, { kind: 'dyadic' }>, scope: Scope): Type | null | undefined {
  const op = canonical(e.op);
  if (!scope.lookup(`"${op}"`) && BUILT_IN.has(op)) return undefined;
  const lt = ck.parts.checkExpr(ck, e.left, scope);
  if (!lt) return null;
  // The first definition for the left operand's type says what an untyped literal on the right is.
  const want = candidates(scope, op, [lt], 2)[0]?.params[1]?.type ?? lt;
  const rt = ck.parts.checkExpr(ck, e.right, scope, want);
  if (!rt) return null;
  const sym = candidates(scope, op, [lt, rt], 2)[0];
  if (sym) return becomeCall(ck, e, sym, [e.left, e.right]);
  if (BUILT_IN.has(op)) return undefined;
  ck.diags.error(
    e.span,
    `no operator \`${op}\` is defined for ${typeName(lt)} and ${typeName(rt)}`,
    `define one: T FUNCTION "${op}" (VAL ${typeName(lt)} a, VAL ${typeName(rt)} b)`,
  );
  return null;
}

/** The type of `op operand` if a user-defined operator applies; undefined for the built-in meaning. */
export function userMonadic(
  ck: Checker,
  e: Extract<Expr, { kind: 'monadic' }>,
  scope: Scope,
  expected?: Type,
): Type | null | undefined {
  const op = canonical(e.op);
  if (!scope.lookup(`"${op}"`) && BUILT_IN.has(op)) return undefined;
  const t = ck.parts.checkExpr(ck, e.operand, scope, op === 'NOT' ? undefined : expected);
  if (!t) return null;
  const sym = candidates(scope, op, [t], 1)[0];
  if (sym) return becomeCall(ck, e, sym, [e.operand]);
  if (BUILT_IN.has(op)) return undefined;
  ck.diags.error(
    e.span,
    `no operator \`${op}\` is defined for ${typeName(t)}`,
    `define one: T FUNCTION "${op}" (VAL ${typeName(t)} a)`,
  );
  return null;
}

function becomeCall(ck: Checker, e: Expr, sym: FunctionSymbol, args: Expr[]): Type {
  ck.used.add(sym);
  args.forEach((a, i) => {
    const p = sym.params[i]!;
    if (a.type && !sameType(a.type, p.type)) a.type = p.type;
  });
  Object.assign(e, { kind: 'call', callee: { span: e.span, name: sym.name }, args, decl: sym });
  return sym.results[0]!;
}
