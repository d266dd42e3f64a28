// The code generator: checked AST to a list of Transputer instructions (assembler items), following the
// classic occam-to-Transputer mapping (docs/codegen.md): one workspace frame per PROC and per PAR
// branch, expressions on the three-register stack with temporaries when they need more, soft channels as one
// word, PAR with startp/endp and a join block, replicated SEQ with lend, and every run-time check tagged with
// the source it comes from so an error can be reported in source terms.
//
// This file is the driver: the public entry points and the boot code around a program, a core's processes or a
// library. The generator's state is in context.ts; the other files in this folder are one part of the language
// each, layered so that each imports only the files below it (ARCHITECTURE.md).

import type { Process, ProcDef } from '../ast.js';
import type { Item, Label } from '../assembler.js';
import type { CheckedProgram, HostRole } from '../checker/index.js';
import { isChanArray } from '../ast-queries.js';
import { calledRoutines } from '../reachable.js';
import type { Span } from '../source.js';
import type { AbbrevSymbol, Routine, Symbol, VarSymbol } from '../symbols.js';
import { CALL_WORDS, type Deferred, Frame } from '../workspace.js';
import { Fn, MOST_NEG, Op } from '../../emulator/isa.js';
import { HOST_ERROR, HOST_KEYBOARD, HOST_SCREEN } from '../../emulator/image.js';
import { CodeGen, type LibraryCode, type LibraryProc, type Parts, setStorage } from './context.js';
import { initChannels } from './declarations.js';
import { depth, expr } from './expressions.js';
import { fexpr, fOperands } from './fpu.js';
import { storeNumericAt } from './numeric-stores.js';
import { par, process } from './processes.js';
import { wordsFor } from './queries.js';
import { callRoutine, maxMemoryWords, routine } from './routines.js';

export type { LibraryProc } from './context.js';

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

export interface CodegenOptions {
  /** Emit the subscript, conversion and shift-count range checks (default true). */
  readonly rangeChecks?: boolean;
  /**
   * The checked runtime library (compiler/runtime64.ts: INT64 multiply and divide, written in occam), asked for
   * only when a program needs it.
   */
  readonly runtime?: () => CheckedProgram;
}

/** The recursive entry points, for the parts that call parts above them (context.ts). */
const parts: Parts = {
  expr,
  depth,
  fexpr,
  fOperands,
  storeNumericAt,
  callRoutine,
  routine,
  process,
  library: generateLibrary,
};

export function generate(checked: CheckedProgram, options: CodegenOptions = {}): Generated {
  return program(new CodeGen(options.rangeChecks ?? true, options.runtime, parts), checked);
}

/** Generate every PROC of a checked library (no boot code, no debug lines: its checks are made by the callers). */
export function generateLibrary(checked: CheckedProgram): LibraryCode {
  return library(new CodeGen(false, undefined, parts), checked);
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
  return coreProgram(new CodeGen(options.rangeChecks ?? true, options.runtime, parts), code);
}

function library(gen: CodeGen, checked: CheckedProgram): LibraryCode {
  for (const p of checked.procs) routine(gen, p);
  gen.items.push(...gen.nested);
  if (gen.pool.length > 0) gen.items.push({ kind: 'align' }, ...gen.pool);
  const procs = new Map<string, LibraryProc>();
  for (const p of checked.procs) {
    const info = gen.procInfo.get(p)!;
    procs.set(p.name, { label: info.label, total: () => info.frame.total() });
  }
  const items = gen.items.filter((it) => it.kind !== 'line' && it.kind !== 'check' && it.kind !== 'proc');
  return { items, procs };
}

function program(gen: CodeGen, checked: CheckedProgram): Generated {
  // Only what the program calls, as a placed core gets: hello world with the course library is one PROC and the
  // two it calls, not the whole library.
  const used = new Set<Routine>([checked.main]);
  calledRoutines(checked.main.def, used);
  for (const s of checked.program.specs) {
    if ((s.kind === 'proc' || s.kind === 'function') && s.decl && used.has(s.decl as Routine)) {
      routine(gen, s.decl as Routine);
    }
  }
  gen.items.push(...gen.nested);

  // The boot process: connect main's channels to the host and call it.
  const entry = gen.label('boot');
  const main = gen.procInfo.get(checked.main)!;
  gen.place(entry);
  gen.line(checked.main.def.span);
  const roles = checked.mainRoles;
  for (let i = roles.length - 1; i >= 0; i--) {
    // MostNeg + 4k, built as `mint; ldnlp k`: shorter than the constant.
    gen.op(Op.mint);
    gen.fn(Fn.ldnlp, (HOST_ADDRESS[roles[i]!] - MOST_NEG) / 4);
  }
  gen.jump(Fn.call, main.label);
  gen.op(Op.haltp);
  if (gen.library64) gen.items.push({ kind: 'align' }, ...gen.library64.items);

  if (gen.pool.length > 0) gen.items.push({ kind: 'align' }, ...gen.pool);
  return { items: gen.items, entry, workspaceWords: () => CALL_WORDS + main.frame.total() };
}

/** A core's image: the PROCs it calls and a boot process that runs its processes, then halts. */
function coreProgram(gen: CodeGen, code: CoreCode): Generated {
  for (const r of code.procs) routine(gen, r);
  gen.items.push(...gen.nested);
  for (const [sym, addr] of code.fixed) gen.fixedChannels.set(sym, addr);
  const entry = gen.label('boot');
  gen.place(entry);
  gen.line(code.span);
  const frame = new Frame(null, Math.max(2, maxMemoryWords([...code.bodies])));
  gen.frame = frame;
  gen.fn(Fn.ajw, () => -frame.size);
  for (const ix of code.indices) {
    const slot = frame.alloc(1);
    setStorage(ix.sym, { frame, slot: () => slot });
    gen.fn(Fn.ldc, ix.value);
    gen.fn(Fn.stl, slot);
  }
  for (const sym of code.locals) {
    const slot = frame.alloc(wordsFor(sym.type));
    setStorage(sym, { frame, slot: () => slot });
    if (sym.type.kind === 'chan') {
      gen.op(Op.mint);
      gen.fn(Fn.stl, slot);
    } else if (isChanArray(sym.type)) initChannels(gen, slot, wordsFor(sym.type));
  }
  par(gen, code.bodies);
  gen.fn(Fn.ajw, () => frame.size);
  gen.op(Op.haltp);
  if (gen.library64) gen.items.push({ kind: 'align' }, ...gen.library64.items);
  if (gen.pool.length > 0) gen.items.push({ kind: 'align' }, ...gen.pool);
  return { items: gen.items, entry, workspaceWords: () => frame.total() };
}

export type { ProcDef };
