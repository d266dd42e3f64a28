// The translator of bytecode to JavaScript: the code at one address becomes one function built with `new Function`,
// from the semantics table (emulator/semantics.ts). The function holds a region: straight runs of instructions (with
// side exits where a `cj` jumps) from that address and from the places they lead to, the cases of a `switch` in a
// loop; a jump between them stays in the function, and a run that jumps back to its own start is a loop of its own.
// The function works on the interpreter's locals, passed in and left in EXIT, and is exact:
//
// - It runs only when it fits: the caller checks cycles + bound < the batch's limit, where bound is the most the
//   instructions of the first segment of the run it enters, before the last, can cost, so every instruction it
//   executes is one the interpreter would have executed; every jump to a run checks the same again.
// - Cycles and the instruction count are added as constants where a run leaves, and passed with the failing
//   instruction's address when it raises a run-time error (Core.jitRaise, Core.jitFault), so an error carries the
//   interpreter's Iptr, cycle and count. The block counts both from 0 (small integers, which V8 passes and adds
//   without allocating) against the room left before the limit; the caller adds them to its own.
// - It leaves before any instruction not in the table, before a `j` or looping `lend` that would reach a timeslice,
//   and before a store into the code area; the interpreter executes that instruction (and invalidates).

import { Fn } from '../isa.js';
import { DIRECT_SEMANTICS, OP_SEMANTICS, type Emitter, type Semantics } from '../semantics.js';
import type { BlockExit } from './cache.js';

/**
 * A translated block. Arguments: the core, its memory, where to leave the locals, the locals A, B, C and Wptr, the
 * cycles left before the batch's limit, the priority, the cycles left before the timeslice deadline, the end
 * of the code area, 1 when nobody watches the process events (channel instructions run in the block only then),
 * and the number of the run it starts at (Translated.entries). It leaves the cycles and instructions it executed in
 * io.cyc and io.n.
 */
export type BlockFn = (
  core: unknown,
  m8: Uint8Array,
  m32: Int32Array,
  io: BlockExit,
  a: number,
  b: number,
  c: number,
  w: number,
  room: number,
  pri: number,
  slice: number,
  ce: number,
  q: number,
  L: number,
) => void;

export interface Translated {
  readonly fn: BlockFn;
  readonly bound: number;
  /**
   * Every run's start (a memory offset), its case number (the function's argument L) and its bound: the function
   * may be entered at any of them. The first is the entry it was translated for.
   */
  readonly entries: readonly { readonly offset: number; readonly label: number; readonly bound: number }[];
  /** The generated source, for tests and for reading. */
  readonly source: string;
  readonly instructions: number;
}

/** Blocks made, by a hash of their bytes, address and memory size (at most MAX_SHARED_BLOCKS; then it starts again). */
const madeBlocks = new Map<
  number,
  { readonly entry: number; readonly size: number; readonly sig: readonly number[]; readonly translated: Translated }[]
>();

/** Whether two blocks' signatures (their runs' addresses and bytes) are the same. */
function sameSig(x: readonly number[], y: readonly number[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
const MAX_SHARED_BLOCKS = 20_000;

/** Instructions between two checks of the batch's cycle limit in a block. */
const SEGMENT = 8;

interface Decoded {
  readonly start: number;
  readonly next: number;
  readonly prefixCycles: number;
  readonly operand: number;
  readonly sem: Semantics;
}

/**
 * Decode the instruction at `p` if the translator handles it, it lies wholly inside the code and none of its bytes
 * is one that `varies` (indexed by code offset from codeStart) marks.
 */
function decodeAt(
  m8: Uint8Array,
  p: number,
  codeEnd: number,
  varies: Uint8Array | null,
  codeStart: number,
): Decoded | null {
  const start = p;
  let o = 0;
  let prefixCycles = 0;
  for (;;) {
    if (p >= codeEnd) return null;
    if (varies !== null && varies[p - codeStart]! !== 0) return null;
    const ib = m8[p++]!;
    const fn = ib >> 4;
    o |= ib & 15;
    if (fn === Fn.pfix || fn === Fn.nfix) {
      o = fn === Fn.pfix ? o << 4 : ~o << 4;
      prefixCycles += 1;
      continue;
    }
    const sem = fn === Fn.opr ? OP_SEMANTICS.get(o) : DIRECT_SEMANTICS[fn];
    if (sem === undefined) return null;
    return { start, next: p, prefixCycles, operand: o, sem };
  }
}

/** The most instructions of one function (a region of several runs). */
const MAX_REGION = 96;
/** The most runs (labels) of one function. */
const MAX_LABELS = 8;

/** Where an instruction jumps when that is known when the block is built: j, cj, call; lend after an ldc. */
function staticTarget(d: Decoded, prev: Decoded | null): number | null {
  const n = d.sem.name;
  if (n === 'j' || n === 'cj' || n === 'call') return (d.next + d.operand) >>> 0;
  // lend jumps back by A, which an ldc just before it sets.
  if (n === 'lend' && prev !== null && prev.sem.name === 'ldc' && prev.next === d.start)
    return (d.next - prev.operand) >>> 0;
  return null;
}

/**
 * Translate the code at memory offset `entry` of a core whose code ends at `codeEnd` and whose memory is `size`
 * bytes; null when its first instruction is not one the translator handles.
 *
 * The function holds a region: the straight run of instructions from the entry and the runs at the places it
 * jumps to (the targets of `j`, `cj`, `call` and a looping `lend`, the return address of a `call`, the address
 * after a channel instruction, where a process switched to resumes), up to MAX_REGION instructions in
 * MAX_LABELS runs. A jump to the start of a run of the region, known when the block is built or found at run time
 * (`ret`, `lend`, a process switch), stays in the function: a `switch` on the run's number inside a loop. Every
 * other jump, and any instruction not in the table, leaves it.
 */
export function translateBlock(
  m8: Uint8Array,
  entry: number,
  codeEnd: number,
  size: number,
  varies: Uint8Array | null = null,
  codeStart = 0,
): Translated | null {
  // Find the region: decode runs from the entry and from every target found, until the budget is spent.
  const decoded = new Map<number, Decoded>();
  const labels = new Set<number>([entry]);
  /** Labels a jump computed at run time may reach: return addresses, where switched processes resume, loop heads. */
  const dynamic = new Set<number>([entry]);
  const work = [entry];
  const inCode = (t: number): boolean => t >= codeStart && t < codeEnd;
  const want = (t: number): void => {
    if (!labels.has(t) && labels.size < MAX_LABELS && inCode(t)) {
      labels.add(t);
      work.push(t);
    }
  };
  while (work.length > 0) {
    const from = work.shift()!;
    let p = from;
    let prev: Decoded | null = null;
    for (;;) {
      if (decoded.has(p)) {
        // Two runs meet here: it starts a run of its own.
        if (p !== from && labels.size < MAX_LABELS) labels.add(p);
        break;
      }
      if (decoded.size >= MAX_REGION) break;
      const d = decodeAt(m8, p, codeEnd, varies, codeStart);
      if (d === null) break;
      decoded.set(p, d);
      const target = staticTarget(d, prev);
      if (target !== null) want(target);
      if (d.sem.name === 'call' || d.sem.channel === true) {
        want(d.next);
        dynamic.add(d.next);
      }
      if (d.sem.name === 'lend' && target !== null) dynamic.add(target);
      if (d.sem.flow === 'end') break;
      prev = d;
      p = d.next;
    }
  }
  if (!decoded.has(entry)) return null;
  // The runs: from each label that decoded, to the end of its straight run or the next label.
  const starts = [...labels].filter((a) => decoded.has(a)).sort((x, y) => x - y);
  const caseOf = new Map<number, number>(starts.map((a, i) => [a, i]));
  const runs = starts.map((a) => {
    const list: Decoded[] = [];
    let p = a;
    for (;;) {
      const d = decoded.get(p);
      if (d === undefined || (p !== a && caseOf.has(p)) || list.length >= MAX_REGION) break;
      list.push(d);
      if (d.sem.flow === 'end') break;
      p = d.next;
    }
    return list;
  });

  // A function depends only on its instructions' bytes and addresses and the memory size: cores whose code differs
  // elsewhere (the cores of a mesh, each compiled for its place) share it, and V8's work on it.
  const ranges: number[] = [];
  for (const list of runs) ranges.push(list[0]!.start, list[list.length - 1]!.next);
  let key = Math.imul(entry ^ 0x811c9dc5, 0x01000193) ^ size;
  const sig: number[] = [entry, size];
  for (let r = 0; r < ranges.length; r += 2) {
    sig.push(ranges[r]!, ranges[r + 1]!);
    for (let i = ranges[r]!; i < ranges[r + 1]!; i++) {
      key = Math.imul(key ^ m8[i]!, 0x01000193);
      sig.push(m8[i]!);
    }
  }
  const same = madeBlocks.get(key);
  if (same !== undefined) {
    for (const m of same) if (m.entry === entry && m.size === size && sameSig(m.sig, sig)) return m.translated;
  }

  // Each run is checked against the limit in segments of SEGMENT instructions: a segment runs only when the most its
  // instructions before its last can cost still leaves the cycle count below the limit. A run's first segment is
  // checked where the run is entered (by the caller for the entry, by the jump for the others); the others where
  // they start, leaving the rest to the interpreter. So a block fits even a short batch.
  const segmentBound = (list: readonly Decoded[], from: number): number => {
    let b = 0;
    const to = Math.min(list.length, from + SEGMENT) - 1;
    for (let i = from; i < to; i++) b += list[i]!.prefixCycles + list[i]!.sem.maxCycles;
    return b;
  };
  const bounds = runs.map((list) => segmentBound(list, 0));
  const bound = bounds[caseOf.get(entry)!]!;

  // Cycles and instructions since the run's start not yet added to cyc and n.
  let pending = 0;
  let count = 0;
  let cur: Decoded = runs[0]![0]!;
  let atStart = { pending: 0, count: 0 };
  let run = 0;
  let index = 0;
  // Every exit sets ip (where to continue) and ls (the last instruction executed), adds what is pending, and
  // breaks out to the one epilogue that leaves the locals in `io`.
  const exit = (ip: string, cycles: number, instrs: number, s: number | null): string =>
    `{ ${ip === 'ip' ? '' : `ip = ${ip}; `}${s === null ? '' : `ls = ${s}; `}` +
    `${cycles !== 0 ? `cyc += ${cycles}; ` : ''}${instrs !== 0 ? `n += ${instrs}; ` : ''}break e; }`;
  /** Go to run k: add what is pending, and go on there if its first segment fits, else leave for its start. */
  const goto = (k: number, last: number, fall: boolean): string => {
    const head =
      `cyc += ${pending}; n += ${count}; ls = ${last};` +
      ` if (cyc + ${bounds[k]} >= room) { ip = ${starts[k]}; break e; }`;
    // A run jumping to its own start loops in its own loop (r0, r1, ...), falls out of it into the next case, or
    // goes through the switch to any other.
    if (fall) return `${head} break r${run};`;
    return k === run ? `{ ${head} continue r${k}; }` : `{ ${head} L = ${k}; continue e; }`;
  };
  /** A jump to an address computed at run time (in `ip`): to a run of the region if it starts one. */
  const dispatch = (last: number): string => {
    const cases = starts
      .map((a, k) => (dynamic.has(a) ? `case ${a}: ${goto(k, last, false)}` : ''))
      .filter((c) => c !== '')
      .join(' ');
    return `switch (ip) { ${cases} default: ${exit('ip', pending, count, last)} }`;
  };
  const e: Emitter = {
    get o() {
      return cur.operand;
    },
    get next() {
      return cur.next;
    },
    size,
    codeEnd: 'ce',
    charge(cycles) {
      pending += cycles;
      return '';
    },
    chargeDynamic(expr) {
      return `cyc += ${expr};`;
    },
    raise(reason) {
      return `core.jitRaise(${JSON.stringify(reason)}, ${cur.start}, w, cyc + ${pending}, n + ${count}, a, b, c, ${cur.next});`;
    },
    fault(addr) {
      return `core.jitFault(${addr}, ${cur.start}, w, cyc + ${pending}, n + ${count}, a, b, c, ${cur.next});`;
    },
    exitBefore() {
      // The instruction before this one in its run is the last executed. At a run's start it is the one that
      // jumped there (`ls`, set by the jump); at the function's entry nothing was executed, and the caller, seeing
      // no progress, interprets this instruction.
      const list = runs[run]!;
      return exit(String(cur.start), atStart.pending, atStart.count, index > 0 ? list[index - 1]!.start : null);
    },
    jump(target) {
      const k = caseOf.get(target);
      return k !== undefined ? goto(k, cur.start, false) : exit(String(target), pending, count, cur.start);
    },
    jumpTo() {
      return dispatch(cur.start);
    },
    sliceCheck(cost) {
      return `if (pri !== 0 && cyc + ${pending + cost} >= slice) ${this.exitBefore()}`;
    },
    now() {
      return `cyc + ${pending}`;
    },
    switched() {
      // The process switched to has its own timeslice deadline, set by the switch (relative to the call's cycle).
      return `if (pri !== 0) slice = core.sliceDeadline - io.cyc0; ${dispatch(cur.start)}`;
    },
  };

  const cases: string[] = [];
  let channels = false;
  let total = 0;
  for (run = 0; run < runs.length; run++) {
    const list = runs[run]!;
    const body: string[] = [];
    pending = 0;
    count = 0;
    for (index = 0; index < list.length; index++) {
      const d = list[index]!;
      cur = d;
      atStart = { pending, count };
      if (index > 0 && index % SEGMENT === 0)
        body.push(`if (cyc + ${pending + segmentBound(list, index)} >= room) ${e.exitBefore()}`);
      count++;
      pending += d.prefixCycles;
      body.push(d.sem.emit(e));
      if (d.sem.channel === true) channels = true;
    }
    total += list.length;
    const last = list[list.length - 1]!;
    if (last.sem.flow !== 'end') {
      // The run ends where another begins (falling into it when it is the next case) or where the region ends.
      const k = caseOf.get(last.next);
      if (k === run + 1) body.push(goto(k, last.start, true));
      else if (k !== undefined) body.push(goto(k, last.start, false));
      else body.push(exit(String(last.next), pending, count, last.start));
    }
    cases.push(`r${run}: for (;;) {\n${body.join('\n')}\n}`);
  }
  // One run is a loop of its own; several are the cases of a switch on the run's number (L) inside the loop.
  const source =
    `'use strict';\nlet cyc = 0, n = 0, x = 0, r = 0, t = 0, ip = 0, ls = 0;\n` +
    (channels ? 'let z = 0, k = 0, y = 0, d = 0, p = 0, sx = 0, dx = 0, bx = 0;\n' : '') +
    (cases.length > 1
      ? `e: for (;;) {\nswitch (L) {\n${cases.map((c, k) => `case ${k}: {\n${c}\n}`).join('\n')}\n}\nbreak;\n}\n`
      : `e: for (;;) {\n${cases[0]!}\nbreak;\n}\n`) +
    `io.a = a; io.b = b; io.c = c; io.w = w; io.ip = ip; io.s = ls; io.cyc = cyc; io.n = n;\n`;
  const fn = new Function(
    'core',
    'm8',
    'm32',
    'io',
    'a',
    'b',
    'c',
    'w',
    'room',
    'pri',
    'slice',
    'ce',
    'q',
    'L',
    source,
  );
  const entries = [
    { offset: entry, label: caseOf.get(entry)!, bound },
    ...starts
      .filter((a) => a !== entry)
      .map((a) => ({ offset: a, label: caseOf.get(a)!, bound: bounds[caseOf.get(a)!]! })),
  ];
  const made = { fn: fn as BlockFn, bound, entries, source, instructions: total };
  if (madeBlocks.size >= MAX_SHARED_BLOCKS) madeBlocks.clear();
  const entryOf = { entry, size, sig, translated: made };
  if (same !== undefined) same.push(entryOf);
  else madeBlocks.set(key, [entryOf]);
  return made;
}
