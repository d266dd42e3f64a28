// The heap instructions (emulator/heap.ts): what malloc and mrelease do to the registers, to the heap's blocks and
// free list, what they cost, and the errors they raise; and that a snapshot carries the heap.

import { describe, it, expect } from 'vitest';
import { encodeOp, Op, OP_CYCLES, MOST_NEG, NOT_PROCESS } from '../../emulator/isa.js';
import { MEM_START } from '../../emulator/image.js';
import { Core } from '../../emulator/core.js';
import { Machine } from '../../emulator/machine.js';
import { restoreSnapshot, takeSnapshot, machineDigest } from '../../emulator/snapshot.js';
import { I, imageOf } from '../helpers/asm.js';

const MALLOC = OP_CYCLES[Op.malloc]!;
const MRELEASE = OP_CYCLES[Op.mrelease]!;
const PREFIXES = encodeOp(Op.malloc).length - 1;

function core(): Core {
  const c = new Core({ memoryBytes: 8192 });
  // A program of 16 bytes (the heap starts after it) whose boot workspace needs 100 words.
  c.load(new Uint8Array(16), 0, 100);
  c.HaltOnError = true;
  return c;
}

/** Execute one heap instruction with A = `a` (B and C as given); returns its cycles. */
function exec(c: Core, op: number, a: number, b = 0, cc = 0): number {
  c.A = a;
  c.B = b;
  c.C = cc;
  const code = Uint8Array.from(encodeOp(op));
  c.writeByte(MEM_START, code[0]!);
  for (let i = 1; i < code.length; i++) c.writeByte(MEM_START + i, code[i]!);
  c.Iptr = MEM_START;
  const c0 = c.cycles;
  c.step();
  return c.cycles - c0;
}

describe('the heap', () => {
  it('lies between the code and the bottom of the boot workspace', () => {
    const c = core();
    expect(c.heapBase).toBe((MEM_START + 16) | 0);
    expect(c.heapTop).toBe(c.heapBase);
    expect(c.heapLimit).toBe((c.bootWptr - 4 * 105) | 0);
    expect(c.heapFree).toBe(NOT_PROCESS);
  });

  it('malloc returns the address after a one-word header and costs 20 cycles from the top', () => {
    const c = core();
    expect(exec(c, Op.malloc, 10, 7, 9)).toBe(PREFIXES + MALLOC);
    expect(MALLOC).toBe(20);
    expect(c.A).toBe((c.heapBase + 4) | 0);
    expect(c.B).toBe(7);
    expect(c.C).toBe(9);
    // 10 bytes + header, rounded up to a word.
    expect(c.readWord(c.heapBase)).toBe(16);
    expect(c.heapTop).toBe((c.heapBase + 16) | 0);
    expect(c.heapUsed).toBe(16);
  });

  it('mrelease of the top block lowers the top, pops A, and costs 12 cycles', () => {
    const c = core();
    exec(c, Op.malloc, 8);
    const a = c.A;
    expect(exec(c, Op.mrelease, a, 5, 6)).toBe(PREFIXES + MRELEASE);
    expect(c.A).toBe(5);
    expect(c.B).toBe(6);
    expect(c.heapTop).toBe(c.heapBase);
    expect(c.heapUsed).toBe(0);
    expect(c.heapPeak).toBe(12);
  });

  it('a block freed below the top goes on the free list and is reused first fit, split, at 2 cycles a block', () => {
    const c = core();
    exec(c, Op.malloc, 40);
    const first = c.A;
    exec(c, Op.malloc, 4);
    const second = c.A;
    expect(second).toBe((first + 44) | 0);
    exec(c, Op.mrelease, first);
    expect(c.heapFree).toBe((first - 4) | 0);
    expect(c.readWord((first - 4) | 0)).toBe(44);
    expect(exec(c, Op.malloc, 8)).toBe(PREFIXES + MALLOC + 2);
    expect(c.A).toBe(first);
    // The rest of the free block stays on the list.
    expect(c.heapFree).toBe((first + 8) | 0);
    expect(c.readWord((first + 8) | 0)).toBe(32);
  });

  it('neighbouring free blocks merge, and the top absorbs them', () => {
    const c = core();
    const blocks: number[] = [];
    for (let i = 0; i < 3; i++) {
      exec(c, Op.malloc, 12);
      blocks.push(c.A);
    }
    exec(c, Op.mrelease, blocks[0]!);
    exec(c, Op.mrelease, blocks[1]!);
    expect(c.heapFree).toBe(c.heapBase);
    expect(c.readWord(c.heapBase)).toBe(32);
    expect(c.readWord((c.heapBase + 4) | 0)).toBe(NOT_PROCESS);
    exec(c, Op.mrelease, blocks[2]!);
    expect(c.heapTop).toBe(c.heapBase);
    expect(c.heapFree).toBe(NOT_PROCESS);
    expect(c.heapUsed).toBe(0);
  });

  it('running out of heap is a run-time error that names the request', () => {
    const c = core();
    exec(c, Op.malloc, 1 << 20);
    expect(c.state).toBe('error');
    expect(c.fault?.reason).toMatch(/out of heap memory: 1048576 bytes wanted/);
  });

  it('mrelease of an address that is no block is a run-time error', () => {
    const c = core();
    exec(c, Op.malloc, 8);
    exec(c, Op.mrelease, (MOST_NEG + 0x1000) | 0);
    expect(c.state).toBe('error');
    expect(c.fault?.reason).toMatch(/not an allocated block/);
  });
});

describe('heap and snapshots', () => {
  it('a snapshot holds the heap: a restored machine has the same blocks and allocates the same way', () => {
    // Allocate one block, store 42 in it, then wait on a timer so that the snapshot is taken mid-run.
    const items = [
      I('ldc', 24),
      I('malloc'),
      I('stl', 1),
      I('ldc', 42),
      I('ldl', 1),
      I('stnl', 0),
      I('ldtimer'),
      I('adc', 100),
      I('tin'),
      I('ldc', 8),
      I('malloc'),
      I('stl', 2),
      I('haltp'),
    ];
    const m = new Machine(imageOf(items, 16));
    m.run(200);
    const c0 = m.cores[0]!;
    expect(c0.heapUsed).toBe(28);
    const snap = takeSnapshot(m);
    const digest = machineDigest(m);
    m.run();
    const r = restoreSnapshot(snap);
    expect(machineDigest(r)).toBe(digest);
    const rc = r.cores[0]!;
    expect(rc.heapUsed).toBe(28);
    const block = rc.readWord((rc.bootWptr + 4) | 0);
    expect(rc.readWord(block)).toBe(42);
    r.run();
    expect(rc.readWord((rc.bootWptr + 8) | 0)).toBe(c0.readWord((c0.bootWptr + 8) | 0));
    expect(rc.heapUsed).toBe(40);
  });
});
