// occam-π BARRIER: four words (enrolled, synchronised so far, waiting queue front and back; docs/isa.md,
// Barriers), SYNC, and the enrolment `PAR ... ENROLL b` makes: while the PAR runs, its branches are enrolled on
// the barrier in place of the process that runs the PAR; each resigns when it ends, and the process is enrolled
// again after the PAR (docs/codegen.md, BARRIER).

import type { Expr, Process } from '../ast.js';
import type { Symbol } from '../symbols.js';
import { Fn, Op } from '../../emulator/isa.js';
import type { CodeGen } from './context.js';
import { elementAddress } from './addresses.js';

/** A new barrier in `slot`: its declaring process enrolled, nobody waiting. */
export function initBarrier(gen: CodeGen, slot: number): void {
  gen.fn(Fn.ldc, 1);
  gen.fn(Fn.stl, slot);
  gen.fn(Fn.ldc, 0);
  gen.fn(Fn.stl, slot + 1);
  gen.op(Op.mint);
  gen.fn(Fn.stl, slot + 2);
  gen.op(Op.mint);
  gen.fn(Fn.stl, slot + 3);
}

export function sync(gen: CodeGen, p: Extract<Process, { kind: 'sync' }>): void {
  gen.line(p.span);
  elementAddress(gen, p.barrier);
  gen.op(Op.barsync);
}

/** The BARRIERs a PAR's ENROLL clause names. */
export function enrolledOn(p: Extract<Process, { kind: 'par' }>): Symbol[] {
  const out: Symbol[] = [];
  for (const e of p.enroll ?? []) if (e.kind === 'name' && e.decl) out.push(e.decl);
  return out;
}

function address(gen: CodeGen, sym: Symbol): void {
  const e = { kind: 'name', name: sym.name, decl: sym, type: { kind: 'barrier' }, span: sym.span } as unknown as Expr;
  elementAddress(gen, e);
}

/** Enroll `count` (emitted by `emitCount`, or a constant) more processes on the barrier. */
export function enroll(gen: CodeGen, sym: Symbol, count: number | (() => void)): void {
  if (typeof count === 'number') gen.fn(Fn.ldc, count);
  else count();
  address(gen, sym);
  gen.op(Op.barenroll);
}

/** Before a PAR: `counts` branches use each barrier, in place of this process. */
export function enrollBranches(gen: CodeGen, counts: ReadonlyMap<Symbol, number>): void {
  for (const [sym, k] of counts) if (k !== 1) enroll(gen, sym, k - 1);
}

/** At the end of a branch that used these barriers. */
export function resignBranch(gen: CodeGen, syms: readonly Symbol[]): void {
  for (const sym of syms) enroll(gen, sym, -1);
}

/** After the PAR: this process is enrolled again. */
export function enrollAgain(gen: CodeGen, syms: Iterable<Symbol>): void {
  for (const sym of syms) enroll(gen, sym, 1);
}

/** How many branches use each barrier. */
export function branchCounts(used: readonly (readonly Symbol[])[], times = 1): Map<Symbol, number> {
  const counts = new Map<Symbol, number>();
  for (const u of used) for (const s of u) counts.set(s, (counts.get(s) ?? 0) + times);
  return counts;
}
