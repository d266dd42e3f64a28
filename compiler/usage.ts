// occam's usage rules (occam 2.1 manual, "disjointness" and "aliasing"), checked on the annotated AST after the
// checker has resolved every name. They are what makes a PAR deterministic without locks:
//
//   - a variable assigned (or input to, or passed by reference) in one component of a PAR is not mentioned in any
//     other component; reading is free to share;
//   - at most one component inputs from a channel and at most one outputs to it; timers are shared freely;
//   - an abbreviation (a reference parameter, `y IS x:`, `VAL y IS e:`) never coexists with another way to reach
//     the same variable that could observe the difference;
//   - the left-hand side of a multiple assignment names distinct variables.
//
// The pass collects, for every process, the list of "accesses" it makes: which variable or channel (the root symbol,
// after following reference abbreviations to what they name), which part of it (a path of subscripts), and how
// (read, write, input, output). Each PAR compares the lists of its components; each PROC is summarised once (its
// parameters' uses and its free names' uses), so a call counts against the component that makes it. Messages name
// both places: the diagnostic sits on the later use and a note points at the earlier one. Whether two paths may
// name the same element is subscripts.ts's question.

import { sharedEnd } from './checker/claims.js';
import type { Expr, FunctionDef, Guard, Process, ProcDef, Program, Replicator, Spec, VariantInput } from './ast.js';
import { isMobileMove } from './ast-queries.js';
import { Diagnostics, type Span } from './source.js';
import type { AbbrevSymbol, ParamSymbol, Symbol, VarSymbol } from './symbols.js';
import { sameType, type Type } from './types.js';
import { pragmaApplies } from './pragmas.js';
import {
  addLinear,
  ANY,
  closeSub,
  forget,
  type Linear,
  linearOf,
  mentions,
  mentionsSub,
  overlap,
  type Replicas,
  type Sub,
  subKey,
  subOf,
  substitute,
  symId,
  UNBOUNDED,
} from './subscripts.js';

type Mode = 'read' | 'write' | 'in' | 'out';

/** A name that stands for data: a variable, channel, timer, parameter or abbreviation. */
type DataSymbol = VarSymbol | AbbrevSymbol | ParamSymbol;

interface Access {
  /** The variable or channel itself, after following reference abbreviations. */
  readonly root: DataSymbol;
  readonly path: readonly Sub[];
  readonly mode: Mode;
  /** Where the use is, in the process being analysed (for a use inside a called PROC: the call). */
  readonly span: Span;
  /** How it is used, as words that follow "`x` is": "assigned", "used", "input from", ... */
  readonly how: string;
  /** The name written at the use. */
  readonly name: string;
  /** The symbols the use went through: the written name first, the root last. */
  readonly chain: readonly Symbol[];
  /** For a use inside a called PROC, where it is in the PROC's body. */
  readonly origin?: Span;
}

/** A resolved element: `a[i][2]` as root `a` and its subscripts. */
interface Element {
  readonly root: DataSymbol;
  path: Sub[];
  readonly chain: Symbol[];
  readonly name: string;
  /** When the last step is a segment `[a FROM s FOR n]`: its start `s` (null if not linear). */
  slice?: Linear | null;
  /** Seen through a RETYPES of another shape: its subscripts say nothing about the root's elements. */
  opaque?: boolean;
}

/** What a call to a PROC does with its parameters and with the names it uses freely. */
interface Summary {
  /** Uses of channel parameters, by parameter index, with paths relative to the parameter. */
  readonly params: Map<number, Access[]>;
  /** Uses of names declared outside the PROC. */
  readonly free: Access[];
}

/** Which of the rules to check: `#OPTION "A"` turns both off, `#OPTION "N"` the PAR rules (pragmas.ts). */
export interface UsageChecks {
  readonly alias: boolean;
  readonly parallel: boolean;
}

export function checkUsage(program: Program, diags: Diagnostics, checks?: UsageChecks): void {
  const off = new Diagnostics();
  const aliasDiags = checks?.alias === false ? off : diags;
  const parDiags = checks?.parallel === false ? off : diags;
  new UsageChecker(aliasDiags, parDiags).run(program);
}

class UsageChecker {
  private readonly summaries = new Map<Symbol | ProcDef | FunctionDef, Summary>();
  private readonly reported = new Set<string>();

  constructor(
    /** Where the aliasing rules' errors go (a discarding list when they are turned off). */
    private readonly aliasDiags: Diagnostics,
    /** Where the PAR rules' errors go. */
    private readonly parDiags: Diagnostics,
  ) {}

  run(program: Program): void {
    const out: Access[] = [];
    for (const spec of program.specs) this.spec(spec, out);
  }

  // ------------------------------------------------------------------------------------------------ specifications

  /**
   * Record what a specification does when it is elaborated. Returns the accesses whose variables must stay
   * unchanged while the specification is in scope (the subscripts of a reference abbreviation, everything in a VAL
   * abbreviation's expression), or null.
   */
  private spec(spec: Spec, out: Access[]): Access[] | null {
    switch (spec.kind) {
      case 'decl':
        return null;
      case 'val': {
        if (!spec.decl || spec.decl.kind === 'const') return null;
        const reads: Access[] = [];
        this.expr(spec.value, reads);
        out.push(...reads);
        return reads;
      }
      case 'abbrev':
      case 'retypes': {
        const reads: Access[] = [];
        if (spec.kind === 'retypes' && spec.isVal) {
          this.expr(spec.target, reads);
          out.push(...reads);
          return reads;
        }
        const el = this.element(spec.target, reads);
        out.push(...reads);
        if (el && !isChannel(el.root.type) && !isTimer(el.root.type)) {
          out.push(this.access(el, 'write', spec.target.span, spec.kind === 'retypes' ? 'retyped' : 'abbreviated'));
        }
        return reads;
      }
      case 'initial':
        this.expr(spec.value, out);
        return null;
      case 'proc':
        this.proc(spec);
        return null;
      case 'function':
        this.func(spec);
        return null;
      default:
        return null;
    }
  }

  /** Specifications in front of a process: elaborate them, run `body` in their scope, check the abbreviations. */
  private scoped(specs: readonly Spec[], out: Access[], body: (out: Access[]) => void): void {
    if (specs.length === 0) {
      body(out);
      return;
    }
    const local: Access[] = [];
    const declared = new Set<Symbol>();
    const abbrevs: { spec: Spec; protect: Access[]; start: number }[] = [];
    for (const s of specs) {
      const protect = this.spec(s, local);
      if (protect) abbrevs.push({ spec: s, protect, start: local.length });
      for (const sym of declaredBy(s)) declared.add(sym);
    }
    body(local);
    for (const a of abbrevs) this.checkAbbrevScope(a.spec, a.protect, local.slice(a.start));
    for (const a of local) {
      if (declared.has(a.root)) continue;
      out.push(
        a.path.some((sub) => [...declared].some((d) => mentionsSub(sub, d)))
          ? { ...a, path: forget(a.path, declared) }
          : a,
      );
    }
  }

  /** While an abbreviation is in scope, what it abbreviates is not used directly and what it depends on is fixed. */
  private checkAbbrevScope(spec: Spec, protect: readonly Access[], inScope: readonly Access[]): void {
    if (spec.kind !== 'abbrev' && spec.kind !== 'val' && spec.kind !== 'retypes') return;
    const abbr = spec.decl;
    if (!abbr) return;
    const name = spec.name.name;
    const isVal = spec.kind === 'val' || (spec.kind === 'retypes' && spec.isVal);
    if (!isVal) {
      const el = this.element(spec.target, []);
      if (el) {
        for (const u of inScope) {
          if (u.root !== el.root || u.chain.includes(abbr) || !overlap(u.path, el.path, null)) continue;
          if (pragmaApplies(el.root, 'PERMITALIASES')) continue;
          if (!this.once(`abbr:${u.span.start}:${name}`)) continue;
          this.aliasDiags.error(
            u.span,
            `\`${u.name}\` is ${u.how} while \`${name}\`, an abbreviation of it, is in scope`,
            `use \`${name}\` instead, or end the abbreviation's scope first`,
            [{ span: spec.target.span, message: `\`${name}\` abbreviates \`${el.name}\` here` }],
          );
        }
      }
    }
    for (const p of protect) {
      for (const u of inScope) {
        if (u.mode !== 'write' || u.root !== p.root || !overlap(u.path, p.path, null)) continue;
        if (pragmaApplies(p.root, 'PERMITALIASES')) continue;
        if (!this.once(`abbrdep:${u.span.start}:${name}`)) continue;
        const what = isVal
          ? `the VAL abbreviation \`${name}\`, which was computed from it, is in scope`
          : `the abbreviation \`${name}\`, whose subscript uses it, is in scope`;
        this.aliasDiags.error(
          u.span,
          `\`${u.name}\` is ${u.how} while ${what}`,
          isVal ? `copy the value into a variable instead of abbreviating it` : undefined,
          [{ span: p.span, message: `\`${name}\` uses \`${p.name}\` here` }],
        );
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ PROCs

  private proc(def: ProcDef): void {
    const body: Access[] = [];
    this.process(def.body, body);
    const sym = def.decl;
    const params = new Map<number, Access[]>();
    const formals = new Map<Symbol, number>();
    def.formals.forEach((f, i) => {
      if (f.decl) formals.set(f.decl, i);
    });
    const free: Access[] = [];
    for (const a of body) {
      const index = formals.get(a.root);
      if (index === undefined) free.push(a);
      else if (a.mode === 'in' || a.mode === 'out') {
        const list = params.get(index) ?? [];
        list.push(a);
        params.set(index, list);
      }
    }
    // A direction decorator is a promise about the use, whether or not the body keeps it.
    def.formals.forEach((f, i) => {
      if (!f.direction || !f.decl || f.decl.kind !== 'param') return;
      const list = params.get(i) ?? [];
      if (!list.some((a) => a.mode === (f.direction === '?' ? 'in' : 'out'))) {
        list.push({
          root: f.decl,
          path: [],
          mode: f.direction === '?' ? 'in' : 'out',
          span: f.span,
          how: f.direction === '?' ? 'input from' : 'output to',
          name: f.name.name,
          chain: [f.decl],
        });
      }
      params.set(i, list);
    });
    const summary: Summary = { params, free: compact(free) };
    this.summaries.set(def, summary);
    if (sym) this.summaries.set(sym, summary);
  }

  /** A FUNCTION only reads: what it reads of names declared outside it counts against its caller. */
  private func(def: FunctionDef): void {
    const body: Access[] = [];
    this.scoped(def.specs, body, (s) => {
      if (def.body) this.process(def.body, s);
      for (const r of def.results) this.expr(r, s);
    });
    const formals = new Set(def.formals.map((f) => f.decl));
    const summary: Summary = { params: new Map(), free: compact(body.filter((a) => !formals.has(a.root))) };
    this.summaries.set(def, summary);
    if (def.decl) this.summaries.set(def.decl, summary);
  }

  private functionCall(e: Extract<Expr, { kind: 'call' }>, out: Access[]): void {
    for (const a of e.args) this.expr(a, out);
    const fn = e.decl;
    // A VALOF inside an expression is a FUNCTION defined where it is used (checker/valof.ts).
    if (fn?.inline && !this.summaries.has(fn.def)) this.func(fn.def);
    const summary = fn ? this.summaries.get(fn.def) : undefined;
    if (!fn || !summary) return;
    const actuals = new Map<Symbol, Linear | null>();
    fn.params.forEach((param, i) => {
      const arg = e.args[i];
      actuals.set(param, param.isVal && param.type.kind === 'prim' && arg ? linearOf(arg) : null);
    });
    for (const u of summary.free) {
      out.push({
        ...u,
        path: substitute(u.path, actuals),
        span: e.span,
        how: insideHow(u, fn.name),
        origin: u.origin ?? u.span,
      });
    }
  }

  private call(p: Extract<Process, { kind: 'pcall' }>, out: Access[]): void {
    const sym = p.decl;
    if (!sym || sym.kind !== 'proc') {
      for (const a of p.args) this.expr(a, out);
      return;
    }
    const summary = this.summaries.get(sym) ?? this.summaries.get(sym.def);
    const callee = sym.name;
    // Inside the PROC, subscripts may be in terms of its VAL parameters: put the actuals in their place.
    const actuals = new Map<Symbol, Linear | null>();
    sym.params.forEach((param, i) => {
      const arg = p.args[i];
      actuals.set(param, param.isVal && param.type.kind === 'prim' && arg ? linearOf(arg) : null);
    });
    const here: Access[] = [];
    /** Per argument: the element passed by reference, or the reads of a VAL argument. */
    const refs: { el: Element; arg: Expr; param: ParamSymbol }[] = [];
    const vals: { reads: Access[]; param: ParamSymbol }[] = [];
    p.args.forEach((arg, i) => {
      const param = sym.params[i];
      if (!param) {
        this.expr(arg, here);
        return;
      }
      if (isTimer(param.type)) {
        this.element(arg, here);
        return;
      }
      if (param.isVal) {
        const reads: Access[] = [];
        this.expr(arg, reads);
        here.push(...reads);
        vals.push({ reads, param });
        return;
      }
      const el = this.element(arg, here);
      if (!el) return;
      refs.push({ el, arg, param });
      if (isChannel(param.type)) {
        for (const u of summary?.params.get(i) ?? []) {
          const how =
            u.mode === 'in'
              ? `passed to \`${callee}\`, which inputs from it,`
              : `passed to \`${callee}\`, which outputs to it,`;
          const path = appendPath(el, substitute(u.path, actuals));
          here.push({ root: el.root, path, mode: u.mode, span: arg.span, how, name: el.name, chain: el.chain });
        }
      } else {
        here.push(this.access(el, 'write', arg.span, `passed by reference to \`${callee}\``));
      }
    });
    const free = (summary?.free ?? []).map((u): Access => ({
      ...u,
      path: substitute(u.path, actuals),
      span: p.span,
      how: insideHow(u, callee),
      origin: u.origin ?? u.span,
    }));
    this.checkCallAliasing(p, refs, vals, free);
    out.push(...here, ...free);
  }

  /** Parameters are abbreviations of their actuals: a reference actual may be reached no other way in the call. */
  private checkCallAliasing(
    p: Extract<Process, { kind: 'pcall' }>,
    refs: readonly { el: Element; arg: Expr; param: ParamSymbol }[],
    vals: readonly { reads: Access[]; param: ParamSymbol }[],
    free: readonly Access[],
  ): void {
    const callee = p.callee.name;
    for (let j = 0; j < refs.length; j++) {
      const b = refs[j]!;
      if (isTimer(b.el.root.type) || pragmaApplies(b.el.root, 'PERMITALIASES')) continue;
      for (let i = 0; i < j; i++) {
        const a = refs[i]!;
        if (a.el.root !== b.el.root || !overlap(a.el.path, b.el.path, null)) continue;
        const chan = isChannel(b.el.root.type);
        this.aliasDiags.error(
          b.arg.span,
          chan
            ? `channel \`${b.el.name}\` is passed to \`${callee}\` twice, as \`${a.param.name}\` and \`${b.param.name}\``
            : `\`${b.el.name}\` is passed to \`${callee}\` twice by reference, as \`${a.param.name}\` and \`${b.param.name}\`: inside \`${callee}\` they would be the same variable`,
          chan ? 'pass each channel once' : 'pass a copy, or pass it once',
          [{ span: a.arg.span, message: `\`${a.el.name}\` is passed as \`${a.param.name}\` here` }],
        );
        break;
      }
      // A channel is never a VAL actual, so only variables can clash with one.
      for (const v of isChannel(b.el.root.type) ? [] : vals) {
        const r = v.reads.find((u) => u.root === b.el.root && overlap(u.path, b.el.path, null));
        if (!r) continue;
        const [first, second] = r.span.start < b.arg.span.start ? [r.span, b.arg.span] : [b.arg.span, r.span];
        const firstIsRef = first === b.arg.span;
        this.aliasDiags.error(
          second,
          `\`${b.el.name}\` is passed to \`${callee}\` both by reference (as \`${b.param.name}\`) and by value (as \`${v.param.name}\`)`,
          'pass a copy as the VAL parameter',
          [
            {
              span: first,
              message: firstIsRef
                ? `\`${b.el.name}\` is passed by reference as \`${b.param.name}\` here`
                : `\`${r.name}\` is passed by value as \`${v.param.name}\` here`,
            },
          ],
        );
        break;
      }
      const f = earliest(free.filter((u) => u.root === b.el.root && overlap(u.path, b.el.path, null)));
      if (f) {
        this.aliasDiags.error(
          b.arg.span,
          isChannel(b.el.root.type)
            ? `channel \`${b.el.name}\` is passed to \`${callee}\`, which also uses it directly`
            : `\`${b.el.name}\` is passed by reference to \`${callee}\`, which also uses it directly`,
          `inside \`${callee}\` the parameter \`${b.param.name}\` and \`${f.name}\` would be the same variable`,
          [{ span: f.origin ?? f.span, message: `\`${callee}\` uses \`${f.name}\` here` }],
        );
      }
    }
    for (const v of vals) {
      for (const r of v.reads) {
        const f = earliest(
          free.filter((u) => u.mode === 'write' && u.root === r.root && overlap(u.path, r.path, null)),
        );
        if (!f) continue;
        this.aliasDiags.error(
          r.span,
          `\`${r.name}\` is passed by value to \`${callee}\`, which assigns it directly`,
          `inside \`${callee}\` the VAL parameter \`${v.param.name}\` would change under it`,
          [{ span: f.origin ?? f.span, message: `\`${callee}\` assigns \`${f.name}\` here` }],
        );
        break;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ processes

  private process(p: Process, out: Access[]): void {
    switch (p.kind) {
      case 'skip':
      case 'stop':
        return;
      case 'assign':
        this.assign(p.targets, p.values, out);
        return;
      case 'output': {
        const el = this.element(p.channel, out);
        if (el && isChannelRoot(el.root.type)) out.push(this.access(el, 'out', p.channel.span, 'output to'));
        for (const item of p.items) {
          // An end output on a channel moves away: its variable changes.
          if (item.type?.kind === 'end' && !item.type.shared) this.target(item, out, 'moved away by an output');
          else this.expr(item, out);
        }
        return;
      }
      case 'input':
        this.input(p.channel, p.items, out);
        if (p.extended) {
          this.process(p.extended.during, out);
          this.process(p.extended.after, out);
        }
        return;
      case 'seq':
        this.replicated(p.repl, out, (o) => {
          for (const c of p.body) this.process(c, o);
        });
        return;
      case 'par':
        this.par(p, out);
        return;
      case 'if':
        this.replicated(p.repl, out, (o) => {
          for (const c of p.choices) {
            if ('kind' in c && c.kind === 'if') this.process(c, o);
            else {
              const choice = c as Exclude<typeof c, { kind: 'if' }>;
              this.scoped(choice.specs, o, (s) => {
                this.expr(choice.guard, s);
                this.process(choice.body, s);
              });
            }
          }
        });
        return;
      case 'while':
        this.expr(p.cond, out);
        this.process(p.body, out);
        return;
      case 'claim':
      case 'forking':
        this.process(p.body, out);
        return;
      case 'fork':
        this.call(p.call, out);
        return;
      case 'sync':
        return;
      case 'asm':
        this.asm(p, out);
        return;
      case 'pcall':
        this.call(p, out);
        return;
      case 'scope':
        this.scoped(p.specs, out, (o) => this.process(p.body, o));
        return;
      case 'case':
        this.expr(p.selector, out);
        for (const opt of p.options) {
          for (const v of opt.values ?? []) this.expr(v, out);
          this.scoped(opt.specs, out, (o) => this.process(opt.body, o));
        }
        return;
      case 'alt':
        // A nested ALT may have specifications in front of it, in its enclosing ALT.
        this.scoped(p.specs ?? [], out, (outer) =>
          this.replicated(p.repl, outer, (o) => {
            for (const a of p.alternatives) {
              if ('kind' in a && a.kind === 'alt') this.process(a, o);
              else {
                const alt = a as Exclude<typeof a, { kind: 'alt' }>;
                this.scoped(alt.specs, o, (s) => {
                  this.guard(alt.guard, s);
                  this.process(alt.body, s);
                  if (alt.after) this.process(alt.after, s);
                });
              }
            }
          }),
        );
        return;
      case 'placed':
        // Placement (placement.ts) checks what the cores of a PLACED PAR share, more strictly than a PAR: cores
        // share no memory at all. Here its processes are only walked, for the rules inside each of them.
        this.replicated(p.repl, out, (o) => {
          for (const b of p.branches) this.process(b, o);
        });
        return;
      case 'processor':
        this.expr(p.x, out);
        this.expr(p.y, out);
        this.process(p.body, out);
        return;
      case 'delay':
        this.element(p.timer, out);
        this.expr(p.after, out);
        return;
      case 'caseinput':
        this.caseInput(p.channel, p.variants, out);
        return;
    }
  }

  /** ASM code reads what it loads and writes what it stores or takes the address of (LDLP, ADDRESSOF). */
  private asm(p: Extract<Process, { kind: 'asm' }>, out: Access[]): void {
    for (const l of p.lines) {
      if (l.kind !== 'op') continue;
      const writes = l.op === 'ST' || l.op === 'STAB' || l.op === 'STABC' || l.op === 'STL' || l.op === 'LDLP';
      for (const o of l.operands) {
        if (o.kind === 'address') this.target(o.expr, out, 'used by address in ASM');
        else if (o.kind === 'expr' && o.expr.constValue === undefined) {
          if (writes) this.target(o.expr, out, 'stored to in ASM');
          else this.expr(o.expr, out);
        }
      }
    }
  }

  /** `c ? CASE`: one input from `c`; each variant's items are written in the variant's scope. */
  private caseInput(channel: Expr, variants: readonly VariantInput[], out: Access[]): void {
    const el = this.element(channel, out);
    if (el && isChannelRoot(el.root.type)) out.push(this.access(el, 'in', channel.span, 'input from'));
    for (const v of variants) {
      this.scoped(v.specs, out, (s) => {
        for (const item of v.items) this.target(item, s, 'assigned by an input');
        this.process(v.body, s);
        if (v.after) this.process(v.after, s);
      });
    }
  }

  private guard(g: Guard, out: Access[]): void {
    if (g.cond) this.expr(g.cond, out);
    switch (g.kind) {
      case 'input':
        this.input(g.channel, g.items, out);
        return;
      case 'timeout':
        this.element(g.timer, out);
        this.expr(g.after, out);
        return;
      case 'skip':
        return;
      case 'case':
        this.caseInput(g.channel, g.variants, out);
        return;
    }
  }

  private input(channel: Expr, items: readonly Expr[], out: Access[]): void {
    const el = this.element(channel, out);
    if (el && isChannelRoot(el.root.type)) out.push(this.access(el, 'in', channel.span, 'input from'));
    for (const item of items) this.target(item, out, 'assigned by an input');
  }

  /** An element that is written: its subscripts are read, the element itself written. */
  private target(e: Expr, out: Access[], how: string): Element | null {
    if (e.kind === 'counted') {
      this.target(e.count, out, how);
      this.target(e.array, out, how);
      return null;
    }
    const el = this.element(e, out);
    if (el && !isChannel(el.root.type) && !isTimer(el.root.type)) out.push(this.access(el, 'write', e.span, how));
    return el;
  }

  private assign(targets: readonly Expr[], values: readonly Expr[], out: Access[]): void {
    // A MOBILE moved by the assignment is changed too: it becomes undefined.
    values.forEach((v, i) => {
      if (targets.length === 1 && isMobileMove(targets[i]!, v)) this.target(v, out, 'moved by an assignment');
      else this.expr(v, out);
    });
    const written: { el: Element; e: Expr; subReads: Access[] }[] = [];
    for (const t of targets) {
      const subReads: Access[] = [];
      const el = this.target(t, subReads, 'assigned');
      out.push(...subReads);
      if (el) written.push({ el, e: t, subReads: subReads.filter((a) => a.mode === 'read') });
    }
    if (written.length > 1) this.checkMultipleAssignment(written);
  }

  /** `x, y := y, x` is fine; `x, x := ...`, `i, a[i] := ...` and `a[i], a[j] := ...` are not. */
  private checkMultipleAssignment(written: readonly { el: Element; e: Expr; subReads: Access[] }[]): void {
    for (let j = 1; j < written.length; j++) {
      const b = written[j]!;
      for (let i = 0; i < j; i++) {
        const a = written[i]!;
        if (a.el.root === b.el.root && overlap(a.el.path, b.el.path, null)) {
          const ta = text(a.e);
          const tb = text(b.e);
          this.aliasDiags.error(
            b.e.span,
            ta === tb
              ? `\`${tb}\` is assigned twice in this multiple assignment`
              : `\`${tb}\` may be the same variable as \`${ta}\`, which this multiple assignment also assigns`,
            'the variables on the left of a multiple assignment must be distinct',
            [{ span: a.e.span, message: `\`${ta}\` is assigned here` }],
          );
          return;
        }
        const clash =
          b.subReads.find((r) => r.root === a.el.root && overlap(r.path, a.el.path, null)) ??
          a.subReads.find((r) => r.root === b.el.root && overlap(r.path, b.el.path, null));
        if (clash) {
          const target = clash.root === a.el.root ? a : b;
          const [first, second] =
            clash.span.start < target.e.span.start ? [clash.span, target.e.span] : [target.e.span, clash.span];
          const firstIsSub = first === clash.span;
          this.aliasDiags.error(
            second,
            `\`${clash.name}\` is both assigned and used in a subscript in this multiple assignment`,
            'every subscript on the left is evaluated before anything is assigned: assign the subscript separately',
            [
              {
                span: first,
                message: firstIsSub
                  ? `\`${clash.name}\` is used in a subscript here`
                  : `\`${clash.name}\` is assigned here`,
              },
            ],
          );
          return;
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ PAR

  private par(p: Extract<Process, { kind: 'par' }>, out: Access[]): void {
    if (p.repl) {
      this.replicated(p.repl, out, (o) => {
        // Names declared inside the body are each replica's own: the scopes that declare them have dropped them.
        const body: Access[] = [];
        for (const c of p.body) this.process(c, body);
        const replica = compact(body);
        this.checkReplicas(p, p.repl!, replica);
        o.push(...replica);
      });
      return;
    }
    const components = p.body.map((c) => {
      const acc: Access[] = [];
      this.process(c, acc);
      return compact(acc);
    });
    this.checkComponents(p, components);
    for (const c of components) out.push(...c);
  }

  private checkComponents(p: Process, components: readonly Access[][]): void {
    for (let j = 1; j < components.length; j++) {
      for (const b of components[j]!) {
        for (let i = 0; i < j; i++) {
          for (const a of components[i]!) {
            const kind = conflict(a, b, null);
            if (kind) this.reportPar(p, kind, a, b, false);
          }
        }
      }
    }
  }

  private checkReplicas(p: Process, r: Replicator, replica: readonly Access[]): void {
    const count = r.count.constValue;
    if (count !== undefined && count <= 1n) return;
    const step = r.step ? (r.step.constValue ?? null) : 1n;
    const index: Replicas | null = r.decl ? { index: r.decl, count: count ?? null, step } : null;
    for (let j = 0; j < replica.length; j++) {
      for (let i = 0; i <= j; i++) {
        const a = replica[i]!;
        const b = replica[j]!;
        const kind = conflict(a, b, index);
        if (!kind) continue;
        if (a === b || a.span.start === b.span.start) this.reportReplicaSelf(p, r, kind, b);
        else this.reportPar(p, kind, a, b, true);
      }
    }
  }

  private reportPar(p: Process, kind: 'var' | 'in' | 'out', a: Access, b: Access, replicas: boolean): void {
    if (pragmaApplies(b.root, 'SHARED')) return;
    if (!this.once(`par:${p.span.start}:${symId(b.root)}:${kind}`)) return;
    const [first, second] = a.span.start <= b.span.start ? [a, b] : [b, a];
    const part = replicas ? 'replica of this replicated PAR' : 'branch of this PAR';
    const note = [{ span: first.span, message: `\`${first.name}\` is ${first.how} here` }];
    if (kind === 'var') {
      this.parDiags.error(
        second.span,
        `\`${second.name}\` is ${first.how} in one ${part} and ${second.how} in another`,
        'a variable changed in one branch of a PAR cannot be used in any other: communicate the value over a channel',
        note,
      );
    } else {
      const dir = kind === 'in' ? 'input from' : 'output to';
      this.parDiags.error(
        second.span,
        `channel \`${second.name}\` is ${dir} in two ${replicas ? 'replicas of this replicated PAR' : 'branches of this PAR'}`,
        'a channel connects one sender to one receiver: give each branch its own channel',
        note,
      );
    }
  }

  private reportReplicaSelf(p: Process, r: Replicator, kind: 'var' | 'in' | 'out', a: Access): void {
    if (pragmaApplies(a.root, 'SHARED')) return;
    if (!this.once(`par:${p.span.start}:${symId(a.root)}:${kind}`)) return;
    const note = [{ span: r.span, message: `the PAR is replicated here, so every replica runs the same code` }];
    // `x[i]` is a fix only where `x` has elements left to subscript; the screen channel, say, has none.
    const i = r.index.name;
    let t = a.root.type;
    for (let k = 0; k < a.path.length && t.kind === 'array'; k++) t = t.elem;
    const indexable = t.kind === 'array';
    if (kind === 'var') {
      this.parDiags.error(
        a.span,
        `\`${a.name}\` is ${a.how} in every replica of this replicated PAR`,
        indexable
          ? `give each replica its own element, e.g. \`${a.name}[${i}]\``
          : `give each replica its own variable: an array with an element for each, used as \`name[${i}]\``,
        note,
      );
    } else {
      this.parDiags.error(
        a.span,
        `channel \`${a.name}\` is ${kind === 'in' ? 'input from' : 'output to'} in every replica of this replicated PAR`,
        indexable
          ? `give each replica its own channel, e.g. \`${a.name}[${i}]\``
          : `\`${a.name}\` is a single channel: give each replica its own channel of an array ([n]CHAN ... c: and \`c[${i}]\`), and let one process outside the replicated PAR ${kind === 'in' ? `input from \`${a.name}\` and pass the values on` : `collect from them and output to \`${a.name}\``}`,
        note,
      );
    }
  }

  // ------------------------------------------------------------------------------------------------ replicators

  /**
   * A replicated construct: its base and count are read, and once outside its body a subscript in terms of its
   * index stands for the range of elements the index runs over (any element, if the range is not constant).
   */
  private replicated(r: Replicator | null, out: Access[], body: (out: Access[]) => void): void {
    if (!r) {
      body(out);
      return;
    }
    this.expr(r.base, out);
    this.expr(r.count, out);
    if (r.step) this.expr(r.step, out);
    const inner: Access[] = [];
    body(inner);
    const index = r.decl;
    if (!index) {
      out.push(...inner);
      return;
    }
    const base = r.base.constValue;
    const count = r.count.constValue;
    const step = r.step ? r.step.constValue : 1n;
    const last = base !== undefined && count !== undefined && step !== undefined ? base + (count - 1n) * step : null;
    const span =
      base !== undefined && count !== undefined && count > 0n && last !== null
        ? { lo: last < base ? last : base, hi: last < base ? base : last }
        : null;
    for (const a of inner) {
      if (a.root === index) continue;
      out.push(mentions(a.path, index) ? { ...a, path: a.path.map((s) => closeSub(s, index, span)) } : a);
    }
  }

  // ------------------------------------------------------------------------------------------------ expressions

  /** Record the reads an expression makes. */
  private expr(e: Expr, out: Access[]): void {
    // A folded constant (`SIZE a` of a fixed array, `s[0]` of a constant string) reads nothing at run time.
    if (e.constValue !== undefined) return;
    switch (e.kind) {
      case 'name':
      case 'subscript':
      case 'slice': {
        const el = this.element(e, out);
        if (el && !isChannel(el.root.type) && !isTimer(el.root.type)) out.push(this.access(el, 'read', e.span, 'used'));
        return;
      }
      case 'dyadic':
        this.expr(e.left, out);
        this.expr(e.right, out);
        return;
      case 'monadic':
      case 'conversion':
        this.expr(e.operand, out);
        return;
      case 'size':
        // The size of an array never changes: only the subscripts in `SIZE a[i]` are read.
        this.element(e.operand, out);
        return;
      case 'call':
        this.functionCall(e, out);
        return;
      case 'table':
        for (const x of e.elems) this.expr(x, out);
        return;
      case 'constructor': {
        this.expr(e.base, out);
        this.expr(e.count, out);
        if (e.step) this.expr(e.step, out);
        const inner: Access[] = [];
        this.expr(e.value, inner);
        const gone = new Set<Symbol>(e.decl ? [e.decl] : []);
        for (const a of inner) if (a.root !== e.decl) out.push({ ...a, path: forget(a.path, gone) });
        return;
      }
      case 'direction':
        this.element(e.channel, out);
        return;
      case 'counted':
        this.expr(e.count, out);
        this.expr(e.array, out);
        return;
      default:
        return;
    }
  }

  /**
   * Resolve an element to its root variable and subscript path, recording the reads its subscripts make. Reference
   * abbreviations are followed to what they abbreviate. Null when the expression is not an element of a variable,
   * channel or timer (a constant, a literal, an operator).
   */
  private element(e: Expr, out: Access[]): Element | null {
    switch (e.kind) {
      case 'name': {
        const sym = e.decl;
        if (!sym || (sym.kind !== 'var' && sym.kind !== 'abbrev' && sym.kind !== 'param')) return null;
        if (sym.kind === 'abbrev' && !sym.isVal) {
          const target = this.element(sym.target, []);
          if (target) {
            const opaque = target.opaque || (sym.target.type !== undefined && !sameType(sym.type, sym.target.type));
            return { ...target, path: [...target.path], chain: [sym, ...target.chain], name: e.name, opaque };
          }
        }
        return { root: sym, path: [], chain: [sym], name: e.name };
      }
      case 'subscript': {
        const base = this.element(e.base, out);
        this.expr(e.index, out);
        if (!base) return null;
        base.path = appendPath(base, [base.opaque ? ANY : subOf(e.index)]);
        base.slice = undefined;
        return base;
      }
      case 'slice': {
        const base = this.element(e.base, out);
        if (e.start) this.expr(e.start, out);
        if (e.count) this.expr(e.count, out);
        if (!base) return null;
        const start = e.start ? linearOf(e.start) : { c: 0n, terms: new Map<Symbol, bigint>() };
        const count = e.count ? e.count.constValue : undefined;
        const from = start && start.terms.size === 0 ? start.c : null;
        // `[a FROM s]` runs to the end of `a`.
        const step: Sub =
          base.opaque || !start
            ? ANY
            : from === null
              ? { k: 'seg', lin: start, count: count ?? null }
              : {
                  k: 'range',
                  lo: from,
                  hi: e.count ? (count === undefined ? UNBOUNDED : from + count - 1n) : UNBOUNDED,
                };
        const outer = base.slice;
        base.path = appendPath(base, [step]);
        base.slice = base.opaque
          ? null
          : outer === undefined
            ? start
            : outer && start
              ? addLinear(outer, start, 1n)
              : null;
        return base;
      }
      case 'direction':
        return this.element(e.channel, out);
      default:
        this.expr(e, out);
        return null;
    }
  }

  private access(el: Element, mode: Mode, span: Span, how: string): Access {
    return { root: el.root, path: el.path, mode, span, how, name: el.name, chain: el.chain };
  }

  /** True the first time a key is seen: one report per conflict. */
  private once(key: string): boolean {
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------- helpers

/**
 * Extend an element's path by further steps. After a segment `[a FROM s FOR n]`, the next subscript `k` is the
 * array's element `s + k`, so it replaces the segment's step rather than adding a dimension.
 */
function appendPath(el: Element, steps: readonly Sub[]): Sub[] {
  if (steps.length === 0) return el.path;
  if (el.slice === undefined) return [...el.path, ...steps];
  const head = el.path.slice(0, -1);
  const segment = el.path[el.path.length - 1] ?? ANY;
  const first = steps[0]!;
  let merged: Sub = segment;
  if (el.slice !== null && first.k === 'lin') merged = { k: 'lin', lin: addLinear(el.slice, first.lin, 1n) };
  else if (el.slice !== null && el.slice.terms.size === 0 && first.k === 'range') {
    merged = { k: 'range', lo: el.slice.c + first.lo, hi: first.hi >= UNBOUNDED ? UNBOUNDED : el.slice.c + first.hi };
    if (segment.k === 'range' && merged.hi > segment.hi) merged = { ...merged, hi: segment.hi };
  }
  return [...head, merged, ...steps.slice(1)];
}

/** The use that comes first in its source (for a use inside a called PROC, by its place in the PROC). */
function earliest(list: readonly Access[]): Access | undefined {
  let best: Access | undefined;
  for (const a of list) if (!best || (a.origin ?? a.span).start < (best.origin ?? best.span).start) best = a;
  return best;
}

/** How a use inside a called PROC reads at the call. */
function insideHow(u: Access, callee: string): string {
  switch (u.mode) {
    case 'read':
      return `used inside \`${callee}\``;
    case 'write':
      return `assigned inside \`${callee}\``;
    case 'in':
      return `input from inside \`${callee}\``;
    case 'out':
      return `output to inside \`${callee}\``;
  }
}

/** The kind of usage conflict between two uses in different components, if any. */
function conflict(a: Access, b: Access, replicas: Replicas | null): 'var' | 'in' | 'out' | null {
  if (a.root !== b.root) return null;
  let kind: 'var' | 'in' | 'out' | null = null;
  if (a.mode === 'in' && b.mode === 'in') kind = 'in';
  else if (a.mode === 'out' && b.mode === 'out') kind = 'out';
  else if (
    (a.mode === 'write' && (b.mode === 'write' || b.mode === 'read')) ||
    (b.mode === 'write' && a.mode === 'read')
  )
    kind = 'var';
  if (!kind) return null;
  // Any number of processes may be enrolled on a BARRIER.
  if ((a.root as { type?: Type }).type?.kind === 'barrier') return null;
  // A SHARED end of a CHAN TYPE is the processes' to share: each use of its channels is inside a CLAIM.
  const rt = (a.root as { type?: Type }).type;
  if (rt?.kind === 'end' && rt.shared) return null;
  // Processes take turns at a SHARED channel end (CLAIM), so any number of them may use it.
  if (kind !== 'var' && sharedEnd((a.root as { type?: Type }).type, kind === 'in' ? '?' : '!')) return null;
  return overlap(a.path, b.path, replicas) ? kind : null;
}

/** Drop repeated uses (same root, mode, path and wording), keeping the first. */
function compact(list: readonly Access[]): Access[] {
  const seen = new Set<string>();
  const result: Access[] = [];
  for (const a of list) {
    const key = `${symId(a.root)}|${a.mode}|${a.how}|${a.chain.map(symId).join(',')}|${a.path.map(subKey).join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(a);
  }
  return result;
}

function baseType(t: Type): Type {
  return t.kind === 'array' ? baseType(t.elem) : t;
}

function isChannel(t: Type): boolean {
  return baseType(t).kind === 'chan';
}

/** A channel, or an end of a CHAN TYPE whose channels (`svr[req]`) are used: each field is a channel of its own. */
function isChannelRoot(t: Type): boolean {
  return isChannel(t) || baseType(t).kind === 'end';
}

function isTimer(t: Type): boolean {
  return baseType(t).kind === 'timer';
}

/** The names a specification declares. */
function declaredBy(s: Spec): Symbol[] {
  switch (s.kind) {
    case 'decl':
      return s.decls ?? [];
    case 'val':
    case 'abbrev':
    case 'initial':
    case 'retypes':
      return s.decl ? [s.decl] : [];
    default:
      return [];
  }
}

function text(e: Expr): string {
  return e.span.file.text.slice(e.span.start, e.span.end);
}
