// Memory, control-flow, error-flag and queue-register instructions, one at a time.

import { describe, it, expect } from 'vitest';
import { encode, encodeOp, Fn, Op, OP_CYCLES, MOST_NEG, NOT_PROCESS } from '../../emulator/isa.js';
import { MEM_START } from '../../emulator/image.js';
import { Core } from '../../emulator/core.js';
import { assemble, I, label } from '../helpers/asm.js';

const DATA = (MOST_NEG + 0x1000) | 0;

function setup(code: number[], regs: { A?: number; B?: number; C?: number } = {}, haltOnError = false): Core {
  const core = new Core({ memoryBytes: 8192 });
  core.load(Uint8Array.from(code), 0);
  core.HaltOnError = haltOnError;
  core.A = regs.A ?? 0;
  core.B = regs.B ?? 0;
  core.C = regs.C ?? 0;
  return core;
}

function step(core: Core): number {
  const c0 = core.cycles;
  core.step();
  return core.cycles - c0;
}

describe('bytes and blocks', () => {
  it('lb loads a byte zero-extended (5 cycles)', () => {
    const core = setup(encodeOp(Op.lb), { A: DATA + 1, B: 9 });
    core.writeWord(DATA, 0x00ff8000);
    expect(step(core)).toBe(5);
    expect(core.A).toBe(0x80);
    expect(core.B).toBe(9);
  });

  it('sb stores the low byte of B at A (4 cycles)', () => {
    const core = setup(encodeOp(Op.sb), { A: DATA + 2, B: 0x1234, C: 7 });
    expect(step(core)).toBe(1 + 4);
    expect(core.readWord(DATA)).toBe(0x340000);
    expect(core.A).toBe(7);
  });

  it('move copies A bytes from C to B (2w + 8 cycles)', () => {
    const core = setup(encodeOp(Op.move), { A: 10, B: DATA + 0x100, C: DATA });
    for (let i = 0; i < 12; i++) core.writeByte(DATA + i, i + 1);
    const prefixes = encodeOp(Op.move).length - 1;
    expect(step(core)).toBe(prefixes + 8 + 2 * 3);
    for (let i = 0; i < 10; i++) expect(core.readByte(DATA + 0x100 + i)).toBe(i + 1);
    expect(core.readByte(DATA + 0x10a)).toBe(0);
  });

  it('move of zero bytes costs 8 cycles and copies nothing', () => {
    const core = setup(encodeOp(Op.move), { A: 0, B: DATA + 0x100, C: DATA });
    core.writeByte(DATA, 5);
    expect(step(core)).toBe(1 + 8);
    expect(core.readByte(DATA + 0x100)).toBe(0);
  });

  it('move handles overlapping blocks like memmove', () => {
    const core = setup(encodeOp(Op.move), { A: 8, B: DATA + 2, C: DATA });
    for (let i = 0; i < 8; i++) core.writeByte(DATA + i, i + 1);
    step(core);
    expect(Array.from({ length: 10 }, (_, i) => core.readByte(DATA + i))).toEqual([1, 2, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('move past the end of memory is a run-time error', () => {
    const core = setup(encodeOp(Op.move), { A: 0x2000, B: DATA, C: DATA + 4 });
    step(core);
    expect(core.state).toBe('error');
    expect(core.fault?.reason).toBe("memory access outside the core's memory (address #80002000)");
  });

  it('an out-of-memory ldl is a run-time error at that instruction, never a JS exception', () => {
    const core = setup([...encode(Fn.ldc, 1), ...encode(Fn.ldl, 0x4000)]);
    core.step();
    core.step();
    expect(core.state).toBe('error');
    expect(core.fault).toMatchObject({
      offset: 1,
      instruction: 'ldl',
      reason: `memory access outside the core's memory (address #${((core.bootWptr + 0x10000) >>> 0).toString(16).toUpperCase()})`,
    });
  });

  it('an address below MostNeg (positive) is outside memory', () => {
    const core = setup(encode(Fn.ldnl, 0), { A: 0x100 });
    core.step();
    expect(core.fault?.reason).toBe("memory access outside the core's memory (address #00000100)");
  });

  it('running off the end of memory is a run-time error', () => {
    const core = setup(encode(Fn.j, 0));
    core.Iptr = (MOST_NEG + 8192) | 0;
    core.step();
    expect(core.fault?.reason).toBe("memory access outside the core's memory (address #80002000)");
  });
});

describe('control flow', () => {
  it('ldpi adds the address of the next instruction', () => {
    const code = encodeOp(Op.ldpi);
    const core = setup(code, { A: 100 });
    expect(step(core)).toBe(1 + 2);
    expect(core.A).toBe((MEM_START + code.length + 100) | 0);
  });

  it('gcall swaps A and Iptr (4 cycles)', () => {
    const code = encodeOp(Op.gcall);
    const core = setup(code, { A: (MEM_START + 50) | 0 });
    expect(step(core)).toBe(4);
    expect(core.Iptr).toBe((MEM_START + 50) | 0);
    expect(core.A).toBe((MEM_START + code.length) | 0);
  });

  it('call then ret returns with Wptr restored (ret 5 cycles)', () => {
    const { code } = assemble([I('call', 'F'), I('ldc', 1), label('F'), I('ret')]);
    const core = setup(Array.from(code), { A: 1, B: 2, C: 3 });
    const w0 = core.Wptr;
    step(core);
    expect(step(core)).toBe(1 + 5);
    expect(core.Wptr).toBe(w0);
    expect(core.Iptr).toBe((MEM_START + 1) | 0);
  });

  it('lend loops: decrements the count, increments the index, jumps back (10 cycles)', () => {
    const code = encodeOp(Op.lend);
    const core = setup(code, { A: 7, B: DATA });
    core.writeWord(DATA, 5);
    core.writeWord(DATA + 4, 3);
    expect(step(core)).toBe(1 + 10);
    expect(core.readWord(DATA)).toBe(6);
    expect(core.readWord(DATA + 4)).toBe(2);
    expect(core.Iptr).toBe((MEM_START + code.length - 7) | 0);
  });

  it('lend exits when the count runs out (5 cycles)', () => {
    const code = encodeOp(Op.lend);
    const core = setup(code, { A: 7, B: DATA });
    core.writeWord(DATA, 5);
    core.writeWord(DATA + 4, 1);
    expect(step(core)).toBe(1 + 5);
    expect(core.readWord(DATA)).toBe(5);
    expect(core.readWord(DATA + 4)).toBe(0);
    expect(core.Iptr).toBe((MEM_START + code.length) | 0);
  });

  it('gajw swaps A and Wptr (2 cycles)', () => {
    const core = setup(encodeOp(Op.gajw), { A: DATA });
    const w0 = core.Wptr;
    expect(step(core)).toBe(1 + 2);
    expect(core.Wptr).toBe(DATA);
    expect(core.A).toBe(w0);
  });

  it('altend jumps by the offset in W[0] (4 cycles)', () => {
    const code = encodeOp(Op.altend);
    const core = setup(code);
    core.writeWord(core.Wptr, 12);
    expect(step(core)).toBe(1 + 4);
    expect(core.Iptr).toBe((MEM_START + code.length + 12) | 0);
  });
});

describe('error flag', () => {
  it('seterr sets Error (1 cycle)', () => {
    const core = setup(encodeOp(Op.seterr));
    expect(step(core)).toBe(1 + 1);
    expect(core.Error).toBe(true);
    expect(core.state).toBe('running');
  });

  it('seterr with HaltOnError halts with "Error flag set"', () => {
    const core = setup(encodeOp(Op.seterr), {}, true);
    step(core);
    expect(core.state).toBe('error');
    expect(core.fault).toMatchObject({ reason: 'Error flag set', instruction: 'seterr', offset: 0 });
  });

  it('testerr pushes TRUE and costs 2 when Error is clear', () => {
    const core = setup(encodeOp(Op.testerr), { A: 5 });
    expect(step(core)).toBe(1 + 2);
    expect([core.A, core.B]).toEqual([1, 5]);
  });

  it('testerr pushes FALSE, clears Error and costs 3 when Error is set', () => {
    const core = setup(encodeOp(Op.testerr), { A: 5 });
    core.Error = true;
    expect(step(core)).toBe(1 + 3);
    expect([core.A, core.B]).toEqual([0, 5]);
    expect(core.Error).toBe(false);
  });

  it('stoperr continues when Error is clear (2 cycles)', () => {
    const core = setup(encodeOp(Op.stoperr));
    expect(step(core)).toBe(1 + 2);
    expect(core.active).toBe(true);
  });

  it('stoperr stops the process when Error is set', () => {
    const code = encodeOp(Op.stoperr);
    const core = setup(code);
    core.Error = true;
    step(core);
    expect(core.active).toBe(false);
    expect(core.readWord(core.Wptr - 4)).toBe((MEM_START + code.length) | 0);
    expect(core.blockedProcesses()).toMatchObject([{ wptr: core.bootWptr, kind: 'stopped', iptr: code.length }]);
  });

  it('clrhalterr, sethalterr, testhalterr', () => {
    const core = setup(
      [
        ...encodeOp(Op.clrhalterr),
        ...encodeOp(Op.testhalterr),
        ...encodeOp(Op.sethalterr),
        ...encodeOp(Op.testhalterr),
      ],
      {},
      true,
    );
    expect(step(core)).toBe(1 + OP_CYCLES[Op.clrhalterr]!);
    expect(core.HaltOnError).toBe(false);
    expect(step(core)).toBe(1 + 2);
    expect(core.A).toBe(0);
    step(core);
    expect(core.HaltOnError).toBe(true);
    step(core);
    expect(core.A).toBe(1);
  });
});

describe('queue registers', () => {
  const P = (MOST_NEG + 0x1800) | 0;
  const Q = (MOST_NEG + 0x1900) | 0;
  for (const [name, field, p] of [
    ['sthf', 'fptr', 0],
    ['sthb', 'bptr', 0],
    ['stlf', 'fptr', 1],
    ['stlb', 'bptr', 1],
  ] as const) {
    it(`${name} stores A in the ${p ? 'low' : 'high'}-priority ${field === 'fptr' ? 'front' : 'back'} pointer (1 cycle)`, () => {
      const code = encodeOp(Op[name]);
      const core = setup(code, { A: P, B: 3, C: 4 });
      expect(step(core)).toBe(code.length - 1 + 1);
      expect(core[field][p]).toBe(P);
      expect([core.A, core.B]).toEqual([3, 4]);
    });
  }

  it('saveh and savel store front and back pointers at A (4 cycles)', () => {
    const core = setup([...encodeOp(Op.saveh), ...encodeOp(Op.savel)], { A: DATA, B: DATA + 8 });
    core.fptr[0] = P;
    core.bptr[0] = Q;
    core.fptr[1] = Q;
    core.bptr[1] = P;
    expect(step(core)).toBe(1 + 4);
    expect([core.readWord(DATA), core.readWord(DATA + 4)]).toEqual([P, Q]);
    expect(core.A).toBe(DATA + 8);
    step(core);
    expect([core.readWord(DATA + 8), core.readWord(DATA + 12)]).toEqual([Q, P]);
  });

  it('processes queued with sthf/sthb run next', () => {
    const { code, labels } = assemble([I('stopp'), label('H'), I('ldc', 7), I('stopp')]);
    const core = setup(Array.from(code));
    const P2 = (MOST_NEG + 0x1800) | 0;
    core.writeWord(P2 - 4, (MEM_START + labels.H!) | 0);
    core.fptr[0] = P2;
    core.bptr[0] = P2;
    core.step(); // stopp: the high queue's process runs next
    core.step();
    expect(core.priority).toBe(0);
    expect(core.Wptr).toBe(P2);
    expect(core.A).toBe(7);
    expect(core.fptr[0]).toBe(NOT_PROCESS);
  });
});
