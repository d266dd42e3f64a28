// ALT and PRI ALT: enabling the guards, waiting, disabling them in order to choose the branch, replicated and
// nested alternatives, timer guards.

import { checkDefined } from './bundles.js';
import type { AltProcess, Alternative, Expr, Spec } from '../ast.js';
import { Label } from '../assembler.js';
import { BELOW_IO, BELOW_TIMER } from '../workspace.js';
import { Fn, Op } from '../../emulator/isa.js';
import { type CodeGen, setStorage } from './context.js';
import { replicateClose, replicateOpen } from './replicators.js';
import { prepare } from './hoisting.js';
import { channelAddress } from './addresses.js';
import { depth, expr } from './expressions.js';
import { spec } from './declarations.js';
import { caseInput, communicate, extendedInput } from './communication.js';

/**
 * ALT and PRI ALT (docs/codegen.md, ALT): enable every guard, wait, disable every guard in textual order (the first
 * ready one wins, which is PRI ALT's priority; a plain ALT compiles the same, and the image marks its disabling code
 * so that a run with a seed may choose any ready guard), then jump to the chosen branch.
 */
export function altProcess(gen: CodeGen, p: AltProcess): void {
  gen.line(p.span);
  const timed = altHasTimer(p);
  gen.frame.requireBelow(timed ? BELOW_TIMER : BELOW_IO);
  const mark = gen.frame.mark();
  const alts = collectAlternatives(p);
  // A guard whose condition may be FALSE makes it possible that none is enabled: then the ALT is STOP.
  const alwaysLive = alts.some((a) => a.alt.guard.cond === null || (a.alt.guard.cond.constValue ?? 0n) !== 0n);
  const flag = alwaysLive ? null : gen.frame.alloc(1);
  if (flag !== null) {
    gen.fn(Fn.ldc, 0);
    gen.fn(Fn.stl, flag);
  }
  const endLabel = gen.label('alt.end');
  const e = gen.label('alt.branches');
  const branchLabels = new Map<Alternative, Label>();
  for (const a of alts) branchLabels.set(a.alt, gen.label('alt.branch'));
  // Replicated ALTs keep, per level, the index of the chosen alternative.
  const saved = new Map<AltProcess, number>();
  const condTemp = gen.frame.alloc(1);
  const blocks = new Map<AltProcess, number>();
  // `call` stores below the workspace pointer, where the ALT keeps its state, so FUNCTION calls in guards are made
  // before the ALT starts (those the guards' code will read from temporaries).
  const hoistedBefore = new Set(gen.hoisted.keys());
  const inAlt = gen.inAltGuards;
  prepare(gen, guardExprsBeforeAlt(p));

  // An end of a bundle that may have moved away is checked before the ALT (not for a guard with a condition,
  // whose channel is not touched when the condition is FALSE).
  for (const a of alts) {
    const g = a.alt.guard;
    if ((g.kind === 'input' || g.kind === 'case') && g.cond === null) checkDefined(gen, g.channel);
  }
  gen.op(timed ? Op.talt : Op.alt);
  gen.inAltGuards = true;
  walkAlt(
    gen,
    p,
    (alt) => {
      const g = alt.guard;
      altSpecs(gen, alt);
      prepareGuard(gen, g.cond, condTemp);
      if (flag !== null) {
        guardValue(gen, g.cond, condTemp);
        gen.fn(Fn.ldl, flag);
        gen.op(Op.or);
        gen.fn(Fn.stl, flag);
      }
      switch (g.kind) {
        case 'input':
        case 'case':
          channelAddress(gen, g.channel);
          guardValue(gen, g.cond, condTemp);
          gen.op(Op.enbc);
          return;
        case 'timeout':
          expr(gen, g.after);
          guardValue(gen, g.cond, condTemp);
          gen.op(Op.enbt);
          return;
        case 'skip':
          guardValue(gen, g.cond, condTemp);
          gen.op(Op.enbs);
          return;
      }
    },
    null,
    blocks,
  );
  if (flag !== null) {
    gen.fn(Fn.ldl, flag);
    gen.fn(Fn.eqc, 0);
    gen.fn(Fn.ldc, 1);
    gen.check(p.span, 'every guard of this ALT is FALSE, so it behaves as STOP');
    gen.op(Op.csub0);
  }
  const fairEnd = p.pri ? null : gen.label('alt.fair.end');
  if (fairEnd) gen.fairAlt(fairEnd);
  gen.op(timed ? Op.taltwt : Op.altwt);
  walkAlt(
    gen,
    p,
    (alt) => {
      const g = alt.guard;
      altSpecs(gen, alt);
      prepareGuard(gen, g.cond, condTemp);
      const offset = { to: branchLabels.get(alt)!, from: e };
      switch (g.kind) {
        case 'input':
        case 'case':
          channelAddress(gen, g.channel);
          guardValue(gen, g.cond, condTemp);
          gen.fn(Fn.ldc, offset);
          gen.op(Op.disc);
          return;
        case 'timeout':
          expr(gen, g.after);
          guardValue(gen, g.cond, condTemp);
          gen.fn(Fn.ldc, offset);
          gen.op(Op.dist);
          return;
        case 'skip':
          guardValue(gen, g.cond, condTemp);
          gen.fn(Fn.ldc, offset);
          gen.op(Op.diss);
          return;
      }
    },
    saved,
    blocks,
  );
  if (fairEnd) gen.place(fairEnd);
  gen.inAltGuards = inAlt;
  gen.op(Op.altend);
  gen.place(e);
  for (const a of alts) {
    gen.place(branchLabels.get(a.alt)!);
    // Inside a replicated ALT the branch sees the index value that was chosen.
    for (const [level, slot] of saved) setStorage(level.repl!.decl!, { frame: gen.frame, slot: () => slot });
    const m = gen.frame.mark();
    // Specifications in front of enclosing nested ALTs, then the alternative's own.
    for (const s of a.outer) spec(gen, s);
    altSpecs(gen, a.alt);
    const g = a.alt.guard;
    gen.line(g.span);
    if (g.kind === 'input' && g.extended) {
      extendedInput(gen, g.channel, g.items, a.alt.body, a.alt.after ?? { kind: 'skip', span: g.span });
    } else {
      if (g.kind === 'input') communicate(gen, 'in', g.channel, g.items);
      else if (g.kind === 'case') caseInput(gen, g.channel, g.variants, g.extended === true);
      gen.parts.process(gen, a.alt.body);
    }
    gen.frame.release(m);
    gen.jump(Fn.j, endLabel);
  }
  gen.place(endLabel);
  for (const k of [...gen.hoisted.keys()]) if (!hoistedBefore.has(k)) gen.hoisted.delete(k);
  gen.frame.release(mark);
}

/**
 * The guard expressions whose FUNCTION calls can be made before the ALT: those of alternatives outside any
 * replicated ALT and with no specifications in front of them (which must be elaborated first).
 */
function guardExprsBeforeAlt(p: AltProcess): Expr[] {
  const out: Expr[] = [];
  const walk = (q: AltProcess): void => {
    if (q.repl) return;
    for (const a of q.alternatives) {
      if ('kind' in a) {
        if ((a.specs ?? []).length === 0) walk(a);
        continue;
      }
      const alt = a as Alternative;
      if (alt.specs.length > 0) continue;
      const g = alt.guard;
      if (g.cond) out.push(g.cond);
      if (g.kind === 'timeout') out.push(g.after);
      if (g.kind === 'input' || g.kind === 'case') out.push(g.channel);
    }
  };
  walk(p);
  return out;
}

/** Specifications in front of an alternative: evaluated wherever its guard or body is. */
function altSpecs(gen: CodeGen, alt: Alternative): void {
  for (const s of alt.specs) spec(gen, s);
}

/** A condition that needs more than one register is evaluated into a temporary before the guard's other values. */
function prepareGuard(gen: CodeGen, cond: Expr | null, temp: number): void {
  if (cond && depth(gen, cond) > 1) {
    expr(gen, cond);
    gen.fn(Fn.stl, temp);
  }
}

/** Push a guard's condition (TRUE when there is none), from its temporary if `prepareGuard` made one. */
function guardValue(gen: CodeGen, cond: Expr | null, temp: number): void {
  if (!cond) gen.fn(Fn.ldc, 1);
  else if (depth(gen, cond) > 1) gen.fn(Fn.ldl, temp);
  else expr(gen, cond);
}

/**
 * Visit the alternatives of an ALT in textual order, looping over replicators. With `saved`, each visit is a
 * disable that leaves TRUE in A when it chose its alternative: the indices of the enclosing replicators are then
 * recorded for the branch.
 */
function walkAlt(
  gen: CodeGen,
  p: AltProcess,
  each: (alt: Alternative) => void,
  saved: Map<AltProcess, number> | null,
  /** Each replicated level's control block, allocated by the enabling walk and used again by the disabling one. */
  blocks: Map<AltProcess, number>,
  levels: readonly { k: number; slot: number }[] = [],
): void {
  let k = -1;
  let inner = levels;
  if (p.repl) {
    let slot = saved?.get(p);
    if (saved && slot === undefined) {
      slot = gen.frame.alloc(1);
      saved.set(p, slot);
    }
    k = replicateOpen(gen, p.repl, blocks.get(p));
    blocks.set(p, k);
    if (saved) inner = [...levels, { k, slot: slot! }];
  }
  for (const a of p.alternatives) {
    if ('kind' in a) {
      for (const s of a.specs ?? []) spec(gen, s);
      walkAlt(gen, a, each, saved, blocks, inner);
      continue;
    }
    each(a as Alternative);
    if (saved && inner.length > 0) {
      const skip = gen.label('alt.notchosen');
      gen.jump(Fn.cj, skip);
      for (const l of inner) {
        gen.fn(Fn.ldl, l.k);
        gen.fn(Fn.stl, l.slot);
      }
      gen.place(skip);
    }
  }
  if (p.repl) replicateClose(gen, p.repl, k);
}

/** Whether an ALT (or one nested in it) has a timer guard, so that it needs `talt`/`taltwt`. */
function altHasTimer(p: AltProcess): boolean {
  return p.alternatives.some((a) => ('kind' in a ? altHasTimer(a) : (a as Alternative).guard.kind === 'timeout'));
}

/** The alternatives of an ALT and of the ALTs nested in it, in textual order. */
function collectAlternatives(p: AltProcess): { alt: Alternative; outer: readonly Spec[] }[] {
  const out: { alt: Alternative; outer: readonly Spec[] }[] = [];
  const walk = (q: AltProcess, outer: readonly Spec[]): void => {
    for (const a of q.alternatives) {
      if ('kind' in a) walk(a, [...outer, ...(a.specs ?? [])]);
      else out.push({ alt: a as Alternative, outer });
    }
  };
  walk(p, []);
  return out;
}
