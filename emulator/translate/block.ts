// The translator of bytecode to JavaScript: a straight run of instructions from one code address (a basic block,
// with side exits where a `cj` jumps) becomes one function built with `new Function`, from the semantics table
// (emulator/semantics.ts). A block that jumps back to its own start (a `j`, `cj` or looping `lend`) becomes a loop
// inside the function. The function works on the interpreter's locals, passed in and left in EXIT, and is exact:
//
// - It runs only when it fits: the caller checks cycles + bound < the batch's limit, where bound is the most its
//   instructions before the last can cost, so every instruction it executes is one the interpreter would have
//   executed; each loop iteration checks the same again.
// - Cycles and the instruction count are added as constants where the block leaves, and passed with the failing
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
 * of the code area, and 1 when nobody watches the process events (channel instructions run in the block only
 * then). It leaves the cycles and instructions it executed in io.cyc and io.n.
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
) => void;

export interface Translated {
  readonly fn: BlockFn;
  readonly bound: number;
  /** The generated source, for tests and for reading. */
  readonly source: string;
  readonly instructions: number;
}

/** Blocks made, by a hash of their bytes, address and memory size (at most MAX_SHARED_BLOCKS; then it starts again). */
const madeBlocks = new Map<
  number,
  { readonly entry: number; readonly size: number; readonly bytes: Uint8Array; readonly translated: Translated }[]
>();

function equal(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
const MAX_SHARED_BLOCKS = 20_000;

/** Instructions between two checks of the batch's cycle limit in a block. */
const SEGMENT = 8;

/** The longest block, in instructions. */
const MAX_INSTRUCTIONS = 64;

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

/**
 * Translate the block at memory offset `entry` of a core whose code ends at `codeEnd` and whose memory is `size`
 * bytes; null when its first instruction is not one the translator handles.
 */
export function translateBlock(
  m8: Uint8Array,
  entry: number,
  codeEnd: number,
  size: number,
  varies: Uint8Array | null = null,
  codeStart = 0,
): Translated | null {
  const list: Decoded[] = [];
  let p = entry;
  while (list.length < MAX_INSTRUCTIONS) {
    const d = decodeAt(m8, p, codeEnd, varies, codeStart);
    if (d === null) break;
    list.push(d);
    p = d.next;
    if (d.sem.flow === 'end') break;
  }
  if (list.length === 0) return null;
  // A block depends only on its bytes, its address and the memory size: cores whose code differs elsewhere (the
  // cores of a mesh, each compiled for its place) share the function, and V8's work on it.
  let key = Math.imul(entry ^ 0x811c9dc5, 0x01000193) ^ size;
  for (let i = entry; i < p; i++) key = Math.imul(key ^ m8[i]!, 0x01000193);
  const bytes = m8.subarray(entry, p);
  const same = madeBlocks.get(key);
  if (same !== undefined) {
    for (const m of same) if (m.entry === entry && m.size === size && equal(m.bytes, bytes)) return m.translated;
  }
  // The block is checked against the limit in segments of SEGMENT instructions: a segment runs only when the most
  // its instructions before its last can cost still leaves the cycle count below the limit. The first segment's
  // bound is the block's (checked by the caller, and by a loop at each iteration); the others are checked where
  // they start, leaving the rest to the interpreter. So a block fits even a short batch.
  const segmentBound = (from: number): number => {
    let b = 0;
    const to = Math.min(list.length, from + SEGMENT) - 1;
    for (let i = from; i < to; i++) b += list[i]!.prefixCycles + list[i]!.sem.maxCycles;
    return b;
  };
  const bound = segmentBound(0);

  // Cycles and instructions since the function's entry (or the loop's head) not yet added to cyc and n.
  let pending = 0;
  let count = 0;
  let looped = false;
  let cur: Decoded = list[0]!;
  let atStart = { pending: 0, count: 0 };
  // Every exit sets ip (where to continue) and ls (the last instruction executed), adds what is pending, and
  // breaks out to the one epilogue that leaves the locals in `io`.
  const exit = (ip: string, cycles: number, instrs: number, s: number | null): string =>
    `{ ${ip === 'ip' ? '' : `ip = ${ip}; `}${s === null ? '' : `ls = ${s}; `}` +
    `${cycles !== 0 ? `cyc += ${cycles}; ` : ''}${instrs !== 0 ? `n += ${instrs}; ` : ''}break e; }`;
  const back = (): string => {
    looped = true;
    return (
      `{ cyc += ${pending}; n += ${count}; ls = ${cur.start};` +
      ` if (cyc + ${bound} >= room) ${exit(String(entry), 0, 0, null)} continue; }`
    );
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
      // The instruction before this one is the last executed; at the block's start nothing was executed, and the
      // caller, seeing no progress, interprets this instruction.
      // In a loop, the last executed before the head is the instruction that jumped back to it (`ls`).
      const prev = index - 1;
      return exit(String(cur.start), atStart.pending, atStart.count, prev >= 0 ? list[prev]!.start : null);
    },
    jump(target) {
      return target === entry ? back() : exit(String(target), pending, count, cur.start);
    },
    jumpTo() {
      return `if (ip === ${entry}) ${back()} ${exit('ip', pending, count, cur.start)}`;
    },
    sliceCheck(cost) {
      return `if (pri !== 0 && cyc + ${pending + cost} >= slice) ${this.exitBefore()}`;
    },
    now() {
      return `cyc + ${pending}`;
    },
    switched() {
      return exit('ip', pending, count, cur.start);
    },
  };

  const body: string[] = [];
  let index = 0;
  for (const d of list) {
    cur = d;
    atStart = { pending, count };
    if (index > 0 && index % SEGMENT === 0)
      body.push(`if (cyc + ${pending + segmentBound(index)} >= room) ${e.exitBefore()}`);
    count++;
    pending += d.prefixCycles;
    body.push(d.sem.emit(e));
    index++;
  }
  const last = list[list.length - 1]!;
  if (last.sem.flow !== 'end') body.push(exit(String(last.next), pending, count, last.start));
  const code = body.join('\n');
  const channels = list.some((d) => d.sem.channel === true);
  const source =
    `'use strict';\nlet cyc = 0, n = 0, x = 0, r = 0, t = 0, ip = 0, ls = ${entry};\n` +
    (channels ? 'let z = 0, k = 0, y = 0, d = 0, p = 0, sx = 0, dx = 0, bx = 0;\n' : '') +
    `e: {\n` +
    (looped ? `for (;;) {\n${code}\n}\n` : `${code}\n`) +
    `}\nio.a = a; io.b = b; io.c = c; io.w = w; io.ip = ip; io.s = ls; io.cyc = cyc; io.n = n;\n`;
  const fn = new Function('core', 'm8', 'm32', 'io', 'a', 'b', 'c', 'w', 'room', 'pri', 'slice', 'ce', 'q', source);
  const made = { fn: fn as BlockFn, bound, source, instructions: list.length };
  if (madeBlocks.size >= MAX_SHARED_BLOCKS) madeBlocks.clear();
  const entryOf = { entry, size, bytes: bytes.slice(), translated: made };
  if (same !== undefined) same.push(entryOf);
  else madeBlocks.set(key, [entryOf]);
  return made;
}
