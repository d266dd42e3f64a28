// `reschedule`, `barenroll` and `barsync` (emulator/scheduling.ts): their effect on the run queue, the barrier's words and
// the waiting processes, and their cycle costs.

import { describe, it, expect } from 'vitest';
import { encodeOp, Op, OP_CYCLES, MOST_NEG, NOT_PROCESS } from '../../emulator/isa.js';
import { MEM_START } from '../../emulator/image.js';
import { Core } from '../../emulator/core.js';
import { BARRIER_CYCLES_PER_RELEASE, BARSYNC_WAITS } from '../../emulator/scheduling.js';

describe('reschedule', () => {
  it('queues the running process behind the others and saves where it resumes', () => {
    const c = new Core({ memoryBytes: 8192 });
    const code = Uint8Array.from(encodeOp(Op.reschedule));
    c.load(code, 0, 16);
    const w = c.Wptr;
    const other = (MOST_NEG + 0x1000) | 0;
    c.writeWord((other - 4) | 0, MEM_START);
    c.fptr[1] = other;
    c.bptr[1] = other;
    const c0 = c.cycles;
    c.step();
    expect(c.cycles - c0).toBe(code.length - 1 + OP_CYCLES[Op.reschedule]!);
    expect(OP_CYCLES[Op.reschedule]).toBe(4);
    expect(c.readWord((w - 4) | 0)).toBe((MEM_START + code.length) | 0);
    // The other process runs next; the rescheduled one is behind it.
    expect(c.bptr[1]).toBe(w);
    expect(c.readWord((other - 8) | 0)).toBe(w);
    expect(c.fptr[1]).not.toBe(NOT_PROCESS);
  });
});

describe('barriers', () => {
  const BAR = (MOST_NEG + 0x1000) | 0;
  const w1 = (MOST_NEG + 0x1800) | 0;
  const w2 = (MOST_NEG + 0x1900) | 0;

  function core(enrolled: number): Core {
    const c = new Core({ memoryBytes: 8192 });
    c.load(new Uint8Array(16), 0, 16);
    c.writeWord(BAR, enrolled);
    c.writeWord(BAR + 4, 0);
    c.writeWord(BAR + 8, NOT_PROCESS);
    c.writeWord(BAR + 12, NOT_PROCESS);
    return c;
  }

  function exec(c: Core, op: number, w: number, a: number, b = 0): number {
    const code = Uint8Array.from(encodeOp(op));
    for (let i = 0; i < code.length; i++) c.writeByte(MEM_START + i, code[i]!);
    c.Iptr = MEM_START;
    c.Wptr = w;
    c.A = a;
    c.B = b;
    c.active = true;
    const c0 = c.cycles;
    c.step();
    return c.cycles - c0 - (code.length - 1);
  }

  it('barsync waits until the last enrolled process arrives, which releases the others in order', () => {
    const c = core(3);
    expect(exec(c, Op.barsync, w1, BAR)).toBe(OP_CYCLES[Op.barsync]! + BARSYNC_WAITS);
    expect(c.active).toBe(false);
    exec(c, Op.barsync, w2, BAR);
    expect(c.readWord(BAR + 4)).toBe(2);
    expect(c.readWord(BAR + 8)).toBe(w1 | 1);
    expect(c.readWord(BAR + 12)).toBe(w2 | 1);
    expect(c.blockedProcesses().map((b) => [b.kind, b.channel])).toEqual([
      ['sync', BAR],
      ['sync', BAR],
    ]);
    // The third continues and releases both: 6 + 2 per process released.
    expect(exec(c, Op.barsync, (MOST_NEG + 0x1a00) | 0, BAR)).toBe(6 + 2 * BARRIER_CYCLES_PER_RELEASE);
    expect(c.active).toBe(true);
    expect(c.readWord(BAR + 4)).toBe(0);
    expect(c.readWord(BAR + 8)).toBe(NOT_PROCESS);
    expect(c.fptr[1]).toBe(w1);
    expect(c.bptr[1]).toBe(w2);
  });

  it('barenroll adds B processes; resigning the last one not yet arrived completes the phase', () => {
    const c = core(2);
    expect(exec(c, Op.barenroll, w1, BAR, 1)).toBe(4);
    expect(c.readWord(BAR)).toBe(3);
    exec(c, Op.barsync, w1, BAR);
    exec(c, Op.barsync, w2, BAR);
    expect(c.fptr[1]).toBe(NOT_PROCESS);
    exec(c, Op.barenroll, (MOST_NEG + 0x1a00) | 0, BAR, -1);
    expect(c.readWord(BAR)).toBe(2);
    expect(c.fptr[1]).toBe(w1);
    expect(c.readWord(BAR + 4)).toBe(0);
  });
});
