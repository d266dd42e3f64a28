// The code generator: checked AST to a list of Transputer instructions (assembler items), following the
// classic occam-to-Transputer mapping (../shared/reference/codegen.md): one workspace frame per PROC and per PAR
// branch, expressions on the three-register stack with temporaries when they need more, soft channels as one
// word, PAR with startp/endp and a join block, replicated SEQ with lend, and every run-time check tagged with
// the source it comes from so an error can be reported in source terms.

import type { AltProcess, Alternative, Choice, Expr, IfProcess, Process, ProcDef, Replicator, Spec, VariantInput } from './ast.js';
import { Label, type Item, type Operand } from './assembler.js';
import type { CheckedProgram, HostRole } from './checker.js';
import { callees, constBytes, exprText, isChanArray, rootName } from './checker.js';
import type { Span } from './source.js';
import type { AbbrevSymbol, ConstSymbol, FunctionSymbol, ParamSymbol, ProcSymbol, Routine, Symbol, VarSymbol } from './symbols.js';
import { byteSize, isPrim, type Type } from './types.js';
import { BELOW_IO, BELOW_TIMER, CALL_WORDS, type Deferred, Frame } from './workspace.js';
import { Fn, MOST_NEG, Op } from '../emulator/isa.js';
import { HOST_ERROR, HOST_KEYBOARD, HOST_SCREEN } from '../emulator/image.js';

export interface Generated {
  readonly items: Item[];
  readonly entry: Label;
  /** Words the boot process needs below its initial Wptr. */
  readonly workspaceWords: Deferred;
}

const HOST_ADDRESS: Record<HostRole, number> = {
  keyboard: HOST_KEYBOARD,
  screen: HOST_SCREEN,
  error: HOST_ERROR,
};

/** Where a symbol's word lives: a frame and a slot in it. */
interface Storage {
  frame: Frame;
  slot: Deferred;
}

interface ProcInfo {
  readonly label: Label;
  readonly frame: Frame;
  /** The routine this one is defined inside, whose workspace its static link points to. */
  readonly outer: ProcInfo | null;
  /** The static link's parameter slot (parameter 0), when there is an outer routine. */
  readonly staticLink: Storage | null;
}

/** One word of a call's parameter list (or of an array value's description), and the registers loading it needs. */
interface Word {
  readonly emit: () => void;
  readonly depth: number;
}

/** An array value: its address and the size of each dimension. */
interface ArrayRef {
  readonly addr: Word;
  readonly dims: Word[];
}

const MAX_REGS = 3;

export function generate(checked: CheckedProgram): Generated {
  return new CodeGen().program(checked);
}

class CodeGen {
  private readonly items: Item[] = [];
  private readonly pool: Item[] = [];
  private readonly poolLabels = new Map<ConstSymbol, Label>();
  private readonly procInfo = new Map<Routine, ProcInfo>();
  /** The routine each outermost frame belongs to. */
  private readonly frameOwner = new Map<Frame, ProcInfo>();
  /** Code of routines defined inside other routines, placed after everything else. */
  private readonly nested: Item[] = [];
  /** Symbols whose slot holds the address of their data (reference parameters and abbreviations). */
  private readonly refs = new WeakSet<Symbol>();
  /** Slots holding the run-time sizes of the open dimensions of array parameters and abbreviations. */
  private readonly dimStorage = new WeakMap<Symbol, (Storage | null)[]>();
  /** FUNCTION calls already evaluated into temporaries for the statement being generated. */
  private readonly hoisted = new Map<Expr, Storage>();
  private readonly literalLabels = new Map<Expr, Label>();
  private routineInfo: ProcInfo | null = null;
  private frame!: Frame;
  private labelCount = 0;
  /** Channel expressions whose address has been computed into a temporary for the current communication. */
  private readonly chanTemps = new Map<Expr, Deferred>();

  program(checked: CheckedProgram): Generated {
    for (const s of checked.program.specs) {
      if ((s.kind === 'proc' || s.kind === 'function') && s.decl) this.routine(s.decl as Routine);
    }
    this.items.push(...this.nested);

    // The boot process: connect main's channels to the host and call it.
    const entry = this.label('boot');
    const main = this.procInfo.get(checked.main)!;
    this.place(entry);
    this.line(checked.main.def.span);
    const roles = checked.mainRoles;
    for (let i = roles.length - 1; i >= 0; i--) {
      // MostNeg + 4k, built as `mint; ldnlp k`: shorter than the constant.
      this.op(Op.mint);
      this.fn(Fn.ldnlp, (HOST_ADDRESS[roles[i]!] - MOST_NEG) / 4);
    }
    this.jump(Fn.call, main.label);
    this.op(Op.haltp);

    if (this.pool.length > 0) this.items.push({ kind: 'align' }, ...this.pool);
    return { items: this.items, entry, workspaceWords: () => CALL_WORDS + main.frame.total() };
  }

  // ------------------------------------------------------------------------------------------------ emission

  private label(name: string): Label {
    return new Label(`${name}.${this.labelCount++}`);
  }

  private place(l: Label): void {
    this.items.push({ kind: 'label', label: l });
  }

  private fn(fn: number, operand: Operand): void {
    this.items.push({ kind: 'fn', fn, operand });
  }

  private op(code: number): void {
    this.items.push({ kind: 'fn', fn: Fn.opr, operand: code });
  }

  private jump(fn: number, target: Label): void {
    this.items.push({ kind: 'jump', fn, target });
  }

  private line(span: Span): void {
    this.items.push({ kind: 'line', span });
  }

  /** The next instruction can raise a run-time error; say what it means. */
  private check(span: Span, message: string): void {
    this.items.push({ kind: 'check', span, message });
  }

  /** Push the absolute address of a label (position independent: `ldc L - M; ldpi; M:`). */
  private address(l: Label): void {
    const m = this.label('here');
    this.fn(Fn.ldc, { to: l, from: m });
    this.op(Op.ldpi);
    this.place(m);
  }

  // ------------------------------------------------------------------------------------------------ PROCs

  /** Generate a PROC or FUNCTION. One defined inside another is generated where it is defined (so the names it
   * uses freely already have storage) into a separate list, and reaches those names through its static link. */
  private routine(sym: Routine): void {
    const def = sym.def;
    const outer = sym.outer ? (this.procInfo.get(sym.outer) ?? null) : null;
    const parts: unknown[] = sym.kind === 'proc' ? [def.body] : [sym.def.specs, sym.def.body, sym.def.results];
    const frame = new Frame(null, Math.max(2, this.maxMemoryWords(parts)));
    const staticLink: Storage | null = outer ? { frame, slot: () => frame.size + 1 } : null;
    const info: ProcInfo = { label: this.label(sym.name), frame, outer, staticLink };
    this.procInfo.set(sym, info);
    this.frameOwner.set(frame, info);
    const saved = { frame: this.frame, info: this.routineInfo };
    const start = this.items.length;
    this.frame = frame;
    this.routineInfo = info;
    // Parameter word i sits at W[size + 1 + i]: above the frame and the return address.
    let word = outer ? 1 : 0;
    for (const p of sym.params) {
      const k = word++;
      setStorage(p, { frame, slot: () => frame.size + 1 + k });
      if (p.byRef) this.refs.add(p);
      const dims: (Storage | null)[] = [];
      for (let t: Type = p.type; t.kind === 'array'; t = t.elem) {
        if (t.size === null) {
          const d = word++;
          dims.push({ frame, slot: () => frame.size + 1 + d });
        } else dims.push(null);
      }
      this.dimStorage.set(p, dims);
    }
    const end = this.label(`${sym.name}.end`);
    this.items.push({ kind: 'proc', name: sym.name, span: def.name.span, end });
    this.place(info.label);
    this.line(def.span);
    this.fn(Fn.ajw, () => -frame.size);
    if (sym.kind === 'proc') this.process(sym.def.body);
    else this.functionBody(sym);
    this.fn(Fn.ajw, () => frame.size);
    this.op(Op.ret);
    this.place(end);
    this.frame = saved.frame;
    this.routineInfo = saved.info;
    if (outer) this.nested.push(...this.items.splice(start));
  }

  /** A FUNCTION's value process, leaving its results in A, B, C (the first in A). */
  private functionBody(sym: FunctionSymbol): void {
    const def = sym.def;
    const mark = this.frame.mark();
    for (const s of def.specs) this.spec(s);
    if (def.body) this.process(def.body);
    this.line(def.results[0]?.span ?? def.span);
    this.prepare(def.results);
    if (def.results.length === 1) {
      this.expr(def.results[0]!);
    } else {
      const temps = def.results.map((r) => {
        const t = this.frame.alloc(1);
        this.expr(r);
        this.fn(Fn.stl, t);
        return t;
      });
      for (let i = temps.length - 1; i >= 0; i--) this.fn(Fn.ldl, temps[i]!);
    }
    this.frame.release(mark);
  }

  /** Generate one statement: FUNCTION calls in `exprs` are evaluated first, into temporaries freed at the end. */
  private statement(exprs: readonly (Expr | null | undefined)[], body: () => void): void {
    const mark = this.frame.mark();
    const before = new Set(this.hoisted.keys());
    this.prepare(exprs);
    body();
    for (const k of [...this.hoisted.keys()]) if (!before.has(k)) this.hoisted.delete(k);
    this.frame.release(mark);
  }

  /**
   * Evaluate the FUNCTION calls inside expressions into temporaries, innermost first, because `call` destroys
   * A, B and C (codegen.md §2). Calls under the right operand of AND / OR, and inside array constructors, are left
   * for the code that evaluates them, so they run only when occam says they do.
   */
  private prepare(exprs: readonly (Expr | null | undefined)[]): void {
    const visit = (e: Expr): void => {
      switch (e.kind) {
        case 'call':
          for (const a of e.args) visit(a);
          if (!this.hoisted.has(e) && e.constValue === undefined) {
            const callee = callees.get(e)!;
            this.callRoutine(callee, e.args);
            const t = this.frame.alloc(1);
            this.fn(Fn.stl, t);
            this.hoisted.set(e, { frame: this.frame, slot: () => t });
          }
          return;
        case 'dyadic':
          visit(e.left);
          if (e.op !== 'AND' && e.op !== 'OR') visit(e.right);
          return;
        case 'monadic':
        case 'conversion':
        case 'size':
          visit(e.operand);
          return;
        case 'subscript':
          visit(e.base);
          visit(e.index);
          return;
        case 'slice':
          visit(e.base);
          if (e.start) visit(e.start);
          if (e.count) visit(e.count);
          return;
        case 'table':
          e.elems.forEach(visit);
          return;
        case 'direction':
          visit(e.channel);
          return;
        case 'constructor':
          visit(e.base);
          visit(e.count);
          return;
        default:
          return;
      }
    };
    for (const e of exprs) if (e && e.constValue === undefined) visit(e);
  }

  // ------------------------------------------------------------------------------------------------ processes

  private process(p: Process): void {
    switch (p.kind) {
      case 'skip':
        return;
      case 'stop':
        this.line(p.span);
        this.check(p.span, 'STOP was executed');
        this.op(Op.seterr);
        return;
      case 'assign':
        this.line(p.span);
        if (p.values.length === 1 && p.targets.length > 1) {
          this.statement([...p.targets, ...(p.values[0]!.kind === 'call' ? p.values[0]!.args : [])], () => this.multiResult(p.targets, p.values[0]!));
        } else this.statement([...p.targets, ...p.values], () => this.assign(p.targets, p.values));
        return;
      case 'output':
        this.line(p.span);
        this.statement([p.channel, ...p.items], () => this.communicate('out', p.channel, p.items));
        return;
      case 'input':
        this.line(p.span);
        if (p.channel.type?.kind === 'timer') this.statement(p.items, () => this.timerRead(p.items[0]!));
        else this.statement([p.channel, ...p.items], () => this.communicate('in', p.channel, p.items));
        return;
      case 'seq':
        if (p.repl) this.replicatedSeq(p.repl, p.body);
        else for (const c of p.body) this.process(c);
        return;
      case 'par':
        this.line(p.span);
        if (p.repl) this.replicatedPar(p.repl, p.body);
        else if (p.pri && p.body.length === 2) this.priPar(p.body[0]!, p.body[1]!);
        else this.par(p.body);
        return;
      case 'if':
        this.ifProcess(p);
        return;
      case 'while':
        this.whileProcess(p.cond, p.body, p.span);
        return;
      case 'pcall':
        this.line(p.span);
        this.statement(p.args, () => this.callRoutine(p.decl as ProcSymbol, p.args));
        return;
      case 'scope': {
        const mark = this.frame.mark();
        for (const s of p.specs) this.spec(s);
        this.process(p.body);
        this.frame.release(mark);
        return;
      }
      case 'case':
        this.caseProcess(p);
        return;
      case 'alt':
        this.altProcess(p);
        return;
      case 'delay':
        this.line(p.span);
        this.frame.requireBelow(BELOW_TIMER);
        this.expr(p.after);
        this.op(Op.tin);
        return;
      case 'caseinput':
        this.line(p.span);
        this.caseInput(p.channel, p.variants);
        return;
    }
  }

  private spec(s: Spec): void {
    switch (s.kind) {
      case 'decl':
        for (const sym of s.decls ?? []) {
          const words = wordsFor(sym.type);
          const slot = this.frame.alloc(words);
          setStorage(sym, { frame: this.frame, slot: () => slot });
          if (sym.type.kind === 'chan') {
            // A soft channel starts empty (NotProcess.p).
            this.line(s.span);
            this.op(Op.mint);
            this.fn(Fn.stl, slot);
          } else if (isChanArray(sym.type)) {
            this.line(s.span);
            this.initChannels(slot, words);
          } else if (isPrim(sym.type, 'BYTE', 'BOOL')) {
            // A BYTE in a word slot may be written through its address one byte at a time: keep the rest zero.
            this.fn(Fn.ldc, 0);
            this.fn(Fn.stl, slot);
          }
        }
        return;
      case 'val': {
        const sym = s.decl;
        if (sym && sym.kind === 'abbrev') {
          this.line(s.span);
          if (sym.type.kind === 'array') this.refAbbrev(sym, s.value);
          else {
            const slot = this.frame.alloc(1);
            this.statement([s.value], () => this.expr(s.value));
            this.fn(Fn.stl, slot);
            setStorage(sym, { frame: this.frame, slot: () => slot });
          }
        }
        return;
      }
      case 'abbrev':
        if (s.decl) {
          this.line(s.span);
          this.refAbbrev(s.decl as AbbrevSymbol, s.target);
        }
        return;
      case 'retypes':
        if (s.decl) {
          this.line(s.span);
          this.retypes(s.decl as AbbrevSymbol, s.target, s.span);
        }
        return;
      case 'initial': {
        const sym = s.decl;
        if (!sym) return;
        this.line(s.span);
        const slot = this.frame.alloc(wordsFor(sym.type));
        setStorage(sym, { frame: this.frame, slot: () => slot });
        this.statement([s.value], () => {
          if (sym.type.kind === 'array') this.copyArray(s.value, { kind: 'name', span: s.name.span, name: sym.name, decl: sym, type: sym.type }, s.span);
          else {
            this.expr(s.value);
            this.fn(Fn.stl, slot);
          }
        });
        return;
      }
      case 'proc':
      case 'function':
        if (s.decl) this.routine(s.decl as Routine);
        return;
      case 'datatype':
      case 'place':
        return;
    }
  }

  /**
   * A reference abbreviation (or a VAL abbreviation of an array): the slot holds the element's address, and
   * further slots the sizes of its open dimensions.
   */
  private refAbbrev(sym: AbbrevSymbol, target: Expr): void {
    const slot = this.frame.alloc(1);
    setStorage(sym, { frame: this.frame, slot: () => slot });
    this.refs.add(sym);
    const t = sym.type;
    if (t.kind === 'chan' || t.kind === 'timer') {
      this.statement([target], () => this.channelAddress(target));
      this.fn(Fn.stl, slot);
      this.dimStorage.set(sym, []);
      return;
    }
    const dims: (Storage | null)[] = [];
    if (t.kind !== 'array') {
      this.statement([target], () => this.elementAddress(target));
      this.fn(Fn.stl, slot);
    } else {
      const dimSlots: number[] = [];
      for (let d: Type = t; d.kind === 'array'; d = d.elem) {
        if (d.size === null) {
          const k = this.frame.alloc(1);
          dimSlots.push(k);
          dims.push({ frame: this.frame, slot: () => k });
        } else dims.push(null);
      }
      // A table or a constructor is built in space that lives as long as the abbreviation.
      const keep = this.materialize(target);
      this.statement([target], () => {
        const ref = keep ?? this.arrayRef(target);
        ref.addr.emit();
        this.fn(Fn.stl, slot);
        let j = 0;
        dims.forEach((d, level) => {
          if (!d) return;
          ref.dims[level]!.emit();
          this.fn(Fn.stl, dimSlots[j++]!);
        });
      });
    }
    this.dimStorage.set(sym, dims);
  }

  /** `RETYPES` / `RESHAPES`: an abbreviation of the target's bytes, with a size check when it is not known yet. */
  private retypes(sym: AbbrevSymbol, target: Expr, span: Span): void {
    const slot = this.frame.alloc(1);
    setStorage(sym, { frame: this.frame, slot: () => slot });
    this.refs.add(sym);
    const t = sym.type;
    const from = target.type!;
    const dims: (Storage | null)[] = [];
    for (let d: Type = t; d.kind === 'array'; d = d.elem) dims.push(null);
    let openSlot: number | null = null;
    if (t.kind === 'array' && t.size === null) {
      openSlot = this.frame.alloc(1);
      const k = openSlot;
      dims[0] = { frame: this.frame, slot: () => k };
    }
    this.dimStorage.set(sym, dims);
    // A VAL value that is not stored anywhere (`VAL [4]BYTE b RETYPES x + 1:`) gets a word of its own.
    const addressable = from.kind === 'array' || rootName(target) !== null;
    const keep = from.kind === 'array' ? this.materialize(target) : null;
    let tmp: number | null = null;
    if (!addressable) tmp = this.frame.alloc(wordsFor(from));
    this.statement([target], () => {
      if (tmp !== null) {
        this.expr(target);
        this.fn(Fn.stl, tmp);
        this.fn(Fn.ldlp, tmp);
      } else if (from.kind === 'array') (keep ?? this.arrayRef(target)).addr.emit();
      else this.elementAddress(target);
      this.fn(Fn.stl, slot);
      if (from.kind !== 'array' || byteSize(from) !== null) return;
      // The target's size is known only now: check it (or derive the open dimension from it).
      const ref = keep ?? this.arrayRef(target);
      this.byteCount(from, ref);
      const per = t.kind === 'array' && t.size === null ? byteSize(t.elem)! : byteSize(t)!;
      if (openSlot !== null) {
        const k = openSlot;
        if (per > 1) {
          const tk = this.frame.alloc(1);
          this.fn(Fn.stl, tk);
          this.fn(Fn.ldl, tk);
          this.fn(Fn.ldc, per);
          this.op(Op.rem);
          this.fn(Fn.ldc, 1);
          this.check(span, `the size of \`${exprText(target)}\` is not a whole number of ${per}-byte elements`);
          this.op(Op.csub0);
          this.fn(Fn.ldl, tk);
          this.fn(Fn.ldc, per);
          this.op(Op.div);
        }
        this.fn(Fn.stl, k);
      } else {
        this.fn(Fn.ldc, per);
        this.op(Op.diff);
        this.fn(Fn.ldc, 1);
        this.check(span, `\`${sym.name}\` is ${per} bytes but \`${exprText(target)}\` has a different size`);
        this.op(Op.csub0);
      }
    });
  }

  private replicatedSeq(r: Replicator, body: readonly Process[]): void {
    const k = this.frame.alloc(2);
    const sym = r.decl!;
    setStorage(sym, { frame: this.frame, slot: () => k });
    const top = this.label('loop');
    const end = this.label('loop.end');
    this.line(r.span);
    this.statement([r.base], () => this.expr(r.base));
    this.fn(Fn.stl, k);
    this.statement([r.count], () => this.expr(r.count));
    this.fn(Fn.stl, k + 1);
    const n = r.count.constValue;
    if (n === undefined) {
      this.fn(Fn.ldl, k + 1);
      this.op(Op.mint);
      this.check(r.count.span, `the replicator count \`${exprText(r.count)}\` is negative`);
      this.op(Op.csub0);
      this.jump(Fn.cj, end);
    } else if (n === 0n) {
      this.jump(Fn.j, end);
    }
    this.place(top);
    for (const c of body) this.process(c);
    this.fn(Fn.ldlp, k);
    this.fn(Fn.ldc, { to: end, from: top });
    this.op(Op.lend);
    this.place(end);
    this.frame.release(k);
  }

  private whileProcess(cond: Expr, body: Process, span: Span): void {
    const top = this.label('while');
    const end = this.label('while.end');
    this.place(top);
    this.line(span);
    const always = cond.constValue !== undefined && cond.constValue !== 0n;
    if (cond.constValue === 0n) return;
    if (!always) {
      this.statement([cond], () => {
        this.expr(cond);
        this.jump(Fn.cj, end);
      });
    }
    this.process(body);
    this.jump(Fn.j, top);
    this.place(end);
  }

  private ifProcess(p: IfProcess): void {
    const end = this.label('if.end');
    const exhaustive = this.choices(p, end);
    if (!exhaustive) {
      this.line(p.span);
      this.check(p.span, 'no condition of this IF is TRUE');
      this.op(Op.seterr);
    }
    this.place(end);
  }

  /** Emit the choices of an IF (nested IFs flattened). Returns true if a constant-TRUE guard ends the list. */
  private choices(p: IfProcess, end: Label): boolean {
    if (p.repl) {
      this.replicatedChoices(p, end);
      return false;
    }
    for (const c of p.choices) {
      if ('kind' in c) {
        if (this.choices(c, end)) return true;
        continue;
      }
      const choice = c as Choice;
      const mark = this.frame.mark();
      for (const s of choice.specs) this.spec(s);
      const g = choice.guard.constValue;
      if (g === 0n) {
        this.frame.release(mark);
        continue;
      }
      this.line(choice.guard.span);
      const next = this.label('if.next');
      if (g === undefined) {
        this.statement([choice.guard], () => {
          this.expr(choice.guard);
          this.jump(Fn.cj, next);
        });
      }
      this.process(choice.body);
      this.jump(Fn.j, end);
      this.place(next);
      this.frame.release(mark);
      if (g !== undefined) return true;
    }
    return false;
  }

  private par(branches: readonly Process[]): void {
    this.parOf(branches.map((b) => () => this.process(b)));
  }

  /** A PAR whose branches are emitted by `branches` (each runs with its own frame current). */
  private parOf(branches: readonly (() => void)[]): void {
    if (branches.length === 0) return;
    if (branches.length === 1) {
      branches[0]!();
      return;
    }
    const parent = this.frame;
    const n = branches.length;
    const frames: Frame[] = [];
    // Branch k runs at W - d[k], with d[k] = s[0] + ... + s[k-1] + w[k] (s = total size, w = frame size).
    const distance = (k: number): Deferred => () => {
      let d = frames[k]!.size;
      for (let j = 0; j < k; j++) d += frames[j]!.total();
      return d;
    };
    for (let k = 0; k < n; k++) {
      frames.push(new Frame(parent, parent.reserved, distance(k)));
    }
    parent.requireChild(() => frames.reduce((s, f) => s + f.total(), 0));

    const join = this.label('par.join');
    const starts = branches.map(() => this.label('par.branch'));
    // The join block: W[1] = branches still running, W[0] = where the last one to finish continues.
    this.fn(Fn.ldc, n);
    this.fn(Fn.stl, 1);
    this.address(join);
    this.fn(Fn.stl, 0);
    for (let k = 1; k < n; k++) {
      const m = this.label('started');
      this.fn(Fn.ldc, { to: starts[k]!, from: m });
      const d = distance(k);
      this.fn(Fn.ldlp, () => -d());
      this.op(Op.startp);
      this.place(m);
    }
    for (let k = 0; k < n; k++) {
      const d = distance(k);
      this.place(starts[k]!);
      if (k === 0) this.fn(Fn.ajw, () => -d());
      this.frame = frames[k]!;
      branches[k]!();
      this.fn(Fn.ldlp, d);
      this.op(Op.endp);
    }
    this.frame = parent;
    this.place(join);
  }

  // ------------------------------------------------------------------------------------------------ PRI PAR, replicated PAR and IF

  /**
   * PRI PAR (codegen.md §4): the first branch runs at high priority. It is started with `runp` on a Wdesc with
   * priority bit 0 and preempts the parent at once; when it ends it requeues its own workspace at low priority and
   * stops, so the final `endp` runs at low priority and the PAR continues there.
   */
  private priPar(high: Process, low: Process): void {
    const parent = this.frame;
    const frames: Frame[] = [];
    const distance = (k: number): Deferred => () => {
      let d = frames[k]!.size;
      for (let j = 0; j < k; j++) d += frames[j]!.total();
      return d;
    };
    for (let k = 0; k < 2; k++) frames.push(new Frame(parent, parent.reserved, distance(k)));
    parent.requireChild(() => frames.reduce((s, f) => s + f.total(), 0));
    const join = this.label('pripar.join');
    const hi = this.label('pripar.high');
    const dh = distance(0);
    const dl = distance(1);
    this.fn(Fn.ldc, 2);
    this.fn(Fn.stl, 1);
    this.address(join);
    this.fn(Fn.stl, 0);
    this.address(hi);
    this.fn(Fn.stl, () => -dh() - 1);
    this.fn(Fn.ldlp, () => -dh());
    this.op(Op.runp);
    // The low-priority branch runs in the parent's process.
    this.fn(Fn.ajw, () => -dl());
    this.frame = frames[1]!;
    this.process(low);
    this.fn(Fn.ldlp, dl);
    this.op(Op.endp);
    this.place(hi);
    this.frame = frames[0]!;
    this.process(high);
    this.fn(Fn.ldlp, 0);
    this.fn(Fn.adc, 1);
    this.op(Op.runp);
    this.op(Op.stopp);
    this.fn(Fn.ldlp, dh);
    this.op(Op.endp);
    this.frame = parent;
    this.place(join);
  }

  /**
   * Replicated PAR with a constant count: one branch per index value, each a copy of the body with its own
   * frame, which reads the base from the parent and keeps its own index.
   */
  private replicatedPar(r: Replicator, body: readonly Process[]): void {
    const n = Number(r.count.constValue ?? 0n);
    const sym = r.decl!;
    const parentFrame = this.frame;
    const mark = parentFrame.mark();
    const base = parentFrame.alloc(1);
    this.expr(r.base);
    this.fn(Fn.stl, base);
    const branches = Array.from({ length: n }, (_, k) => () => {
      const slot = this.frame.alloc(1);
      const d = this.frame.distanceTo(parentFrame);
      this.fn(Fn.ldl, () => base + d());
      if (k !== 0) {
        this.check(r.span, `arithmetic overflow in the replicator \`${exprText(r.base)}\` + ${k}`);
        this.fn(Fn.adc, k);
      }
      this.fn(Fn.stl, slot);
      setStorage(sym, { frame: this.frame, slot: () => slot });
      for (const c of body) this.process(c);
    });
    this.parOf(branches);
    parentFrame.release(mark);
  }

  /** A replicated IF among the choices of an IF: a loop trying each index in turn; falling out tries what follows. */
  private replicatedChoices(p: IfProcess, end: Label): void {
    const inner: IfProcess = { ...p, repl: null };
    this.replicate(p.repl!, () => {
      this.choices(inner, end);
    });
  }

  /**
   * A `lend` loop over a replicator (codegen.md §3), running `body` once per index value with the index in the
   * loop's control block. Returns the control block's slot.
   */
  private replicate(r: Replicator, body: () => void): number {
    const k = this.replicateOpen(r);
    body();
    this.replicateClose(r, k);
    return k;
  }

  private readonly loops = new Map<number, { top: Label; end: Label }>();

  /** The start of a `lend` loop over a replicator; returns the control block's slot (the index is its first word). */
  private replicateOpen(r: Replicator): number {
    const k = this.frame.alloc(2);
    const sym = r.decl!;
    setStorage(sym, { frame: this.frame, slot: () => k });
    const top = this.label('loop');
    const end = this.label('loop.end');
    this.loops.set(k, { top, end });
    this.line(r.span);
    this.expr(r.base);
    this.fn(Fn.stl, k);
    this.expr(r.count);
    this.fn(Fn.stl, k + 1);
    const n = r.count.constValue;
    if (n === undefined) {
      this.fn(Fn.ldl, k + 1);
      this.op(Op.mint);
      this.check(r.count.span, `the replicator count \`${exprText(r.count)}\` is negative`);
      this.op(Op.csub0);
      this.jump(Fn.cj, end);
    } else if (n === 0n) {
      this.jump(Fn.j, end);
    }
    this.place(top);
    return k;
  }

  private replicateClose(r: Replicator, k: number): void {
    const { top, end } = this.loops.get(k)!;
    setStorage(r.decl!, { frame: this.frame, slot: () => k });
    this.fn(Fn.ldlp, k);
    this.fn(Fn.ldc, { to: end, from: top });
    this.op(Op.lend);
    this.place(end);
  }

  /** Initialise every word of a channel array to NotProcess.p. */
  private initChannels(slot: number, words: number): void {
    if (words <= 8) {
      for (let k = 0; k < words; k++) {
        this.op(Op.mint);
        this.fn(Fn.stl, slot + k);
      }
      return;
    }
    const mark = this.frame.mark();
    const k = this.frame.alloc(2);
    const top = this.label('chans');
    const end = this.label('chans.end');
    this.fn(Fn.ldc, 0);
    this.fn(Fn.stl, k);
    this.fn(Fn.ldc, words);
    this.fn(Fn.stl, k + 1);
    this.place(top);
    this.op(Op.mint);
    this.fn(Fn.ldl, k);
    this.fn(Fn.ldlp, slot);
    this.op(Op.wsub);
    this.fn(Fn.stnl, 0);
    this.fn(Fn.ldlp, k);
    this.fn(Fn.ldc, { to: end, from: top });
    this.op(Op.lend);
    this.place(end);
    this.frame.release(mark);
  }

  // ------------------------------------------------------------------------------------------------ CASE

  /** CASE as a chain of comparisons (codegen.md §3); no match and no ELSE is STOP. */
  private caseProcess(p: Extract<Process, { kind: 'case' }>): void {
    this.line(p.span);
    const mark = this.frame.mark();
    let sel = this.localSlot(p.selector);
    if (!sel || p.selector.constValue !== undefined) {
      const t = this.frame.alloc(1);
      this.expr(p.selector);
      this.fn(Fn.stl, t);
      sel = () => t;
    }
    const end = this.label('case.end');
    const labels = p.options.map(() => this.label('case.option'));
    let elseLabel: Label | null = null;
    p.options.forEach((o, i) => {
      if (o.values === null) {
        elseLabel = labels[i]!;
        return;
      }
      for (const v of o.values) {
        this.fn(Fn.ldl, sel!);
        this.fn(Fn.eqc, Number(BigInt.asIntN(32, v.constValue ?? 0n)));
        this.fn(Fn.eqc, 0);
        this.jump(Fn.cj, labels[i]!);
      }
    });
    if (elseLabel) this.jump(Fn.j, elseLabel);
    else {
      this.check(p.span, `no option of this CASE matches \`${exprText(p.selector)}\``);
      this.op(Op.seterr);
    }
    p.options.forEach((o, i) => {
      this.place(labels[i]!);
      const m = this.frame.mark();
      for (const s of o.specs) this.spec(s);
      this.process(o.body);
      this.frame.release(m);
      this.jump(Fn.j, end);
    });
    this.place(end);
    this.frame.release(mark);
  }

  // ------------------------------------------------------------------------------------------------ communication

  /**
   * Input or output of a list of items on a channel. Each item is a separate communication (codegen.md §5): a
   * counted array is its count and then the elements, a variant tag is one byte.
   */
  private communicate(dir: 'in' | 'out', chan: Expr, items: readonly Expr[]): void {
    this.frame.requireBelow(BELOW_IO);
    const mark = this.frame.mark();
    const c = chan.kind === 'direction' ? chan.channel : chan;
    const temp = items.length > 1 || this.addressDepth(c) > 1 || items.some((i) => i.kind === 'counted');
    if (temp && c.kind !== 'name') {
      const t = this.frame.alloc(1);
      this.channelAddress(c);
      this.fn(Fn.stl, t);
      this.chanTemps.set(c, () => t);
    }
    for (const item of items) {
      if (item.kind === 'counted') this.countedItem(dir, c, item);
      else if (dir === 'out') this.output(c, item);
      else this.input(c, item);
    }
    this.chanTemps.delete(c);
    this.frame.release(mark);
  }

  private countedItem(dir: 'in' | 'out', chan: Expr, item: Extract<Expr, { kind: 'counted' }>): void {
    const arr = item.array.type!;
    const size = arr.kind === 'array' ? arr.size : null;
    const elem = arr.kind === 'array' ? (byteSize(arr.elem) ?? 4) : 4;
    const t = this.frame.alloc(1);
    const rangeCheck = (): void => {
      if (size === null) return;
      this.fn(Fn.ldc, size + 1);
      this.check(item.span, `the count in \`${exprText(item)}\` is out of range 0..${size}`);
      this.op(Op.csub0);
    };
    if (dir === 'out') {
      this.expr(item.count);
      rangeCheck();
      this.fn(Fn.stl, t);
      this.outputFrom(chan, byteSize(item.count.type!)!, () => this.fn(Fn.ldl, t));
      if (elem !== 1) {
        this.fn(Fn.ldl, t);
        this.fn(Fn.ldc, elem);
        this.op(Op.prod);
        this.fn(Fn.stl, t);
      }
    } else {
      this.input(chan, item.count);
      this.expr(item.count);
      rangeCheck();
      if (elem !== 1) {
        this.fn(Fn.ldc, elem);
        this.op(Op.prod);
      }
      this.fn(Fn.stl, t);
    }
    // The elements: count * element size bytes.
    if (this.addressDepth(item.array) > 1) {
      const a = this.frame.alloc(1);
      this.elementAddress(item.array);
      this.fn(Fn.stl, a);
      this.fn(Fn.ldl, a);
    } else this.elementAddress(item.array);
    // t now holds the byte count.
    this.channelAddress(chan);
    this.fn(Fn.ldl, t);
    this.op(dir === 'out' ? Op.out : Op.in);
  }

  /** Output a scalar of `size` bytes that `load` pushes (using one register). */
  private outputFrom(chan: Expr, size: number, load: () => void): void {
    this.channelAddress(chan);
    load();
    this.op(size === 4 ? Op.outword : Op.outbyte);
  }

  /** `t ? v`: read the clock. */
  private timerRead(target: Expr): void {
    this.storeFrom(target, () => this.op(Op.ldtimer));
  }

  /** `c ? CASE`: input the tag byte, choose the variant, input its items, run its process. */
  private caseInput(chan: Expr, variants: readonly VariantInput[]): void {
    this.frame.requireBelow(BELOW_IO);
    const mark = this.frame.mark();
    const c = chan.kind === 'direction' ? chan.channel : chan;
    if (c.kind !== 'name') {
      const t = this.frame.alloc(1);
      this.channelAddress(c);
      this.fn(Fn.stl, t);
      this.chanTemps.set(c, () => t);
    }
    const tag = this.frame.alloc(1);
    this.fn(Fn.ldc, 0);
    this.fn(Fn.stl, tag);
    this.fn(Fn.ldlp, tag);
    this.channelAddress(c);
    this.fn(Fn.ldc, 1);
    this.op(Op.in);
    const end = this.label('variant.end');
    const labels = variants.map(() => this.label('variant'));
    variants.forEach((v, i) => {
      this.fn(Fn.ldl, tag);
      this.fn(Fn.eqc, v.tagValue ?? 0);
      this.fn(Fn.eqc, 0);
      this.jump(Fn.cj, labels[i]!);
    });
    this.check(chan.span, `the tag received on \`${exprText(chan)}\` is not one this \`? CASE\` lists`);
    this.op(Op.seterr);
    variants.forEach((v, i) => {
      this.place(labels[i]!);
      this.line(v.span);
      const m = this.frame.mark();
      for (const s of v.specs) this.spec(s);
      for (const item of v.items) {
        if (item.kind === 'counted') this.countedItem('in', c, item);
        else this.input(c, item);
      }
      this.process(v.body);
      this.frame.release(m);
      this.jump(Fn.j, end);
    });
    this.place(end);
    this.chanTemps.delete(c);
    this.frame.release(mark);
  }

  // ------------------------------------------------------------------------------------------------ ALT

  /**
   * ALT and PRI ALT (codegen.md §6): enable every guard, wait, disable every guard in textual order (the first
   * ready one wins, which is PRI ALT's priority; a plain ALT compiles the same), then jump to the chosen branch.
   */
  private altProcess(p: AltProcess): void {
    this.line(p.span);
    const timed = altHasTimer(p);
    this.frame.requireBelow(timed ? BELOW_TIMER : BELOW_IO);
    const mark = this.frame.mark();
    const alts = collectAlternatives(p);
    // A guard whose condition may be FALSE makes it possible that none is enabled: then the ALT is STOP.
    const alwaysLive = alts.some((a) => a.alt.guard.cond === null || (a.alt.guard.cond.constValue ?? 0n) !== 0n);
    const flag = alwaysLive ? null : this.frame.alloc(1);
    if (flag !== null) {
      this.fn(Fn.ldc, 0);
      this.fn(Fn.stl, flag);
    }
    const endLabel = this.label('alt.end');
    const e = this.label('alt.branches');
    const branchLabels = new Map<Alternative, Label>();
    for (const a of alts) branchLabels.set(a.alt, this.label('alt.branch'));
    // Replicated ALTs keep, per level, the index of the chosen alternative.
    const saved = new Map<AltProcess, number>();
    const condTemp = this.frame.alloc(1);

    this.op(timed ? Op.talt : Op.alt);
    this.walkAlt(p, (alt) => {
      const g = alt.guard;
      this.altSpecs(alt);
      this.prepareGuard(g.cond, condTemp);
      if (flag !== null) {
        this.guardValue(g.cond, condTemp);
        this.fn(Fn.ldl, flag);
        this.op(Op.or);
        this.fn(Fn.stl, flag);
      }
      switch (g.kind) {
        case 'input':
        case 'case':
          this.channelAddress(g.channel);
          this.guardValue(g.cond, condTemp);
          this.op(Op.enbc);
          return;
        case 'timeout':
          this.expr(g.after);
          this.guardValue(g.cond, condTemp);
          this.op(Op.enbt);
          return;
        case 'skip':
          this.guardValue(g.cond, condTemp);
          this.op(Op.enbs);
          return;
      }
    }, null);
    if (flag !== null) {
      this.fn(Fn.ldl, flag);
      this.fn(Fn.eqc, 0);
      this.fn(Fn.ldc, 1);
      this.check(p.span, 'every guard of this ALT is FALSE, so it behaves as STOP');
      this.op(Op.csub0);
    }
    this.op(timed ? Op.taltwt : Op.altwt);
    this.walkAlt(p, (alt) => {
      const g = alt.guard;
      this.altSpecs(alt);
      this.prepareGuard(g.cond, condTemp);
      const offset = { to: branchLabels.get(alt)!, from: e };
      switch (g.kind) {
        case 'input':
        case 'case':
          this.channelAddress(g.channel);
          this.guardValue(g.cond, condTemp);
          this.fn(Fn.ldc, offset);
          this.op(Op.disc);
          return;
        case 'timeout':
          this.expr(g.after);
          this.guardValue(g.cond, condTemp);
          this.fn(Fn.ldc, offset);
          this.op(Op.dist);
          return;
        case 'skip':
          this.guardValue(g.cond, condTemp);
          this.fn(Fn.ldc, offset);
          this.op(Op.diss);
          return;
      }
    }, saved);
    this.op(Op.altend);
    this.place(e);
    for (const a of alts) {
      this.place(branchLabels.get(a.alt)!);
      // Inside a replicated ALT the branch sees the index value that was chosen.
      for (const [level, slot] of saved) setStorage(level.repl!.decl!, { frame: this.frame, slot: () => slot });
      const m = this.frame.mark();
      // Specifications in front of enclosing nested ALTs, then the alternative's own.
      for (const s of a.outer) this.spec(s);
      this.altSpecs(a.alt);
      const g = a.alt.guard;
      this.line(g.span);
      if (g.kind === 'input') this.communicate('in', g.channel, g.items);
      else if (g.kind === 'case') this.caseInput(g.channel, g.variants);
      this.process(a.alt.body);
      this.frame.release(m);
      this.jump(Fn.j, endLabel);
    }
    this.place(endLabel);
    this.frame.release(mark);
  }

  /** Specifications in front of an alternative: evaluated wherever its guard or body is. */
  private altSpecs(alt: Alternative): void {
    for (const s of alt.specs) this.spec(s);
  }

  /** A condition that needs more than one register is evaluated into a temporary before the guard's other values. */
  private prepareGuard(cond: Expr | null, temp: number): void {
    if (cond && this.depth(cond) > 1) {
      this.expr(cond);
      this.fn(Fn.stl, temp);
    }
  }

  /** Push a guard's condition (TRUE when there is none), from its temporary if `prepareGuard` made one. */
  private guardValue(cond: Expr | null, temp: number): void {
    if (!cond) this.fn(Fn.ldc, 1);
    else if (this.depth(cond) > 1) this.fn(Fn.ldl, temp);
    else this.expr(cond);
  }

  /**
   * Visit the alternatives of an ALT in textual order, looping over replicators. With `saved`, each visit is a
   * disable that leaves TRUE in A when it chose its alternative: the indices of the enclosing replicators are then
   * recorded for the branch.
   */
  private walkAlt(
    p: AltProcess,
    each: (alt: Alternative) => void,
    saved: Map<AltProcess, number> | null,
    levels: readonly { k: number; slot: number }[] = [],
  ): void {
    let k = -1;
    let inner = levels;
    if (p.repl) {
      let slot = saved?.get(p);
      if (saved && slot === undefined) {
        slot = this.frame.alloc(1);
        saved.set(p, slot);
      }
      k = this.replicateOpen(p.repl);
      if (saved) inner = [...levels, { k, slot: slot! }];
    }
    for (const a of p.alternatives) {
      if ('kind' in a) {
        for (const s of a.specs ?? []) this.spec(s);
        this.walkAlt(a, each, saved, inner);
        continue;
      }
      each(a as Alternative);
      if (saved && inner.length > 0) {
        const skip = this.label('alt.notchosen');
        this.jump(Fn.cj, skip);
        for (const l of inner) {
          this.fn(Fn.ldl, l.k);
          this.fn(Fn.stl, l.slot);
        }
        this.place(skip);
      }
    }
    if (p.repl) this.replicateClose(p.repl, k);
  }

  /** Call a PROC or FUNCTION: parameter words 3 and up go in the caller's W[0], W[1], ...; 0..2 travel in A, B, C. */
  private callRoutine(sym: Routine, args: readonly Expr[]): void {
    const callee = this.procInfo.get(sym)!;
    this.frame.requireChild(() => CALL_WORDS + callee.frame.total());
    const mark = this.frame.mark();
    const words: Word[] = [];
    if (callee.outer) {
      const outer = callee.outer;
      words.push({ emit: () => this.frameBase(outer), depth: 1 });
    }
    sym.params.forEach((p, i) => words.push(...this.argWords(p, args[i]!)));
    for (let i = 3; i < words.length; i++) {
      words[i]!.emit();
      this.fn(Fn.stl, i - 3);
    }
    const inRegs = Math.min(3, words.length);
    // Loading word i leaves (inRegs - 1 - i) registers in use; anything that needs more is evaluated first.
    const temps: (number | null)[] = [];
    for (let i = 0; i < inRegs; i++) {
      if (words[i]!.depth + (inRegs - 1 - i) > MAX_REGS) {
        const t = this.frame.alloc(1);
        words[i]!.emit();
        this.fn(Fn.stl, t);
        temps[i] = t;
      } else temps[i] = null;
    }
    for (let i = inRegs - 1; i >= 0; i--) {
      const t = temps[i];
      if (t !== null && t !== undefined) this.fn(Fn.ldl, t);
      else words[i]!.emit();
    }
    this.frame.release(mark);
    this.jump(Fn.call, callee.label);
  }

  /** The words an actual parameter passes: a value, an address, or an array's address and open sizes. */
  private argWords(param: ParamSymbol, arg: Expr): Word[] {
    if (param.type.kind === 'chan' || param.type.kind === 'timer') {
      return [{ emit: () => this.channelAddress(arg), depth: this.addressDepth(arg) }];
    }
    if (param.type.kind === 'array') {
      const ref = this.arrayRef(arg);
      const out = [ref.addr];
      let level = 0;
      for (let t: Type = param.type; t.kind === 'array'; t = t.elem, level++) {
        if (t.size === null) out.push(ref.dims[level]!);
      }
      return out;
    }
    if (param.byRef) return [{ emit: () => this.elementAddress(arg), depth: this.addressDepth(arg) }];
    return [{ emit: () => this.expr(arg), depth: this.depth(arg) }];
  }

  /** Push the workspace address of an enclosing routine's frame (for a static link). */
  private frameBase(target: ProcInfo): void {
    const here = this.rootFrame(this.frame);
    if (here === target.frame) {
      const d = this.frame.distanceTo(here);
      this.fn(Fn.ldlp, d);
      return;
    }
    this.staticChain(target);
  }

  private rootFrame(f: Frame): Frame {
    let r = f;
    while (r.parent) r = r.parent;
    return r;
  }

  /** Push the base of `target`'s frame by following static links from the current routine. */
  private staticChain(target: ProcInfo): void {
    let info = this.routineInfo!;
    const sl = info.staticLink!;
    const d = this.frame.distanceTo(sl.frame);
    this.fn(Fn.ldl, () => sl.slot() + d());
    info = info.outer!;
    while (info !== target) {
      const link = info.staticLink!;
      this.fn(Fn.ldnl, link.slot);
      info = info.outer!;
    }
  }

  /** How to reach a slot: directly (`ldl k`) or, in an enclosing routine, through the static link. */
  private reach(st: Storage): { local: Deferred } | { base: () => void; offset: Deferred } {
    const root = this.rootFrame(st.frame);
    if (root === this.rootFrame(this.frame)) {
      const d = this.frame.distanceTo(st.frame);
      return { local: () => st.slot() + d() };
    }
    const owner = this.frameOwner.get(root)!;
    const down = st.frame.distanceTo(root);
    return { base: () => this.staticChain(owner), offset: () => st.slot() - down() };
  }

  private loadSlot(st: Storage): void {
    const r = this.reach(st);
    if ('local' in r) this.fn(Fn.ldl, r.local);
    else {
      r.base();
      this.fn(Fn.ldnl, r.offset);
    }
  }

  /** Store A in a slot (uses one more register when the slot is in an enclosing routine). */
  private storeSlot(st: Storage): void {
    const r = this.reach(st);
    if ('local' in r) this.fn(Fn.stl, r.local);
    else {
      r.base();
      this.fn(Fn.stnl, r.offset);
    }
  }

  private slotAddress(st: Storage): void {
    const r = this.reach(st);
    if ('local' in r) this.fn(Fn.ldlp, r.local);
    else {
      r.base();
      this.fn(Fn.ldnlp, r.offset);
    }
  }

  /** The most parameter words beyond the three register ones that any call in this body passes. */
  private maxMemoryWords(parts: unknown[]): number {
    let max = 0;
    const words = (sym: Routine): number => {
      let n = sym.outer ? 1 : 0;
      for (const p of sym.params) {
        n++;
        for (let t: Type = p.type; t.kind === 'array'; t = t.elem) if (t.size === null) n++;
      }
      return n;
    };
    const visit = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      if (Array.isArray(n)) {
        n.forEach(visit);
        return;
      }
      const o = n as Record<string, unknown>;
      // A routine defined inside has its own frame.
      if ((o.kind === 'proc' || o.kind === 'function') && 'formals' in o) return;
      if (o.kind === 'pcall' && o.decl) max = Math.max(max, words(o.decl as ProcSymbol) - 3);
      if (o.kind === 'call') {
        const f = callees.get(o as unknown as Expr);
        if (f) max = Math.max(max, words(f) - 3);
      }
      for (const k of Object.keys(o)) {
        if (k === 'span' || k === 'decl' || k === 'decls' || k === 'type' || k === 'constValue' || k === 'constBytes') continue;
        visit(o[k]);
      }
    };
    visit(parts);
    return max;
  }

  // ------------------------------------------------------------------------------------------------ communication

  private output(chan: Expr, item: Expr): void {
    this.frame.requireBelow(BELOW_IO);
    const t = item.type!;
    const size = byteSize(t)!;
    const opcode = size === 4 ? Op.outword : Op.outbyte;
    if (t.kind === 'array' || (size !== 4 && size !== 1)) {
      // An array message: `out` with a byte count, from the array's address.
      this.elementAddress(item);
      this.channelAddress(chan);
      this.fn(Fn.ldc, size);
      this.op(Op.out);
      return;
    }
    if (this.depth(item) < MAX_REGS) {
      this.channelAddress(chan);
      this.expr(item);
    } else {
      this.expr(item);
      this.channelAddress(chan);
      this.op(Op.rev);
    }
    this.op(opcode);
  }

  private input(chan: Expr, target: Expr): void {
    this.frame.requireBelow(BELOW_IO);
    const size = byteSize(target.type!)!;
    const word = size === 4;
    const local = this.localSlot(target);
    // A BYTE or BOOL held in a word slot gets one byte written by `in`: clear the rest of the word first.
    if (!word && local) {
      this.fn(Fn.ldc, 0);
      this.fn(Fn.stl, local);
    }
    // `in` wants C = destination, B = channel, A = count: the address is computed first, leaving one register.
    this.elementAddress(target);
    this.channelAddress(chan);
    this.fn(Fn.ldc, size);
    this.op(Op.in);
  }

  private channelAddress(e: Expr): void {
    if (e.kind === 'direction') return this.channelAddress(e.channel);
    const temp = this.chanTemps.get(e);
    if (temp) {
      this.fn(Fn.ldl, temp);
      return;
    }
    if (e.kind === 'name') {
      const sym = e.decl!;
      // A channel parameter or abbreviation holds the channel's address; a declared channel is the word itself.
      if (sym.kind === 'param' || this.refs.has(sym)) this.loadSlot(storageOf(sym));
      else this.slotAddress(storageOf(sym));
      return;
    }
    this.elementAddress(e);
  }

  // ------------------------------------------------------------------------------------------------ assignment

  private assign(targets: readonly Expr[], values: readonly Expr[]): void {
    if (targets.length === 1) {
      if (targets[0]!.type!.kind === 'array') this.copyArray(values[0]!, targets[0]!, targets[0]!.span);
      else this.store(targets[0]!, values[0]!);
      return;
    }
    // Every right-hand side is evaluated before anything is assigned (arrays into workspace copies).
    const mark = this.frame.mark();
    const temps = values.map((v) => {
      const vt = v.type!;
      if (vt.kind === 'array') {
        const bytes = byteSize(vt) ?? 0;
        const t = this.frame.alloc(Math.max(1, Math.ceil(bytes / 4)));
        this.storeValueAt(v, { emit: () => this.fn(Fn.ldlp, t), depth: 1 }, vt);
        return t;
      }
      const t = this.frame.alloc(1);
      this.expr(v);
      this.fn(Fn.stl, t);
      return t;
    });
    targets.forEach((target, i) => {
      if (target.type!.kind === 'array') {
        const dst = this.arrayRef(target);
        this.fn(Fn.ldlp, temps[i]!);
        dst.addr.emit();
        this.fn(Fn.ldc, byteSize(values[i]!.type!) ?? 0);
        this.op(Op.move);
      } else this.storeFrom(target, () => this.fn(Fn.ldl, temps[i]!));
    });
    this.frame.release(mark);
  }

  /** `a, b := f (x)`: the FUNCTION leaves its results in A, B, C. */
  private multiResult(targets: readonly Expr[], call: Expr): void {
    if (call.kind !== 'call') throw new Error('codegen: a multiple assignment from one value that is not a call');
    this.callRoutine(callees.get(call)!, call.args);
    const temps = targets.map(() => this.frame.alloc(1));
    for (const t of temps) this.fn(Fn.stl, t);
    targets.forEach((target, i) => this.storeFrom(target, () => this.fn(Fn.ldl, temps[i]!)));
  }

  private store(target: Expr, value: Expr): void {
    this.storeFrom(target, () => this.expr(value));
  }

  /** Store the value that `load` pushes (using at most one register after it is done) into an element. */
  private storeFrom(target: Expr, load: () => void): void {
    const local = this.localSlot(target);
    if (local) {
      load();
      this.fn(Fn.stl, local);
      return;
    }
    const isByte = byteSize(target.type!) === 1;
    if (this.addressDepth(target) < MAX_REGS) {
      load();
      this.elementAddress(target);
    } else {
      const mark = this.frame.mark();
      const t = this.frame.alloc(1);
      load();
      this.fn(Fn.stl, t);
      this.elementAddress(target);
      this.fn(Fn.ldl, t);
      this.op(Op.rev);
      this.frame.release(mark);
    }
    if (isByte) this.op(Op.sb);
    else this.fn(Fn.stnl, 0);
  }

  /**
   * The slot operand if the element is a word in the current process's reach that `ldl`/`stl` can address
   * directly: a local scalar, or a constant subscript of a local word array.
   */
  private localSlot(e: Expr): Deferred | null {
    if (e.kind === 'name') {
      const sym = e.decl!;
      if (this.refs.has(sym) || !('type' in sym) || sym.type.kind !== 'prim') return null;
      if (sym.kind === 'var' || sym.kind === 'abbrev' || (sym.kind === 'param' && !sym.byRef)) return this.localOperand(sym);
      return null;
    }
    if (e.kind === 'subscript' && e.base.kind === 'name' && e.index.constValue !== undefined) {
      const sym = e.base.decl!;
      if (sym.kind === 'var' && sym.type.kind === 'array' && byteSize(sym.type.elem) === 4) {
        const base = this.localOperand(sym);
        if (!base) return null;
        const k = Number(e.index.constValue);
        return () => base() + k;
      }
    }
    return null;
  }

  /** The `ldl` operand of a symbol's slot if it is in the current routine's workspace. */
  private localOperand(sym: Symbol): Deferred | null {
    const r = this.reach(storageOf(sym));
    return 'local' in r ? r.local : null;
  }

  // ------------------------------------------------------------------------------------------------ addresses

  /** Push the address of an element (a variable, an array element, a segment, a channel). */
  private elementAddress(e: Expr): void {
    if (e.kind === 'name') {
      const sym = e.decl!;
      if (sym.kind === 'const') this.address(this.poolLabel(sym));
      else if (this.refs.has(sym)) this.loadSlot(storageOf(sym));
      else this.slotAddress(storageOf(sym));
      return;
    }
    if (e.kind === 'subscript') {
      const baseType = e.base.type!;
      if (baseType.kind !== 'array') throw new Error('codegen: subscript of a non-array');
      // A base that must be built or checked first (a segment, a table) is prepared before anything is loaded.
      const base: Word = needsPrep(e.base) ? this.arrayRef(e.base).addr : { emit: () => this.elementAddress(e.base), depth: this.addressDepth(e.base) };
      const stride = byteSize(baseType.elem);
      const k = e.index.constValue;
      if (k !== undefined && stride !== null) {
        base.emit();
        if (k !== 0n) {
          if (stride % 4 === 0) this.fn(Fn.ldnlp, Number(k) * (stride / 4));
          else this.fn(Fn.adc, Number(k) * stride);
        }
        return;
      }
      const id = this.depth(e.index);
      const viaWords = innerBytes(baseType.elem) % 4 === 0;
      if (Math.max(id, 2) <= MAX_REGS && base.depth + 1 <= MAX_REGS) {
        this.scaledIndex(e);
        base.emit();
      } else {
        const mark = this.frame.mark();
        const t = this.frame.alloc(1);
        this.scaledIndex(e);
        this.fn(Fn.stl, t);
        base.emit();
        this.fn(Fn.ldl, t);
        this.op(Op.rev);
        this.frame.release(mark);
      }
      this.op(viaWords ? Op.wsub : Op.bsub);
      return;
    }
    if (e.kind === 'direction') return this.elementAddress(e.channel);
    this.arrayRef(e).addr.emit();
  }

  /** Push a checked subscript scaled to the element size: words when elements are whole words, else bytes. */
  private scaledIndex(e: Extract<Expr, { kind: 'subscript' }>): void {
    const t = e.base.type!;
    if (t.kind !== 'array') return;
    this.expr(e.index);
    const bound = this.dimWord(e.base, 0);
    bound.emit();
    this.check(e.span, `subscript out of range in \`${exprText(e)}\`${t.size !== null ? ` (the array has ${t.size} elements)` : ''}`);
    this.op(Op.csub0);
    // Elements of an open array of arrays are as big as the product of the inner sizes.
    let unit = innerBytes(t.elem);
    const words = unit % 4 === 0;
    let level = 1;
    for (let d: Type = t.elem; d.kind === 'array'; d = d.elem, level++) {
      if (d.size === null) {
        this.dimWord(e.base, level).emit();
        this.op(Op.prod);
      } else unit *= d.size;
    }
    const scale = words ? unit / 4 : unit;
    if (scale !== 1) {
      this.fn(Fn.ldc, scale);
      this.op(Op.prod);
    }
  }

  /** A word that loads the size of dimension `level` of an array expression (no code runs before it). */
  private dimWord(e: Expr, level: number): Word {
    let t = e.type!;
    for (let k = 0; k < level && t.kind === 'array'; k++) t = t.elem;
    if (t.kind === 'array' && t.size !== null) {
      const n = t.size;
      return { emit: () => this.fn(Fn.ldc, n), depth: 1 };
    }
    switch (e.kind) {
      case 'name': {
        const st = this.dimStorage.get(e.decl!)?.[level];
        if (!st) throw new Error(`codegen: no size for dimension ${level} of \`${e.name}\``);
        return { emit: () => this.loadSlot(st), depth: 1 };
      }
      case 'subscript':
        return this.dimWord(e.base, level + 1);
      case 'direction':
        return this.dimWord(e.channel, level);
      case 'slice':
        if (level > 0) return this.dimWord(e.base, level);
        if (e.count) {
          const c = e.count;
          return { emit: () => this.expr(c), depth: this.depth(c) };
        }
        {
          const whole = this.dimWord(e.base, 0);
          const start = e.start!;
          const d = Math.max(whole.depth, this.depth(start) + 1);
          return {
            emit: () => {
              whole.emit();
              this.expr(start);
              this.op(Op.diff);
            },
            depth: Math.min(MAX_REGS, d),
          };
        }
      default:
        throw new Error(`codegen: no size for a ${e.kind} expression`);
    }
  }

  private addressDepth(e: Expr): number {
    if (needsPrep(e)) return MAX_REGS;
    // A name's slot is reached with one register, through static links too (`ldl SL; ldnl k`).
    if (e.kind === 'name') return 1;
    if (e.kind === 'direction') return this.addressDepth(e.channel);
    if (e.kind === 'subscript') {
      if (e.index.constValue !== undefined && byteSize(e.type!) !== null) return this.addressDepth(e.base);
      const id = Math.max(this.depth(e.index), 2);
      const bd = this.addressDepth(e.base);
      return Math.min(MAX_REGS, Math.max(id, bd + 1));
    }
    if (e.kind === 'string' || (e.kind === 'table' && e.constBytes)) return 1;
    return MAX_REGS;
  }

  /**
   * An array value as an address and its sizes. Segments, tables and constructors run code here (into
   * temporaries of the current statement), so this is called with nothing on the stack.
   */
  private arrayRef(e: Expr): ArrayRef {
    const t = e.type!;
    const dimsFrom = (x: Expr, from: number): Word[] => {
      const out: Word[] = [];
      let level = 0;
      for (let d: Type = t; d.kind === 'array'; d = d.elem, level++) out.push(level < from ? { emit: () => {}, depth: 0 } : this.dimWord(x, level));
      return out;
    };
    switch (e.kind) {
      case 'direction':
        return this.arrayRef(e.channel);
      case 'string':
      case 'table':
      case 'constructor': {
        const bytes = constBytes(e);
        if (bytes) {
          const l = this.literalLabel(e, bytes);
          return { addr: { emit: () => this.address(l), depth: 1 }, dims: dimsFrom(e, 0) };
        }
        return this.materialize(e)!;
      }
      case 'slice':
        return this.sliceRef(e);
      case 'call':
      case 'dyadic':
      case 'monadic':
      case 'conversion':
        throw new Error(`codegen: an array value of kind ${e.kind}`);
      default:
        return { addr: { emit: () => this.elementAddress(e), depth: this.addressDepth(e) }, dims: dimsFrom(e, 0) };
    }
  }

  /** A segment `[a FROM s FOR n]`: checks 0 <= s <= SIZE a and 0 <= n <= SIZE a - s, then a's address plus s. */
  private sliceRef(e: Extract<Expr, { kind: 'slice' }>): ArrayRef {
    const base = this.arrayRef(e.base);
    const bt = e.base.type! as Extract<Type, { kind: 'array' }>;
    const size = base.dims[0]!;
    const start = e.start;
    const startConst = start ? start.constValue : 0n;
    let startSlot: number | null = null;
    const loadStart = (): void => {
      if (startSlot !== null) this.fn(Fn.ldl, startSlot);
      else this.fn(Fn.ldc, Number(startConst ?? 0n));
    };
    const known = bt.size !== null && (startConst !== undefined) && (e.count === null || e.count.constValue !== undefined);
    if (start && startConst === undefined) {
      startSlot = this.frame.alloc(1);
      this.expr(start);
      this.fn(Fn.stl, startSlot);
    }
    if (!known) {
      // 0 <= start <= size
      loadStart();
      size.emit();
      this.fn(Fn.adc, 1);
      this.check(e.span, `the segment \`${exprText(e)}\` starts outside the array`);
      this.op(Op.csub0);
    }
    let countSlot: number | null = null;
    let count: Word;
    if (e.count === null) {
      if (bt.size !== null && startConst !== undefined) {
        const n = bt.size - Number(startConst);
        count = { emit: () => this.fn(Fn.ldc, n), depth: 1 };
      } else {
        countSlot = this.frame.alloc(1);
        size.emit();
        loadStart();
        this.op(Op.diff);
        this.fn(Fn.stl, countSlot);
      }
    } else if (e.count.constValue !== undefined) {
      const n = Number(e.count.constValue);
      count = { emit: () => this.fn(Fn.ldc, n), depth: 1 };
    } else {
      countSlot = this.frame.alloc(1);
      this.expr(e.count);
      this.fn(Fn.stl, countSlot);
    }
    if (countSlot !== null) {
      const k = countSlot;
      count = { emit: () => this.fn(Fn.ldl, k), depth: 1 };
    }
    if (!known && e.count !== null) {
      // 0 <= count <= size - start
      count!.emit();
      size.emit();
      loadStart();
      this.op(Op.diff);
      this.fn(Fn.adc, 1);
      this.check(e.span, `the segment \`${exprText(e)}\` runs past the end of the array (or has a negative length)`);
      this.op(Op.csub0);
    }
    // The address: the base plus start elements.
    const addr = this.frame.alloc(1);
    const unit = innerBytes(bt.elem);
    const words = unit % 4 === 0;
    if (startConst !== undefined && byteSize(bt.elem) !== null) {
      base.addr.emit();
      const off = Number(startConst) * byteSize(bt.elem)!;
      if (off !== 0) {
        if (off % 4 === 0) this.fn(Fn.ldnlp, off / 4);
        else this.fn(Fn.adc, off);
      }
    } else {
      loadStart();
      let u = unit;
      for (let d: Type = bt.elem, level = 1; d.kind === 'array'; d = d.elem, level++) {
        if (d.size === null) {
          base.dims[level]!.emit();
          this.op(Op.prod);
        } else u *= d.size;
      }
      const scale = words ? u / 4 : u;
      if (scale !== 1) {
        this.fn(Fn.ldc, scale);
        this.op(Op.prod);
      }
      if (base.addr.depth >= MAX_REGS) {
        this.fn(Fn.stl, addr);
        base.addr.emit();
        this.fn(Fn.ldl, addr);
      } else base.addr.emit();
      this.op(words ? Op.wsub : Op.bsub);
    }
    this.fn(Fn.stl, addr);
    const dims = [count!, ...base.dims.slice(1)];
    return { addr: { emit: () => this.fn(Fn.ldl, addr), depth: 1 }, dims };
  }

  /** Build a table or an array constructor in workspace space; returns null for other expressions. */
  private materialize(e: Expr): ArrayRef | null {
    if (!((e.kind === 'table' && !e.constBytes) || e.kind === 'constructor')) return null;
    const t = e.type! as Extract<Type, { kind: 'array' }>;
    const slot = this.frame.alloc(wordsFor(t));
    const elemBytes = byteSize(t.elem)!;
    const at = (offset: () => void): Word => ({
      emit: () => {
        this.fn(Fn.ldlp, slot);
        offset();
      },
      depth: 2,
    });
    if (e.kind === 'table') {
      e.elems.forEach((x, i) => {
        const off = i * elemBytes;
        const dst = at(() => {
          if (off % 4 === 0) {
            if (off) this.fn(Fn.ldnlp, off / 4);
          } else this.fn(Fn.adc, off);
        });
        this.statement([x], () => this.storeValueAt(x, dst, t.elem));
      });
    } else {
      // [i = b FOR n | v]: a loop like a replicated SEQ, with a running byte offset.
      const k = this.frame.alloc(3);
      const sym = e.decl!;
      setStorage(sym, { frame: this.frame, slot: () => k });
      const top = this.label('build');
      const end = this.label('build.end');
      this.statement([e.base], () => this.expr(e.base));
      this.fn(Fn.stl, k);
      this.fn(Fn.ldc, t.size!);
      this.fn(Fn.stl, k + 1);
      this.fn(Fn.ldc, 0);
      this.fn(Fn.stl, k + 2);
      if (t.size === 0) this.jump(Fn.j, end);
      this.place(top);
      const dst = at(() => {
        this.fn(Fn.ldl, k + 2);
        this.op(Op.bsub);
      });
      this.statement([e.value], () => this.storeValueAt(e.value, dst, t.elem));
      this.fn(Fn.ldl, k + 2);
      this.fn(Fn.adc, elemBytes);
      this.fn(Fn.stl, k + 2);
      this.fn(Fn.ldlp, k);
      this.fn(Fn.ldc, { to: end, from: top });
      this.op(Op.lend);
      this.place(end);
    }
    const n = t.size!;
    const dims: Word[] = [];
    for (let d: Type = t; d.kind === 'array'; d = d.elem) {
      const m = d.size ?? n;
      dims.push({ emit: () => this.fn(Fn.ldc, m), depth: 1 });
    }
    return { addr: { emit: () => this.fn(Fn.ldlp, slot), depth: 1 }, dims };
  }

  /** Store a value (a scalar, or an array copied with `move`) at an address that `dst` pushes. */
  private storeValueAt(value: Expr, dst: Word, type: Type): void {
    if (type.kind === 'array') {
      const src = this.arrayRef(value);
      src.addr.emit();
      dst.emit();
      this.fn(Fn.ldc, byteSize(type)!);
      this.op(Op.move);
      return;
    }
    const byte = byteSize(type) === 1;
    if (this.depth(value) + dst.depth <= MAX_REGS) {
      this.expr(value);
      dst.emit();
    } else {
      const t = this.frame.alloc(1);
      this.expr(value);
      this.fn(Fn.stl, t);
      dst.emit();
      this.fn(Fn.ldl, t);
      this.op(Op.rev);
    }
    if (byte) this.op(Op.sb);
    else this.fn(Fn.stnl, 0);
  }

  /** Push the number of bytes an array value occupies. */
  private byteCount(t: Type, ref: ArrayRef): void {
    let unit = innerBytes(t);
    let first = true;
    let level = 0;
    for (let d: Type = t; d.kind === 'array'; d = d.elem, level++) {
      if (d.size === null) {
        ref.dims[level]!.emit();
        if (!first) this.op(Op.prod);
        first = false;
      } else unit *= d.size;
    }
    if (first) this.fn(Fn.ldc, unit);
    else if (unit !== 1) {
      this.fn(Fn.ldc, unit);
      this.op(Op.prod);
    }
  }

  /** `a := b` for arrays: equal sizes (checked at run time when not known), then `move`. */
  private copyArray(value: Expr, target: Expr, span: Span): void {
    const t = target.type!;
    const src = this.arrayRef(value);
    const dst = this.arrayRef(target);
    const bytes = byteSize(t) ?? byteSize(value.type!);
    if (byteSize(t) === null || byteSize(value.type!) === null) {
      this.byteCount(t, dst);
      this.byteCount(value.type!, src);
      this.op(Op.diff);
      this.fn(Fn.ldc, 1);
      this.check(span, `the arrays in \`${exprText(target)} := ${exprText(value)}\` have different sizes`);
      this.op(Op.csub0);
    }
    src.addr.emit();
    const spill = dst.addr.depth >= MAX_REGS;
    const tmp = spill ? this.frame.alloc(1) : 0;
    if (spill) this.fn(Fn.stl, tmp);
    dst.addr.emit();
    if (spill) {
      this.fn(Fn.ldl, tmp);
      this.op(Op.rev);
    }
    if (bytes !== null) this.fn(Fn.ldc, bytes);
    else {
      const m = this.frame.alloc(2);
      this.fn(Fn.stl, m);
      this.fn(Fn.stl, m + 1);
      this.byteCount(t, dst);
      const c = this.frame.alloc(1);
      this.fn(Fn.stl, c);
      this.fn(Fn.ldl, m + 1);
      this.fn(Fn.ldl, m);
      this.fn(Fn.ldl, c);
    }
    this.op(Op.move);
  }

  private literalLabel(e: Expr, bytes: Uint8Array): Label {
    let l = this.literalLabels.get(e);
    if (!l) {
      l = this.label('table');
      this.literalLabels.set(e, l);
      this.pool.push({ kind: 'label', label: l }, { kind: 'data', bytes }, { kind: 'align' });
    }
    return l;
  }

  /** A string literal's bytes in the constant pool (a message sent from it, for example). */
  private stringLabel(bytes: Uint8Array): Label {
    const l = this.label('string');
    this.pool.push({ kind: 'label', label: l }, { kind: 'data', bytes }, { kind: 'align' });
    return l;
  }

  private poolLabel(sym: ConstSymbol): Label {
    let l = this.poolLabels.get(sym);
    if (!l) {
      l = this.label(`const.${sym.name}`);
      this.poolLabels.set(sym, l);
      this.pool.push({ kind: 'label', label: l }, { kind: 'data', bytes: sym.value as Uint8Array }, { kind: 'align' });
    }
    return l;
  }

  // ------------------------------------------------------------------------------------------------ expressions

  /** Registers needed to evaluate `e` (Sethi-Ullman), at most 3: deeper expressions spill to temporaries. */
  private depth(e: Expr): number {
    if (e.constValue !== undefined) return 1;
    switch (e.kind) {
      case 'name':
        return 1;
      case 'call':
        return this.hoisted.has(e) ? 1 : MAX_REGS;
      case 'size':
        return needsPrep(e.operand) ? MAX_REGS : this.dimWord(e.operand, 0).depth;
      case 'subscript':
        return Math.max(this.addressDepth(e), 1);
      case 'monadic':
        return Math.max(this.depth(e.operand), e.op === '-' || e.op === 'NOT' || e.op === 'BITNOT' || e.op === '~' ? (isByteType(e) ? 2 : 1) : 2);
      case 'conversion':
        return Math.max(this.depth(e.operand), needsRangeCheck(e) ? 2 : 1);
      case 'dyadic': {
        if (e.op === 'AND' || e.op === 'OR') {
          // A FUNCTION call on the right is made only when needed, which needs an empty stack.
          if (hasCall(e.right)) return MAX_REGS;
          return Math.max(this.depth(e.left), this.depth(e.right));
        }
        const l = this.depth(e.left);
        const r = this.depth(e.right);
        let d = l === r ? Math.min(MAX_REGS, l + 1) : Math.max(l, r);
        if (e.op === 'AFTER' || isByteType(e.left)) d = Math.max(d, 2);
        return d;
      }
      default:
        return 1;
    }
  }

  /** Evaluate `e` into A. Uses at most depth(e) registers. */
  private expr(e: Expr): void {
    if (e.constValue !== undefined) {
      this.fn(Fn.ldc, Number(BigInt.asIntN(32, e.constValue)));
      return;
    }
    switch (e.kind) {
      case 'name': {
        const sym = e.decl!;
        if (this.refs.has(sym)) {
          // A reference may point into a BYTE array, so BYTE and BOOL are read as bytes.
          this.loadSlot(storageOf(sym));
          if (byteSize((sym as AbbrevSymbol).type) === 1) this.op(Op.lb);
          else this.fn(Fn.ldnl, 0);
        } else this.loadSlot(storageOf(sym));
        return;
      }
      case 'call': {
        const st = this.hoisted.get(e);
        if (st) this.loadSlot(st);
        // A call not evaluated in advance reports depth 3, so it is evaluated with nothing on the stack.
        else this.callRoutine(callees.get(e)!, e.args);
        return;
      }
      case 'size':
        if (needsPrep(e.operand)) this.arrayRef(e.operand).dims[0]!.emit();
        else this.dimWord(e.operand, 0).emit();
        return;
      case 'subscript': {
        const local = this.localSlot(e);
        if (local) {
          this.fn(Fn.ldl, local);
          return;
        }
        this.elementAddress(e);
        if (byteSize(e.type!) === 1) this.op(Op.lb);
        else this.fn(Fn.ldnl, 0);
        return;
      }
      case 'monadic':
        this.monadic(e);
        return;
      case 'conversion':
        this.conversion(e);
        return;
      case 'dyadic':
        this.dyadic(e);
        return;
      default:
        throw new Error(`codegen: cannot evaluate a ${e.kind} expression yet`);
    }
  }

  private monadic(e: Extract<Expr, { kind: 'monadic' }>): void {
    this.expr(e.operand);
    const byte = isByteType(e);
    switch (e.op) {
      case 'NOT':
        this.fn(Fn.eqc, 0);
        return;
      case '-':
        // -x = ~x + 1; adc overflows exactly when x is the most negative value.
        this.op(Op.not);
        this.check(e.span, `arithmetic overflow in \`${exprText(e)}\``);
        this.fn(Fn.adc, 1);
        if (byte) this.byteCheck(e);
        return;
      case 'MINUS':
        this.fn(Fn.ldc, 0);
        this.op(Op.rev);
        this.op(Op.diff);
        if (byte) this.byteMask();
        return;
      case '~':
      case 'BITNOT':
        if (byte) {
          this.fn(Fn.ldc, 0xff);
          this.op(Op.xor);
        } else this.op(Op.not);
        return;
    }
  }

  private conversion(e: Extract<Expr, { kind: 'conversion' }>): void {
    this.expr(e.operand);
    if (!needsRangeCheck(e)) return;
    const target = e.type!;
    const limit = isPrim(target, 'BOOL') ? 2 : 256;
    this.fn(Fn.ldc, limit);
    this.check(e.span, `\`${exprText(e.operand)}\` is out of range for ${isPrim(target, 'BOOL') ? 'BOOL' : 'BYTE'} in \`${exprText(e)}\``);
    this.op(Op.csub0);
  }

  private dyadic(e: Extract<Expr, { kind: 'dyadic' }>): void {
    const op = e.op;
    if (op === 'AND' || op === 'OR') return this.logical(e);
    const byte = isByteType(e.left);
    // Forms with a constant right operand that need no second register.
    const k = e.right.constValue;
    if (k !== undefined && (op === '=' || op === '<>')) {
      this.expr(e.left);
      this.fn(Fn.eqc, Number(BigInt.asIntN(32, k)));
      if (op === '<>') this.fn(Fn.eqc, 0);
      return;
    }
    if (k !== undefined && op === '+' && !byte) {
      this.expr(e.left);
      this.check(e.span, `arithmetic overflow in \`${exprText(e)}\``);
      this.fn(Fn.adc, Number(k));
      return;
    }
    // `a < b` is `b > a`; `a <= b` is NOT (a > b); `a >= b` is NOT (b > a).
    const swap = op === '<' || op === '>=';
    this.operands(swap ? e.right : e.left, swap ? e.left : e.right);
    const overflow = `arithmetic overflow in \`${exprText(e)}\``;
    switch (op) {
      case '+':
        this.check(e.span, overflow);
        this.op(Op.add);
        if (byte) this.byteCheck(e);
        return;
      case '-':
        this.check(e.span, overflow);
        this.op(Op.sub);
        if (byte) this.byteCheck(e);
        return;
      case '*':
        this.check(e.span, overflow);
        this.op(Op.mul);
        if (byte) this.byteCheck(e);
        return;
      case '/':
        this.check(e.span, `division by zero or overflow in \`${exprText(e)}\``);
        this.op(Op.div);
        return;
      case '\\':
      case 'REM':
        this.check(e.span, `division by zero in \`${exprText(e)}\``);
        this.op(Op.rem);
        return;
      case 'PLUS':
        this.op(Op.sum);
        if (byte) this.byteMask();
        return;
      case 'MINUS':
        this.op(Op.diff);
        if (byte) this.byteMask();
        return;
      case 'TIMES':
        this.op(Op.prod);
        if (byte) this.byteMask();
        return;
      case '/\\':
      case 'BITAND':
        this.op(Op.and);
        return;
      case '\\/':
      case 'BITOR':
        this.op(Op.or);
        return;
      case '><':
        this.op(Op.xor);
        return;
      case '<<':
      case '>>': {
        const bits = byte ? 8 : 32;
        if (k === undefined) {
          // The count is in A: it must lie in 0..bits.
          this.fn(Fn.ldc, bits + 1);
          this.check(e.right.span, `shift count out of range 0..${bits} in \`${exprText(e)}\``);
          this.op(Op.csub0);
        }
        this.op(op === '<<' ? Op.shl : Op.shr);
        if (byte && op === '<<') this.byteMask();
        return;
      }
      case '=':
        this.op(Op.diff);
        this.fn(Fn.eqc, 0);
        return;
      case '<>':
        this.op(Op.diff);
        this.fn(Fn.eqc, 0);
        this.fn(Fn.eqc, 0);
        return;
      case '>':
      case '<':
        this.op(Op.gt);
        return;
      case '<=':
      case '>=':
        this.op(Op.gt);
        this.fn(Fn.eqc, 0);
        return;
      case 'AFTER':
        // a AFTER b is (a MINUS b) > 0.
        this.op(Op.diff);
        this.fn(Fn.ldc, 0);
        this.op(Op.gt);
        return;
    }
  }

  /** Leave `left` in B and `right` in A, in the order that needs fewest registers, spilling if both need 3. */
  private operands(left: Expr, right: Expr): void {
    const l = this.depth(left);
    const r = this.depth(right);
    if (l >= MAX_REGS && r >= MAX_REGS) {
      const mark = this.frame.mark();
      const t = this.frame.alloc(1);
      this.expr(right);
      this.fn(Fn.stl, t);
      this.expr(left);
      this.fn(Fn.ldl, t);
      this.frame.release(mark);
    } else if (r > l) {
      this.expr(right);
      this.expr(left);
      this.op(Op.rev);
    } else {
      this.expr(left);
      this.expr(right);
    }
  }

  /** AND and OR evaluate the right operand only when needed (a taken cj leaves 0 in A). */
  private logical(e: Extract<Expr, { kind: 'dyadic' }>): void {
    const done = this.label(e.op === 'AND' ? 'and' : 'or');
    // The stack is empty after the cj falls through, so FUNCTION calls on the right can be made there.
    const right = (): void => this.statement([e.right], () => this.expr(e.right));
    if (e.op === 'AND') {
      this.expr(e.left);
      this.jump(Fn.cj, done);
      right();
      this.place(done);
    } else {
      this.expr(e.left);
      this.fn(Fn.eqc, 0);
      this.jump(Fn.cj, done);
      right();
      this.fn(Fn.eqc, 0);
      this.place(done);
      this.fn(Fn.eqc, 0);
    }
  }

  private byteCheck(e: Expr): void {
    this.fn(Fn.ldc, 256);
    this.check(e.span, `BYTE overflow in \`${exprText(e)}\` (a BYTE holds 0..255)`);
    this.op(Op.csub0);
  }

  private byteMask(): void {
    this.fn(Fn.ldc, 0xff);
    this.op(Op.and);
  }
}

/** Whether an array expression runs code before its address is known (a segment, a built table). */
function needsPrep(e: Expr): boolean {
  switch (e.kind) {
    case 'slice':
    case 'constructor':
      return true;
    case 'table':
      return !e.constBytes;
    case 'subscript':
      return needsPrep(e.base);
    case 'direction':
      return needsPrep(e.channel);
    default:
      return false;
  }
}

/** Bytes of the innermost element type of a (possibly nested) array type. */
function innerBytes(t: Type): number {
  let x = t;
  while (x.kind === 'array') x = x.elem;
  return byteSize(x) ?? 4;
}

/** Whether an expression contains a FUNCTION call. */
function hasCall(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return true;
    case 'dyadic':
      return hasCall(e.left) || hasCall(e.right);
    case 'monadic':
    case 'conversion':
    case 'size':
      return hasCall(e.operand);
    case 'subscript':
      return hasCall(e.base) || hasCall(e.index);
    case 'slice':
      return hasCall(e.base) || (e.start !== null && hasCall(e.start)) || (e.count !== null && hasCall(e.count));
    case 'table':
      return e.elems.some(hasCall);
    case 'direction':
      return hasCall(e.channel);
    default:
      return false;
  }
}

function isByteType(e: Expr): boolean {
  return e.type !== undefined && isPrim(e.type, 'BYTE');
}

function needsRangeCheck(e: Extract<Expr, { kind: 'conversion' }>): boolean {
  const to = e.type!;
  const from = e.operand.type!;
  if (isPrim(to, 'BYTE')) return !isPrim(from, 'BYTE', 'BOOL');
  if (isPrim(to, 'BOOL')) return !isPrim(from, 'BOOL');
  return false;
}

function wordsFor(t: Type): number {
  const bytes = byteSize(t) ?? 4;
  if (t.kind === 'prim') return 1;
  return Math.max(1, Math.ceil(bytes / 4));
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


function setStorage(sym: VarSymbol | ParamSymbol | AbbrevSymbol, s: Storage): void {
  sym.frame = s.frame;
  sym.slot = undefined;
  storage.set(sym, s);
}

const storage = new WeakMap<Symbol, Storage>();

function storageOf(sym: Symbol): Storage {
  const s = storage.get(sym);
  if (!s) throw new Error(`codegen: \`${sym.name}\` has no storage`);
  return s;
}

export type { ProcDef };
