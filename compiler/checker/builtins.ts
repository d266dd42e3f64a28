// The PROCs occam predefines, which a program calls without defining them: `ASSERT (test)`. A program's own
// definition of the name hides the predefined one.

import type { Process } from '../ast.js';
import { BOOL } from '../types.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';
import { expectType } from './expressions.js';

/** Whether a call names a predefined PROC the program has not redefined. */
export function isPredefinedCall(p: Extract<Process, { kind: 'pcall' }>, scope: Scope): boolean {
  return p.callee.name === 'ASSERT' && scope.lookup('ASSERT') === undefined;
}

/** `ASSERT (b)`: one BOOL; a constant FALSE is reported now, as KRoC reports it. */
export function checkPredefinedCall(ck: Checker, p: Extract<Process, { kind: 'pcall' }>, scope: Scope): void {
  if (p.args.length !== 1) {
    ck.diags.error(p.span, `ASSERT takes one BOOL parameter but is given ${p.args.length}`, 'write ASSERT (x > 0)');
    return;
  }
  const test = p.args[0]!;
  expectType(ck, test, scope, BOOL, 'the parameter of ASSERT');
  if (test.constValue === 0n) ck.diags.error(test.span, 'the parameter of ASSERT is FALSE, so it always fails');
}
