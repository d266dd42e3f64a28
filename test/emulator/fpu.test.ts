// The T800 floating-point unit: each FPU instruction's effect on FA/FB/FC, the integer stack, memory, FP_Error and
// Error, and its cycle cost (docs/isa.md).

import { describe, it, expect } from 'vitest';
import { encode, encodeOp, Fn, FpOp, Op, OP_CYCLES, FPENTRY_CYCLES } from '../../emulator/isa.js';
import { MEM_START } from '../../emulator/image.js';
import { Core } from '../../emulator/core.js';
import { DOUBLE, INT32, SINGLE, ieeeRemainder, roundInteger, NEAREST, ZERO, PLUS, MINUS } from '../../emulator/fpu.js';

/** Data area inside the test core's memory. */
const DATA = (MEM_START + 0x400) | 0;

interface Setup {
  A?: number;
  B?: number;
  C?: number;
  fp?: Array<[number, number]>;
  haltOnError?: boolean;
  fpError?: boolean;
}

function core(): Core {
  return new Core({ memoryBytes: 8192 });
}

/** Run `code` as one instruction (or a short sequence, `steps` instructions) with the given state. */
function run(code: number[], s: Setup = {}, steps = 1) {
  const c = core();
  c.load(Uint8Array.from(code), 0);
  c.HaltOnError = s.haltOnError ?? false;
  c.A = s.A ?? 0;
  c.B = s.B ?? 0;
  c.C = s.C ?? 0;
  const fp = s.fp ?? [];
  // fp lists FA first.
  for (let i = fp.length - 1; i >= 0; i--) c.fpu.push(fp[i]![0], fp[i]![1]);
  c.fpu.error = s.fpError ?? false;
  const before = c.cycles;
  for (let i = 0; i < steps; i++) c.step();
  return { c, cycles: c.cycles - before };
}

const op = (code: number): number[] => encodeOp(code);
const opLen = (code: number): number => encodeOp(code).length;

function writeF32(c: Core, addr: number, v: number): void {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v, true);
  c.writeWord(addr, b.getInt32(0, true));
}

function writeF64(c: Core, addr: number, v: number): void {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v, true);
  c.writeWord(addr, b.getInt32(0, true));
  c.writeWord(addr + 4, b.getInt32(4, true));
}

function readF32(c: Core, addr: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setInt32(0, c.readWord(addr), true);
  return b.getFloat32(0, true);
}

function readF64(c: Core, addr: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setInt32(0, c.readWord(addr), true);
  b.setInt32(4, c.readWord(addr + 4), true);
  return b.getFloat64(0, true);
}

/** Run with memory prepared by `prep` before the first step. */
function runMem(code: number[], s: Setup, prep: (c: Core) => void) {
  const c = core();
  c.load(Uint8Array.from(code), 0);
  c.HaltOnError = s.haltOnError ?? false;
  prep(c);
  c.A = s.A ?? 0;
  c.B = s.B ?? 0;
  c.C = s.C ?? 0;
  const fp = s.fp ?? [];
  for (let i = fp.length - 1; i >= 0; i--) c.fpu.push(fp[i]![0], fp[i]![1]);
  const before = c.cycles;
  c.step();
  return { c, cycles: c.cycles - before };
}

describe('FPU loads and stores', () => {
  it('fpldnlsn pushes the single at A and pops A (2 cycles)', () => {
    const { c, cycles } = runMem(op(Op.fpldnlsn), { A: DATA, B: 5, C: 6, fp: [[1, DOUBLE]] }, (c) =>
      writeF32(c, DATA, 2.5),
    );
    expect(c.fpu.reg[0]).toBe(2.5);
    expect(c.fpu.len[0]).toBe(SINGLE);
    expect(c.fpu.reg[1]).toBe(1);
    expect(c.fpu.len[1]).toBe(DOUBLE);
    expect(c.A).toBe(5);
    expect(c.B).toBe(6);
    expect(cycles).toBe(opLen(Op.fpldnlsn) - 1 + 2);
  });
  it('fpldnldb pushes the double at A (3 cycles)', () => {
    const { c, cycles } = runMem(op(Op.fpldnldb), { A: DATA }, (c) => writeF64(c, DATA, 0.1));
    expect(c.fpu.reg[0]).toBe(0.1);
    expect(c.fpu.len[0]).toBe(DOUBLE);
    expect(cycles).toBe(opLen(Op.fpldnldb) - 1 + 3);
  });
  it('fpldnlsni loads the single at A + 4B (4 cycles)', () => {
    const { c, cycles } = runMem(op(Op.fpldnlsni), { A: DATA, B: 2, C: 9 }, (c) => writeF32(c, DATA + 8, -3));
    expect(c.fpu.reg[0]).toBe(-3);
    expect(c.A).toBe(9);
    expect(cycles).toBe(opLen(Op.fpldnlsni) - 1 + 4);
  });
  it('fpldnldbi loads the double at A + 8B (6 cycles)', () => {
    const { c, cycles } = runMem(op(Op.fpldnldbi), { A: DATA, B: 1 }, (c) => writeF64(c, DATA + 8, 1e300));
    expect(c.fpu.reg[0]).toBe(1e300);
    expect(c.fpu.len[0]).toBe(DOUBLE);
    expect(cycles).toBe(opLen(Op.fpldnldbi) - 1 + 6);
  });
  it('fpldzerosn and fpldzerodb push zeros (2 cycles)', () => {
    const s = run(op(Op.fpldzerosn), { fp: [[7, SINGLE]] });
    expect(s.c.fpu.reg[0]).toBe(0);
    expect(s.c.fpu.len[0]).toBe(SINGLE);
    expect(s.c.fpu.reg[1]).toBe(7);
    expect(s.cycles).toBe(opLen(Op.fpldzerosn) - 1 + 2);
    const d = run(op(Op.fpldzerodb));
    expect(d.c.fpu.len[0]).toBe(DOUBLE);
    expect(d.cycles).toBe(opLen(Op.fpldzerodb) - 1 + 2);
  });
  it('fpstnlsn stores FA as a single and pops both stacks (2 cycles)', () => {
    const { c, cycles } = run(op(Op.fpstnlsn), {
      A: DATA,
      B: 3,
      fp: [
        [1.25, SINGLE],
        [4, SINGLE],
      ],
    });
    expect(readF32(c, DATA)).toBe(1.25);
    expect(c.fpu.reg[0]).toBe(4);
    expect(c.A).toBe(3);
    expect(cycles).toBe(opLen(Op.fpstnlsn) - 1 + 2);
  });
  it('fpstnldb stores FA as a double (3 cycles)', () => {
    const { c, cycles } = run(op(Op.fpstnldb), { A: DATA, fp: [[Math.PI, DOUBLE]] });
    expect(readF64(c, DATA)).toBe(Math.PI);
    expect(cycles).toBe(opLen(Op.fpstnldb) - 1 + 3);
  });
  it('fpstnli32 stores the INT32 made by fprtoi32 (4 cycles)', () => {
    const { c, cycles } = run(op(Op.fpstnli32), { A: DATA, fp: [[-17, INT32]] });
    expect(c.readWord(DATA)).toBe(-17);
    expect(cycles).toBe(opLen(Op.fpstnli32) - 1 + 4);
  });
  it('a load outside memory is a memory fault', () => {
    const { c } = run(op(Op.fpldnlsn), { A: 0x7ffffff0 });
    expect(c.fault?.reason).toMatch(/outside the core's memory/);
  });
  it('fpldnladdsn and fpldnladddb add memory to FA (8 and 9 cycles)', () => {
    const s = runMem(op(Op.fpldnladdsn), { A: DATA, fp: [[1.5, SINGLE]] }, (c) => writeF32(c, DATA, 2));
    expect(s.c.fpu.reg[0]).toBe(3.5);
    expect(s.cycles).toBe(opLen(Op.fpldnladdsn) - 1 + 8);
    const d = runMem(op(Op.fpldnladddb), { A: DATA, fp: [[0.1, DOUBLE]] }, (c) => writeF64(c, DATA, 0.2));
    expect(d.c.fpu.reg[0]).toBe(0.1 + 0.2);
    expect(d.cycles).toBe(opLen(Op.fpldnladddb) - 1 + 9);
  });
  it('fpldnladdsn and fpldnlmulsn work in place: FB and FC are kept', () => {
    const s = runMem(
      op(Op.fpldnlmulsn),
      {
        A: DATA,
        fp: [
          [1.5, SINGLE],
          [7, SINGLE],
          [8, SINGLE],
        ],
      },
      (c) => writeF32(c, DATA, -1),
    );
    expect(Array.from(s.c.fpu.reg)).toEqual([-1.5, 7, 8]);
    const a = runMem(
      op(Op.fpldnladddb),
      {
        A: DATA,
        fp: [
          [1.5, DOUBLE],
          [7, DOUBLE],
          [8, DOUBLE],
        ],
      },
      (c) => writeF64(c, DATA, 1),
    );
    expect(Array.from(a.c.fpu.reg)).toEqual([2.5, 7, 8]);
  });
  it('fpldnlmulsn and fpldnlmuldb multiply FA by memory (13 and 21 cycles)', () => {
    const s = runMem(op(Op.fpldnlmulsn), { A: DATA, fp: [[1.5, SINGLE]] }, (c) => writeF32(c, DATA, 3));
    expect(s.c.fpu.reg[0]).toBe(4.5);
    expect(s.cycles).toBe(opLen(Op.fpldnlmulsn) - 1 + 13);
    const d = runMem(op(Op.fpldnlmuldb), { A: DATA, fp: [[0.1, DOUBLE]] }, (c) => writeF64(c, DATA, 3));
    expect(d.c.fpu.reg[0]).toBe(0.1 * 3);
    expect(d.cycles).toBe(opLen(Op.fpldnlmuldb) - 1 + 21);
  });
});

describe('FPU arithmetic', () => {
  const f = Math.fround;
  it('fpadd: FA <- FB + FA, single rounded to single (6 cycles)', () => {
    const { c, cycles } = run(op(Op.fpadd), {
      fp: [
        [f(0.1), SINGLE],
        [f(0.2), SINGLE],
        [9, SINGLE],
      ],
    });
    expect(c.fpu.reg[0]).toBe(f(f(0.1) + f(0.2)));
    expect(c.fpu.reg[1]).toBe(9);
    expect(c.fpu.error).toBe(false);
    expect(cycles).toBe(opLen(Op.fpadd) - 1 + 6);
  });
  it('fpsub: FA <- FB - FA (6 cycles)', () => {
    const { c, cycles } = run(op(Op.fpsub), {
      fp: [
        [0.25, DOUBLE],
        [1, DOUBLE],
      ],
    });
    expect(c.fpu.reg[0]).toBe(0.75);
    expect(cycles).toBe(opLen(Op.fpsub) - 1 + 6);
  });
  it('fpmul costs 11 cycles single, 18 double', () => {
    const s = run(op(Op.fpmul), {
      fp: [
        [3, SINGLE],
        [f(1.1), SINGLE],
      ],
    });
    expect(s.c.fpu.reg[0]).toBe(f(f(1.1) * 3));
    expect(s.cycles).toBe(opLen(Op.fpmul) - 1 + 11);
    const d = run(op(Op.fpmul), {
      fp: [
        [3, DOUBLE],
        [1.1, DOUBLE],
      ],
    });
    expect(d.c.fpu.reg[0]).toBe(1.1 * 3);
    expect(d.cycles).toBe(opLen(Op.fpmul) - 1 + 18);
  });
  it('fpdiv costs 16 cycles single, 31 double; division by zero sets FP_Error', () => {
    const s = run(op(Op.fpdiv), {
      fp: [
        [3, SINGLE],
        [1, SINGLE],
      ],
    });
    expect(s.c.fpu.reg[0]).toBe(f(1 / 3));
    expect(s.cycles).toBe(opLen(Op.fpdiv) - 1 + 16);
    const d = run(op(Op.fpdiv), {
      fp: [
        [0, DOUBLE],
        [1, DOUBLE],
      ],
    });
    expect(d.c.fpu.reg[0]).toBe(Infinity);
    expect(d.c.fpu.error).toBe(true);
    expect(d.cycles).toBe(opLen(Op.fpdiv) - 1 + 31);
  });
  it('overflow to infinity sets FP_Error; Error is untouched until fpchkerr', () => {
    const { c } = run(op(Op.fpmul), {
      fp: [
        [1e30, SINGLE],
        [1e30, SINGLE],
      ],
    });
    expect(c.fpu.reg[0]).toBe(Infinity);
    expect(c.fpu.error).toBe(true);
    expect(c.Error).toBe(false);
  });
  it('fpchkerr copies FP_Error into Error, halting with HaltOnError (1 cycle)', () => {
    const clear = run(op(Op.fpchkerr), { fpError: false });
    expect(clear.c.Error).toBe(false);
    expect(clear.cycles).toBe(opLen(Op.fpchkerr) - 1 + 1);
    const set = run(op(Op.fpchkerr), { fpError: true });
    expect(set.c.Error).toBe(true);
    const halt = run(op(Op.fpchkerr), { fpError: true, haltOnError: true });
    expect(halt.c.state).toBe('error');
    expect(halt.c.fault?.reason).toBe('real arithmetic error');
  });
  it('fptesterr pushes NOT FP_Error and clears it (2 cycles)', () => {
    const { c, cycles } = run(op(Op.fptesterr), { fpError: true, A: 4 });
    expect(c.A).toBe(0);
    expect(c.B).toBe(4);
    expect(c.fpu.error).toBe(false);
    expect(cycles).toBe(opLen(Op.fptesterr) - 1 + 2);
  });
  it('fpremfirst leaves the IEEE remainder in FA and pushes 0 (36 cycles)', () => {
    const { c, cycles } = run(op(Op.fpremfirst), {
      fp: [
        [3, DOUBLE],
        [10, DOUBLE],
      ],
      A: 8,
    });
    expect(c.fpu.reg[0]).toBe(1);
    expect(c.A).toBe(0);
    expect(c.B).toBe(8);
    expect(cycles).toBe(opLen(Op.fpremfirst) - 1 + 36);
    const r = run(op(Op.fpremfirst), {
      fp: [
        [4, DOUBLE],
        [10, DOUBLE],
      ],
    });
    expect(r.c.fpu.reg[0]).toBe(2);
    const z = run(op(Op.fpremfirst), {
      fp: [
        [0, DOUBLE],
        [10, DOUBLE],
      ],
    });
    expect(z.c.fpu.error).toBe(true);
  });
  it('fpremstep has nothing left to do: pushes 0 (32 cycles)', () => {
    const { c, cycles } = run(op(Op.fpremstep), { fp: [[5, DOUBLE]], A: 2 });
    expect(c.A).toBe(0);
    expect(c.fpu.reg[0]).toBe(5);
    expect(cycles).toBe(opLen(Op.fpremstep) - 1 + 32);
  });
  it('ieeeRemainder rounds the quotient to nearest, ties to even', () => {
    expect(ieeeRemainder(5, 4)).toBe(1);
    expect(ieeeRemainder(3, 2)).toBe(-1);
    expect(ieeeRemainder(2, 1)).toBe(0);
    expect(ieeeRemainder(1.5, 1)).toBe(-0.5);
    expect(ieeeRemainder(0.5, 1)).toBe(0.5);
    expect(ieeeRemainder(-7, 2)).toBe(1);
    expect(Object.is(ieeeRemainder(-4, 2), -0)).toBe(true);
    expect(Math.abs(ieeeRemainder(1e300, 3))).toBeLessThanOrEqual(1.5);
    expect(Number.isNaN(ieeeRemainder(1, 0))).toBe(true);
  });
});

describe('FPU comparisons and tests', () => {
  it('fpgt pushes FB > FA and pops both (4 cycles)', () => {
    const { c, cycles } = run(op(Op.fpgt), {
      fp: [
        [1, SINGLE],
        [2, SINGLE],
        [7, SINGLE],
      ],
      A: 3,
    });
    expect(c.A).toBe(1);
    expect(c.B).toBe(3);
    expect(c.fpu.reg[0]).toBe(7);
    expect(cycles).toBe(opLen(Op.fpgt) - 1 + 4);
    expect(
      run(op(Op.fpgt), {
        fp: [
          [2, SINGLE],
          [1, SINGLE],
        ],
      }).c.A,
    ).toBe(0);
  });
  it('fpeq pushes FB = FA and pops both (3 cycles)', () => {
    const { c, cycles } = run(op(Op.fpeq), {
      fp: [
        [0, DOUBLE],
        [-0, DOUBLE],
      ],
    });
    expect(c.A).toBe(1);
    expect(cycles).toBe(opLen(Op.fpeq) - 1 + 3);
    expect(
      run(op(Op.fpeq), {
        fp: [
          [1, DOUBLE],
          [2, DOUBLE],
        ],
      }).c.A,
    ).toBe(0);
  });
  it('fpnan, fpordered and fpnotfinite test without popping the FP stack', () => {
    const n = run(op(Op.fpnan), {
      fp: [
        [NaN, DOUBLE],
        [1, DOUBLE],
      ],
    });
    expect(n.c.A).toBe(1);
    expect(Number.isNaN(n.c.fpu.reg[0])).toBe(true);
    expect(n.cycles).toBe(opLen(Op.fpnan) - 1 + 2);
    const o = run(op(Op.fpordered), {
      fp: [
        [NaN, DOUBLE],
        [1, DOUBLE],
      ],
    });
    expect(o.c.A).toBe(0);
    expect(o.cycles).toBe(opLen(Op.fpordered) - 1 + 3);
    expect(
      run(op(Op.fpordered), {
        fp: [
          [2, DOUBLE],
          [1, DOUBLE],
        ],
      }).c.A,
    ).toBe(1);
    const f = run(op(Op.fpnotfinite), { fp: [[-Infinity, SINGLE]] });
    expect(f.c.A).toBe(1);
    expect(f.c.fpu.reg[0]).toBe(-Infinity);
    expect(f.cycles).toBe(opLen(Op.fpnotfinite) - 1 + 2);
    expect(run(op(Op.fpnotfinite), { fp: [[2, SINGLE]] }).c.A).toBe(0);
  });
});

describe('FPU conversions', () => {
  it('fpi32tor32 loads an INT32 and rounds it to single (8 cycles)', () => {
    const { c, cycles } = runMem(op(Op.fpi32tor32), { A: DATA, B: 4 }, (c) => c.writeWord(DATA, 16777217));
    expect(c.fpu.reg[0]).toBe(16777216);
    expect(c.fpu.len[0]).toBe(SINGLE);
    expect(c.A).toBe(4);
    expect(cycles).toBe(opLen(Op.fpi32tor32) - 1 + 8);
  });
  it('fpi32tor64 is exact (8 cycles)', () => {
    const { c, cycles } = runMem(op(Op.fpi32tor64), { A: DATA }, (c) => c.writeWord(DATA, -2147483648));
    expect(c.fpu.reg[0]).toBe(-2147483648);
    expect(c.fpu.len[0]).toBe(DOUBLE);
    expect(cycles).toBe(opLen(Op.fpi32tor64) - 1 + 8);
  });
  it('fpb32tor64 reads the word as unsigned (8 cycles)', () => {
    const { c, cycles } = runMem(op(Op.fpb32tor64), { A: DATA }, (c) => c.writeWord(DATA, -1));
    expect(c.fpu.reg[0]).toBe(4294967295);
    expect(cycles).toBe(opLen(Op.fpb32tor64) - 1 + 8);
  });
  it('fprtoi32 rounds to nearest even, and sets FP_Error out of range (7 cycles)', () => {
    const { c, cycles } = run(op(Op.fprtoi32), { fp: [[2.5, DOUBLE]] });
    expect(c.fpu.reg[0]).toBe(2);
    expect(c.fpu.len[0]).toBe(INT32);
    expect(c.fpu.error).toBe(false);
    expect(cycles).toBe(opLen(Op.fprtoi32) - 1 + 7);
    expect(run(op(Op.fprtoi32), { fp: [[3.5, DOUBLE]] }).c.fpu.reg[0]).toBe(4);
    expect(run(op(Op.fprtoi32), { fp: [[2147483648, DOUBLE]] }).c.fpu.error).toBe(true);
    expect(run(op(Op.fprtoi32), { fp: [[-2147483648.4, DOUBLE]] }).c.fpu.error).toBe(false);
  });
  it('fpint rounds to an integral value (5 cycles)', () => {
    const { c, cycles } = run(op(Op.fpint), { fp: [[-2.5, DOUBLE]] });
    expect(c.fpu.reg[0]).toBe(-2);
    expect(cycles).toBe(opLen(Op.fpint) - 1 + 5);
  });
  it('roundInteger honours the rounding modes', () => {
    expect(roundInteger(2.7, ZERO)).toBe(2);
    expect(roundInteger(-2.7, ZERO)).toBe(-2);
    expect(roundInteger(2.1, PLUS)).toBe(3);
    expect(roundInteger(-2.1, MINUS)).toBe(-3);
    expect(roundInteger(0.5, NEAREST)).toBe(0);
    expect(roundInteger(1.5, NEAREST)).toBe(2);
  });
});

describe('FPU stack operations', () => {
  it('fpdup pushes a copy of FA (1 cycle)', () => {
    const { c, cycles } = run(op(Op.fpdup), {
      fp: [
        [3, SINGLE],
        [4, DOUBLE],
      ],
    });
    expect(Array.from(c.fpu.reg)).toEqual([3, 3, 4]);
    expect(Array.from(c.fpu.len)).toEqual([SINGLE, SINGLE, DOUBLE]);
    expect(cycles).toBe(opLen(Op.fpdup) - 1 + 1);
  });
  it('fprev swaps FA and FB (1 cycle)', () => {
    const { c, cycles } = run(op(Op.fprev), {
      fp: [
        [3, SINGLE],
        [4, DOUBLE],
      ],
    });
    expect(c.fpu.reg[0]).toBe(4);
    expect(c.fpu.len[0]).toBe(DOUBLE);
    expect(c.fpu.reg[1]).toBe(3);
    expect(cycles).toBe(opLen(Op.fprev) - 1 + 1);
  });
});

describe('fpentry operations', () => {
  /** `ldc sel; fpentry` then, optionally, a following instruction. */
  function entry(sel: number, s: Setup, next: number[] = []) {
    const code = [...encode(Fn.ldc, sel), ...encodeOp(Op.fpentry), ...next];
    const { c, cycles } = run(code, s, next.length > 0 ? 3 : 2);
    return { c, cycles };
  }
  const base = (sel: number): number => encode(Fn.ldc, sel).length + opLen(Op.fpentry) - 1 + 1 + FPENTRY_CYCLES[sel]!;

  it('pops the selector from A', () => {
    const { c } = entry(FpOp.fpuabs, { A: 11, B: 12, fp: [[-2, SINGLE]] });
    expect(c.A).toBe(11);
    expect(c.B).toBe(12);
  });
  it('fpuabs (2 cycles)', () => {
    const { c, cycles } = entry(FpOp.fpuabs, { fp: [[-2, SINGLE]] });
    expect(c.fpu.reg[0]).toBe(2);
    expect(cycles).toBe(base(FpOp.fpuabs));
    expect(FPENTRY_CYCLES[FpOp.fpuabs]).toBe(2);
  });
  it('fpur32tor64 and fpur64tor32 change the format (3 and 6 cycles)', () => {
    const a = entry(FpOp.fpur32tor64, { fp: [[1.5, SINGLE]] });
    expect(a.c.fpu.len[0]).toBe(DOUBLE);
    expect(a.cycles).toBe(base(FpOp.fpur32tor64));
    const b = entry(FpOp.fpur64tor32, { fp: [[0.1, DOUBLE]] });
    expect(b.c.fpu.reg[0]).toBe(Math.fround(0.1));
    expect(b.c.fpu.len[0]).toBe(SINGLE);
    expect(b.cycles).toBe(base(FpOp.fpur64tor32));
    const o = entry(FpOp.fpur64tor32, { fp: [[1e300, DOUBLE]] });
    expect(o.c.fpu.error).toBe(true);
  });
  it('fpurz makes the next operation round towards zero, then the mode is nearest again', () => {
    const code = [
      ...encode(Fn.ldc, FpOp.fpurz),
      ...encodeOp(Op.fpentry),
      ...encodeOp(Op.fprtoi32),
      ...encodeOp(Op.fprtoi32),
    ];
    const c = core();
    c.load(Uint8Array.from(code), 0);
    c.HaltOnError = false;
    c.fpu.push(2.7, DOUBLE);
    c.step();
    c.step();
    c.step();
    expect(c.fpu.reg[0]).toBe(2);
    c.fpu.reg[0] = 2.7;
    c.step();
    expect(c.fpu.reg[0]).toBe(3);
    expect(FPENTRY_CYCLES[FpOp.fpurz]).toBe(1);
  });
  it('fpurm, fpurp and fpurn select the other modes for fpint', () => {
    const m = entry(FpOp.fpurm, { fp: [[2.5, DOUBLE]] }, encodeOp(Op.fpint));
    expect(m.c.fpu.reg[0]).toBe(2);
    const p = entry(FpOp.fpurp, { fp: [[2.5, DOUBLE]] }, encodeOp(Op.fpint));
    expect(p.c.fpu.reg[0]).toBe(3);
    const n = entry(FpOp.fpurn, { fp: [[3.5, DOUBLE]] }, encodeOp(Op.fpint));
    expect(n.c.fpu.reg[0]).toBe(4);
  });
  it('fpurz applies to single-length arithmetic', () => {
    const f = Math.fround;
    const z = entry(
      FpOp.fpurz,
      {
        fp: [
          [3, SINGLE],
          [1, SINGLE],
        ],
      },
      encodeOp(Op.fpdiv),
    );
    expect(z.c.fpu.reg[0]).toBeLessThan(1 / 3);
    expect(z.c.fpu.reg[0]).toBe(f(z.c.fpu.reg[0]!));
  });
  it('directed modes apply to double-length arithmetic', () => {
    const p = entry(
      FpOp.fpurp,
      {
        fp: [
          [3, DOUBLE],
          [1, DOUBLE],
        ],
      },
      encodeOp(Op.fpdiv),
    );
    expect(p.c.fpu.reg[0]).toBeGreaterThan(1 / 3);
    const z = entry(
      FpOp.fpurz,
      {
        fp: [
          [3, DOUBLE],
          [2, DOUBLE],
        ],
      },
      encodeOp(Op.fpdiv),
    );
    expect(z.c.fpu.reg[0]).toBeLessThanOrEqual(2 / 3);
    const m = entry(
      FpOp.fpurm,
      {
        fp: [
          [0.1, DOUBLE],
          [0.2, DOUBLE],
        ],
      },
      encodeOp(Op.fpadd),
    );
    expect(m.c.fpu.reg[0]).toBeLessThan(0.1 + 0.2);
  });
  it('fpuexpinc32, fpuexpdec32, fpumulby2 and fpudivby2 scale FA (6 cycles each)', () => {
    expect(entry(FpOp.fpuexpinc32, { fp: [[3, DOUBLE]] }).c.fpu.reg[0]).toBe(3 * 4294967296);
    expect(entry(FpOp.fpuexpdec32, { fp: [[4294967296, DOUBLE]] }).c.fpu.reg[0]).toBe(1);
    expect(entry(FpOp.fpumulby2, { fp: [[3, SINGLE]] }).c.fpu.reg[0]).toBe(6);
    const d = entry(FpOp.fpudivby2, { fp: [[3, SINGLE]] });
    expect(d.c.fpu.reg[0]).toBe(1.5);
    expect(d.cycles).toBe(base(FpOp.fpudivby2));
  });
  it('fpuchki32 and fpuchki64 set FP_Error out of range (3 cycles)', () => {
    expect(entry(FpOp.fpuchki32, { fp: [[3e9, DOUBLE]] }).c.fpu.error).toBe(true);
    expect(entry(FpOp.fpuchki32, { fp: [[-3, DOUBLE]] }).c.fpu.error).toBe(false);
    expect(entry(FpOp.fpuchki64, { fp: [[1e19, DOUBLE]] }).c.fpu.error).toBe(true);
    const ok = entry(FpOp.fpuchki64, { fp: [[-9e18, DOUBLE]] });
    expect(ok.c.fpu.error).toBe(false);
    expect(ok.cycles).toBe(base(FpOp.fpuchki64));
  });
  it('fpunoround truncates a double to single', () => {
    const { c } = entry(FpOp.fpunoround, { fp: [[1 / 3, DOUBLE]] });
    expect(c.fpu.len[0]).toBe(SINGLE);
    expect(c.fpu.reg[0]).toBeLessThanOrEqual(1 / 3);
  });
  it('fpusqrtfirst computes the root; fpusqrtstep and fpusqrtlast leave it', () => {
    const { c } = entry(FpOp.fpusqrtfirst, { fp: [[2, DOUBLE]] });
    expect(c.fpu.reg[0]).toBe(Math.SQRT2);
    expect(entry(FpOp.fpusqrtstep, { fp: [[5, DOUBLE]] }).c.fpu.reg[0]).toBe(5);
    expect(entry(FpOp.fpusqrtlast, { fp: [[5, DOUBLE]] }).c.fpu.reg[0]).toBe(5);
  });
  it('fpuseterr and fpuclrerr set and clear FP_Error', () => {
    expect(entry(FpOp.fpuseterr, {}).c.fpu.error).toBe(true);
    expect(entry(FpOp.fpuclrerr, { fpError: true }).c.fpu.error).toBe(false);
  });
  it('every selector costs 1 (fpentry) plus its own figure', () => {
    const fp: Array<[number, number]> = [
      [2, DOUBLE],
      [1, DOUBLE],
      [1, DOUBLE],
    ];
    const costs: Record<number, number> = {
      [FpOp.fpusqrtfirst]: 27,
      [FpOp.fpusqrtstep]: 42,
      [FpOp.fpusqrtlast]: 8,
      [FpOp.fpurp]: 1,
      [FpOp.fpurm]: 1,
      [FpOp.fpurz]: 1,
      [FpOp.fpur32tor64]: 3,
      [FpOp.fpur64tor32]: 6,
      [FpOp.fpuexpdec32]: 6,
      [FpOp.fpuexpinc32]: 6,
      [FpOp.fpuabs]: 2,
      [FpOp.fpunoround]: 2,
      [FpOp.fpuchki32]: 3,
      [FpOp.fpuchki64]: 3,
      [FpOp.fpudivby2]: 6,
      [FpOp.fpumulby2]: 6,
      [FpOp.fpurn]: 1,
      [FpOp.fpuseterr]: 1,
      [FpOp.fpuclrerr]: 1,
    };
    for (const [sel, cost] of Object.entries(costs)) {
      const { cycles } = entry(Number(sel), { fp });
      expect(cycles, `selector ${sel}`).toBe(encode(Fn.ldc, Number(sel)).length + opLen(Op.fpentry) - 1 + 1 + cost);
    }
  });
  it('an unknown selector is an invalid FPU operation', () => {
    const { c } = entry(0x77, {});
    expect(c.fault?.reason).toMatch(/invalid FPU operation/);
  });
});

describe('FPU state and preemption', () => {
  it('OP_CYCLES lists every FPU instruction', () => {
    for (const name of ['fpadd', 'fpsub', 'fpmul', 'fpdiv', 'fpldnlsn', 'fpstnldb', 'fpentry', 'fpgt'] as const) {
      expect(OP_CYCLES[Op[name]]).toBeGreaterThan(0);
    }
  });
  it("save and restore keep a preempted process's FP registers", () => {
    const c = core();
    c.fpu.push(1.5, SINGLE);
    c.fpu.error = true;
    c.fpu.save();
    expect(c.fpu.error).toBe(false);
    c.fpu.push(9, DOUBLE);
    c.fpu.restore();
    expect(c.fpu.reg[0]).toBe(1.5);
    expect(c.fpu.error).toBe(true);
  });
});
