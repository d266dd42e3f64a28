// Direct functions and the register-only operations: effect on A, B, C, the Error flag, and cycle cost, one
// instruction at a time (in the spirit of the Transputer Validation Suite).

import { describe, it, expect } from 'vitest';
import { encode, encodeOp, Fn, Op, OP_CYCLES, MOST_NEG } from '../../emulator/isa.js';
import { MEM_START } from '../../emulator/image.js';
import { Core } from '../../emulator/core.js';

const MAXI = 0x7fffffff;
const MINI = MOST_NEG;

/** Load `code` at MemStart, set registers, execute one instruction; HaltOnError off unless asked. */
function exec1(code: number[], regs: { A?: number; B?: number; C?: number } = {}, haltOnError = false) {
  const core = new Core({ memoryBytes: 8192 });
  core.load(Uint8Array.from(code), 0);
  core.HaltOnError = haltOnError;
  core.A = regs.A ?? 0;
  core.B = regs.B ?? 0;
  core.C = regs.C ?? 0;
  const before = core.cycles;
  const executed = core.step();
  return { core, cycles: core.cycles - before, executed };
}

describe('prefixes and constants', () => {
  const cases: Array<[number, number]> = [
    [0, 1],
    [15, 1],
    [16, 2],
    [0x123, 3],
    [-1, 2],
    [-16, 2],
    [-17, 2],
    [-273, 3],
    [-256, 2],
    [-257, 3],
    [MAXI, 8],
    [MINI, 8],
  ];
  for (const [value, length] of cases) {
    it(`ldc ${value} takes ${length} bytes and ${length} cycles`, () => {
      const code = encode(Fn.ldc, value);
      expect(code.length).toBe(length);
      const { core, cycles } = exec1(code, { A: 7, B: 8, C: 9 });
      expect(core.A).toBe(value | 0);
      expect(core.B).toBe(7);
      expect(core.C).toBe(8);
      expect(core.Oreg).toBe(0);
      expect(cycles).toBe(length);
      expect(core.Iptr).toBe((MEM_START + length) | 0);
      expect(core.instructions).toBe(1);
    });
  }
});

describe('direct functions', () => {
  it('j jumps relative to the next instruction (3 cycles)', () => {
    const { core, cycles } = exec1(encode(Fn.j, 10));
    expect(core.Iptr).toBe((MEM_START + 1 + 10) | 0);
    expect(cycles).toBe(3);
  });

  it('j backwards with nfix', () => {
    const code = [0x00, 0x00, 0x00, ...encode(Fn.j, -5)];
    const core = new Core({ memoryBytes: 8192 });
    core.load(Uint8Array.from(code), 0);
    core.step();
    core.step();
    core.step();
    const c0 = core.cycles;
    core.step(); // j -5 (2 bytes) at offset 3
    expect(core.Iptr).toBe((MEM_START + 5 - 5) | 0);
    expect(core.cycles - c0).toBe(1 + 3);
  });

  it('ldlp pushes Wptr + 4n', () => {
    const { core, cycles } = exec1(encode(Fn.ldlp, 3), { A: 1, B: 2, C: 3 });
    expect(core.A).toBe((core.Wptr + 12) | 0);
    expect([core.B, core.C]).toEqual([1, 2]);
    expect(cycles).toBe(1);
  });

  it('ldl / stl move words between the workspace and A', () => {
    const core = new Core({ memoryBytes: 8192 });
    core.load(Uint8Array.from([...encode(Fn.stl, 2), ...encode(Fn.ldl, 2), ...encode(Fn.ldl, -1)]), 0);
    core.A = 42;
    core.B = 5;
    core.C = 6;
    let c0 = core.cycles;
    core.step();
    expect(core.readWord(core.Wptr + 8)).toBe(42);
    expect([core.A, core.B]).toEqual([5, 6]);
    expect(core.cycles - c0).toBe(1);
    c0 = core.cycles;
    core.step();
    expect([core.A, core.B, core.C]).toEqual([42, 5, 6]);
    expect(core.cycles - c0).toBe(2);
    core.writeWord(core.Wptr - 4, 99);
    core.step();
    expect(core.A).toBe(99);
  });

  it('ldnl / stnl / ldnlp address A + 4n', () => {
    const core = new Core({ memoryBytes: 8192 });
    core.load(Uint8Array.from([...encode(Fn.stnl, 1), ...encode(Fn.ldnl, 1), ...encode(Fn.ldnlp, -2)]), 0);
    const base = (MOST_NEG + 0x400) | 0;
    core.A = base;
    core.B = 1234;
    core.C = base;
    let c0 = core.cycles;
    core.step();
    expect(core.readWord(base + 4)).toBe(1234);
    expect(core.A).toBe(base);
    expect(core.cycles - c0).toBe(2);
    c0 = core.cycles;
    core.step();
    expect(core.A).toBe(1234);
    expect(core.cycles - c0).toBe(2);
    core.A = base;
    c0 = core.cycles;
    core.step();
    expect(core.A).toBe((base - 8) | 0);
    expect(core.cycles - c0).toBe(2); // nfix + ldnlp
  });

  it('adc adds a constant and sets Error on overflow', () => {
    let r = exec1(encode(Fn.adc, 5), { A: 10 });
    expect(r.core.A).toBe(15);
    expect(r.core.Error).toBe(false);
    expect(r.cycles).toBe(1);
    r = exec1(encode(Fn.adc, 1), { A: MAXI });
    expect(r.core.A).toBe(MINI);
    expect(r.core.Error).toBe(true);
    r = exec1(encode(Fn.adc, -1), { A: MINI });
    expect(r.core.Error).toBe(true);
  });

  it('call saves Iptr, A, B, C in a new 4-word frame; A = return address, B = old C', () => {
    const { core, cycles } = exec1(encode(Fn.call, 10), { A: 1, B: 2, C: 3 });
    const w0 = core.bootWptr;
    expect(core.Wptr).toBe((w0 - 16) | 0);
    const ret = (MEM_START + 1) | 0;
    expect(core.readWord(core.Wptr)).toBe(ret);
    expect(core.readWord(core.Wptr + 4)).toBe(1);
    expect(core.readWord(core.Wptr + 8)).toBe(2);
    expect(core.readWord(core.Wptr + 12)).toBe(3);
    expect(core.A).toBe(ret);
    expect(core.B).toBe(3);
    expect(core.Iptr).toBe((ret + 10) | 0);
    expect(cycles).toBe(7);
  });

  it('cj jumps when A = 0 (keeping it, 4 cycles) and pops otherwise (2 cycles)', () => {
    let r = exec1(encode(Fn.cj, 6), { A: 0, B: 7, C: 8 });
    expect(r.core.Iptr).toBe((MEM_START + 7) | 0);
    expect([r.core.A, r.core.B]).toEqual([0, 7]);
    expect(r.cycles).toBe(4);
    r = exec1(encode(Fn.cj, 6), { A: 5, B: 7, C: 8 });
    expect(r.core.Iptr).toBe((MEM_START + 1) | 0);
    expect([r.core.A, r.core.B]).toEqual([7, 8]);
    expect(r.cycles).toBe(2);
  });

  it('ajw moves Wptr by 4n', () => {
    const { core, cycles } = exec1(encode(Fn.ajw, -4));
    expect(core.Wptr).toBe((core.bootWptr - 16) | 0);
    expect(cycles).toBe(2); // nfix + ajw
  });

  it('eqc compares A with a constant', () => {
    expect(exec1(encode(Fn.eqc, 7), { A: 7 }).core.A).toBe(1);
    expect(exec1(encode(Fn.eqc, 7), { A: 8 }).core.A).toBe(0);
    expect(exec1(encode(Fn.eqc, 7), { A: 7 }).cycles).toBe(2);
  });
});

interface Row {
  name: keyof typeof Op;
  in: { A?: number; B?: number; C?: number };
  out: { A?: number; B?: number; C?: number };
  cycles?: number;
  error?: boolean;
}

const rows: Row[] = [
  { name: 'rev', in: { A: 1, B: 2, C: 3 }, out: { A: 2, B: 1, C: 3 } },
  { name: 'bsub', in: { A: 10, B: 5, C: 7 }, out: { A: 15, B: 7 } },
  { name: 'diff', in: { A: 7, B: 5, C: 9 }, out: { A: -2, B: 9 } },
  { name: 'diff', in: { A: 1, B: MINI }, out: { A: MAXI }, error: false },
  { name: 'add', in: { A: 7, B: 5, C: 9 }, out: { A: 12, B: 9 }, error: false },
  { name: 'add', in: { A: 1, B: MAXI }, out: { A: MINI }, error: true },
  { name: 'add', in: { A: -1, B: MINI }, out: { A: MAXI }, error: true },
  { name: 'add', in: { A: -1, B: MAXI }, out: { A: MAXI - 1 }, error: false },
  { name: 'sub', in: { A: 7, B: 5, C: 9 }, out: { A: -2, B: 9 }, error: false },
  { name: 'sub', in: { A: 1, B: MINI }, out: { A: MAXI }, error: true },
  { name: 'sub', in: { A: -1, B: MAXI }, out: { A: MINI }, error: true },
  { name: 'sub', in: { A: MINI, B: 0 }, out: { A: MINI }, error: true },
  { name: 'sum', in: { A: 1, B: MAXI, C: 4 }, out: { A: MINI, B: 4 }, error: false },
  { name: 'prod', in: { A: 7, B: 6, C: 1 }, out: { A: 42, B: 1 }, cycles: 4 + 2 },
  { name: 'prod', in: { A: 0, B: 6 }, out: { A: 0 }, cycles: 4 },
  { name: 'prod', in: { A: 0x10000, B: 0x10000 }, out: { A: 0 }, cycles: 4 + 16, error: false },
  { name: 'prod', in: { A: -1, B: 3 }, out: { A: -3 }, cycles: 4 + 31 },
  { name: 'mul', in: { A: 7, B: -6, C: 2 }, out: { A: -42, B: 2 }, error: false },
  { name: 'mul', in: { A: 0x10000, B: 0x10000 }, out: { A: 0 }, error: true },
  { name: 'mul', in: { A: 0x10000, B: -0x8000 }, out: { A: MINI }, error: false },
  { name: 'mul', in: { A: -1, B: MINI }, out: { A: MINI }, error: true },
  { name: 'mul', in: { A: 46341, B: 46341 }, error: true, out: {} },
  { name: 'div', in: { A: 2, B: 7, C: 3 }, out: { A: 3, B: 3 }, error: false },
  { name: 'div', in: { A: 2, B: -7 }, out: { A: -3 }, error: false },
  { name: 'div', in: { A: -2, B: 7 }, out: { A: -3 }, error: false },
  { name: 'div', in: { A: 0, B: 7 }, out: {}, error: true },
  { name: 'div', in: { A: -1, B: MINI }, out: {}, error: true },
  { name: 'rem', in: { A: 3, B: 7, C: 5 }, out: { A: 1, B: 5 }, error: false },
  { name: 'rem', in: { A: 3, B: -7 }, out: { A: -1 }, error: false },
  { name: 'rem', in: { A: -3, B: 7 }, out: { A: 1 }, error: false },
  { name: 'rem', in: { A: 0, B: 7 }, out: {}, error: true },
  { name: 'rem', in: { A: -1, B: MINI }, out: { A: 0 }, error: false },
  { name: 'gt', in: { A: 3, B: 5, C: 8 }, out: { A: 1, B: 8 } },
  { name: 'gt', in: { A: 0, B: -1 }, out: { A: 0 } },
  { name: 'gt', in: { A: 5, B: 5 }, out: { A: 0 } },
  { name: 'wsub', in: { A: 100, B: 3, C: 8 }, out: { A: 112, B: 8 } },
  { name: 'csub0', in: { A: 5, B: 3, C: 8 }, out: { A: 3, B: 8 }, error: false },
  { name: 'csub0', in: { A: 5, B: 5 }, out: { A: 5 }, error: true },
  { name: 'csub0', in: { A: 5, B: -1 }, out: { A: -1 }, error: true },
  { name: 'csub0', in: { A: MINI, B: 7 }, out: { A: 7 }, error: false },
  { name: 'csub0', in: { A: MINI, B: -7 }, out: { A: -7 }, error: true },
  { name: 'ccnt1', in: { A: 5, B: 5, C: 8 }, out: { A: 5, B: 8 }, error: false },
  { name: 'ccnt1', in: { A: 5, B: 0 }, out: { A: 0 }, error: true },
  { name: 'ccnt1', in: { A: 5, B: 6 }, out: { A: 6 }, error: true },
  { name: 'ladd', in: { A: 2, B: 1, C: 1 }, out: { A: 4 }, error: false },
  { name: 'ladd', in: { A: 0, B: MAXI, C: 1 }, out: { A: MINI }, error: true },
  { name: 'lsub', in: { A: 3, B: 5, C: 1 }, out: { A: 1 }, error: false },
  { name: 'lsub', in: { A: 0, B: MINI, C: 1 }, out: { A: MAXI }, error: true },
  { name: 'lsum', in: { A: 1, B: -1, C: 0 }, out: { A: 0, B: 1 }, error: false },
  { name: 'lsum', in: { A: 1, B: 2, C: 1 }, out: { A: 4, B: 0 } },
  { name: 'ldiff', in: { A: 1, B: 0, C: 0 }, out: { A: -1, B: 1 }, error: false },
  { name: 'ldiff', in: { A: 1, B: 5, C: 1 }, out: { A: 3, B: 0 } },
  { name: 'lmul', in: { A: 4, B: 3, C: 5 }, out: { A: 17, B: 0 } },
  { name: 'lmul', in: { A: -1, B: -1, C: -1 }, out: { A: 0, B: -1 } },
  { name: 'lmul', in: { A: 0x10000, B: 0x10000, C: 0 }, out: { A: 0, B: 1 } },
  { name: 'ldiv', in: { A: 2, B: 0, C: 1 }, out: { A: MINI, B: 0 }, error: false },
  { name: 'ldiv', in: { A: 2, B: 7, C: 0 }, out: { A: 3, B: 1 } },
  { name: 'ldiv', in: { A: -1, B: -2, C: -2 }, out: { A: -1, B: -3 }, error: false },
  { name: 'ldiv', in: { A: 2, B: 0, C: 2 }, out: {}, error: true },
  { name: 'ldiv', in: { A: 0, B: 5, C: 0 }, out: {}, error: true },
  { name: 'lshl', in: { A: 1, B: MINI, C: 0 }, out: { A: 0, B: 1 }, cycles: 3 + 1 },
  { name: 'lshl', in: { A: 36, B: 1, C: 0 }, out: { A: 0, B: 16 }, cycles: 3 + 36 },
  { name: 'lshl', in: { A: 64, B: 1, C: 1 }, out: { A: 0, B: 0 }, cycles: 3 + 64 },
  { name: 'lshr', in: { A: 1, B: 0, C: 1 }, out: { A: MINI, B: 0 }, cycles: 3 + 1 },
  { name: 'lshr', in: { A: 33, B: 0, C: MINI }, out: { A: 0x40000000, B: 0 }, cycles: 3 + 33 },
  { name: 'lshr', in: { A: 0, B: 5, C: 6 }, out: { A: 5, B: 6 }, cycles: 3 },
  { name: 'norm', in: { A: 1, B: 0 }, out: { A: 0, B: MINI, C: 63 }, cycles: 5 + 63 },
  { name: 'norm', in: { A: 0, B: 0x40000000 }, out: { A: 0, B: MINI, C: 1 }, cycles: 5 + 1 },
  { name: 'norm', in: { A: MINI, B: 1 }, out: { A: 0, B: 0xc0000000, C: 31 }, cycles: 5 + 31 },
  { name: 'norm', in: { A: 0, B: 0 }, out: { A: 0, B: 0, C: 64 }, cycles: 5 + 64 },
  { name: 'xdble', in: { A: -5, B: 9 }, out: { A: -5, B: -1, C: 9 } },
  { name: 'xdble', in: { A: 5, B: 9 }, out: { A: 5, B: 0, C: 9 } },
  { name: 'csngl', in: { A: 5, B: 0, C: 9 }, out: { A: 5, B: 9 }, error: false },
  { name: 'csngl', in: { A: -5, B: -1 }, out: { A: -5 }, error: false },
  { name: 'csngl', in: { A: -5, B: 0 }, out: {}, error: true },
  { name: 'csngl', in: { A: 0, B: 1 }, out: {}, error: true },
  { name: 'xword', in: { A: 0x80, B: 0xff, C: 9 }, out: { A: -1, B: 9 } },
  { name: 'xword', in: { A: 0x80, B: 0x7f }, out: { A: 0x7f } },
  { name: 'xword', in: { A: 0x8000, B: 0x8000 }, out: { A: -0x8000 } },
  { name: 'cword', in: { A: 0x80, B: 0x7f, C: 9 }, out: { A: 0x7f, B: 9 }, error: false },
  { name: 'cword', in: { A: 0x80, B: -0x80 }, out: { A: -0x80 }, error: false },
  { name: 'cword', in: { A: 0x80, B: 0x80 }, out: {}, error: true },
  { name: 'cword', in: { A: 0x80, B: -0x81 }, out: {}, error: true },
  { name: 'not', in: { A: 0, B: 4 }, out: { A: -1, B: 4 } },
  { name: 'and', in: { A: 0b1100, B: 0b1010, C: 3 }, out: { A: 0b1000, B: 3 } },
  { name: 'or', in: { A: 0b1100, B: 0b1010, C: 3 }, out: { A: 0b1110, B: 3 } },
  { name: 'xor', in: { A: 0b1100, B: 0b1010, C: 3 }, out: { A: 0b0110, B: 3 } },
  { name: 'shl', in: { A: 31, B: 1, C: 3 }, out: { A: MINI, B: 3 }, cycles: 2 + 31 },
  { name: 'shl', in: { A: 32, B: 1 }, out: { A: 0 }, cycles: 2 + 32 },
  { name: 'shr', in: { A: 4, B: MINI }, out: { A: 0x08000000 }, cycles: 2 + 4 },
  { name: 'shr', in: { A: 0, B: -1 }, out: { A: -1 }, cycles: 2 },
  { name: 'shr', in: { A: -1, B: -1 }, out: { A: 0 }, cycles: 2 + 32 },
  { name: 'bcnt', in: { A: 5 }, out: { A: 20 } },
  { name: 'wcnt', in: { A: 13, B: 9 }, out: { A: 3, B: 1, C: 9 } },
  { name: 'wcnt', in: { A: -3 }, out: { A: -1, B: 1 } },
  { name: 'mint', in: { A: 1, B: 2 }, out: { A: MINI, B: 1, C: 2 } },
  { name: 'dup', in: { A: 1, B: 2 }, out: { A: 1, B: 1, C: 2 } },
  { name: 'ldpri', in: { A: 1, B: 2 }, out: { A: 1, B: 1, C: 2 } },
  { name: 'testpranal', in: { A: 1, B: 2 }, out: { A: 0, B: 1, C: 2 } },
];

describe('register operations', () => {
  for (const r of rows) {
    const title = `${r.name} A=${r.in.A ?? 0} B=${r.in.B ?? 0} C=${r.in.C ?? 0}${r.error ? ' sets Error' : ''}`;
    it(title, () => {
      const code = encodeOp(Op[r.name]);
      const { core, cycles } = exec1(code, r.in);
      if (r.out.A !== undefined) expect(core.A).toBe(r.out.A | 0);
      if (r.out.B !== undefined) expect(core.B).toBe(r.out.B | 0);
      if (r.out.C !== undefined) expect(core.C).toBe(r.out.C | 0);
      if (r.error !== undefined) expect(core.Error).toBe(r.error);
      const prefixes = code.length - 1;
      expect(cycles).toBe(prefixes + (r.cycles ?? OP_CYCLES[Op[r.name]]!));
      expect(core.Iptr).toBe((MEM_START + code.length) | 0);
    });
  }

  it('a checked operation halts the core when HaltOnError is set', () => {
    const { core } = exec1(encodeOp(Op.add), { A: 1, B: MAXI }, true);
    expect(core.state).toBe('error');
    expect(core.fault).toMatchObject({ offset: 0, instruction: 'add', reason: 'arithmetic overflow' });
  });

  it('Error is sticky: a later successful add does not clear it', () => {
    const core = new Core({ memoryBytes: 8192 });
    core.load(Uint8Array.from([...encodeOp(Op.add), ...encodeOp(Op.add)]), 0);
    core.HaltOnError = false;
    core.A = 1;
    core.B = MAXI;
    core.step();
    expect(core.Error).toBe(true);
    core.A = 1;
    core.B = 1;
    core.step();
    expect(core.A).toBe(2);
    expect(core.Error).toBe(true);
  });

  it('every operation and the prefixed haltp are recognised', () => {
    for (const name of Object.keys(Op) as Array<keyof typeof Op>) {
      const core = new Core({ memoryBytes: 8192 });
      core.load(Uint8Array.from(encodeOp(Op[name])), 0);
      core.HaltOnError = false;
      // Registers that point into memory, so memory operations do not fault.
      const mid = (MOST_NEG + 0x1000) | 0;
      core.A = name === 'endp' || name === 'runp' || name === 'startp' || name === 'gajw' ? mid : 0;
      core.B = mid;
      core.C = mid;
      core.writeWord(mid + 4, 2);
      core.step();
      expect(core.fault?.reason ?? '').not.toMatch(/invalid instruction/);
    }
  });

  it('an unknown operation is a run-time error naming it', () => {
    const { core } = exec1(encodeOp(0x11), {}, true);
    expect(core.state).toBe('error');
    expect(core.fault?.reason).toBe('invalid instruction (operation #11)');
    expect(core.fault?.instruction).toBe('opr #11');
  });
});
