// The checker: resolves every name to its symbol, computes the type of every expression, folds constant
// expressions, and enforces occam's typing rules. It reports problems as diagnostics and never throws on bad
// input; the code generator runs only on a program that checked without errors.
//
// This file is the entry point (`check`) and the checks on the program as a whole. The checker's state is in
// context.ts; the other files in this folder are functions taking it as their first argument, one concern each,
// layered so that each imports only the files below it (scope, constants, types, expressions, protocols,
// processes, specifications).

import type { Program } from '../ast.js';
import type { Diagnostics } from '../source.js';
import type { ProcSymbol } from '../symbols.js';
import { isPrim } from '../types.js';
import { Checker, type Parts } from './context.js';
import { Scope, warnUnused } from './scope.js';
import { checkExpr } from './expressions.js';
import { checkSpec, checkSpecs } from './specifications.js';
import { checkProcess } from './processes.js';
import { checkMobiles } from './mobiles.js';
import { usedDirections } from './host-channels.js';

export type HostRole = 'keyboard' | 'screen' | 'error';

export interface CheckedProgram {
  readonly program: Program;
  /** Every PROC, in definition order. */
  readonly procs: readonly ProcSymbol[];
  /** The program's entry point: the last PROC in the file. */
  readonly main: ProcSymbol;
  /** What each of main's parameters is connected to. */
  readonly mainRoles: readonly HostRole[];
}

export function check(program: Program, diags: Diagnostics): CheckedProgram | null {
  return checkProgram(new Checker(diags, parts), program);
}

/** The recursive entry points, for the files that call files above them (context.ts). */
const parts: Parts = { checkExpr, checkSpecs, checkProcess };

function checkProgram(ck: Checker, program: Program): CheckedProgram | null {
  const top = new Scope(null);
  for (const spec of program.specs) {
    if (spec.kind === 'decl') {
      ck.diags.error(
        spec.span,
        'variables, channels and timers cannot be declared at the outermost level',
        'declare them inside a PROC',
      );
      continue;
    }
    checkSpec(ck, spec, top);
  }
  if (ck.diags.errorCount === 0) checkMobiles(ck);
  warnUnused(ck, program.span.file);
  const main = ck.procs[ck.procs.length - 1];
  if (!main) {
    const span = program.span;
    ck.diags.error(span, 'the program has no PROC to run', 'the last PROC in the file is the program');
    return null;
  }
  const roles = mainRoles(ck, main);
  if (ck.diags.errorCount > 0 || !roles) return null;
  return { program, procs: ck.procs, main, mainRoles: roles };
}

export function mainRoles(ck: Checker, main: ProcSymbol): HostRole[] | null {
  const formals = main.def.formals;
  if (formals.length > 3) {
    ck.diags.error(
      main.def.name.span,
      `the program's PROC \`${main.name}\` has ${formals.length} parameters; it may have at most 3`,
      'write PROC main (CHAN BYTE kyb?, scr!, err!)',
    );
    return null;
  }
  let ok = true;
  for (const p of main.params) {
    if (p.type.kind !== 'chan' || !isPrim(p.type.protocol, 'BYTE')) {
      ck.diags.error(
        p.span,
        `parameter \`${p.name}\` of the program's PROC must be a CHAN BYTE (keyboard, screen or error)`,
        'write PROC main (CHAN BYTE kyb?, scr!, err!)',
      );
      ok = false;
    }
  }
  if (!ok) return null;
  // KRoC's rule (host-channels.ts); a parameter the body does not use takes a role no other one has.
  const dirs = usedDirections(main);
  const roles: (HostRole | null)[] = main.params.map(() => null);
  let outputs = 0;
  for (const [i, p] of main.params.entries()) {
    const dir = dirs[i];
    if (dir === null) continue;
    const role: HostRole = dir === '?' ? 'keyboard' : outputs++ === 0 ? 'screen' : 'error';
    if (roles.includes(role)) {
      ck.diags.error(
        p.span,
        dir === '?'
          ? `the program's PROC has a second input channel \`${p.name}\`; it may have one, the keyboard`
          : `the program's PROC has a third output channel \`${p.name}\`; it may have two, the screen and the error channel`,
        'write PROC main (CHAN BYTE kyb?, scr!, err!): the first output is the screen, the second the error channel',
      );
      return null;
    }
    roles[i] = role;
  }
  // A parameter whose use was not found (none, or one the search does not follow) takes the role its name
  // suggests if that is free, else the first free one.
  for (const [i, p] of main.params.entries()) {
    if (roles[i] !== null) continue;
    const spare = (['keyboard', 'screen', 'error'] as const).filter((r) => !roles.includes(r));
    const guess = roleByName(p.name);
    roles[i] = spare.includes(guess) ? guess : spare[0]!;
  }
  return roles.map((r) => r!);
}

/** The host channel a parameter's name suggests: `err...` the error channel, `kyb`, `key...`, `in...` the keyboard. */
function roleByName(name: string): HostRole {
  const n = name.toLowerCase();
  if (n.includes('err')) return 'error';
  if (n.startsWith('kyb') || n.startsWith('key') || (n.includes('in') && !n.startsWith('scr'))) return 'keyboard';
  return 'screen';
}
