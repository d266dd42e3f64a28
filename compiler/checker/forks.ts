// occam-π FORKING and FORK: a FORK belongs to the FORKING block around it in the same PROC, which waits for the
// forked processes to end (docs/language.md, FORKING and FORK).

import type { Process } from '../ast.js';
import type { Routine } from '../symbols.js';
import { isChanArray } from '../ast-queries.js';
import type { Type } from '../types.js';
import type { Checker } from './context.js';

/** The routines of the FORKING blocks around the process being checked, innermost last. */
const open = new WeakMap<Checker, (Routine | null)[]>();

export function checkForking(ck: Checker, _p: Extract<Process, { kind: 'forking' }>, body: () => void): void {
  const stack = open.get(ck) ?? [];
  open.set(ck, stack);
  stack.push(ck.routine);
  body();
  stack.pop();
}

/** After the call is checked: a FORKed process may outlive the variables around it, so it takes none by reference. */
export function checkForkArgs(ck: Checker, p: Extract<Process, { kind: 'fork' }>): void {
  const sym = p.call.decl;
  if (!sym || sym.kind !== 'proc') return;
  sym.params.forEach((param, i) => {
    const arg = p.call.args[i];
    // A CHAN TYPE end moves into the FORKed process (a SHARED one is copied).
    if (!arg || param.isVal || param.type.kind === 'end') return;
    const chan = param.type.kind === 'chan' || isChanArray(param.type);
    if (chan && (isShared(param.type) || isShared(arg.type))) return;
    ck.diags.error(
      arg.span,
      chan
        ? `parameter ${i + 1} of FORKed \`${sym.name}\` is a channel that is not SHARED`
        : `parameter ${i + 1} of FORKed \`${sym.name}\` is a variable passed by reference`,
      'a FORKed process runs on its own and may outlive what is around it: pass it values (VAL) and SHARED channel ends',
    );
  });
}

function isShared(t: Type | undefined): boolean {
  while (t && t.kind === 'array') t = t.elem;
  return !!t && t.kind === 'chan' && t.shared !== undefined;
}

export function checkFork(ck: Checker, p: Extract<Process, { kind: 'fork' }>): void {
  const stack = open.get(ck) ?? [];
  if (stack.at(-1) !== ck.routine || stack.length === 0) {
    ck.diags.error(
      p.span,
      'FORK must be inside a FORKING block of the same PROC',
      'put the FORKs under FORKING: the block ends when every process it forked has ended',
    );
  }
}
