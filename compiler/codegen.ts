// The code generator: checked AST to a list of Transputer instructions (assembler items), following the
// classic occam-to-Transputer mapping (../shared/reference/codegen.md): one workspace frame per PROC and per PAR
// branch, expressions on the three-register stack with temporaries when they need more, soft channels as one
// word, PAR with startp/endp and a join block, replicated SEQ with lend, and every run-time check tagged with
// the source it comes from so an error can be reported in source terms.

import type { Choice, Expr, IfProcess, Process, ProcDef, Replicator, Spec } from './ast.js';
import { Label, type Item, type Operand } from './assembler.js';
import type { CheckedProgram, HostRole } from './checker.js';
import { exprText } from './checker.js';
import type { Span } from './source.js';
import type { AbbrevSymbol, ConstSymbol, ParamSymbol, ProcSymbol, Symbol, VarSymbol } from './symbols.js';
import { byteSize, isPrim, type Type } from './types.js';
import { BELOW_IO, CALL_WORDS, type Deferred, Frame } from './workspace.js';
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
}

const MAX_REGS = 3;

export function generate(checked: CheckedProgram): Generated {
  return new CodeGen().program(checked);
}

/** What one core of a placed program runs (compiler/placement.ts decides). */
export interface CoreCode {
  /** The PROCs its processes call, in definition order. */
  readonly procs: readonly ProcSymbol[];
  /** Its processes, run in parallel when there are several. */
  readonly bodies: readonly Process[];
  /** Replicator indices of the placement and their values on this core. */
  readonly indices: readonly { readonly sym: VarSymbol; readonly value: number }[];
  /** Variables and channels declared outside the placement that live in this core's memory. */
  readonly locals: readonly VarSymbol[];
  /** Channels at fixed addresses here: mesh channel endpoints and host devices. */
  readonly fixed: ReadonlyMap<Symbol, number>;
  /** Source position of the placement, for the boot code's line entry. */
  readonly span: Span;
}

export function generateCore(code: CoreCode): Generated {
  return new CodeGen().coreProgram(code);
}

class CodeGen {
  private readonly items: Item[] = [];
  private readonly pool: Item[] = [];
  private readonly poolLabels = new Map<ConstSymbol, Label>();
  private readonly procInfo = new Map<ProcSymbol, ProcInfo>();
  private frame!: Frame;
  private labelCount = 0;
  /** Channels at a fixed address on this core: mesh channels and host devices (placed programs). */
  private readonly fixedChannels = new Map<Symbol, number>();

  program(checked: CheckedProgram): Generated {
    for (const p of checked.procs) this.proc(p);

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

  /** A core's image: the PROCs it calls and a boot process that runs its processes, then halts. */
  coreProgram(code: CoreCode): Generated {
    for (const p of code.procs) this.proc(p);
    for (const [sym, addr] of code.fixed) this.fixedChannels.set(sym, addr);
    const entry = this.label('boot');
    this.place(entry);
    this.line(code.span);
    const frame = new Frame(null, Math.max(2, ...code.bodies.map(maxMemoryArgs)));
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
      }
    }
    this.par(code.bodies);
    this.fn(Fn.ajw, () => frame.size);
    this.op(Op.haltp);
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

  /** Push the absolute address of a label (position independent: `ldc L - M; ldpi; M:`). */
  private address(l: Label): void {
    const m = this.label('here');
    this.fn(Fn.ldc, { to: l, from: m });
    this.op(Op.ldpi);
    this.place(m);
  }

  // ------------------------------------------------------------------------------------------------ PROCs

  private proc(sym: ProcSymbol): void {
    const def = sym.def;
    const frame = new Frame(null, Math.max(2, maxMemoryArgs(def.body)));
    const info: ProcInfo = { label: this.label(sym.name), frame };
    this.procInfo.set(sym, info);
    this.frame = frame;
    // Parameter i sits at W[size + 1 + i]: above the frame and the return address.
    sym.params.forEach((p, i) => setStorage(p, { frame, slot: () => frame.size + 1 + i }));
    const end = this.label(`${sym.name}.end`);
    this.items.push({ kind: 'proc', name: sym.name, span: def.name.span, end });
    this.place(info.label);
    this.line(def.span);
    this.fn(Fn.ajw, () => -frame.size);
    this.process(def.body);
    this.fn(Fn.ajw, () => frame.size);
    this.op(Op.ret);
    this.place(end);
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
        this.assign(p.targets, p.values);
        return;
      case 'output':
        this.line(p.span);
        this.output(p.channel, p.items[0]!);
        return;
      case 'input':
        this.line(p.span);
        this.input(p.channel, p.items[0]!);
        return;
      case 'seq':
        if (p.repl) this.replicatedSeq(p.repl, p.body);
        else for (const c of p.body) this.process(c);
        return;
      case 'par':
        this.line(p.span);
        this.par(p.body);
        return;
      case 'if':
        this.ifProcess(p);
        return;
      case 'while':
        this.whileProcess(p.cond, p.body, p.span);
        return;
      case 'pcall':
        this.line(p.span);
        this.call(p.decl as ProcSymbol, p.args);
        return;
      case 'scope': {
        const mark = this.frame.mark();
        for (const s of p.specs) this.spec(s);
        this.process(p.body);
        this.frame.release(mark);
        return;
      }
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
          }
        }
        return;
      case 'val': {
        const sym = s.decl;
        if (sym && sym.kind === 'abbrev') {
          const slot = this.frame.alloc(1);
          this.line(s.span);
          this.expr(s.value);
          this.fn(Fn.stl, slot);
          setStorage(sym, { frame: this.frame, slot: () => slot });
        }
        return;
      }
      case 'abbrev':
      case 'proc':
        return; // rejected by the checker
    }
  }

  private replicatedSeq(r: Replicator, body: readonly Process[]): void {
    const k = this.frame.alloc(2);
    const sym = r.decl!;
    setStorage(sym, { frame: this.frame, slot: () => k });
    const top = this.label('loop');
    const end = this.label('loop.end');
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
      this.expr(cond);
      this.jump(Fn.cj, end);
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
        this.expr(choice.guard);
        this.jump(Fn.cj, next);
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
    if (branches.length === 0) return;
    if (branches.length === 1) {
      this.process(branches[0]!);
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
      this.process(branches[k]!);
      this.fn(Fn.ldlp, d);
      this.op(Op.endp);
    }
    this.frame = parent;
    this.place(join);
  }

  private call(sym: ProcSymbol, args: readonly Expr[]): void {
    const callee = this.procInfo.get(sym)!;
    this.frame.requireChild(() => CALL_WORDS + callee.frame.total());
    // Parameters 3 and up go in the caller's W[0], W[1], ...; 0..2 travel in A, B, C.
    for (let i = 3; i < args.length; i++) {
      this.arg(sym.params[i]!, args[i]!);
      this.fn(Fn.stl, i - 3);
    }
    const inRegs = Math.min(3, args.length);
    // Loading parameter i leaves (inRegs - 1 - i) registers in use; anything that needs more is evaluated first.
    const temps: (number | null)[] = [];
    const mark = this.frame.mark();
    for (let i = 0; i < inRegs; i++) {
      const need = this.argDepth(sym.params[i]!, args[i]!);
      if (need + (inRegs - 1 - i) > MAX_REGS) {
        const t = this.frame.alloc(1);
        this.arg(sym.params[i]!, args[i]!);
        this.fn(Fn.stl, t);
        temps[i] = t;
      } else temps[i] = null;
    }
    for (let i = inRegs - 1; i >= 0; i--) {
      const t = temps[i];
      if (t !== null && t !== undefined) this.fn(Fn.ldl, t);
      else this.arg(sym.params[i]!, args[i]!);
    }
    this.frame.release(mark);
    this.jump(Fn.call, callee.label);
  }

  private arg(param: ParamSymbol, arg: Expr): void {
    if (param.type.kind === 'chan') this.channelAddress(arg);
    else if (param.byRef) this.elementAddress(arg);
    else this.expr(arg);
  }

  private argDepth(param: ParamSymbol, arg: Expr): number {
    if (param.type.kind === 'chan') return 1;
    if (param.byRef) return this.addressDepth(arg);
    return this.depth(arg);
  }

  // ------------------------------------------------------------------------------------------------ communication

  private output(chan: Expr, item: Expr): void {
    this.frame.requireBelow(BELOW_IO);
    const t = item.type!;
    const size = byteSize(t)!;
    const opcode = size === 4 ? Op.outword : Op.outbyte;
    if (size !== 4 && size !== 1) throw new Error(`codegen: cannot output ${size} bytes yet`);
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
    if (e.kind !== 'name') throw new Error('codegen: channel arrays are not supported yet');
    const sym = e.decl!;
    const fixed = this.fixedChannels.get(sym);
    if (fixed !== undefined) this.fn(Fn.ldc, fixed);
    else if (sym.kind === 'param') this.fn(Fn.ldl, this.slotOperand(sym));
    else this.fn(Fn.ldlp, this.slotOperand(sym));
  }

  // ------------------------------------------------------------------------------------------------ assignment

  private assign(targets: readonly Expr[], values: readonly Expr[]): void {
    if (targets.length === 1) {
      this.store(targets[0]!, values[0]!);
      return;
    }
    // Every right-hand side is evaluated before anything is assigned.
    const mark = this.frame.mark();
    const temps = values.map((v) => {
      const t = this.frame.alloc(1);
      this.expr(v);
      this.fn(Fn.stl, t);
      return t;
    });
    targets.forEach((target, i) => this.storeFrom(target, () => this.fn(Fn.ldl, temps[i]!)));
    this.frame.release(mark);
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
      if (sym.kind === 'var' && sym.type.kind === 'prim') return this.slotOperand(sym);
      if (sym.kind === 'abbrev' && sym.isVal) return this.slotOperand(sym);
      if (sym.kind === 'param' && !sym.byRef) return this.slotOperand(sym);
      return null;
    }
    if (e.kind === 'subscript' && e.base.kind === 'name' && e.index.constValue !== undefined) {
      const sym = e.base.decl!;
      if (sym.kind === 'var' && sym.type.kind === 'array' && byteSize(sym.type.elem) === 4) {
        const base = this.slotOperand(sym);
        const k = Number(e.index.constValue);
        return () => base() + k;
      }
    }
    return null;
  }

  private slotOperand(sym: Symbol): Deferred {
    const s = storageOf(sym);
    const d = this.frame.distanceTo(s.frame);
    return () => s.slot() + d();
  }

  // ------------------------------------------------------------------------------------------------ addresses

  /** Push the address of an element (a variable or an array element). */
  private elementAddress(e: Expr): void {
    if (e.kind === 'name') {
      const sym = e.decl!;
      if (sym.kind === 'param' && sym.byRef) this.fn(Fn.ldl, this.slotOperand(sym));
      else if (sym.kind === 'const') this.address(this.poolLabel(sym));
      else this.fn(Fn.ldlp, this.slotOperand(sym));
      return;
    }
    if (e.kind === 'subscript') {
      const baseType = e.base.type!;
      if (baseType.kind !== 'array') throw new Error('codegen: subscript of a non-array');
      const elemSize = byteSize(baseType.elem)!;
      const k = e.index.constValue;
      if (k !== undefined) {
        this.elementAddress(e.base);
        if (k !== 0n) {
          if (elemSize === 4) this.fn(Fn.ldnlp, Number(k));
          else this.fn(Fn.adc, Number(k) * elemSize);
        }
        return;
      }
      const id = this.depth(e.index);
      const bd = this.addressDepth(e.base);
      if (Math.max(id, 2) + 0 <= MAX_REGS && bd + 1 <= MAX_REGS) {
        this.subscriptIndex(e);
        this.elementAddress(e.base);
      } else {
        const mark = this.frame.mark();
        const t = this.frame.alloc(1);
        this.subscriptIndex(e);
        this.fn(Fn.stl, t);
        this.elementAddress(e.base);
        this.fn(Fn.ldl, t);
        this.op(Op.rev);
        this.frame.release(mark);
      }
      this.op(elemSize === 4 ? Op.wsub : Op.bsub);
      if (elemSize !== 4 && elemSize !== 1) throw new Error(`codegen: ${elemSize}-byte elements are not supported yet`);
      return;
    }
    if (e.kind === 'direction') return this.elementAddress(e.channel);
    throw new Error(`codegen: no address for a ${e.kind} expression`);
  }

  /** Push a checked subscript: Error unless 0 <= index < size. */
  private subscriptIndex(e: Extract<Expr, { kind: 'subscript' }>): void {
    const t = e.base.type!;
    this.expr(e.index);
    if (t.kind === 'array' && t.size !== null) {
      this.fn(Fn.ldc, t.size);
      this.check(e.span, `subscript out of range in \`${exprText(e)}\` (the array has ${t.size} elements)`);
      this.op(Op.csub0);
    }
  }

  private addressDepth(e: Expr): number {
    if (e.kind === 'name') return 1;
    if (e.kind === 'direction') return this.addressDepth(e.channel);
    if (e.kind === 'subscript') {
      if (e.index.constValue !== undefined) return this.addressDepth(e.base);
      const id = Math.max(this.depth(e.index), 2);
      const bd = this.addressDepth(e.base);
      return Math.min(MAX_REGS, Math.max(id, bd + 1));
    }
    return MAX_REGS;
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
      case 'subscript':
        return Math.max(this.addressDepth(e), 1);
      case 'monadic':
        return Math.max(this.depth(e.operand), e.op === '-' || e.op === 'NOT' || e.op === 'BITNOT' || e.op === '~' ? (isByteType(e) ? 2 : 1) : 2);
      case 'conversion':
        return Math.max(this.depth(e.operand), needsRangeCheck(e) ? 2 : 1);
      case 'dyadic': {
        if (e.op === 'AND' || e.op === 'OR') return Math.max(this.depth(e.left), this.depth(e.right));
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
        if (sym.kind === 'param' && sym.byRef) {
          // A reference may point into a BYTE array, so BYTE and BOOL are read as bytes.
          this.fn(Fn.ldl, this.slotOperand(sym));
          if (byteSize(sym.type) === 1) this.op(Op.lb);
          else this.fn(Fn.ldnl, 0);
        } else this.fn(Fn.ldl, this.slotOperand(sym));
        return;
      }
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
    if (e.op === 'AND') {
      this.expr(e.left);
      this.jump(Fn.cj, done);
      this.expr(e.right);
      this.place(done);
    } else {
      this.expr(e.left);
      this.fn(Fn.eqc, 0);
      this.jump(Fn.cj, done);
      this.expr(e.right);
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

/** The most parameters beyond the three register ones that any call in this body passes. */
function maxMemoryArgs(p: Process): number {
  let max = 0;
  const visit = (q: Process): void => {
    switch (q.kind) {
      case 'pcall':
        max = Math.max(max, q.args.length - 3);
        return;
      case 'seq':
      case 'par':
        q.body.forEach(visit);
        return;
      case 'if':
        for (const c of q.choices) {
          if ('kind' in c) visit(c);
          else visit((c as Choice).body);
        }
        return;
      case 'while':
        visit(q.body);
        return;
      case 'scope':
        visit(q.body);
        return;
      default:
        return;
    }
  };
  visit(p);
  return max;
}

export type { ProcDef };
