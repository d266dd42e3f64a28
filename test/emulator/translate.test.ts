// The translator of bytecode to JavaScript (emulator/translate/) against the interpreter: every entry of the
// semantics table on many stacks (results, cycles, counts, errors), and translated blocks as a whole: their cycle
// bound, stopping at a batch's limit, run-time error locations, and a store into the code area dropping them.

import { describe, expect, it } from 'vitest';
import { Core } from '../../emulator/core.js';
import { encode, encodeOp, encodedLength, Fn, MOST_NEG, Op } from '../../emulator/isa.js';
import { MEM_START } from '../../emulator/image.js';
import { DIRECT_SEMANTICS, OP_SEMANTICS } from '../../emulator/semantics.js';
import { translateBlock } from '../../emulator/translate/block.js';
import { translationsOf } from '../../emulator/translate/cache.js';
import { Machine } from '../../emulator/machine.js';
import { compileSource } from '../../compiler/compile.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MEM = 4096;
const CODE_OFF = (MEM_START ^ MOST_NEG) >>> 0;

/** A tiny deterministic generator, so that a failure can be reproduced. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** The state a comparison looks at. */
function state(c: Core) {
  return {
    A: c.A,
    B: c.B,
    C: c.C,
    Wptr: c.Wptr,
    Iptr: c.Iptr,
    cycles: c.cycles,
    busy: c.busyCycles,
    instructions: c.instructions,
    instrStart: c.instrStart,
    Error: c.Error,
    fault: c.fault,
    state: c.state,
    memory: Buffer.from(c.mem8).toString('base64'),
  };
}

interface Setup {
  A: number;
  B: number;
  C: number;
  error: boolean;
  haltOnError: boolean;
  slice: number;
}

function core(code: Uint8Array, s: Setup, jit: boolean): { core: Core; calls: () => number } {
  const c = new Core({ memoryBytes: MEM });
  c.load(code, 0);
  c.A = s.A;
  c.B = s.B;
  c.C = s.C;
  c.Error = s.error;
  c.HaltOnError = s.haltOnError;
  c.sliceDeadline = s.slice;
  // Some words of the workspace hold addresses and counts, for lend and the loads.
  for (let i = 0; i < 8; i++) c.writeWord((c.Wptr + 4 * i) | 0, i === 1 ? 3 : (c.Wptr + 8 * i) | 0);
  let calls = 0;
  if (jit) {
    c.useTranslations();
    const t = translationsOf(c.jitKey)!;
    t.translate(c.mem8, 0);
    const f = t.blocks[0]!;
    t.blocks[0] = (...args) => {
      calls++;
      f(...args);
    };
  }
  return { core: c, calls: () => calls };
}

describe('the semantics table against the interpreter', () => {
  const entries: { name: string; code: (o: number) => number[] }[] = [];
  DIRECT_SEMANTICS.forEach((s, f) => {
    if (s) entries.push({ name: s.name, code: (o) => encode(f, o) });
  });
  for (const [op, s] of OP_SEMANTICS) entries.push({ name: s.name, code: () => encodeOp(op) });

  it('covers the interpreter fast instructions', () => {
    expect(entries.length).toBeGreaterThan(40);
  });

  for (const e of entries) {
    it(e.name, () => {
      const rnd = lcg(e.name.length * 7919 + e.name.charCodeAt(0));
      const wptr = new Core({ memoryBytes: MEM }).bootWptr;
      const values = [
        0,
        1,
        -1,
        2,
        3,
        31,
        32,
        33,
        7,
        MOST_NEG,
        0x7fffffff,
        wptr,
        (wptr + 4) | 0,
        (wptr - 64) | 0,
        MEM_START,
        (MEM_START + 2) | 0,
        (MOST_NEG + MEM - 4) | 0,
        (MOST_NEG + MEM) | 0,
        (MOST_NEG + 8) | 0,
      ];
      const pick = () => (rnd() % 3 === 0 ? rnd() | 0 : values[rnd() % values.length]!);
      let translated = 0;
      for (let i = 0; i < 300; i++) {
        const operand = [0, 1, 2, -1, 5, -8, 100, -100, 3000][rnd() % 9]!;
        const code = Uint8Array.from([...e.code(operand), ...encodeOp(Op.haltp)]);
        const s: Setup = {
          A: pick(),
          B: pick(),
          C: pick(),
          error: rnd() % 2 === 0,
          haltOnError: rnd() % 4 !== 0,
          slice: rnd() % 3 === 0 ? 0 : 1e9,
        };
        const want = core(code, s, false).core;
        want.step();
        const got = core(code, s, true);
        got.core.step();
        translated += got.calls();
        expect(state(got.core), `${e.name} ${operand} ${JSON.stringify(s)}`).toEqual(state(want));
      }
      // Most cases ran a translated block (the rest left it before its only instruction, as they must).
      expect(translated).toBeGreaterThan(100);
    });
  }
});

/** A small assembler: direct functions with an operand or a label (a jump's target, relative to the next byte). */
type Item = { fn: number; operand?: number; label?: string; absolute?: string } | { op: number } | { at: string };

function assemble(items: Item[]): { code: Uint8Array; labels: Map<string, number> } {
  const labels = new Map<string, number>();
  let lengths = items.map(() => 1);
  for (let pass = 0; pass < 10; pass++) {
    let p = 0;
    const next = items.map((it, i) => {
      if ('at' in it) {
        labels.set(it.at, p);
        return 0;
      }
      p += lengths[i]!;
      return p;
    });
    const bytes: number[] = [];
    const newLengths = items.map((it, i) => {
      if ('at' in it) return 0;
      let out: number[];
      if ('op' in it) out = encodeOp(it.op);
      else {
        let o = it.operand ?? 0;
        if (it.label !== undefined) o = (labels.get(it.label) ?? 0) - next[i]!;
        if (it.absolute !== undefined) o = (MEM_START + (labels.get(it.absolute) ?? 0)) | 0;
        out = encode(it.fn, o);
      }
      bytes.push(...out);
      return out.length;
    });
    if (newLengths.every((l, i) => l === lengths[i])) return { code: Uint8Array.from(bytes), labels };
    lengths = newLengths;
  }
  throw new Error('assembly did not settle');
}

const ins = (fn: number, operand = 0): Item => ({ fn, operand });

/** acc := acc + k, count times, then stop; W[0] = acc, W[1] = count. */
function countingLoop(count: number, k: number, extra: Item[] = []): Item[] {
  return [
    ins(Fn.ldc, 0),
    ins(Fn.stl, 0),
    ins(Fn.ldc, count),
    ins(Fn.stl, 1),
    { at: 'L' },
    ins(Fn.ldc, k),
    ins(Fn.ldl, 0),
    { op: Op.add },
    ins(Fn.stl, 0),
    ...extra,
    ins(Fn.ldl, 1),
    ins(Fn.adc, -1),
    ins(Fn.stl, 1),
    ins(Fn.ldl, 1),
    ins(Fn.eqc, 0),
    { fn: Fn.cj, label: 'L' },
    { op: Op.haltp },
  ];
}

function runBoth(code: Uint8Array, step: (c: Core) => void): { jit: Core; plain: Core } {
  const jit = new Core({ memoryBytes: MEM });
  jit.load(code, 0);
  jit.useTranslations();
  const plain = new Core({ memoryBytes: MEM });
  plain.load(code, 0);
  step(jit);
  step(plain);
  return { jit, plain };
}

describe('translated blocks', () => {
  it('a block is bounded by the cost of all its instructions but the last, and costs what the interpreter does', () => {
    const { code } = assemble([ins(Fn.ldc, 1), ins(Fn.ldc, 300), { op: Op.add }, ins(Fn.stl, 2), { op: Op.haltp }]);
    const t = translateBlock(
      Uint8Array.from([...new Uint8Array(CODE_OFF), ...code, 0]),
      CODE_OFF,
      CODE_OFF + code.length,
      MEM,
    )!;
    // ldc 1 (1), ldc 300 (two prefixes + 1), add (1); stl is last.
    expect(t.instructions).toBe(4);
    expect(t.bound).toBe(1 + 3 + 1);
    const { jit, plain } = runBoth(code, (c) => c.run(1e6));
    expect(jit.finished).toBe(true);
    expect(state(jit)).toEqual(state(plain));
  });

  it('a hot loop runs translated, with the interpreter cycle and instruction counts', () => {
    const { code } = assemble(countingLoop(5000, 3));
    const { jit, plain } = runBoth(code, (c) => c.run(1e9));
    expect(jit.finished).toBe(true);
    expect(jit.readWord(jit.bootWptr)).toBe(15000);
    expect(translationsOf(jit.jitKey)!.made).toBeGreaterThan(0);
    expect(state(jit)).toEqual(state(plain));
  });

  it('stops exactly where the interpreter does at every batch limit', () => {
    const { code } = assemble(countingLoop(3000, 1));
    const rnd = lcg(42);
    const jit = new Core({ memoryBytes: MEM });
    jit.load(code, 0);
    jit.useTranslations();
    const plain = new Core({ memoryBytes: MEM });
    plain.load(code, 0);
    let batches = 0;
    while (!plain.finished) {
      const until = plain.cycles + 1 + (rnd() % 400);
      plain.run(until);
      jit.run(until);
      batches++;
      expect(state(jit)).toEqual(state(plain));
    }
    expect(jit.finished).toBe(true);
    expect(batches).toBeGreaterThan(100);
    expect(translationsOf(jit.jitKey)!.made).toBeGreaterThan(0);
  });

  it('a run-time error inside a translated loop has the interpreter Iptr, cycle and instruction count', () => {
    // acc grows by 2^20 every iteration and overflows on the 2048th.
    const { code } = assemble([
      ins(Fn.ldc, 0),
      ins(Fn.stl, 0),
      ins(Fn.ldc, 5000),
      ins(Fn.stl, 1),
      { at: 'L' },
      ins(Fn.ldc, 1 << 20),
      ins(Fn.ldl, 0),
      { op: Op.add },
      ins(Fn.stl, 0),
      ins(Fn.ldl, 1),
      ins(Fn.adc, -1),
      ins(Fn.stl, 1),
      ins(Fn.ldl, 1),
      ins(Fn.eqc, 0),
      { fn: Fn.cj, label: 'L' },
      { op: Op.haltp },
    ]);
    const { jit, plain } = runBoth(code, (c) => c.run(1e9));
    expect(plain.fault?.reason).toBe('arithmetic overflow');
    expect(plain.readWord(plain.bootWptr + 4)).toBe(5000 - 2047);
    expect(translationsOf(jit.jitKey)!.made).toBeGreaterThan(0);
    expect(jit.fault).toEqual(plain.fault);
    expect(state(jit)).toEqual(state(plain));
  });

  it('a store into the code area drops the translations: the new instruction runs', () => {
    // Loop 20 times adding the constant at L, patch that ldc 1 into ldc 2 (sb), loop 20 times more.
    const items: Item[] = [
      ins(Fn.ldc, 0),
      ins(Fn.stl, 0),
      ins(Fn.ldc, 0),
      ins(Fn.stl, 2),
      ins(Fn.ldc, 20),
      ins(Fn.stl, 1),
      { at: 'L' },
      ins(Fn.ldc, 1),
      ins(Fn.ldl, 0),
      { op: Op.add },
      ins(Fn.stl, 0),
      ins(Fn.ldl, 1),
      ins(Fn.adc, -1),
      ins(Fn.stl, 1),
      ins(Fn.ldl, 1),
      ins(Fn.eqc, 0),
      { fn: Fn.cj, label: 'L' },
      ins(Fn.ldl, 2),
      ins(Fn.eqc, 0),
      { fn: Fn.cj, label: 'DONE' },
      ins(Fn.ldc, 1),
      ins(Fn.stl, 2),
      ins(Fn.ldc, (Fn.ldc << 4) | 2),
      { fn: Fn.ldc, absolute: 'L' },
      { op: Op.sb },
      ins(Fn.ldc, 20),
      ins(Fn.stl, 1),
      { fn: Fn.j, label: 'L' },
      { at: 'DONE' },
      { op: Op.haltp },
    ];
    const { code, labels } = assemble(items);
    expect(code[labels.get('L')!]).toBe((Fn.ldc << 4) | 1);
    expect(encodedLength(1)).toBe(1);
    const { jit, plain } = runBoth(code, (c) => c.run(1e9));
    expect(plain.readWord(plain.bootWptr)).toBe(20 * 1 + 20 * 2);
    expect(jit.readWord(jit.bootWptr)).toBe(20 * 1 + 20 * 2);
    expect(state(jit)).toEqual(state(plain));
  });

  it('the debugger stops run the interpreter: translated blocks are not entered while one is set', () => {
    const { code } = assemble(countingLoop(2000, 1));
    const c = new Core({ memoryBytes: MEM });
    c.load(code, 0);
    c.useTranslations();
    c.instructionStop = 5000;
    c.run(1e9);
    expect(c.paused).toBe(true);
    expect(c.instructions).toBe(5000);
    expect(translationsOf(c.jitKey)!.made).toBe(0);
  });

  it('a region holds a nest of loops, is entered at any of its runs and stops where the interpreter does', () => {
    // for i in 30: for j in 20: acc += j; W[0] = acc, W[1] = i's count, W[2] = j's count.
    const items: Item[] = [
      ins(Fn.ldc, 0),
      ins(Fn.stl, 0),
      ins(Fn.ldc, 30),
      ins(Fn.stl, 1),
      { at: 'OUTER' },
      ins(Fn.ldc, 20),
      ins(Fn.stl, 2),
      { at: 'INNER' },
      ins(Fn.ldl, 2),
      ins(Fn.ldl, 0),
      { op: Op.add },
      ins(Fn.stl, 0),
      ins(Fn.ldl, 2),
      ins(Fn.adc, -1),
      ins(Fn.stl, 2),
      ins(Fn.ldl, 2),
      ins(Fn.eqc, 0),
      { fn: Fn.cj, label: 'INNER' },
      ins(Fn.ldl, 1),
      ins(Fn.adc, -1),
      ins(Fn.stl, 1),
      ins(Fn.ldl, 1),
      ins(Fn.eqc, 0),
      { fn: Fn.cj, label: 'OUTER' },
      { op: Op.haltp },
    ];
    const { code, labels } = assemble(items);
    const m8 = Uint8Array.from([...new Uint8Array(CODE_OFF), ...code, 0]);
    const t = translateBlock(m8, CODE_OFF + labels.get('INNER')!, CODE_OFF + code.length, MEM)!;
    // The inner loop (with the outer loop's tail after it) and the outer loop's head are runs of one function.
    expect(t.entries.map((e) => e.offset - CODE_OFF).sort((x, y) => x - y)).toEqual([
      labels.get('OUTER')!,
      labels.get('INNER')!,
    ]);
    const rnd = lcg(99);
    const jit = new Core({ memoryBytes: MEM });
    jit.load(code, 0);
    jit.useTranslations();
    const plain = new Core({ memoryBytes: MEM });
    plain.load(code, 0);
    while (!plain.finished) {
      const until = plain.cycles + 1 + (rnd() % 300);
      plain.run(until);
      jit.run(until);
      expect(state(jit)).toEqual(state(plain));
    }
    expect(jit.readWord(jit.bootWptr)).toBe(30 * 210);
    expect(translationsOf(jit.jitKey)!.made).toBeGreaterThan(0);
  });

  it('channel instructions in blocks pass messages and switch processes where the interpreter does', () => {
    const path = join(import.meta.dirname, '..', 'programs', 'comm', 'pipeline_priorities_alt.occ');
    const image = compileSource('pipeline.occ', readFileSync(path, 'latin1')).image!;
    const out: Record<string, number[]> = { jit: [], plain: [] };
    const jit = new Machine(image, { memoryBytes: 65536, onScreen: (b) => out.jit!.push(...b) });
    const plain = new Machine(image, { memoryBytes: 65536, jit: false, onScreen: (b) => out.plain!.push(...b) });
    const core = (m: Machine) => {
      const c = m.cores[0]!;
      return {
        ...state(c),
        queues: [...c.fptr, ...c.bptr, c.sliceDeadline],
        waits: Buffer.from(c.waits.buffer, c.waits.byteOffset, c.waits.byteLength).toString('base64'),
      };
    };
    // In pieces of random lengths, so that blocks meet the batch's limit everywhere.
    const rnd = lcg(7);
    let status = 'cycle-limit';
    while (status === 'cycle-limit') {
      const cycles = 1 + (rnd() % 3000);
      status = jit.run(cycles).status;
      expect(plain.run(cycles).status).toBe(status);
      expect(core(jit)).toEqual(core(plain));
    }
    expect(status).toBe('finished');
    expect(Buffer.from(out.jit!).toString()).toBe('153984\n');
    expect(out.jit).toEqual(out.plain);
    // Blocks with channel instructions ran (their code switches processes through the run queue).
    const t = translationsOf(jit.cores[0]!.jitKey)!;
    expect(t.blocks.some((f) => f !== undefined && String(f).includes('core.fptr[pri]'))).toBe(true);
  });
});
