// The code generator: checked AST to a list of Transputer instructions (assembler items), following the
// classic occam-to-Transputer mapping (../shared/reference/codegen.md): one workspace frame per PROC and per PAR
// branch, expressions on the three-register stack with temporaries when they need more, soft channels as one
// word, PAR with startp/endp and a join block, replicated SEQ with lend, and every run-time check tagged with
// the source it comes from so an error can be reported in source terms.

import type { AltProcess, Alternative, Choice, Expr, IfProcess, Process, ProcDef, Replicator, Spec, VariantInput } from './ast.js';
import { Label, type Item, type Operand } from './assembler.js';
import type { CheckedProgram, HostRole } from './checker.js';
import { exprText, isChanArray } from './checker.js';
import type { Span } from './source.js';
import type { AbbrevSymbol, ConstSymbol, ParamSymbol, ProcSymbol, Symbol, VarSymbol } from './symbols.js';
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
}

const MAX_REGS = 3;

export function generate(checked: CheckedProgram): Generated {
  return new CodeGen().program(checked);
}

class CodeGen {
  private readonly items: Item[] = [];
  private readonly pool: Item[] = [];
  private readonly poolLabels = new Map<ConstSymbol, Label>();
  private readonly procInfo = new Map<ProcSymbol, ProcInfo>();
  private frame!: Frame;
  private labelCount = 0;
  /** Channel expressions whose address has been computed into a temporary for the current communication. */
  private readonly chanTemps = new Map<Expr, Deferred>();

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
    // An open array parameter is followed by a hidden parameter holding its size.
    const pos = paramPositions(sym);
    sym.params.forEach((p, i) => {
      setStorage(p, { frame, slot: () => frame.size + 1 + pos[i]! });
      if (isOpenArray(p.type)) hiddenSizes.set(p, { frame, slot: () => frame.size + 2 + pos[i]! });
    });
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
        this.communicate('out', p.channel, p.items);
        return;
      case 'input':
        this.line(p.span);
        if (p.channel.type?.kind === 'timer') this.timerRead(p.items[0]!);
        else this.communicate('in', p.channel, p.items);
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
        this.call(p.decl as ProcSymbol, p.args);
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

  private call(sym: ProcSymbol, actualArgs: readonly Expr[]): void {
    const callee = this.procInfo.get(sym)!;
    this.frame.requireChild(() => CALL_WORDS + callee.frame.total());
    // Open array parameters take a hidden size parameter after them: flatten into word-sized loaders.
    const loads: { load: () => void; depth: number }[] = [];
    actualArgs.forEach((a, i) => {
      const p = sym.params[i]!;
      loads.push({ load: () => this.arg(p, a), depth: this.argDepth(p, a) });
      if (isOpenArray(p.type)) loads.push({ load: () => this.arraySize(a), depth: 1 });
    });
    this.callWith(callee, loads);
  }

  private arraySize(a: Expr): void {
    const arr = a.kind === 'direction' ? a.channel : a;
    const t = arr.type!;
    if (t.kind === 'array' && t.size !== null) this.fn(Fn.ldc, t.size);
    else if (arr.kind === 'name' && this.hiddenSize(arr.decl!)) this.fn(Fn.ldl, this.hiddenSize(arr.decl!)!);
    else throw new Error('codegen: the size of this array is not known');
  }

  private hiddenSize(sym: Symbol): Deferred | null {
    const s = hiddenSizes.get(sym);
    if (!s) return null;
    const d = this.frame.distanceTo(s.frame);
    return () => s.slot() + d();
  }

  private callWith(callee: ProcInfo, loads: readonly { load: () => void; depth: number }[]): void {
    const args = loads;
    // Parameters 3 and up go in the caller's W[0], W[1], ...; 0..2 travel in A, B, C.
    for (let i = 3; i < args.length; i++) {
      args[i]!.load();
      this.fn(Fn.stl, i - 3);
    }
    const inRegs = Math.min(3, args.length);
    // Loading parameter i leaves (inRegs - 1 - i) registers in use; anything that needs more is evaluated first.
    const temps: (number | null)[] = [];
    const mark = this.frame.mark();
    for (let i = 0; i < inRegs; i++) {
      const need = args[i]!.depth;
      if (need + (inRegs - 1 - i) > MAX_REGS) {
        const t = this.frame.alloc(1);
        args[i]!.load();
        this.fn(Fn.stl, t);
        temps[i] = t;
      } else temps[i] = null;
    }
    for (let i = inRegs - 1; i >= 0; i--) {
      const t = temps[i];
      if (t !== null && t !== undefined) this.fn(Fn.ldl, t);
      else args[i]!.load();
    }
    this.frame.release(mark);
    this.jump(Fn.call, callee.label);
  }

  private arg(param: ParamSymbol, arg: Expr): void {
    // A timer parameter carries nothing: every TIMER reads the same clock.
    if (param.type.kind === 'timer') this.fn(Fn.ldc, 0);
    else if (param.type.kind === 'chan') this.channelAddress(arg);
    else if (param.byRef) this.elementAddress(arg);
    else this.expr(arg);
  }

  private argDepth(param: ParamSymbol, arg: Expr): number {
    if (param.type.kind === 'timer') return 1;
    if (param.type.kind === 'chan') return this.addressDepth(arg);
    if (param.byRef) return this.addressDepth(arg);
    return this.depth(arg);
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
    if (e.kind !== 'name') return this.elementAddress(e);
    const sym = e.decl!;
    if (sym.kind === 'param') this.fn(Fn.ldl, this.slotOperand(sym));
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
    if (e.kind === 'string') return this.address(this.stringLabel(e.bytes));
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
    } else if (t.kind === 'array' && e.base.kind === 'name') {
      const hidden = this.hiddenSize(e.base.decl!);
      if (hidden) {
        this.fn(Fn.ldl, hidden);
        this.check(e.span, `subscript out of range in \`${exprText(e)}\``);
        this.op(Op.csub0);
      }
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
      case 'size': {
        const hidden = e.operand.kind === 'name' ? this.hiddenSize(e.operand.decl!) : null;
        if (!hidden) throw new Error('codegen: SIZE of an array whose size is not known');
        this.fn(Fn.ldl, hidden);
        return;
      }
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

/** Word position of each parameter among the words passed: an open array's hidden size follows it. */
function paramPositions(sym: ProcSymbol): number[] {
  const out: number[] = [];
  let k = 0;
  for (const p of sym.params) {
    out.push(k);
    k += isOpenArray(p.type) ? 2 : 1;
  }
  return out;
}

function isOpenArray(t: Type): boolean {
  return t.kind === 'array' && t.size === null;
}

/** Hidden size parameters of open array formals. */
const hiddenSizes = new WeakMap<Symbol, Storage>();

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
      case 'pcall': {
        const callee = q.decl as ProcSymbol | undefined;
        const words = callee ? paramPositions(callee).length + callee.params.filter((x) => isOpenArray(x.type)).length : q.args.length;
        max = Math.max(max, words - 3);
        return;
      }
      case 'case':
        for (const o of q.options) visit(o.body);
        return;
      case 'caseinput':
        for (const v of q.variants) visit(v.body);
        return;
      case 'alt': {
        const walk = (a: AltProcess): void => {
          for (const x of a.alternatives) {
            if ('kind' in x) walk(x);
            else {
              visit((x as Alternative).body);
              if (x.guard.kind === 'case') for (const v of x.guard.variants) visit(v.body);
            }
          }
        };
        walk(q);
        return;
      }
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
