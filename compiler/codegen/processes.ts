// Processes: SEQ, IF, WHILE, CASE, PAR, PRI PAR and their replicated forms.

import { allocate, assignEnd, checkDefined, releaseScope } from './bundles.js';
import type { Choice, Expr, IfProcess, Process, Replicator } from '../ast.js';
import { Label } from '../assembler.js';
import { exprText } from '../ast-queries.js';
import type { Span } from '../source.js';
import type { ProcSymbol, Symbol } from '../symbols.js';
import { BELOW_TIMER, type Deferred, Frame } from '../workspace.js';
import { Fn, Op } from '../../emulator/isa.js';
import { type CodeGen, setStorage } from './context.js';
import { localSlot, word } from './primitives.js';
import { evalWide } from './two-word.js';
import { isPrim } from '../types.js';
import { statement } from './hoisting.js';
import { replicateClose, replicateOpen } from './replicators.js';
import { expr } from './expressions.js';
import { assign, multiResult } from './assignment.js';
import { spec } from './declarations.js';
import { asmBlock } from './asm.js';
import { caseInput, communicate, extendedInput, timerRead } from './communication.js';
import { altProcess } from './alt.js';
import { callRoutine } from './routines.js';
import { dynamicPar } from './dynamic-par.js';
import { claim } from './claims.js';
import { branchCounts, enrolledOn, enrollAgain, enrollBranches, resignBranch, sync } from './barriers.js';
import { fork, forking } from './forks.js';

export function process(gen: CodeGen, p: Process): void {
  switch (p.kind) {
    case 'skip':
      return;
    case 'stop':
      gen.line(p.span);
      gen.check(p.span, 'STOP was executed');
      gen.op(Op.seterr);
      return;
    case 'assign':
      gen.line(p.span);
      if (p.values.length === 1 && p.values[0]!.kind === 'mobile') {
        const t = p.targets[0]!.type;
        if (t?.kind === 'end') allocate(gen, p.targets, t.def);
      } else if (p.targets.length === 1 && p.targets[0]!.type?.kind === 'end') {
        assignEnd(gen, p.targets[0]!, p.values[0]!);
      } else if (p.values.length === 1 && p.targets.length > 1) {
        statement(gen, [...p.targets, ...(p.values[0]!.kind === 'call' ? p.values[0]!.args : [])], () =>
          multiResult(gen, p.targets, p.values[0]!),
        );
      } else statement(gen, [...p.targets, ...p.values], () => assign(gen, p.targets, p.values));
      return;
    case 'output':
      gen.line(p.span);
      statement(gen, [p.channel, ...p.items], () => communicate(gen, 'out', p.channel, p.items));
      return;
    case 'input':
      gen.line(p.span);
      if (p.channel.type?.kind === 'timer') statement(gen, p.items, () => timerRead(gen, p.items[0]!));
      else if (p.extended) {
        const x = p.extended;
        statement(gen, [p.channel, ...p.items], () => extendedInput(gen, p.channel, p.items, x.during, x.after));
      } else statement(gen, [p.channel, ...p.items], () => communicate(gen, 'in', p.channel, p.items));
      return;
    case 'seq':
      if (p.repl) replicatedSeq(gen, p.repl, p.body);
      else for (const c of p.body) process(gen, c);
      return;
    case 'par':
      gen.line(p.span);
      if (p.repl) replicatedPar(gen, p.repl, p.body, enrolledOn(p));
      else if (p.pri && p.body.length === 2) priPar(gen, p.body[0]!, p.body[1]!);
      else par(gen, p.body, enrolledOn(p));
      return;
    case 'if':
      ifProcess(gen, p);
      return;
    case 'claim':
      claim(gen, p);
      return;
    case 'forking':
      forking(gen, p);
      return;
    case 'sync':
      sync(gen, p);
      return;
    case 'asm':
      asmBlock(gen, p);
      return;
    case 'fork':
      fork(gen, p);
      return;
    case 'while':
      whileProcess(gen, p.cond, p.body, p.span);
      return;
    case 'pcall':
      gen.line(p.span);
      if (!p.decl && p.callee.name === 'RESCHEDULE') {
        gen.op(Op.reschedule);
        return;
      }
      if (!p.decl) statement(gen, p.args, () => assertion(gen, p.args[0]!, p.span));
      else {
        for (const a of p.args) checkDefined(gen, a);
        statement(gen, p.args, () => callRoutine(gen, p.decl as ProcSymbol, p.args));
      }
      return;
    case 'scope': {
      const mark = gen.frame.mark();
      for (const s of p.specs) spec(gen, s);
      const end = gen.nameScope(p.specs);
      process(gen, p.body);
      releaseScope(gen, p.specs);
      if (end) gen.place(end);
      gen.frame.release(mark);
      return;
    }
    case 'case':
      caseProcess(gen, p);
      return;
    case 'alt':
      altProcess(gen, p);
      return;
    case 'delay':
      gen.line(p.span);
      gen.frame.requireBelow(BELOW_TIMER);
      expr(gen, p.after);
      gen.op(Op.tin);
      return;
    case 'caseinput':
      gen.line(p.span);
      caseInput(gen, p.channel, p.variants, p.extended === true);
      return;
  }
}

/** The predefined `ASSERT (b)` (the only call the checker leaves without a PROC): a run-time error if b is FALSE. */
function assertion(gen: CodeGen, test: Expr, span: Span): void {
  if (test.constValue !== undefined && test.constValue !== 0n) return;
  expr(gen, test);
  gen.fn(Fn.eqc, 0);
  gen.fn(Fn.ldc, 1);
  gen.check(span, `ASSERT failed: \`${exprText(test)}\` is FALSE`);
  gen.op(Op.csub0);
}

function replicatedSeq(gen: CodeGen, r: Replicator, body: readonly Process[]): void {
  const k = replicateOpen(gen, r);
  for (const c of body) process(gen, c);
  replicateClose(gen, r, k);
  gen.frame.release(k);
}

function whileProcess(gen: CodeGen, cond: Expr, body: Process, span: Span): void {
  const top = gen.label('while');
  const end = gen.label('while.end');
  gen.place(top);
  gen.line(span);
  const always = cond.constValue !== undefined && cond.constValue !== 0n;
  if (cond.constValue === 0n) return;
  if (!always) {
    statement(gen, [cond], () => {
      expr(gen, cond);
      gen.jump(Fn.cj, end);
    });
  }
  process(gen, body);
  gen.jump(Fn.j, top);
  gen.place(end);
}

function ifProcess(gen: CodeGen, p: IfProcess): void {
  const end = gen.label('if.end');
  const exhaustive = choices(gen, p, end);
  if (!exhaustive) {
    gen.line(p.span);
    gen.check(p.span, 'no condition of this IF is TRUE');
    gen.op(Op.seterr);
  }
  gen.place(end);
}

/** Emit the choices of an IF (nested IFs flattened). Returns true if a constant-TRUE guard ends the list. */
function choices(gen: CodeGen, p: IfProcess, end: Label): boolean {
  if (p.repl) {
    replicatedChoices(gen, p, end);
    return false;
  }
  for (const c of p.choices) {
    if ('kind' in c) {
      if (choices(gen, c, end)) return true;
      continue;
    }
    const choice = c as Choice;
    const mark = gen.frame.mark();
    for (const s of choice.specs) spec(gen, s);
    const g = choice.guard.constValue;
    if (g === 0n) {
      gen.frame.release(mark);
      continue;
    }
    gen.line(choice.guard.span);
    const next = gen.label('if.next');
    if (g === undefined) {
      statement(gen, [choice.guard], () => {
        expr(gen, choice.guard);
        gen.jump(Fn.cj, next);
      });
    }
    process(gen, choice.body);
    gen.jump(Fn.j, end);
    gen.place(next);
    gen.frame.release(mark);
    if (g !== undefined) return true;
  }
  return false;
}

export function par(gen: CodeGen, branches: readonly Process[], barriers: readonly Symbol[] = []): void {
  // With ENROLL, every branch is enrolled on the BARRIERs while the PAR runs (compiler/codegen/barriers.ts).
  const used = branches.map(() => barriers);
  const counts = branchCounts(branches.length > 0 ? used : []);
  enrollBranches(gen, counts);
  parOf(
    gen,
    branches.map((b, i) => () => {
      process(gen, b);
      resignBranch(gen, used[i]!);
    }),
  );
  enrollAgain(gen, counts.keys());
}

/** A PAR whose branches are emitted by `branches` (each runs with its own frame current). */
function parOf(gen: CodeGen, branches: readonly (() => void)[]): void {
  if (branches.length === 0) return;
  if (branches.length === 1) {
    branches[0]!();
    return;
  }
  const parent = gen.frame;
  const n = branches.length;
  const frames: Frame[] = [];
  // Branch k runs at W - d[k], with d[k] = s[0] + ... + s[k-1] + w[k] (s = total size, w = frame size).
  const distance =
    (k: number): Deferred =>
    () => {
      let d = frames[k]!.size;
      for (let j = 0; j < k; j++) d += frames[j]!.total();
      return d;
    };
  for (let k = 0; k < n; k++) {
    frames.push(new Frame(parent, parent.reserved, distance(k)));
  }
  parent.requireChild(() => frames.reduce((s, f) => s + f.total(), 0));

  const join = gen.label('par.join');
  const starts = branches.map(() => gen.label('par.branch'));
  // The join block: W[1] = branches still running, W[0] = where the last one to finish continues.
  gen.fn(Fn.ldc, n);
  gen.fn(Fn.stl, 1);
  gen.address(join);
  gen.fn(Fn.stl, 0);
  for (let k = 1; k < n; k++) {
    const m = gen.label('started');
    gen.fn(Fn.ldc, { to: starts[k]!, from: m });
    const d = distance(k);
    gen.fn(Fn.ldlp, () => -d());
    gen.op(Op.startp);
    gen.place(m);
  }
  for (let k = 0; k < n; k++) {
    const d = distance(k);
    gen.place(starts[k]!);
    if (k === 0) gen.fn(Fn.ajw, () => -d());
    gen.frame = frames[k]!;
    branches[k]!();
    gen.fn(Fn.ldlp, d);
    gen.op(Op.endp);
  }
  gen.frame = parent;
  gen.place(join);
}

/**
 * PRI PAR (docs/codegen.md, PAR and PRI PAR): the first branch runs at high priority. It is started with `runp` on
 * a Wdesc with priority bit 0 and preempts the parent at once; when it ends it requeues its own workspace at low
 * priority and stops, so the final `endp` runs at low priority and the PAR continues there.
 */
function priPar(gen: CodeGen, high: Process, low: Process): void {
  const parent = gen.frame;
  const frames: Frame[] = [];
  const distance =
    (k: number): Deferred =>
    () => {
      let d = frames[k]!.size;
      for (let j = 0; j < k; j++) d += frames[j]!.total();
      return d;
    };
  for (let k = 0; k < 2; k++) frames.push(new Frame(parent, parent.reserved, distance(k)));
  parent.requireChild(() => frames.reduce((s, f) => s + f.total(), 0));
  const join = gen.label('pripar.join');
  const hi = gen.label('pripar.high');
  const dh = distance(0);
  const dl = distance(1);
  gen.fn(Fn.ldc, 2);
  gen.fn(Fn.stl, 1);
  gen.address(join);
  gen.fn(Fn.stl, 0);
  gen.address(hi);
  gen.fn(Fn.stl, () => -dh() - 1);
  gen.fn(Fn.ldlp, () => -dh());
  gen.op(Op.runp);
  // The low-priority branch runs in the parent's process.
  gen.fn(Fn.ajw, () => -dl());
  gen.frame = frames[1]!;
  process(gen, low);
  gen.fn(Fn.ldlp, dl);
  gen.op(Op.endp);
  gen.place(hi);
  gen.frame = frames[0]!;
  process(gen, high);
  gen.fn(Fn.ldlp, 0);
  gen.fn(Fn.adc, 1);
  gen.op(Op.runp);
  gen.op(Op.stopp);
  gen.fn(Fn.ldlp, dh);
  gen.op(Op.endp);
  gen.frame = parent;
  gen.place(join);
}

/** A replicated PAR of more processes than this, or of a count known only at run time, runs one copy of its body. */
const MAX_COPIED_REPLICAS = 1024;

/**
 * Replicated PAR with a constant count: one branch per index value, each a copy of the body with its own
 * frame, which reads the base from the parent and keeps its own index.
 */
function replicatedPar(gen: CodeGen, r: Replicator, body: readonly Process[], used: readonly Symbol[]): void {
  if (r.count.constValue === undefined || r.count.constValue > BigInt(MAX_COPIED_REPLICAS)) {
    dynamicPar(gen, r, body, used);
    return;
  }
  const n = Number(r.count.constValue);
  const counts = branchCounts([used], n);
  const sym = r.decl!;
  const parentFrame = gen.frame;
  const mark = parentFrame.mark();
  const base = parentFrame.alloc(1);
  expr(gen, r.base);
  gen.fn(Fn.stl, base);
  // With a STEP that is not a constant, the step is kept beside the base.
  const stepSlot = r.step && r.step.constValue === undefined ? parentFrame.alloc(1) : null;
  if (stepSlot !== null) {
    expr(gen, r.step!);
    gen.fn(Fn.stl, stepSlot);
  }
  const step = r.step?.constValue ?? 1n;
  const branches = Array.from({ length: n }, (_, k) => () => {
    const slot = gen.frame.alloc(1);
    const d = gen.frame.distanceTo(parentFrame);
    gen.fn(Fn.ldl, () => base + d());
    if (stepSlot !== null && k !== 0) {
      gen.fn(Fn.ldl, () => stepSlot + d());
      gen.fn(Fn.ldc, k);
      gen.check(
        r.span,
        `arithmetic overflow in the replicator \`${exprText(r.base)}\` + ${k} * \`${exprText(r.step!)}\``,
      );
      gen.op(Op.mul);
      gen.op(Op.add);
    } else if (k !== 0 && step !== 0n) {
      const offset = BigInt(k) * step;
      gen.check(r.span, `arithmetic overflow in the replicator \`${exprText(r.base)}\` + ${offset}`);
      gen.fn(Fn.adc, Number(BigInt.asIntN(32, offset)));
    }
    gen.fn(Fn.stl, slot);
    setStorage(sym, { frame: gen.frame, slot: () => slot });
    for (const c of body) process(gen, c);
    resignBranch(gen, used);
  });
  if (n > 0) enrollBranches(gen, counts);
  parOf(gen, branches);
  if (n > 0) enrollAgain(gen, counts.keys());
  parentFrame.release(mark);
}

/** A replicated IF among the choices of an IF: a loop trying each index in turn; falling out tries what follows. */
function replicatedChoices(gen: CodeGen, p: IfProcess, end: Label): void {
  const inner: IfProcess = { ...p, repl: null };
  replicate(gen, p.repl!, () => {
    choices(gen, inner, end);
  });
}

/**
 * A `lend` loop over a replicator (docs/codegen.md, Control flow), running `body` once per index value with the
 * index in the loop's control block. Returns the control block's slot.
 */
function replicate(gen: CodeGen, r: Replicator, body: () => void): number {
  const k = replicateOpen(gen, r);
  body();
  replicateClose(gen, r, k);
  return k;
}

/** CASE as a chain of comparisons (docs/codegen.md, Control flow); no match and no ELSE is STOP. */
function caseProcess(gen: CodeGen, p: Extract<Process, { kind: 'case' }>): void {
  gen.line(p.span);
  const mark = gen.frame.mark();
  if (isPrim(p.selector.type!, 'INT64')) return wideCase(gen, p, mark);
  // An INT16 variable's word may hold only its two low bytes (a store through a reference writes just those), so
  // it is loaded the INT16 way, sign-extended.
  let sel = isPrim(p.selector.type!, 'INT16') ? null : localSlot(gen, p.selector);
  if (!sel || p.selector.constValue !== undefined) {
    const t = gen.frame.alloc(1);
    expr(gen, p.selector);
    gen.fn(Fn.stl, t);
    sel = () => t;
  }
  const end = gen.label('case.end');
  const labels = p.options.map(() => gen.label('case.option'));
  let elseLabel: Label | null = null;
  p.options.forEach((o, i) => {
    if (o.values === null) {
      elseLabel = labels[i]!;
      return;
    }
    for (const v of o.values) {
      gen.fn(Fn.ldl, sel!);
      gen.fn(Fn.eqc, Number(BigInt.asIntN(32, v.constValue ?? 0n)));
      gen.fn(Fn.eqc, 0);
      gen.jump(Fn.cj, labels[i]!);
    }
  });
  caseBodies(gen, p, labels, elseLabel, end, mark);
}

/** A CASE on an INT64: each value compared word by word with the selector, kept in memory. */
function wideCase(gen: CodeGen, p: Extract<Process, { kind: 'case' }>, mark: number): void {
  const sel = evalWide(gen, p.selector);
  const end = gen.label('case.end');
  const labels = p.options.map(() => gen.label('case.option'));
  let elseLabel: Label | null = null;
  p.options.forEach((o, i) => {
    if (o.values === null) {
      elseLabel = labels[i]!;
      return;
    }
    for (const v of o.values) {
      const bits = BigInt.asUintN(64, v.constValue ?? 0n);
      word(gen, sel, 0);
      gen.fn(Fn.eqc, Number(BigInt.asIntN(32, bits)));
      word(gen, sel, 1);
      gen.fn(Fn.eqc, Number(BigInt.asIntN(32, bits >> 32n)));
      gen.op(Op.and);
      gen.fn(Fn.eqc, 0);
      gen.jump(Fn.cj, labels[i]!);
    }
  });
  caseBodies(gen, p, labels, elseLabel, end, mark);
}

/** After the tests: the ELSE jump or the no-match error, then each option's process. */
function caseBodies(
  gen: CodeGen,
  p: Extract<Process, { kind: 'case' }>,
  labels: readonly Label[],
  elseLabel: Label | null,
  end: Label,
  mark: number,
): void {
  if (elseLabel) gen.jump(Fn.j, elseLabel);
  else {
    gen.check(p.span, `no option of this CASE matches \`${exprText(p.selector)}\``);
    gen.op(Op.seterr);
  }
  p.options.forEach((o, i) => {
    gen.place(labels[i]!);
    const m = gen.frame.mark();
    for (const s of o.specs) spec(gen, s);
    process(gen, o.body);
    gen.frame.release(m);
    gen.jump(Fn.j, end);
  });
  gen.place(end);
  gen.frame.release(mark);
}
