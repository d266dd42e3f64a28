// A run paused by the debugger and resumed does exactly what one uninterrupted run does: the same output, status,
// cycle count and instruction counts, whether it is paused at breakpoints, at instruction counts or at every batch.

import { describe, expect, it } from 'vitest';
import type { Machine, RunResult } from '../../emulator/machine.js';
import { allPrograms, loadProgram, machineFor, type RunnableProgram } from '../helpers/program-files.js';

const LIMIT = 200_000_000;

interface Outcome {
  status: string;
  cycles: number;
  perCore: number[];
  output: string;
  errors: string;
}

function outcome(m: Machine, r: RunResult, out: number[], err: number[]): Outcome {
  const text = (b: number[]) => Buffer.from(b).toString('latin1');
  return {
    status: r.status,
    cycles: r.cycles,
    perCore: m.cores.map((c) => c.instructions),
    output: text(out),
    errors: text(err),
  };
}

function plain(p: RunnableProgram): Outcome {
  const out: number[] = [];
  const err: number[] = [];
  const m = machineFor(p, out, {}, err);
  return outcome(m, m.run(LIMIT), out, err);
}

/** Drive the clock loop with `advance`, applying `arm` before every call; counts the pauses. */
function stepped(
  p: RunnableProgram,
  arm: (m: Machine, pauses: number) => void,
  oneBatch: boolean,
): Outcome & { pauses: number } {
  const out: number[] = [];
  const err: number[] = [];
  const m = machineFor(p, out, {}, err);
  let pauses = 0;
  for (let guard = 0; guard < 5_000_000; guard++) {
    arm(m, pauses);
    const r = m.advance(LIMIT - m.cycle, oneBatch);
    if (r.status !== 'paused') {
      for (const c of m.cores) {
        c.breakMap = null;
        c.instructionStop = Infinity;
      }
      return { ...outcome(m, r, out, err), pauses };
    }
    pauses++;
  }
  throw new Error('too many pauses');
}

const programs = allPrograms()
  .map((path) => loadProgram(path))
  .filter((p): p is RunnableProgram => p !== null);

describe('pausing and resuming the clock', () => {
  it('has programs to compare', () => {
    expect(programs.length).toBeGreaterThan(100);
  });

  for (const p of programs) {
    it(p.name, () => {
      const want = plain(p);
      // Stop every few thousand instructions of each core in turn.
      const byCount = stepped(
        p,
        (m, k) => {
          for (const c of m.cores) c.instructionStop = Infinity;
          const c = m.cores[k % m.cores.length]!;
          c.instructionStop = c.instructions + 1 + ((k * 7919) % 5000);
        },
        false,
      );
      expect(byCount).toMatchObject(want);
      if (want.perCore.some((n) => n > 5000)) expect(byCount.pauses).toBeGreaterThan(0);
      // Stop at the first instruction of every source line of every core, for the first thousand stops.
      const byLine = stepped(
        p,
        (m, k) => {
          for (const c of m.cores) {
            if (k >= 1000) {
              c.breakMap = null;
              continue;
            }
            if (c.breakMap) continue;
            const dbg = p.image.debug[m.cores.indexOf(c)]!;
            const map = new Uint8Array(c.memoryBytes);
            for (const l of dbg.lines) map[0x80 + l.offset] = 1;
            c.breakMap = map;
          }
          // Resuming from a breakpoint executes the instruction it stopped before.
          for (const c of m.cores) if (c.paused) c.breakSkip = (c.Iptr ^ 0x80000000) >>> 0;
        },
        false,
      );
      expect(byLine).toMatchObject(want);
      if (want.cycles > 0 && p.image.debug[0]!.lines.length > 0) expect(byLine.pauses).toBeGreaterThan(0);
      // One batch at a time.
      const byBatch = stepped(p, () => {}, true);
      expect(byBatch).toMatchObject(want);
    });
  }
});
