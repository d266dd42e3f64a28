// `reschedule` (emulator/scheduling.ts): the running process goes to the back of its run queue, at 4 cycles.

import { describe, it, expect } from 'vitest';
import { encodeOp, Op, OP_CYCLES, MOST_NEG, NOT_PROCESS } from '../../emulator/isa.js';
import { MEM_START } from '../../emulator/image.js';
import { Core } from '../../emulator/core.js';

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
