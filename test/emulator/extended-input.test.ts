// The extended-input instructions behind occam-π's `c ?? x` (emulator/core.ts, docs/isa.md): what xable, xin and
// xend do to the registers, the channel word and the run queue, and what they cost.

import { describe, it, expect } from 'vitest';
import { encodeOp, Op, OP_CYCLES, MOST_NEG, NOT_PROCESS, VARIANT_CYCLES, WAITING, READY } from '../../emulator/isa.js';
import { MEM_START } from '../../emulator/image.js';
import { Core } from '../../emulator/core.js';

const CHAN = (MOST_NEG + 0x1000) | 0;
const SRC = (MOST_NEG + 0x1100) | 0;
const DST = (MOST_NEG + 0x1200) | 0;
const w1 = (MOST_NEG + 0x1800) | 0;
const w2 = (MOST_NEG + 0x1900) | 0;

function core(): Core {
  const c = new Core({ memoryBytes: 8192 });
  c.load(new Uint8Array(16), 0, 16);
  c.writeWord(CHAN, NOT_PROCESS);
  return c;
}

/** Execute one operation as the low-priority process with workspace `w`; returns the cycles it took. */
function exec(c: Core, op: number, w: number, a: number, b = 0, cc = 0): number {
  const code = Uint8Array.from(encodeOp(op));
  for (let i = 0; i < code.length; i++) c.writeByte(MEM_START + i, code[i]!);
  c.Iptr = MEM_START;
  c.Wptr = w;
  c.A = a;
  c.B = b;
  c.C = cc;
  c.active = true;
  const c0 = c.cycles;
  c.step();
  return c.cycles - c0;
}

const prefixes = (op: number): number => encodeOp(op).length - 1;

/** Process w2 waits to output the word at SRC on CHAN, as `out` leaves it. */
function outputterWaits(c: Core): void {
  c.writeWord(SRC, 1234);
  c.writeWord(CHAN, w2 | 1);
  c.writeWord((w2 - 12) | 0, SRC);
}

describe('xable, xin and xend', () => {
  it('xable with an outputter waiting goes on at once: pops A, 6 cycles', () => {
    const c = core();
    outputterWaits(c);
    expect(OP_CYCLES[Op.xable]).toBe(6);
    expect(exec(c, Op.xable, w1, CHAN, 5)).toBe(prefixes(Op.xable) + 6);
    expect(c.A).toBe(5);
    expect(c.active).toBe(true);
    expect(c.readWord(CHAN)).toBe(w2 | 1);
  });

  it('xable on an empty channel waits there as an ALT does (18 cycles)', () => {
    const c = core();
    expect(exec(c, Op.xable, w1, CHAN)).toBe(prefixes(Op.xable) + 6 + VARIANT_CYCLES.xableWaits);
    expect(c.active).toBe(false);
    expect(c.readWord(CHAN)).toBe(w1 | 1);
    expect(c.readWord((w1 - 12) | 0)).toBe(WAITING);
    expect(c.readWord((w1 - 4) | 0)).toBe((MEM_START + prefixes(Op.xable) + 1) | 0);
    expect(c.blockedProcesses().map((b) => [b.wptr, b.kind, b.channel])).toEqual([[w1, 'input', CHAN]]);
  });

  it('an outputter that finds xable waiting waits in the channel word and makes the inputter ready', () => {
    const c = core();
    exec(c, Op.xable, w1, CHAN);
    c.writeWord(SRC, 99);
    exec(c, Op.out, w2, 4, CHAN, SRC);
    expect(c.readWord(CHAN)).toBe(w2 | 1);
    expect(c.readWord((w1 - 12) | 0)).toBe(READY);
    // The outputter waits, so the ready inputter runs next.
    expect(c.active ? c.Wptr : c.fptr[1]).toBe(w1);
  });

  it('xin copies the message and leaves the outputter in the channel word (19 + 2 per word)', () => {
    const c = core();
    outputterWaits(c);
    expect(exec(c, Op.xin, w1, 4, CHAN, DST)).toBe(prefixes(Op.xin) + OP_CYCLES[Op.xin]! + 2);
    expect(OP_CYCLES[Op.xin]).toBe(19);
    expect(c.readWord(DST)).toBe(1234);
    expect(c.readWord(CHAN)).toBe(w2 | 1);
    expect(c.fptr[1]).toBe(NOT_PROCESS);
    expect(c.active).toBe(true);
  });

  it('xend empties the channel and queues the outputter: pops A, 10 cycles', () => {
    const c = core();
    outputterWaits(c);
    expect(OP_CYCLES[Op.xend]).toBe(10);
    expect(exec(c, Op.xend, w1, CHAN, 8)).toBe(prefixes(Op.xend) + 10);
    expect(c.A).toBe(8);
    expect(c.readWord(CHAN)).toBe(NOT_PROCESS);
    expect(c.fptr[1]).toBe(w2);
  });

  it('xin or xend with no outputter in the channel is a run-time error', () => {
    const c = core();
    exec(c, Op.xend, w1, CHAN);
    expect(c.state).toBe('error');
    expect(c.fault?.reason).toMatch(/no outputter waiting \(xend before xin\)/);
    const d = core();
    exec(d, Op.xin, w1, 4, CHAN, DST);
    expect(d.state).toBe('error');
    expect(d.fault?.reason).toMatch(/no outputter waiting \(xin before xable\)/);
  });
});
