// occam-π's rule for mobile channel ends: an end that has been moved away (assigned to another variable, output
// on a channel) or never given a bundle is undefined, and using it is an error. This pass follows each PROC's
// body in order after the program is checked: SEQ in sequence, the branches of IF, CASE and ALT each from the
// state before them and then merged (an end undefined in some branches only *may* be undefined), a loop until
// nothing changes. A use of an end that is undefined on every path is an error, as occ21's undefinedness check
// words it ("undefined here"); one that may be undefined is a warning, and the code generator checks it at run
// time (docs/language.md, CHAN TYPEs and mobile channel ends).

import type { Expr, NameExpr, Process, Spec, VariantInput } from '../ast.js';
import type { Span } from '../source.js';
import type { ProcSymbol, Symbol } from '../symbols.js';
import type { Checker } from './context.js';

interface Fact {
  /** `undef`: on every path here; `maybe`: on some. */
  readonly how: 'undef' | 'maybe';
  /** Where it became undefined, and how (for the note). */
  readonly span: Span;
  readonly why: string;
}

type State = ReadonlyMap<Symbol, Fact>;

class Analysis {
  /** In a loop's first passes, which only find the state its body starts from, nothing is reported. */
  quiet = false;
  /** For each PROC analysed so far, the end parameters its body leaves undefined (by index), and how surely. */
  readonly leaves = new Map<ProcSymbol, Map<number, Fact['how']>>();
  constructor(readonly ck: Checker) {}

  walk(p: Process, st: State): State {
    switch (p.kind) {
      case 'skip':
      case 'stop':
      case 'sync':
      case 'delay':
      case 'asm':
        return st;
      case 'assign':
        return this.assign(p.targets, p.values, st);
      case 'output': {
        let s = this.use(p.channel, st);
        for (const item of p.items) s = this.send(item, s, p.span);
        return s;
      }
      case 'input': {
        let s = this.use(p.channel, st);
        for (const item of p.items) s = define(item, s);
        // occam-π `c ?? x`: the during-process, then the after-process.
        if (p.extended) s = this.walk(p.extended.after, this.walk(p.extended.during, s));
        return s;
      }
      case 'caseinput': {
        const s = this.use(p.channel, st);
        return mergeAll(
          p.variants.map((v) => this.variant(v, s)),
          s,
        );
      }
      case 'seq':
        if (p.repl) return this.loop(p.body, st);
        return p.body.reduce((s, c) => this.walk(c, s), st);
      case 'par': {
        if (p.repl) return p.body.reduce((s, c) => this.walk(c, s), st);
        // Branches run from the same state; the usage rules keep each end to one branch, so their changes add up.
        let out = st;
        for (const b of p.body) out = overlay(out, st, this.walk(b, st));
        return out;
      }
      case 'if': {
        const outs = p.choices.map((c) =>
          'guard' in c ? this.walk(c.body, this.specs(c.specs, st)) : this.walk(c, st),
        );
        // A replicated IF may run none of its choices' bodies before a later choice is taken.
        return p.repl ? mergeAll([st, ...outs], st) : mergeAll(outs, st);
      }
      case 'while':
        return this.loop([p.body], st);
      case 'case':
        return mergeAll(
          p.options.map((o) => this.walk(o.body, this.specs(o.specs, st))),
          st,
        );
      case 'alt': {
        const outs = p.alternatives.map((a) => {
          if (!('guard' in a)) return this.walk(a, st);
          let s = this.specs(a.specs, st);
          const g = a.guard;
          if (g.kind === 'input') {
            s = this.use(g.channel, s);
            for (const item of g.items) s = define(item, s);
          } else if (g.kind === 'case') {
            const c = this.use(g.channel, s);
            return mergeAll(
              g.variants.map((v) => this.variant(v, c)),
              c,
            );
          }
          // Of an extended input guard, the body is the during-process; the after-process follows it.
          const body = this.walk(a.body, s);
          return a.after ? this.walk(a.after, body) : body;
        });
        return p.repl ? mergeAll([st, ...outs], st) : mergeAll(outs, st);
      }
      case 'claim':
        return this.walk(p.body, this.use(p.channel, st));
      case 'forking':
        return this.walk(p.body, st);
      case 'fork': {
        // The ends passed move into the new process.
        let s = this.call(p.call, st);
        for (const a of p.call.args) s = this.moveAway(a, s, 'it was moved away by the FORK here', p.span);
        return s;
      }
      case 'pcall':
        return this.call(p, st);
      case 'scope': {
        const s = this.walk(p.body, this.specs(p.specs, st));
        // The names the specifications declare go out of scope.
        const out = new Map(s);
        for (const sp of p.specs) if (sp.kind === 'decl') for (const d of sp.decls ?? []) out.delete(d);
        return out;
      }
      case 'placed':
        return p.branches.reduce((s, b) => this.walk(b, s), st);
      case 'processor':
        return this.walk(p.body, st);
    }
  }

  /** One variant of a `? CASE` (or `?? CASE`: its after-process follows the body). */
  private variant(v: VariantInput, st: State): State {
    const body = this.walk(
      v.body,
      this.specs(
        v.specs,
        v.items.reduce((acc, i) => define(i, acc), st),
      ),
    );
    return v.after ? this.walk(v.after, body) : body;
  }

  /** Declared ends start with no bundle. */
  specs(specs: readonly Spec[], st: State): State {
    let out: Map<Symbol, Fact> | null = null;
    for (const sp of specs) {
      if (sp.kind !== 'decl') continue;
      for (const d of sp.decls ?? []) {
        if (d.type.kind !== 'end') continue;
        out ??= new Map(st);
        out.set(d, { how: 'undef', span: d.span, why: 'it is declared here, with no bundle yet' });
      }
    }
    return out ?? st;
  }

  /**
   * A loop body. Messages come from one pass from the state before the loop, as occ21 reports them; the state
   * after the loop, and the uses to check at run time, come from passes until the state at the top of the body
   * stops changing (twice is enough: facts only grow).
   */
  loop(body: readonly Process[], st: State): State {
    const once = (s: State): State => body.reduce((acc, c) => this.walk(c, acc), s);
    const saved = this.quiet;
    this.quiet = true;
    let entry = mergeAll([st, once(st)], st);
    entry = mergeAll([st, once(entry)], st);
    const after = mergeAll([st, once(entry)], st);
    this.quiet = saved;
    if (!saved) once(st);
    return after;
  }

  assign(targets: readonly Expr[], values: readonly Expr[], st: State): State {
    if (values.length === 1 && values[0]!.kind === 'mobile') return targets.reduce((s, t) => define(t, s), st);
    let s = st;
    targets.forEach((t, i) => {
      const v = values[i];
      if (!v || t.type?.kind !== 'end') return;
      s = this.use(v, s);
      s = this.moveAway(v, s, 'it was moved away by the assignment here', v.span);
      s = define(t, s);
    });
    return s;
  }

  /** An end output on a channel moves to the receiver (a SHARED one is copied). */
  send(item: Expr, st: State, span: Span): State {
    if (item.type?.kind !== 'end') return st;
    return this.moveAway(item, this.use(item, st), 'it was moved away by the output here', span);
  }

  moveAway(e: Expr, st: State, why: string, span: Span, how: Fact['how'] = 'undef'): State {
    const sym = endName(e)?.decl;
    if (!sym || e.kind !== 'name' || e.type?.kind !== 'end' || e.type.shared) return st;
    const out = new Map(st);
    out.set(sym, { how, span, why });
    return out;
  }

  /** A PROC's body, from its parameters all defined; what it leaves its end parameters as, for its callers. */
  proc(proc: ProcSymbol): void {
    const end = this.walk(proc.def.body, new Map());
    const leaves = new Map<number, Fact['how']>();
    proc.params.forEach((param, i) => {
      const fact = end.get(param);
      if (!fact || param.isVal) return;
      leaves.set(i, fact.how);
      this.ck.diags.warning(
        param.span,
        `parameter \`${param.name}\` ${fact.how === 'undef' ? 'is' : 'may be'} undefined at the end of \`${proc.name}\`: the caller's end moves away`,
      );
    });
    if (leaves.size > 0) this.leaves.set(proc, leaves);
  }

  call(p: Extract<Process, { kind: 'pcall' }>, st: State): State {
    const proc = p.decl?.kind === 'proc' ? (p.decl as ProcSymbol) : null;
    let s = st;
    p.args.forEach((a, i) => {
      // A RESULT parameter gives the end a value; any other use needs it defined.
      if (!proc?.def.formals[i]?.isResult) s = this.use(a, s);
    });
    // After the call each end passed is defined, unless the PROC moves its parameter away (it may also give it a
    // bundle).
    const leaves = proc ? this.leaves.get(proc) : undefined;
    p.args.forEach((a, i) => {
      const how = leaves?.get(i);
      if (!how) s = define(a, s);
      else
        s = this.moveAway(
          a,
          s,
          `it was moved away inside \`${proc!.name}\`, which this call passes it to`,
          a.span,
          how,
        );
    });
    return s;
  }

  /** A use of an end, or of a channel of one: it must hold a bundle. */
  use(e: Expr, st: State): State {
    const n = endName(e);
    const sym = n?.decl;
    const fact = sym ? st.get(sym) : undefined;
    if (!n || !fact) return st;
    if (this.quiet) {
      n.mayBeUndefined = true;
      return st;
    }
    const note = [{ span: fact.span, message: fact.why }];
    // Reported once: from here on it is taken as defined.
    const out = new Map(st);
    out.delete(sym!);
    if (fact.how === 'undef') {
      this.ck.diags.error(
        n.span,
        `\`${n.name}\` is undefined here: it holds no bundle`,
        `give it one first (${n.name}, other := MOBILE ${typeNameOf(n)}, an input, or an assignment)`,
        note,
      );
      return out;
    }
    n.mayBeUndefined = true;
    this.ck.diags.warning(n.span, `\`${n.name}\` may be undefined here: on some paths it holds no bundle`);
    return out;
  }
}

function typeNameOf(n: NameExpr): string {
  return n.type?.kind === 'end' ? n.type.def.name : 'N';
}

/** The variable holding the end that `e` (an end, `svr[req]` or `svr[req]?`) uses. */
function endName(e: Expr): NameExpr | null {
  if (e.kind === 'direction') return endName(e.channel);
  if (e.kind === 'subscript' && e.base.type?.kind === 'end') return endName(e.base);
  if (e.kind === 'name' && e.type?.kind === 'end') return e;
  return null;
}

/** `e` now holds a bundle. */
function define(e: Expr, st: State): State {
  const sym = endName(e)?.decl;
  if (!sym || !st.has(sym) || e.kind !== 'name') return st;
  const out = new Map(st);
  out.delete(sym);
  return out;
}

/** The state after one of several paths: undefined on all of them, or maybe undefined. */
function mergeAll(states: readonly State[], fallback: State): State {
  if (states.length === 0) return fallback;
  const out = new Map<Symbol, Fact>();
  const syms = new Set<Symbol>();
  for (const s of states) for (const k of s.keys()) syms.add(k);
  for (const sym of syms) {
    const facts = states.map((s) => s.get(sym));
    const first = facts.find((f) => f !== undefined)!;
    const all = facts.every((f) => f?.how === 'undef');
    out.set(sym, { ...first, how: all ? 'undef' : 'maybe' });
  }
  return out;
}

/** `base` with the changes `branch` made to `start`. */
function overlay(base: State, start: State, branch: State): State {
  const out = new Map(base);
  const syms = new Set([...start.keys(), ...branch.keys()]);
  for (const sym of syms) {
    const b = branch.get(sym);
    if (b === start.get(sym)) continue;
    if (b) out.set(sym, b);
    else out.delete(sym);
  }
  return out;
}

/** Follow every PROC's body (the program's and the nested ones, which the checker lists). */
export function checkMobiles(ck: Checker): void {
  const a = new Analysis(ck);
  for (const proc of ck.procs) a.proc(proc);
}
