// The code generator's state and the primitives every part of it emits through: the item list, labels,
// instructions, debug lines and check tags, the current workspace frame, and where each symbol's word lives
// (its frame and slot, reached directly or through static links). The other files in this folder are functions
// that take this context as their first argument.

import type { Expr, Replicator, Spec } from '../ast.js';
import { Label, type Item, type Operand } from '../assembler.js';
import type { CheckedProgram } from '../checker/index.js';
import { isChanArray } from '../ast-queries.js';
import type { Span } from '../source.js';
import type { AbbrevSymbol, ConstSymbol, ParamSymbol, Routine, Symbol, VarSymbol } from '../symbols.js';
import { type Deferred, Frame } from '../workspace.js';
import { Fn, Op } from '../../emulator/isa.js';

/** Where a symbol's word lives: a frame and a slot in it. */
export interface Storage {
  frame: Frame;
  slot: Deferred;
}

export interface ProcInfo {
  readonly label: Label;
  readonly frame: Frame;
  /** The routine this one is defined inside, whose workspace its static link points to. */
  readonly outer: ProcInfo | null;
  /** The static link's parameter slot (parameter 0), when there is an outer routine. */
  readonly staticLink: Storage | null;
}

/** One word of a call's parameter list (or of an array value's description), and the registers loading it needs. */
export interface Word {
  readonly emit: () => void;
  readonly depth: number;
}

/** An array value: its address and the size of each dimension. */
export interface ArrayRef {
  readonly addr: Word;
  readonly dims: Word[];
}

export const MAX_REGS = 3;

/** A library routine: its entry label and the words its frame needs. */
export interface LibraryProc {
  readonly label: Label;
  readonly total: Deferred;
}

/** A generated library: its code and its routines by name. */
export interface LibraryCode {
  readonly items: Item[];
  readonly procs: Map<string, LibraryProc>;
}

/**
 * The generator's recursive entry points. occam nests processes in expressions (VALOF), expressions in
 * addresses (subscripts) and routines in routines, so some parts of the generator call parts above them. They
 * do so through this table, which the driver (index.ts) fills in, so that every file in this folder imports
 * only files below it. Calls to anything else are plain imports.
 */
export interface Parts {
  readonly expr: typeof import('./expressions.js').expr;
  readonly depth: typeof import('./expressions.js').depth;
  readonly fexpr: typeof import('./fpu.js').fexpr;
  readonly fOperands: typeof import('./fpu.js').fOperands;
  readonly storeNumericAt: typeof import('./numeric-stores.js').storeNumericAt;
  readonly callRoutine: typeof import('./routines.js').callRoutine;
  readonly routine: typeof import('./routines.js').routine;
  readonly process: typeof import('./processes.js').process;
  /** Generates a checked library (the INT64 runtime) the first time a program needs it. */
  readonly library: (checked: CheckedProgram) => LibraryCode;
}

export class CodeGen {
  readonly items: Item[] = [];
  readonly pool: Item[] = [];
  readonly poolLabels = new Map<ConstSymbol, Label>();
  readonly procInfo = new Map<Routine, ProcInfo>();
  /** The routine each outermost frame belongs to. */
  readonly frameOwner = new Map<Frame, ProcInfo>();
  /** Code of routines defined inside other routines, placed after everything else. */
  readonly nested: Item[] = [];
  /** Symbols whose slot holds the address of their data (reference parameters and abbreviations). */
  readonly refs = new WeakSet<Symbol>();
  /** Slots holding the run-time sizes of the open dimensions of array parameters and abbreviations. */
  readonly dimStorage = new WeakMap<Symbol, (Storage | null)[]>();
  /** FUNCTION calls already evaluated into temporaries for the statement being generated. */
  readonly hoisted = new Map<Expr, Storage>();
  /**
   * While an ALT's guards are enabled or disabled: the words below the workspace hold the ALT's state, which a
   * `call` would overwrite, so calls made then move the workspace pointer below them first (routines.ts).
   */
  inAltGuards = false;
  readonly literalLabels = new Map<Expr, Label>();
  routineInfo: ProcInfo | null = null;
  frame!: Frame;
  labelCount = 0;
  /** Channels at a fixed address on this core: mesh channels and host devices (placed programs). */
  readonly fixedChannels = new Map<Symbol, number>();
  /** Channel expressions whose address has been computed into a temporary for the current communication. */
  readonly chanTemps = new Map<Expr, Deferred>();
  /**
   * The labels of each open `lend` loop, by its replicator: a nested routine generated inside a loop has loops of
   * its own in the same slots of its own frame, so slots cannot tell them apart.
   */
  readonly loops = new Map<Replicator, { top: Label; end: Label }>();
  /** Byte strings already in the pool (tables, strings, constants), by their bytes in hex. */
  readonly bytesPool = new Map<string, Label>();
  /** REAL constants already in the pool, by type and value. */
  readonly realPool = new Map<string, Label>();
  /** The INT64 runtime library, generated when a program first needs it. */
  library64: LibraryCode | null = null;

  constructor(
    readonly rangeChecks: boolean,
    readonly runtimeSource: (() => CheckedProgram) | undefined,
    readonly parts: Parts,
  ) {}

  label(name: string): Label {
    return new Label(`${name}.${this.labelCount++}`);
  }

  place(l: Label): void {
    this.items.push({ kind: 'label', label: l });
  }

  fn(fn: number, operand: Operand): void {
    this.items.push({ kind: 'fn', fn, operand });
  }

  op(code: number): void {
    this.items.push({ kind: 'fn', fn: Fn.opr, operand: code });
  }

  jump(fn: number, target: Label): void {
    this.items.push({ kind: 'jump', fn, target });
  }

  line(span: Span): void {
    this.items.push({ kind: 'line', span });
  }

  /** From here to `end` a plain ALT disables its guards (the image's `fairAlts`). */
  fairAlt(end: Label): void {
    this.items.push({ kind: 'fairAlt', end });
  }

  /** The next instruction can raise a run-time error; say what it means. */
  check(span: Span, message: string): void {
    this.items.push({ kind: 'check', span, message });
  }

  /**
   * Record in the debug information the variables and channels these specifications declare, with their
   * workspace word offsets, for the code up to the returned label (to be placed where their scope ends).
   */
  nameScope(specs: readonly Spec[]): Label | null {
    let end: Label | null = null;
    for (const s of specs) {
      if (s.kind !== 'decl') continue;
      for (const sym of s.decls ?? []) {
        const st = storageOf(sym);
        if (st.frame !== this.frame) continue;
        end = end ?? this.label('scope.end');
        const what =
          sym.type.kind === 'chan' || isChanArray(sym.type)
            ? 'channel'
            : sym.type.kind === 'timer'
              ? 'timer'
              : 'variable';
        this.items.push({ kind: 'name', name: sym.name, what, slot: st.slot, end });
      }
    }
    return end;
  }

  /** Push the absolute address of a label (position independent: `ldc L - M; ldpi; M:`). */
  address(l: Label): void {
    const m = this.label('here');
    this.fn(Fn.ldc, { to: l, from: m });
    this.op(Op.ldpi);
    this.place(m);
  }

  rootFrame(f: Frame): Frame {
    let r = f;
    while (r.parent) r = r.parent;
    return r;
  }

  /** Push the base of `target`'s frame by following static links from the current routine. */
  staticChain(target: ProcInfo): void {
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
  reach(st: Storage): { local: Deferred } | { base: () => void; offset: Deferred } {
    const root = this.rootFrame(st.frame);
    if (root === this.rootFrame(this.frame)) {
      const d = this.frame.distanceTo(st.frame);
      return { local: () => st.slot() + d() };
    }
    const owner = this.frameOwner.get(root)!;
    const down = st.frame.distanceTo(root);
    return { base: () => this.staticChain(owner), offset: () => st.slot() - down() };
  }

  loadSlot(st: Storage): void {
    this.slotAccess(st, Fn.ldl, Fn.ldnl);
  }

  /** Store A in a slot (uses one more register when the slot is in an enclosing routine). */
  storeSlot(st: Storage): void {
    this.slotAccess(st, Fn.stl, Fn.stnl);
  }

  slotAddress(st: Storage): void {
    this.slotAccess(st, Fn.ldlp, Fn.ldnlp);
  }

  /** A slot of this process's own workspace is reached directly; one of an enclosing routine through its static link. */
  slotAccess(st: Storage, local: number, nonLocal: number): void {
    const r = this.reach(st);
    if ('local' in r) this.fn(local, r.local);
    else {
      r.base();
      this.fn(nonLocal, r.offset);
    }
  }
}

export function setStorage(sym: VarSymbol | ParamSymbol | AbbrevSymbol, s: Storage): void {
  sym.frame = s.frame;
  sym.slot = undefined;
  storage.set(sym, s);
}

const storage = new WeakMap<Symbol, Storage>();

export function storageOf(sym: Symbol): Storage {
  const s = storage.get(sym);
  if (!s) throw new Error(`codegen: \`${sym.name}\` has no storage`);
  return s;
}
