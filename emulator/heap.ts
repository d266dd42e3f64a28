// The per-core heap: memory allocated at run time for what the compiler cannot size (the workspaces of recursive
// calls and of replicated PARs whose count is known only at run time, MOBILE data, FORKed processes). It lives in
// the core's own memory, between the end of the code and the bottom of the boot process's workspace, so a
// snapshot of the memory is a snapshot of the heap; the few registers that describe it are plain fields of the
// Core (docs/isa.md, "The heap").
//
// The allocator is deterministic and cheap for the patterns occam code makes (a recursive call frees its block
// before its caller does; a PAR frees its branches' block when it joins): blocks are carved from the top of the
// used part (a bump pointer) unless a free block fits first; a block freed at the top lowers the top, others go on
// an address-ordered free list and merge with their free neighbours. Every block has a one-word header holding
// its size in bytes (header included); a free block's second word links to the next free block.

import { MOST_NEG, NOT_PROCESS, OP_CYCLES, Op, VARIANT_CYCLES } from './isa.js';

/** What the heap instructions need of a core (emulator/core.ts implements it). */
export interface HeapHost {
  A: number;
  B: number;
  C: number;
  cycles: number;
  heapBase: number;
  heapTop: number;
  heapLimit: number;
  heapFree: number;
  heapUsed: number;
  heapPeak: number;
  extRead(addr: number): number;
  extWrite(addr: number, value: number): void;
  extFault(reason: string): never;
}

/** Cycles per free-list block `malloc` or `mrelease` looks at (on top of the instruction's base cost). */
export const HEAP_CYCLES_PER_BLOCK = VARIANT_CYCLES.heapPerBlock;

/** Words of header before the address malloc returns. */
const HEADER = 4;
/** The smallest block: a header and a free-list link. */
const MIN_BLOCK = 8;

/** The address as an unsigned byte offset, so that heap addresses compare in memory order. */
const off = (addr: number): number => (addr ^ MOST_NEG) >>> 0;

/** Set up an empty heap from `base` (rounded up to a word) to `limit` (exclusive). */
export function heapInit(h: HeapHost, base: number, limit: number): void {
  const b = (off(base) + 3) & ~3;
  const l = Math.max(b, off(limit) & ~3);
  h.heapBase = (b ^ MOST_NEG) | 0;
  h.heapTop = h.heapBase;
  h.heapLimit = (l ^ MOST_NEG) | 0;
  h.heapFree = NOT_PROCESS;
  h.heapUsed = 0;
  h.heapPeak = 0;
}

/** Execute a heap operation, if `op` is one; returns whether it was. */
export function heapOperation(h: HeapHost, op: number): boolean {
  if (op === Op.malloc) {
    h.cycles += OP_CYCLES[Op.malloc]!;
    h.A = heapAlloc(h, h.A);
    return true;
  }
  if (op === Op.mrelease) {
    h.cycles += OP_CYCLES[Op.mrelease]!;
    heapRelease(h, h.A);
    h.A = h.B;
    h.B = h.C;
    return true;
  }
  return false;
}

/** Allocate at least `bytes` bytes; returns the address of the first (word-aligned) one. */
export function heapAlloc(h: HeapHost, bytes: number): number {
  if (bytes < 0 || bytes > 0x3fffffff) h.extFault(`cannot allocate ${bytes} bytes`);
  const size = Math.max(MIN_BLOCK, (bytes + HEADER + 3) & ~3);
  // First fit on the free list.
  let prev = NOT_PROCESS;
  let b = h.heapFree;
  while (b !== NOT_PROCESS) {
    h.cycles += HEAP_CYCLES_PER_BLOCK;
    const bsize = h.extRead(b);
    const next = h.extRead((b + 4) | 0);
    if (bsize >= size) {
      let rest: number;
      if (bsize - size >= MIN_BLOCK) {
        // Split: the tail stays free in the same place in the list.
        const tail = (b + size) | 0;
        h.extWrite(tail, bsize - size);
        h.extWrite((tail + 4) | 0, next);
        h.extWrite(b, size);
        rest = tail;
      } else rest = next;
      if (prev === NOT_PROCESS) h.heapFree = rest;
      else h.extWrite((prev + 4) | 0, rest);
      return taken(h, b, h.extRead(b));
    }
    prev = b;
    b = next;
  }
  if (off(h.heapLimit) - off(h.heapTop) < size) {
    h.extFault(
      `out of heap memory: ${bytes} bytes wanted, ${h.heapUsed} of ${off(h.heapLimit) - off(h.heapBase)} in use ` +
        `(give the core more memory with --mem)`,
    );
  }
  const block = h.heapTop;
  h.heapTop = (block + size) | 0;
  h.extWrite(block, size);
  return taken(h, block, size);
}

function taken(h: HeapHost, block: number, size: number): number {
  h.heapUsed += size;
  if (h.heapUsed > h.heapPeak) h.heapPeak = h.heapUsed;
  return (block + HEADER) | 0;
}

/** Give back the block whose address `malloc` returned. */
export function heapRelease(h: HeapHost, addr: number): void {
  const block = (addr - HEADER) | 0;
  const size = h.extRead(block);
  if (
    off(block) < off(h.heapBase) ||
    off(block) + size > off(h.heapTop) ||
    size < MIN_BLOCK ||
    (size & 3) !== 0 ||
    (addr & 3) !== 0
  ) {
    h.extFault(`mrelease of #${(addr >>> 0).toString(16).toUpperCase()}, which is not an allocated block`);
  }
  h.heapUsed -= size;
  // Find the free blocks on either side (the list is in address order).
  let prev = NOT_PROCESS;
  let b = h.heapFree;
  while (b !== NOT_PROCESS && off(b) < off(block)) {
    h.cycles += HEAP_CYCLES_PER_BLOCK;
    prev = b;
    b = h.extRead((b + 4) | 0);
  }
  let start = block;
  let end = (block + size) | 0;
  // Merge with the free block before it.
  if (prev !== NOT_PROCESS && ((prev + h.extRead(prev)) | 0) === block) {
    start = prev;
    // Unlink `start`: find its predecessor again (it is the last block before `start`).
    let p = NOT_PROCESS;
    let q = h.heapFree;
    while (q !== start) {
      p = q;
      q = h.extRead((q + 4) | 0);
    }
    prev = p;
  }
  // Merge with the free block after it.
  let next = b;
  if (next !== NOT_PROCESS && next === end) {
    end = (end + h.extRead(next)) | 0;
    next = h.extRead((next + 4) | 0);
  }
  if (end === h.heapTop) {
    // The block is at the top: the top comes down, and no free block lies above it any more.
    h.heapTop = start;
    if (prev === NOT_PROCESS) h.heapFree = next;
    else h.extWrite((prev + 4) | 0, next);
    return;
  }
  h.extWrite(start, (end - start) | 0);
  h.extWrite((start + 4) | 0, next);
  if (prev === NOT_PROCESS) h.heapFree = start;
  else h.extWrite((prev + 4) | 0, start);
}
