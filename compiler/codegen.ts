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
import { realBytes } from './numeric.js';
import { BELOW_IO, BELOW_TIMER, CALL_WORDS, type Deferred, Frame } from './workspace.js';
import { Fn, FpOp, MOST_NEG, Op } from '../emulator/isa.js';
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

export interface CodegenOptions {
  /** Emit the subscript, conversion and shift-count range checks (default true). */
  readonly rangeChecks?: boolean;
  /**
   * The checked runtime library (compiler/runtime64.ts: INT64 multiply and divide, written in occam), asked for
   * only when a program needs it.
   */
  readonly runtime?: () => CheckedProgram;
}

export function generate(checked: CheckedProgram, options: CodegenOptions = {}): Generated {
  return new CodeGen(options.rangeChecks ?? true, options.runtime).program(checked);
}

/** A library routine: its entry label and the words its frame needs. */
export interface LibraryProc {
  readonly label: Label;
  readonly total: Deferred;
}

/** Generate every PROC of a checked library (no boot code, no debug lines: its checks are made by the callers). */
export function generateLibrary(checked: CheckedProgram): { items: Item[]; procs: Map<string, LibraryProc> } {
  return new CodeGen(false, undefined).library(checked);
}

/** What one core of a placed program runs (compiler/placement.ts decides). */
export interface CoreCode {
  /** The PROCs and FUNCTIONs its processes call, defined at the outermost level, in definition order. */
  readonly procs: readonly Routine[];
  /** Its processes, run in parallel when there are several. */
  readonly bodies: readonly Process[];
  /** Replicator indices of the placement and their values on this core. */
  readonly indices: readonly { readonly sym: VarSymbol | AbbrevSymbol; readonly value: number }[];
  /** Variables and channels declared outside the placement that live in this core's memory. */
  readonly locals: readonly VarSymbol[];
  /** Channels at fixed addresses here: mesh channel endpoints and host devices. */
  readonly fixed: ReadonlyMap<Symbol, number>;
  /** Source position of the placement, for the boot code's line entry. */
  readonly span: Span;
}

export function generateCore(code: CoreCode, options: CodegenOptions = {}): Generated {
  return new CodeGen(options.rangeChecks ?? true, options.runtime).coreProgram(code);
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
  /** Channels at a fixed address on this core: mesh channels and host devices (placed programs). */
  private readonly fixedChannels = new Map<Symbol, number>();
  /** Channel expressions whose address has been computed into a temporary for the current communication. */
  private readonly chanTemps = new Map<Expr, Deferred>();

  constructor(
    private readonly rangeChecks: boolean,
    private readonly runtimeSource: (() => CheckedProgram) | undefined,
  ) {}

  library(checked: CheckedProgram): { items: Item[]; procs: Map<string, LibraryProc> } {
    for (const p of checked.procs) this.routine(p);
    this.items.push(...this.nested);
    if (this.pool.length > 0) this.items.push({ kind: 'align' }, ...this.pool);
    const procs = new Map<string, LibraryProc>();
    for (const p of checked.procs) {
      const info = this.procInfo.get(p)!;
      procs.set(p.name, { label: info.label, total: () => info.frame.total() });
    }
    const items = this.items.filter((it) => it.kind !== 'line' && it.kind !== 'check' && it.kind !== 'proc');
    return { items, procs };
  }

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
    if (this.library64) this.items.push({ kind: 'align' }, ...this.library64.items);

    if (this.pool.length > 0) this.items.push({ kind: 'align' }, ...this.pool);
    return { items: this.items, entry, workspaceWords: () => CALL_WORDS + main.frame.total() };
  }

  /** A core's image: the PROCs it calls and a boot process that runs its processes, then halts. */
  coreProgram(code: CoreCode): Generated {
    for (const r of code.procs) this.routine(r);
    this.items.push(...this.nested);
    for (const [sym, addr] of code.fixed) this.fixedChannels.set(sym, addr);
    const entry = this.label('boot');
    this.place(entry);
    this.line(code.span);
    const frame = new Frame(null, Math.max(2, this.maxMemoryWords([...code.bodies])));
    this.frame = frame;
    this.fn(Fn.ajw, () => -frame.size);
    for (const ix of code.indices) {
      const slot = frame.alloc(1);
      setStorage(ix.sym, { frame, slot: () => slot });
      this.fn(Fn.ldc, ix.value);
      this.fn(Fn.stl, slot);
    }
    for (const sym of code.locals) {
      const slot = frame.alloc(wordsFor(sym.type));
      setStorage(sym, { frame, slot: () => slot });
      if (sym.type.kind === 'chan') {
        this.op(Op.mint);
        this.fn(Fn.stl, slot);
      } else if (isChanArray(sym.type)) this.initChannels(slot, wordsFor(sym.type));
    }
    this.par(code.bodies);
    this.fn(Fn.ajw, () => frame.size);
    this.op(Op.haltp);
    if (this.library64) this.items.push({ kind: 'align' }, ...this.library64.items);
    if (this.pool.length > 0) this.items.push({ kind: 'align' }, ...this.pool);
    return { items: this.items, entry, workspaceWords: () => frame.total() };
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

  /**
   * Record in the debug information the variables and channels these specifications declare, with their
   * workspace word offsets, for the code up to the returned label (to be placed where their scope ends).
   */
  private nameScope(specs: readonly Spec[]): Label | null {
    let end: Label | null = null;
    for (const s of specs) {
      if (s.kind !== 'decl') continue;
      for (const sym of s.decls ?? []) {
        const st = storageOf(sym);
        if (st.frame !== this.frame) continue;
        end = end ?? this.label('scope.end');
        const what = sym.type.kind === 'chan' || isChanArray(sym.type) ? 'channel' : sym.type.kind === 'timer' ? 'timer' : 'variable';
        this.items.push({ kind: 'name', name: sym.name, what, slot: st.slot, end });
      }
    }
    return end;
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
    if (def.results.length === 1 && isWide(def.results[0]!.type)) {
      // A two-word result comes back in A (least significant word) and B.
      const p = this.evalWide(def.results[0]!);
      this.word(p, 1);
      this.word(p, 0);
    } else if (def.results.length === 1) {
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
            const wide = isWide(e.type);
            const t = this.frame.alloc(wide ? 2 : 1);
            this.fn(Fn.stl, t);
            if (wide) this.fn(Fn.stl, t + 1);
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
        const end = this.nameScope(p.specs);
        this.process(p.body);
        if (end) this.place(end);
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
        if (sym && sym.kind === 'abbrev' && isWide(sym.type)) {
          const slot = this.frame.alloc(2);
          this.line(s.span);
          this.statement([s.value], () => {
            const mark = this.frame.mark();
            this.evalWideInto(s.value, () => slot);
            this.frame.release(mark);
          });
          setStorage(sym, { frame: this.frame, slot: () => slot });
        } else if (sym && sym.kind === 'abbrev') {
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
    // VAL INT64 and VAL REAL64 pass the address of the value: the element itself, or a temporary.
    if (param.byRef && param.isVal) {
      return [{ emit: () => this.valueAddress(arg), depth: isElement(arg) && arg.constValue === undefined && arg.realValue === undefined ? this.addressDepth(arg) : MAX_REGS }];
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
    this.slotAccess(st, Fn.ldl, Fn.ldnl);
  }

  /** Store A in a slot (uses one more register when the slot is in an enclosing routine). */
  private storeSlot(st: Storage): void {
    this.slotAccess(st, Fn.stl, Fn.stnl);
  }

  private slotAddress(st: Storage): void {
    this.slotAccess(st, Fn.ldlp, Fn.ldnlp);
  }

  /** A slot of this process's own workspace is reached directly; one of an enclosing routine through its static link. */
  private slotAccess(st: Storage, local: number, nonLocal: number): void {
    const r = this.reach(st);
    if ('local' in r) this.fn(local, r.local);
    else {
      r.base();
      this.fn(nonLocal, r.offset);
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
    if (t.kind === 'prim' && (size === 2 || size === 8)) return this.outputNumeric(chan, item, size);
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
    this.channelSite(chan);
    this.op(opcode);
  }

  /** Name the channel of the next channel instruction in the debug information. */
  private channelSite(chan: Expr): void {
    this.items.push({ kind: 'channel', name: exprText(chan.kind === 'direction' ? chan.channel : chan) });
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
    this.channelSite(chan);
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
      const fixed = this.fixedChannels.get(sym);
      if (fixed !== undefined) {
        this.fn(Fn.ldc, fixed);
        return;
      }
      // A channel parameter or abbreviation holds the channel's address; a declared channel is the word itself.
      if (sym.kind === 'param' || this.refs.has(sym)) this.loadSlot(storageOf(sym));
      else this.slotAddress(storageOf(sym));
      return;
    }
    this.elementAddress(e);
  }

  // ------------------------------------------------------------------------------------------------ assignment

  private assign(targets: readonly Expr[], values: readonly Expr[]): void {
    if (targets.length > 1 && targets.some((t) => isWide(t.type!))) return this.assignWideMulti(targets, values);
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
    if (this.storeNumeric(target, value)) return;
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
    if (byteSize(target.type!) === 2) return this.store16(target, load);
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
      const fixed = this.fixedChannels.get(sym);
      if (fixed !== undefined) this.fn(Fn.ldc, fixed);
      else if (sym.kind === 'const') this.address(this.poolLabel(sym));
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
    if (this.rangeChecks) {
      const bound = this.dimWord(e.base, 0);
      bound.emit();
      this.check(e.span, `subscript out of range in \`${exprText(e)}\`${t.size !== null ? ` (the array has ${t.size} elements)` : ''}`);
      this.op(Op.csub0);
    }
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
    if (type.kind === 'prim' && (isWide(type) || is16(type))) return this.storeNumericAt(value, dst, type);
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
      const v = sym.value;
      const bytes =
        v instanceof Uint8Array
          ? v
          : typeof v === 'number'
            ? realBytes(v, sym.type)
            : new Uint8Array(BigInt64Array.of(BigInt.asIntN(64, v)).buffer).slice(0, Math.max(4, byteSize(sym.type) ?? 4));
      this.pool.push({ kind: 'label', label: l }, { kind: 'data', bytes }, { kind: 'align' });
    }
    return l;
  }

  // ------------------------------------------------------------------------------------------------ expressions

  /** Registers needed to evaluate `e` (Sethi-Ullman), at most 3: deeper expressions spill to temporaries. */
  private depth(e: Expr): number {
    const nd = this.numericDepth(e);
    if (nd !== undefined) return nd;
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
        if (e.op === 'AFTER' || isByteType(e.left) || is16(e.left.type)) d = Math.max(d, 2);
        // A variable shift count is checked with a third register (value, count, limit).
        if ((e.op === '<<' || e.op === '>>') && e.right.constValue === undefined && this.rangeChecks) d = MAX_REGS;
        return d;
      }
      default:
        return 1;
    }
  }

  /** Evaluate `e` into A. Uses at most depth(e) registers. */
  private expr(e: Expr): void {
    if (this.numericExpr(e)) return;
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
        else if (is16(e.type)) this.check16(e);
        return;
      case 'MINUS':
        this.fn(Fn.ldc, 0);
        this.op(Op.rev);
        this.op(Op.diff);
        if (byte) this.byteMask();
        else if (is16(e.type)) this.wrap16();
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
    if (this.numericConversion(e)) return;
    this.expr(e.operand);
    if (!needsRangeCheck(e) || !this.rangeChecks) return;
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
    const i16 = is16(e.left.type);
    if (i16 && op === '>>') return this.shr16(e);
    if (k !== undefined && op === '+' && !byte && !i16) {
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
        else if (i16) this.check16(e);
        return;
      case '-':
        this.check(e.span, overflow);
        this.op(Op.sub);
        if (byte) this.byteCheck(e);
        else if (i16) this.check16(e);
        return;
      case '*':
        this.check(e.span, overflow);
        this.op(Op.mul);
        if (byte) this.byteCheck(e);
        else if (i16) this.check16(e);
        return;
      case '/':
        this.check(e.span, `division by zero or overflow in \`${exprText(e)}\``);
        this.op(Op.div);
        if (i16) this.check16(e);
        return;
      case '\\':
      case 'REM':
        if (i16) return this.rem16(e);
        this.check(e.span, `division by zero in \`${exprText(e)}\``);
        this.op(Op.rem);
        return;
      case 'PLUS':
        this.op(Op.sum);
        if (byte) this.byteMask();
        else if (i16) this.wrap16();
        return;
      case 'MINUS':
        this.op(Op.diff);
        if (byte) this.byteMask();
        else if (i16) this.wrap16();
        return;
      case 'TIMES':
        this.op(Op.prod);
        if (byte) this.byteMask();
        else if (i16) this.wrap16();
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
        const bits = byte ? 8 : i16 ? 16 : 32;
        if (k === undefined && this.rangeChecks) {
          // The count is in A: it must lie in 0..bits.
          this.fn(Fn.ldc, bits + 1);
          this.check(e.right.span, `shift count out of range 0..${bits} in \`${exprText(e)}\``);
          this.op(Op.csub0);
        }
        this.op(op === '<<' ? Op.shl : Op.shr);
        if (byte && op === '<<') this.byteMask();
        else if (i16) this.wrap16();
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
        if (i16) this.wrap16();
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

  // ------------------------------------------------------------------------------------------------ numeric types
  // INT32 is INT by another name. INT16 values sit sign-extended in words (two bytes in arrays and messages: loads
  // sign-extend, arithmetic is checked against the 16-bit range). INT64 and REAL64 values are two words and never
  // sit on the register stack: they are computed into workspace temporaries ("places") with the long-arithmetic
  // instructions or the FPU. REAL32 and REAL64 arithmetic runs on the FPU stack (FA, FB, FC, spilling when deeper);
  // a REAL32 value that an integer context needs (a VAL parameter, an output) travels as its bit pattern.

  /** Registers needed by expressions the numeric code generates, or undefined for the classic cases. */
  private numericDepth(e: Expr): number | undefined {
    const t = e.type;
    if (!t) return undefined;
    if (isWide(t)) return MAX_REGS;
    if (isPrim(t, 'REAL32')) {
      if (e.realValue !== undefined) return 1;
      if (e.kind === 'name' || e.kind === 'subscript' || e.kind === 'call') return undefined;
      return MAX_REGS;
    }
    if (e.constValue !== undefined) return undefined;
    if (e.kind === 'conversion') {
      const from = e.operand.type!;
      if (isReal(from) || isWide(from)) return MAX_REGS;
      if (is16(t) && !isPrim(from, 'INT16', 'BYTE', 'BOOL')) return Math.max(this.depth(e.operand), 2);
      return undefined;
    }
    if (e.kind === 'dyadic' && e.left.type && (isReal(e.left.type) || isWide(e.left.type))) return MAX_REGS;
    if (is16(t)) {
      if (e.kind === 'name') {
        const sym = e.decl!;
        if (sym.kind === 'var') return 2;
        if (sym.kind === 'param' && sym.byRef) return MAX_REGS;
        return undefined;
      }
      if (e.kind === 'subscript') return MAX_REGS;
      if (e.kind === 'monadic') return Math.max(this.depth(e.operand), 2);
      // The remainder's MOSTNEG \\ -1 check needs the whole stack.
      if (e.kind === 'dyadic' && (e.op === '\\' || e.op === 'REM')) return MAX_REGS;
      if (e.kind === 'dyadic' && e.op === '>>') {
        return e.right.constValue === undefined ? MAX_REGS : Math.max(this.depth(e.left), 2);
      }
    }
    return undefined;
  }

  /** Evaluate the expressions the numeric code handles into A; false for the classic cases. */
  private numericExpr(e: Expr): boolean {
    const t = e.type;
    if (!t) return false;
    if (isWide(t)) throw new Error('codegen: a two-word value cannot be loaded into a register');
    if (isPrim(t, 'REAL32')) {
      if (e.realValue !== undefined) {
        this.fn(Fn.ldc, float32Bits(e.realValue));
        return true;
      }
      if (e.kind === 'name' || e.kind === 'subscript' || e.kind === 'call') return false;
      // Computed on the FPU; the bits come over through a temporary.
      const mark = this.frame.mark();
      const tmp = this.frame.alloc(1);
      this.fexpr(e);
      this.fn(Fn.ldlp, tmp);
      this.op(Op.fpstnlsn);
      this.fn(Fn.ldl, tmp);
      this.frame.release(mark);
      return true;
    }
    if (e.constValue !== undefined) return false;
    if (e.kind === 'dyadic' && e.left.type && (isReal(e.left.type) || isWide(e.left.type))) {
      this.numericCompare(e);
      return true;
    }
    if (is16(t)) {
      if (e.kind === 'name') {
        const sym = e.decl!;
        if (this.refs.has(sym)) {
          this.loadSlot(storageOf(sym));
          this.load16();
          return true;
        }
        if (sym.kind === 'var') {
          // Two-byte stores through a reference may leave the upper half of the word stale.
          this.loadSlot(storageOf(sym));
          this.wrap16();
          return true;
        }
        return false;
      }
      if (e.kind === 'subscript') {
        this.elementAddress(e);
        this.load16();
        return true;
      }
    }
    return false;
  }

  /** Sign-extend the low 16 bits of A. */
  private wrap16(): void {
    this.fn(Fn.ldc, 0x8000);
    this.op(Op.xword);
  }

  /** Error unless A holds a value in the INT16 range. */
  private check16(e: Expr): void {
    this.fn(Fn.ldc, 0x8000);
    this.check(e.span, `INT16 overflow in \`${exprText(e)}\` (an INT16 holds -32768..32767)`);
    this.op(Op.cword);
  }

  /** Replace the address in A by the INT16 stored there (two bytes, little-endian, sign-extended). */
  private load16(): void {
    this.op(Op.dup);
    this.op(Op.lb);
    this.op(Op.rev);
    this.fn(Fn.adc, 1);
    this.op(Op.lb);
    this.fn(Fn.ldc, 8);
    this.op(Op.shl);
    this.op(Op.or);
    this.wrap16();
  }

  /** Store the INT16 that `load` pushes into a two-byte element. */
  private store16(target: Expr, load: () => void): void {
    const mark = this.frame.mark();
    const tv = this.frame.alloc(1);
    const ta = this.frame.alloc(1);
    load();
    this.fn(Fn.stl, tv);
    this.elementAddress(target);
    this.fn(Fn.stl, ta);
    this.fn(Fn.ldl, tv);
    this.fn(Fn.ldl, ta);
    this.op(Op.sb);
    this.fn(Fn.ldl, tv);
    this.fn(Fn.ldc, 8);
    this.op(Op.shr);
    this.fn(Fn.ldl, ta);
    this.fn(Fn.adc, 1);
    this.op(Op.sb);
    this.frame.release(mark);
  }

  /** INT16 `>>` is logical on the 16-bit pattern: mask first, shift, sign-extend. */
  private shr16(e: Extract<Expr, { kind: 'dyadic' }>): void {
    const mark = this.frame.mark();
    const t = this.frame.alloc(1);
    this.expr(e.left);
    this.fn(Fn.ldc, 0xffff);
    this.op(Op.and);
    this.fn(Fn.stl, t);
    this.expr(e.right);
    if (e.right.constValue === undefined && this.rangeChecks) {
      this.fn(Fn.ldc, 17);
      this.check(e.right.span, `shift count out of range 0..16 in \`${exprText(e)}\``);
      this.op(Op.csub0);
    }
    this.fn(Fn.ldl, t);
    this.op(Op.rev);
    this.op(Op.shr);
    this.wrap16();
    this.frame.release(mark);
  }

  /** INT16 `\\`: MOSTNEG INT16 \\ -1 overflows as the division does (rem itself works on 32 bits). */
  private rem16(e: Extract<Expr, { kind: 'dyadic' }>): void {
    const mark = this.frame.mark();
    const ta = this.frame.alloc(1);
    const tb = this.frame.alloc(1);
    this.fn(Fn.stl, tb);
    this.fn(Fn.stl, ta);
    this.fn(Fn.ldl, ta);
    this.fn(Fn.adc, 0x8000);
    this.fn(Fn.ldl, tb);
    this.fn(Fn.adc, 1);
    this.op(Op.or);
    this.fn(Fn.eqc, 0);
    this.fn(Fn.ldc, 1);
    this.check(e.span, `arithmetic overflow in \`${exprText(e)}\``);
    this.op(Op.csub0);
    this.fn(Fn.ldl, ta);
    this.fn(Fn.ldl, tb);
    this.check(e.span, `division by zero in \`${exprText(e)}\``);
    this.op(Op.rem);
    this.frame.release(mark);
  }

  /** Narrow the INT in A to a smaller target type, with the range check. */
  private narrowInt(to: Type, e: Expr): void {
    if (!this.rangeChecks) {
      if (isPrim(to, 'BYTE')) this.byteMask();
      return;
    }
    const what = `\`${exprText(e.kind === 'conversion' ? e.operand : e)}\` is out of range for ${typeNameOf(to)} in \`${exprText(e)}\``;
    if (isPrim(to, 'BYTE') || isPrim(to, 'BOOL')) {
      this.fn(Fn.ldc, isPrim(to, 'BYTE') ? 256 : 2);
      this.check(e.span, what);
      this.op(Op.csub0);
    } else if (is16(to)) {
      this.fn(Fn.ldc, 0x8000);
      this.check(e.span, what);
      this.op(Op.cword);
    }
  }

  /** Conversions to INT, INT32, INT16, BYTE or BOOL that involve the new types; false for the classic cases. */
  private numericConversion(e: Extract<Expr, { kind: 'conversion' }>): boolean {
    const to = e.type!;
    const from = e.operand.type!;
    if (isReal(from)) {
      const mark = this.frame.mark();
      const tmp = this.frame.alloc(1);
      this.fexpr(e.operand);
      if (e.mode === 'TRUNC') this.fpentry(FpOp.fpurz);
      this.op(Op.fprtoi32);
      if (this.rangeChecks) {
        this.check(e.span, `\`${exprText(e.operand)}\` is out of range for ${typeNameOf(to)} in \`${exprText(e)}\``);
        this.op(Op.fpchkerr);
      }
      this.fn(Fn.ldlp, tmp);
      this.op(Op.fpstnli32);
      this.fn(Fn.ldl, tmp);
      this.frame.release(mark);
      this.narrowInt(to, e);
      return true;
    }
    if (isPrim(from, 'INT64')) {
      const mark = this.frame.mark();
      const p = this.evalWide(e.operand);
      this.word(p, 1);
      this.word(p, 0);
      if (this.rangeChecks) {
        this.check(e.span, `\`${exprText(e.operand)}\` is out of range for ${typeNameOf(to)} in \`${exprText(e)}\``);
        this.op(Op.csngl);
      }
      this.frame.release(mark);
      this.narrowInt(to, e);
      return true;
    }
    if (is16(to) && !isPrim(from, 'INT16', 'BYTE', 'BOOL')) {
      this.expr(e.operand);
      this.narrowInt(to, e);
      return true;
    }
    return false;
  }

  private fpentry(sel: number): void {
    this.fn(Fn.ldc, sel);
    this.op(Op.fpentry);
  }

  /** A pool constant holding a real value; the same value and type share one entry. */
  private realConst(v: number, t: Type): Label {
    const key = `${isPrim(t, 'REAL32') ? 's' : 'd'}${Object.is(v, -0) ? '-0' : String(v)}`;
    let l = this.realPool.get(key);
    if (!l) {
      l = this.label('real');
      this.realPool.set(key, l);
      this.pool.push({ kind: 'align' }, { kind: 'label', label: l }, { kind: 'data', bytes: realBytes(v, t) }, { kind: 'align' });
    }
    return l;
  }

  private readonly realPool = new Map<string, Label>();

  // -------------------------------------------------------------------------------------------- two-word values

  /** A two-word value (INT64 or REAL64) in memory, evaluating it into temporaries if it is computed. */
  private evalWide(e: Expr): Place {
    const t = e.type!;
    if (e.constValue !== undefined) {
      const v = BigInt.asUintN(64, e.constValue);
      return { kind: 'const', lo: Number(BigInt.asIntN(32, v)), hi: Number(BigInt.asIntN(32, v >> 32n)) };
    }
    if (e.realValue !== undefined) return { kind: 'pool', label: this.realConst(e.realValue, t) };
    if (e.kind === 'call') {
      const st = this.hoisted.get(e);
      if (st) return { kind: 'slot', st };
      const r = this.frame.alloc(2);
      this.callRoutine(callees.get(e)!, e.args);
      this.fn(Fn.stl, r);
      this.fn(Fn.stl, r + 1);
      return { kind: 'slot', st: this.temp(r) };
    }
    if (e.kind === 'name') {
      const sym = e.decl!;
      if (this.refs.has(sym)) return { kind: 'ptr', st: storageOf(sym) };
      return { kind: 'slot', st: storageOf(sym) };
    }
    if (e.kind === 'subscript') {
      const a = this.frame.alloc(1);
      this.elementAddress(e);
      this.fn(Fn.stl, a);
      return { kind: 'ptr', st: this.temp(a) };
    }
    const r = this.frame.alloc(2);
    this.evalWideInto(e, () => r);
    return { kind: 'slot', st: this.temp(r) };
  }

  /** Storage for a temporary slot of the current frame. */
  private temp(slot: number): Storage {
    return { frame: this.frame, slot: () => slot };
  }

  /** Storage `words` words above another's. */
  private shifted(st: Storage, words: number): Storage {
    return words === 0 ? st : { frame: st.frame, slot: () => st.slot() + words };
  }

  /** Push word i (0 = least significant) of a place: one register. */
  private word(p: Place, i: number): void {
    switch (p.kind) {
      case 'slot':
        this.loadSlot(this.shifted(p.st, i));
        return;
      case 'ptr':
        this.loadSlot(p.st);
        this.fn(Fn.ldnl, i);
        return;
      case 'const':
        this.fn(Fn.ldc, i === 0 ? p.lo : p.hi);
        return;
      case 'pool':
        this.address(p.label);
        this.fn(Fn.ldnl, i);
        return;
    }
  }

  /** Push the address of a place (constants are first written to a temporary). */
  private placeAddress(p: Place, wordOffset = 0): void {
    switch (p.kind) {
      case 'slot':
        this.slotAddress(this.shifted(p.st, wordOffset));
        return;
      case 'ptr':
        this.loadSlot(p.st);
        if (wordOffset) this.fn(Fn.ldnlp, wordOffset);
        return;
      case 'pool':
        this.address(p.label);
        if (wordOffset) this.fn(Fn.ldnlp, wordOffset);
        return;
      case 'const': {
        const t = this.frame.alloc(2);
        this.fn(Fn.ldc, p.lo);
        this.fn(Fn.stl, t);
        this.fn(Fn.ldc, p.hi);
        this.fn(Fn.stl, t + 1);
        this.fn(Fn.ldlp, t + wordOffset);
        return;
      }
    }
  }

  private copyPlace(p: Place, r: Deferred): void {
    this.word(p, 0);
    this.fn(Fn.stl, r);
    this.word(p, 1);
    this.fn(Fn.stl, () => r() + 1);
  }

  /** Evaluate an INT64 or REAL64 expression into the two workspace words at slot r. */
  private evalWideInto(e: Expr, r: Deferred): void {
    const r1: Deferred = () => r() + 1;
    if (isPrim(e.type!, 'REAL64')) {
      this.fexpr(e);
      this.fn(Fn.ldlp, r);
      this.op(Op.fpstnldb);
      return;
    }
    if (e.constValue !== undefined || e.kind === 'name' || e.kind === 'subscript' || e.kind === 'call') {
      const mark = this.frame.mark();
      this.copyPlace(this.evalWide(e), r);
      this.frame.release(mark);
      return;
    }
    const mark = this.frame.mark();
    const overflow = `arithmetic overflow in \`${exprText(e)}\``;
    switch (e.kind) {
      case 'conversion': {
        const from = e.operand.type!;
        if (isPrim(from, 'INT64')) this.copyPlace(this.evalWide(e.operand), r);
        else if (isReal(from)) this.realToInt64(e, r);
        else {
          this.expr(e.operand);
          this.op(Op.xdble);
          this.fn(Fn.stl, r);
          this.fn(Fn.stl, r1);
        }
        break;
      }
      case 'monadic': {
        const x = this.evalWide(e.operand);
        if (e.op === '-' || e.op === 'MINUS') {
          this.fn(Fn.ldc, 0);
          this.fn(Fn.ldc, 0);
          this.word(x, 0);
          this.op(Op.ldiff);
          this.fn(Fn.stl, r);
          this.fn(Fn.ldc, 0);
          this.word(x, 1);
          if (e.op === '-') {
            this.check(e.span, overflow);
            this.op(Op.lsub);
          } else this.op(Op.ldiff);
          this.fn(Fn.stl, r1);
        } else {
          this.word(x, 0);
          this.op(Op.not);
          this.fn(Fn.stl, r);
          this.word(x, 1);
          this.op(Op.not);
          this.fn(Fn.stl, r1);
        }
        break;
      }
      case 'dyadic':
        this.dyadic64(e, r, overflow);
        break;
      default:
        throw new Error(`codegen: cannot evaluate a ${e.kind} INT64 expression`);
    }
    this.frame.release(mark);
  }

  private dyadic64(e: Extract<Expr, { kind: 'dyadic' }>, r: Deferred, overflow: string): void {
    const r1: Deferred = () => r() + 1;
    const op = e.op;
    if (op === '<<' || op === '>>') {
      const a = this.evalWide(e.left);
      const k = e.right.constValue;
      let count: () => void;
      if (k !== undefined) count = () => this.fn(Fn.ldc, Number(k));
      else {
        const tn = this.frame.alloc(1);
        this.expr(e.right);
        if (this.rangeChecks) {
          this.fn(Fn.ldc, 65);
          this.check(e.right.span, `shift count out of range 0..64 in \`${exprText(e)}\``);
          this.op(Op.csub0);
        }
        this.fn(Fn.stl, tn);
        count = () => this.fn(Fn.ldl, tn);
      }
      this.word(a, 1);
      this.word(a, 0);
      count();
      this.op(op === '<<' ? Op.lshl : Op.lshr);
      this.fn(Fn.stl, r);
      this.fn(Fn.stl, r1);
      return;
    }
    if (op === '*' || op === '/' || op === '\\' || op === 'REM') return this.muldiv64(e, r);
    const a = this.evalWide(e.left);
    const b = this.evalWide(e.right);
    switch (op) {
      case '+':
      case 'PLUS':
      case '-':
      case 'MINUS': {
        const add = op === '+' || op === 'PLUS';
        this.fn(Fn.ldc, 0);
        this.word(a, 0);
        this.word(b, 0);
        this.op(add ? Op.lsum : Op.ldiff);
        this.fn(Fn.stl, r);
        this.word(a, 1);
        this.word(b, 1);
        if (op === '+' || op === '-') this.check(e.span, overflow);
        this.op(op === '+' ? Op.ladd : op === '-' ? Op.lsub : add ? Op.lsum : Op.ldiff);
        this.fn(Fn.stl, r1);
        return;
      }
      case 'TIMES':
        this.fn(Fn.ldc, 0);
        this.word(a, 0);
        this.word(b, 0);
        this.op(Op.lmul);
        this.fn(Fn.stl, r);
        this.word(a, 0);
        this.word(b, 1);
        this.op(Op.prod);
        this.op(Op.sum);
        this.word(a, 1);
        this.word(b, 0);
        this.op(Op.prod);
        this.op(Op.sum);
        this.fn(Fn.stl, r1);
        return;
      case '/\\':
      case 'BITAND':
      case '\\/':
      case 'BITOR':
      case '><': {
        const code = op === '><' ? Op.xor : op === '/\\' || op === 'BITAND' ? Op.and : Op.or;
        for (let i = 0; i < 2; i++) {
          this.word(a, i);
          this.word(b, i);
          this.op(code);
          this.fn(Fn.stl, i === 0 ? r : r1);
        }
        return;
      }
      default:
        throw new Error(`codegen: INT64 operator ${op}`);
    }
  }

  /** Checked INT64 `*`, `/` and `\\`: a call to a shared routine; errors are reported at the expression. */
  private muldiv64(e: Extract<Expr, { kind: 'dyadic' }>, r: Deferred): void {
    const a = this.evalWide(e.left);
    const b = this.evalWide(e.right);
    const flag = this.frame.alloc(1);
    const q = this.frame.alloc(2);
    const rem = this.frame.alloc(2);
    if (e.op !== '*') {
      // Division by zero, and MOSTNEG INT64 / -1, are reported here rather than inside the routine.
      this.word(b, 0);
      this.word(b, 1);
      this.op(Op.or);
      this.fn(Fn.eqc, 0);
      this.fn(Fn.ldc, 1);
      this.check(e.span, `division by zero in \`${exprText(e)}\``);
      this.op(Op.csub0);
      {
        // (a = MOSTNEG) AND (b = -1): a.lo = 0, a.hi = MOSTNEG, b.lo = b.hi = -1. An overflow for \\ too.
        this.word(a, 0);
        this.word(a, 1);
        this.op(Op.mint);
        this.op(Op.xor);
        this.op(Op.or);
        this.word(b, 0);
        this.word(b, 1);
        this.op(Op.and);
        this.op(Op.not);
        this.op(Op.or);
        this.fn(Fn.eqc, 0);
        this.fn(Fn.ldc, 1);
        this.check(e.span, `arithmetic overflow in \`${exprText(e)}\``);
        this.op(Op.csub0);
      }
    }
    // occmesh.mul64 (VAL INT64 a, b, INT64 r, INT overflow) and occmesh.div64 (VAL INT64 a, b, INT64 q, r):
    // parameter 3 goes in W[0], the others in C, B, A.
    const routine = this.runtime(e.op === '*' ? 'occmesh.mul64' : 'occmesh.div64');
    this.frame.requireChild(() => CALL_WORDS + routine.total());
    this.fn(Fn.ldlp, e.op === '*' ? flag : rem);
    this.fn(Fn.stl, 0);
    this.fn(Fn.ldlp, q);
    this.placeAddress(b);
    this.placeAddress(a);
    this.jump(Fn.call, routine.label);
    if (e.op === '*') {
      this.fn(Fn.ldl, flag);
      this.fn(Fn.ldc, 1);
      this.check(e.span, `arithmetic overflow in \`${exprText(e)}\``);
      this.op(Op.csub0);
    }
    this.copyPlace({ kind: 'slot', st: this.temp(e.op === '*' || e.op === '/' ? q : rem) }, r);
  }

  private library64: { items: Item[]; procs: Map<string, LibraryProc> } | null = null;

  private runtime(name: string): LibraryProc {
    if (!this.library64) {
      if (!this.runtimeSource) throw new Error('codegen: no runtime library for INT64 multiply and divide');
      this.library64 = generateLibrary(this.runtimeSource());
    }
    const p = this.library64.procs.get(name);
    if (!p) throw new Error(`codegen: the runtime library has no ${name}`);
    return p;
  }

  /** REAL32/REAL64 to INT64: round to an integral double, check the range, split into two 32-bit halves. */
  private realToInt64(e: Extract<Expr, { kind: 'conversion' }>, r: Deferred): void {
    const r1: Deferred = () => r() + 1;
    this.fexpr(e.operand);
    if (isPrim(e.operand.type!, 'REAL32')) this.fpentry(FpOp.fpur32tor64);
    if (e.mode === 'TRUNC') this.fpentry(FpOp.fpurz);
    this.op(Op.fpint);
    if (this.rangeChecks) {
      this.fpentry(FpOp.fpuchki64);
      this.check(e.span, `\`${exprText(e.operand)}\` is out of range for INT64 in \`${exprText(e)}\``);
      this.op(Op.fpchkerr);
    }
    this.op(Op.fpdup);
    this.fpentry(FpOp.fpuexpdec32);
    this.fpentry(FpOp.fpurm);
    this.op(Op.fpint);
    this.op(Op.fpdup);
    this.op(Op.fprtoi32);
    this.fn(Fn.ldlp, r1);
    this.op(Op.fpstnli32);
    this.fpentry(FpOp.fpuexpinc32);
    this.op(Op.fpsub);
    // The low half is in 0 .. 2^32 - 1: shift it into the INT32 range and flip the sign bit back afterwards.
    this.address(this.realConst(2147483648, { kind: 'prim', name: 'REAL64' }));
    this.op(Op.fpldnldb);
    this.op(Op.fpsub);
    this.op(Op.fprtoi32);
    this.fn(Fn.ldlp, r);
    this.op(Op.fpstnli32);
    this.fn(Fn.ldl, r);
    this.op(Op.mint);
    this.op(Op.xor);
    this.fn(Fn.stl, r);
  }

  /** INT64 to REAL32/REAL64 on the FPU: hi * 2^32 + lo (lo unsigned), rounded once to REAL64. */
  private int64ToReal(e: Extract<Expr, { kind: 'conversion' }>): void {
    if (isPrim(e.type!, 'REAL32')) return this.int64ToReal32(e);
    const mark = this.frame.mark();
    const p = this.evalWide(e.operand);
    this.placeAddress(p, 1);
    this.op(Op.fpi32tor64);
    this.fpentry(FpOp.fpuexpinc32);
    this.placeAddress(p, 0);
    this.op(Op.fpb32tor64);
    if (e.mode === 'TRUNC') this.fpentry(FpOp.fpurz);
    this.op(Op.fpadd);
    this.frame.release(mark);
  }

  /**
   * INT64 to REAL32, rounded once. Going through REAL64 would round twice when |v| needs more than 53 bits, so
   * such magnitudes are first shifted right 11 places with a sticky bit (any bit shifted out sets the lowest one),
   * which keeps every bit REAL32 rounding looks at; a REAL64 scale of ±1.0 or ±2048.0 puts back the shift and
   * the sign exactly.
   */
  private int64ToReal32(e: Extract<Expr, { kind: 'conversion' }>): void {
    const mark = this.frame.mark();
    const p = this.evalWide(e.operand);
    const mask = this.frame.alloc(1);
    const sticky = this.frame.alloc(1);
    const m = this.frame.alloc(2);
    const sc = this.frame.alloc(2);
    const small = this.label('int64.small');
    // mask = 0 or -1 by the sign; m = |v| as an unsigned 64-bit value.
    this.word(p, 1);
    this.fn(Fn.ldc, 31);
    this.op(Op.shr);
    this.fn(Fn.ldc, 0);
    this.op(Op.rev);
    this.op(Op.diff);
    this.fn(Fn.stl, mask);
    this.fn(Fn.ldc, 0);
    this.word(p, 0);
    this.fn(Fn.ldl, mask);
    this.op(Op.xor);
    this.fn(Fn.ldl, mask);
    this.op(Op.ldiff);
    this.fn(Fn.stl, m);
    this.word(p, 1);
    this.fn(Fn.ldl, mask);
    this.op(Op.xor);
    this.fn(Fn.ldl, mask);
    this.op(Op.ldiff);
    this.fn(Fn.stl, m + 1);
    // The scale: 1.0 with the value's sign.
    this.fn(Fn.ldc, 0);
    this.fn(Fn.stl, sc);
    this.fn(Fn.ldl, mask);
    this.op(Op.mint);
    this.op(Op.and);
    this.fn(Fn.ldc, 0x3ff00000);
    this.op(Op.or);
    this.fn(Fn.stl, sc + 1);
    // Fewer than 54 bits (m.hi < 2^21): exact in REAL64 as it is.
    this.fn(Fn.ldl, m + 1);
    this.fn(Fn.ldc, 21);
    this.op(Op.shr);
    this.jump(Fn.cj, small);
    this.fn(Fn.ldl, m);
    this.fn(Fn.ldc, 0x7ff);
    this.op(Op.and);
    this.fn(Fn.eqc, 0);
    this.fn(Fn.eqc, 0);
    this.fn(Fn.stl, sticky);
    this.fn(Fn.ldl, m + 1);
    this.fn(Fn.ldl, m);
    this.fn(Fn.ldc, 11);
    this.op(Op.lshr);
    this.fn(Fn.stl, m);
    this.fn(Fn.stl, m + 1);
    this.fn(Fn.ldl, m);
    this.fn(Fn.ldl, sticky);
    this.op(Op.or);
    this.fn(Fn.stl, m);
    // Scale by 2^11: add 11 to the exponent field.
    this.fn(Fn.ldl, sc + 1);
    this.fn(Fn.ldc, 11 << 20);
    this.op(Op.sum);
    this.fn(Fn.stl, sc + 1);
    this.place(small);
    this.fn(Fn.ldlp, m + 1);
    this.op(Op.fpb32tor64);
    this.fpentry(FpOp.fpuexpinc32);
    this.fn(Fn.ldlp, m);
    this.op(Op.fpb32tor64);
    this.op(Op.fpadd);
    this.fn(Fn.ldlp, sc);
    this.op(Op.fpldnlmuldb);
    if (e.mode === 'TRUNC') this.fpentry(FpOp.fpurz);
    this.fpentry(FpOp.fpur64tor32);
    this.frame.release(mark);
  }

  /** Comparisons of INT64, REAL32 or REAL64 operands: the BOOL result in A. */
  private numericCompare(e: Extract<Expr, { kind: 'dyadic' }>): void {
    const op = e.op;
    const lt = e.left.type!;
    if (isReal(lt)) {
      const swap = op === '<' || op === '>=';
      this.fOperands(swap ? e.right : e.left, swap ? e.left : e.right);
      this.op(op === '=' || op === '<>' ? Op.fpeq : Op.fpgt);
      if (op === '<>' || op === '<=' || op === '>=') this.fn(Fn.eqc, 0);
      return;
    }
    const mark = this.frame.mark();
    let a = this.evalWide(e.left);
    let b = this.evalWide(e.right);
    switch (op) {
      case '=':
      case '<>':
        this.word(a, 0);
        this.word(b, 0);
        this.op(Op.xor);
        this.word(a, 1);
        this.word(b, 1);
        this.op(Op.xor);
        this.op(Op.or);
        this.fn(Fn.eqc, 0);
        if (op === '<>') this.fn(Fn.eqc, 0);
        break;
      case 'AFTER': {
        // a AFTER b is (a MINUS b) > 0.
        const d = this.frame.alloc(2);
        this.fn(Fn.ldc, 0);
        this.word(a, 0);
        this.word(b, 0);
        this.op(Op.ldiff);
        this.fn(Fn.stl, d);
        this.word(a, 1);
        this.word(b, 1);
        this.op(Op.ldiff);
        this.fn(Fn.stl, d + 1);
        this.greater64({ kind: 'slot', st: this.temp(d) }, { kind: 'const', lo: 0, hi: 0 });
        break;
      }
      default: {
        if (op === '<' || op === '>=') [a, b] = [b, a];
        this.greater64(a, b);
        if (op === '<=' || op === '>=') this.fn(Fn.eqc, 0);
      }
    }
    this.frame.release(mark);
  }

  /**
   * Push a > b (signed 64-bit). The borrow out of b - a says a > b unsigned; when the signs differ the signed
   * answer is the opposite, so XOR in the sign bit of a.hi >< b.hi.
   */
  private greater64(a: Place, b: Place): void {
    this.fn(Fn.ldc, 0);
    this.word(b, 0);
    this.word(a, 0);
    this.op(Op.ldiff);
    this.op(Op.rev);
    this.word(b, 1);
    this.word(a, 1);
    this.op(Op.ldiff);
    this.op(Op.rev);
    this.word(a, 1);
    this.word(b, 1);
    this.op(Op.xor);
    this.fn(Fn.ldc, 31);
    this.op(Op.shr);
    this.op(Op.xor);
  }

  // -------------------------------------------------------------------------------------------- stores and I/O

  /** Assignments to INT64, REAL32 and REAL64 targets; false if the classic word path does it. */
  private storeNumeric(target: Expr, value: Expr): boolean {
    const t = target.type!;
    if (isWide(t)) {
      const mark = this.frame.mark();
      const p = this.evalWide(value);
      this.storePlace(target, p);
      this.frame.release(mark);
      return true;
    }
    if (!isPrim(t, 'REAL32') || value.realValue !== undefined || value.kind === 'name' || value.kind === 'subscript') return false;
    const local = this.localSlot(target);
    if (local) {
      this.fexpr(value);
      this.fn(Fn.ldlp, local);
    } else if (this.usesFP(target)) {
      const mark = this.frame.mark();
      const ta = this.frame.alloc(1);
      this.elementAddress(target);
      this.fn(Fn.stl, ta);
      this.fexpr(value);
      this.fn(Fn.ldl, ta);
      this.frame.release(mark);
    } else {
      this.fexpr(value);
      this.elementAddress(target);
    }
    this.op(Op.fpstnlsn);
    return true;
  }

  /** Store an INT16, INT64 or REAL64 value at the address `dst` pushes. */
  private storeNumericAt(value: Expr, dst: Word, type: Type): void {
    const mark = this.frame.mark();
    if (is16(type)) {
      const tv = this.frame.alloc(1);
      const ta = this.frame.alloc(1);
      this.expr(value);
      this.fn(Fn.stl, tv);
      dst.emit();
      this.fn(Fn.stl, ta);
      this.fn(Fn.ldl, tv);
      this.fn(Fn.ldl, ta);
      this.op(Op.sb);
      this.fn(Fn.ldl, tv);
      this.fn(Fn.ldc, 8);
      this.op(Op.shr);
      this.fn(Fn.ldl, ta);
      this.fn(Fn.adc, 1);
      this.op(Op.sb);
    } else {
      const p = this.evalWide(value);
      const ta = this.frame.alloc(1);
      dst.emit();
      this.fn(Fn.stl, ta);
      for (let i = 0; i < 2; i++) {
        this.word(p, i);
        this.fn(Fn.ldl, ta);
        this.fn(Fn.stnl, i);
      }
    }
    this.frame.release(mark);
  }

  /** Copy a two-word place into an INT64/REAL64 element. */
  private storePlace(target: Expr, p: Place): void {
    const local = this.localSlot(target);
    if (local) {
      this.copyPlace(p, local);
      return;
    }
    const ta = this.frame.alloc(1);
    this.elementAddress(target);
    this.fn(Fn.stl, ta);
    for (let i = 0; i < 2; i++) {
      this.word(p, i);
      this.fn(Fn.ldl, ta);
      this.fn(Fn.stnl, i);
    }
  }

  /** Multiple assignment with two-word values: every right-hand side is copied to a temporary first. */
  private assignWideMulti(targets: readonly Expr[], values: readonly Expr[]): void {
    const mark = this.frame.mark();
    const temps = values.map((v) => {
      if (isWide(v.type!)) {
        const t = this.frame.alloc(2);
        const inner = this.frame.mark();
        this.copyPlace(this.evalWide(v), () => t);
        this.frame.release(inner);
        return { wide: true, slot: t };
      }
      const t = this.frame.alloc(1);
      this.expr(v);
      this.fn(Fn.stl, t);
      return { wide: false, slot: t };
    });
    targets.forEach((target, i) => {
      const tmp = temps[i]!;
      if (tmp.wide) {
        const inner = this.frame.mark();
        this.storePlace(target, { kind: 'slot', st: this.temp(tmp.slot) });
        this.frame.release(inner);
      } else this.storeFrom(target, () => this.fn(Fn.ldl, tmp.slot));
    });
    this.frame.release(mark);
  }

  /** Output a two-byte (INT16) or eight-byte (INT64, REAL64) value with `out`. */
  private outputNumeric(chan: Expr, item: Expr, size: number): void {
    const mark = this.frame.mark();
    if (size === 2) {
      const t = this.frame.alloc(1);
      this.expr(item);
      this.fn(Fn.stl, t);
      this.fn(Fn.ldlp, t);
    } else {
      this.placeAddress(this.evalWide(item));
    }
    this.channelAddress(chan);
    this.fn(Fn.ldc, size);
    this.op(Op.out);
    this.frame.release(mark);
  }

  /** The address of a VAL INT64/REAL64 actual parameter: the element itself, or a temporary holding the value. */
  private valueAddress(arg: Expr): void {
    if (arg.constValue === undefined && arg.realValue === undefined && isElement(arg)) {
      this.elementAddress(arg);
      return;
    }
    this.placeAddress(this.evalWide(arg));
  }

  // -------------------------------------------------------------------------------------------- the FPU

  /** Whether evaluating `e` uses the FPU (a real value is computed or compared somewhere inside). */
  private usesFP(e: Expr): boolean {
    switch (e.kind) {
      case 'conversion':
        return isReal(e.type!) || isReal(e.operand.type!) || this.usesFP(e.operand);
      case 'dyadic':
        return isReal(e.left.type!) || this.usesFP(e.left) || this.usesFP(e.right);
      case 'monadic':
        return isReal(e.type!) || this.usesFP(e.operand);
      case 'subscript':
        return this.usesFP(e.base) || this.usesFP(e.index);
      default:
        return false;
    }
  }

  /** FPU registers needed to evaluate the real expression `e` (at most 3: deeper ones spill). */
  private fdepth(e: Expr): number {
    if (e.realValue !== undefined) return 1;
    switch (e.kind) {
      case 'name':
        return 1;
      case 'subscript':
        return this.usesFP(e) ? MAX_REGS : 1;
      case 'monadic':
        return this.fdepth(e.operand);
      case 'dyadic': {
        const l = this.fdepth(e.left);
        const r = this.fdepth(e.right);
        return l === r ? Math.min(MAX_REGS, l + 1) : Math.max(l, r);
      }
      case 'conversion': {
        const from = e.operand.type!;
        if (isReal(from)) return this.fdepth(e.operand);
        // INT64 operands may call the runtime routines, whose loops can deschedule: the FPU stack must be empty
        // then (its registers are not kept across a descheduling point).
        if (this.usesFP(e.operand) || isPrim(from, 'INT64')) return MAX_REGS;
        return 1;
      }
      default:
        return MAX_REGS;
    }
  }

  /** Push the value of a REAL32/REAL64 expression onto the FPU stack. */
  private fexpr(e: Expr): void {
    const t = e.type!;
    const single = isPrim(t, 'REAL32');
    if (e.realValue !== undefined) {
      if (Object.is(e.realValue, 0)) {
        this.op(single ? Op.fpldzerosn : Op.fpldzerodb);
        return;
      }
      this.address(this.realConst(e.realValue, t));
      this.op(single ? Op.fpldnlsn : Op.fpldnldb);
      return;
    }
    switch (e.kind) {
      case 'name': {
        const sym = e.decl!;
        if (this.refs.has(sym)) this.loadSlot(storageOf(sym));
        else this.slotAddress(storageOf(sym));
        this.op(single ? Op.fpldnlsn : Op.fpldnldb);
        return;
      }
      case 'subscript':
        this.elementAddress(e);
        this.op(single ? Op.fpldnlsn : Op.fpldnldb);
        return;
      case 'call': {
        // A FUNCTION result: in a temporary already, or called now (its bits come back in A, or A and B).
        const mark = this.frame.mark();
        if (single) {
          const st = this.hoisted.get(e);
          if (st) this.slotAddress(st);
          else {
            const t = this.frame.alloc(1);
            this.callRoutine(callees.get(e)!, e.args);
            this.fn(Fn.stl, t);
            this.fn(Fn.ldlp, t);
          }
          this.op(Op.fpldnlsn);
        } else {
          this.placeAddress(this.evalWide(e));
          this.op(Op.fpldnldb);
        }
        this.frame.release(mark);
        return;
      }
      case 'monadic':
        // -x is x * -1.0: exact, and it flips the sign of zero as IEEE negation does.
        this.fexpr(e.operand);
        this.address(this.realConst(-1, t));
        this.op(single ? Op.fpldnlmulsn : Op.fpldnlmuldb);
        return;
      case 'dyadic': {
        this.fOperands(e.left, e.right);
        const op = e.op;
        let what = `real overflow in \`${exprText(e)}\``;
        switch (op) {
          case '+':
            this.op(Op.fpadd);
            break;
          case '-':
            this.op(Op.fpsub);
            break;
          case '*':
            this.op(Op.fpmul);
            break;
          case '/':
            this.op(Op.fpdiv);
            what = `real division by zero or overflow in \`${exprText(e)}\``;
            break;
          default:
            this.op(Op.fpremfirst);
            what = `real remainder of a division by zero in \`${exprText(e)}\``;
            break;
        }
        this.check(e.span, what);
        this.op(Op.fpchkerr);
        return;
      }
      case 'conversion':
        this.fconversion(e);
        return;
      default:
        throw new Error(`codegen: cannot evaluate a ${e.kind} real expression`);
    }
  }

  /** Leave `left` in FB and `right` in FA. */
  private fOperands(left: Expr, right: Expr): void {
    const l = this.fdepth(left);
    const r = this.fdepth(right);
    if (l >= MAX_REGS && r >= MAX_REGS) {
      const single = isPrim(right.type!, 'REAL32');
      const mark = this.frame.mark();
      const t = this.frame.alloc(single ? 1 : 2);
      this.fexpr(right);
      this.fn(Fn.ldlp, t);
      this.op(single ? Op.fpstnlsn : Op.fpstnldb);
      this.fexpr(left);
      this.fn(Fn.ldlp, t);
      this.op(single ? Op.fpldnlsn : Op.fpldnldb);
      this.frame.release(mark);
    } else if (r > l) {
      this.fexpr(right);
      this.fexpr(left);
      this.op(Op.fprev);
    } else {
      this.fexpr(left);
      this.fexpr(right);
    }
  }

  /** A conversion to REAL32 or REAL64, onto the FPU stack. */
  private fconversion(e: Extract<Expr, { kind: 'conversion' }>): void {
    const to = e.type!;
    const from = e.operand.type!;
    const trunc = e.mode === 'TRUNC';
    if (isReal(from)) {
      this.fexpr(e.operand);
      if (isPrim(from, 'REAL32') && isPrim(to, 'REAL64')) this.fpentry(FpOp.fpur32tor64);
      else if (isPrim(from, 'REAL64') && isPrim(to, 'REAL32')) {
        if (trunc) this.fpentry(FpOp.fpurz);
        this.fpentry(FpOp.fpur64tor32);
        this.check(e.span, `\`${exprText(e.operand)}\` is out of range for REAL32 in \`${exprText(e)}\``);
        this.op(Op.fpchkerr);
      }
      return;
    }
    if (isPrim(from, 'INT64')) return this.int64ToReal(e);
    const mark = this.frame.mark();
    const tmp = this.frame.alloc(1);
    this.expr(e.operand);
    this.fn(Fn.stl, tmp);
    if (trunc && isPrim(to, 'REAL32')) this.fpentry(FpOp.fpurz);
    this.fn(Fn.ldlp, tmp);
    this.op(isPrim(to, 'REAL32') ? Op.fpi32tor32 : Op.fpi32tor64);
    this.frame.release(mark);
  }
}

/** Where a two-word value is: workspace slots, a slot holding its address, a constant, or a pool constant. */
type Place =
  /** Two words of a variable or temporary (possibly in an enclosing routine, reached through the static link). */
  | { readonly kind: 'slot'; readonly st: Storage }
  /** A word holding the value's address (a reference parameter or abbreviation, or a subscripted element). */
  | { readonly kind: 'ptr'; readonly st: Storage }
  | { readonly kind: 'const'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'pool'; readonly label: Label };

function isWide(t: Type | undefined): boolean {
  return t !== undefined && isPrim(t, 'INT64', 'REAL64');
}

function isReal(t: Type | undefined): boolean {
  return t !== undefined && isPrim(t, 'REAL32', 'REAL64');
}

function is16(t: Type | undefined): boolean {
  return t !== undefined && isPrim(t, 'INT16');
}

function isElement(e: Expr): boolean {
  return e.kind === 'name' || e.kind === 'subscript';
}

function typeNameOf(t: Type): string {
  return t.kind === 'prim' ? t.name : 'this type';
}

function float32Bits(v: number): number {
  return new Int32Array(Float32Array.of(v).buffer)[0]!;
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
  if (t.kind === 'prim') return bytes > 4 ? 2 : 1;
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
