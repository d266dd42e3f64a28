// The semaphore instructions behind CLAIM (emulator/semaphores.ts): what semclaim and semrelease do to the
// registers, the semaphore table and the run queue, and what they cost.

import { describe, it, expect } from 'vitest';
import { encodeOp, Op, OP_CYCLES, MOST_NEG, NOT_PROCESS } from '../../emulator/isa.js';
import { MEM_START } from '../../emulator/image.js';
import { Core } from '../../emulator/core.js';
import { SEMCLAIM_WAITS, SEMRELEASE_HANDS_OVER } from '../../emulator/semaphores.js';

const CHAN = (MOST_NEG + 0x1000) | 0;
const PREFIXES = encodeOp(Op.semclaim).length - 1;

function core(): Core {
  const c = new Core({ memoryBytes: 8192 });
  c.load(new Uint8Array(16), 0, 16);
  return c;
}

/** Execute one instruction as the process with workspace `w`, A = `a`. */
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
  return c.cycles - c0;
}

describe('semclaim and semrelease', () => {
  const w1 = (MOST_NEG + 0x1800) | 0;
  const w2 = (MOST_NEG + 0x1900) | 0;

  it('semclaim of a free semaphore takes it, pops A and costs 6 cycles', () => {
    const c = core();
    expect(exec(c, Op.semclaim, w1, CHAN, 7)).toBe(PREFIXES + OP_CYCLES[Op.semclaim]!);
    expect(OP_CYCLES[Op.semclaim]).toBe(6);
    expect(c.A).toBe(7);
    expect(c.semaphores.get(CHAN)).toEqual([]);
    expect(c.active).toBe(true);
  });

  it('semclaim of a held semaphore queues the process and deschedules it (18 cycles)', () => {
    const c = core();
    exec(c, Op.semclaim, w1, CHAN);
    expect(exec(c, Op.semclaim, w2, CHAN)).toBe(PREFIXES + 6 + SEMCLAIM_WAITS);
    expect(c.active).toBe(false);
    expect(c.semaphores.get(CHAN)).toEqual([w2 | 1]);
    // It resumes after the instruction.
    expect(c.readWord((w2 - 4) | 0)).toBe((MEM_START + PREFIXES + 1) | 0);
    expect(c.blockedProcesses().map((b) => [b.wptr, b.kind, b.channel])).toEqual([[w2, 'claim', CHAN]]);
    // The input end of the same channel is another semaphore.
    exec(c, Op.semclaim, w1, CHAN | 1);
    expect(c.semaphores.get(CHAN | 1)).toEqual([]);
  });

  it('semrelease hands a held semaphore to the first waiter and queues it (10 cycles)', () => {
    const c = core();
    exec(c, Op.semclaim, w1, CHAN);
    exec(c, Op.semclaim, w2, CHAN);
    expect(exec(c, Op.semrelease, w1, CHAN)).toBe(PREFIXES + 6 + SEMRELEASE_HANDS_OVER);
    expect(c.semaphores.get(CHAN)).toEqual([]);
    expect(c.fptr[1]).toBe(w2);
    expect(c.blockedProcesses()).toEqual([]);
  });

  it('semrelease with nobody waiting frees the semaphore (6 cycles)', () => {
    const c = core();
    exec(c, Op.semclaim, w1, CHAN);
    expect(exec(c, Op.semrelease, w1, CHAN, 3)).toBe(PREFIXES + 6);
    expect(c.semaphores.has(CHAN)).toBe(false);
    expect(c.A).toBe(3);
    expect(c.fptr[1]).toBe(NOT_PROCESS);
  });
});
