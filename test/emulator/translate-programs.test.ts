// Every program in test/programs and programs/ run with the translator of bytecode to JavaScript on and off: the
// same output, status, cycles, per-core instruction counts and run-time error, and the same final machine state
// (machineDigest: every register, memory byte and queue).

import { describe, expect, it } from 'vitest';
import type { Machine } from '../../emulator/machine.js';
import { machineDigest } from '../../emulator/snapshot.js';
import { translationsOf } from '../../emulator/translate/cache.js';
import { allPrograms, loadProgram, machineFor, type RunnableProgram } from '../helpers/program-files.js';

const LIMIT = 200_000_000;

function outcome(p: RunnableProgram, jit: boolean) {
  const out: number[] = [];
  const err: number[] = [];
  const m: Machine = machineFor(p, out, { jit }, err);
  const r = m.run(LIMIT);
  const blocks = m.cores.reduce((s, c) => s + (translationsOf(c.jitKey)?.made ?? 0), 0);
  // The translation key is the one field that differs by design; the digest is of everything else.
  for (const c of m.cores) c.jitKey = null;
  return {
    blocks,
    result: {
      status: r.status,
      cycles: r.cycles,
      error: r.error,
      faults: m.cores.map((c) => c.fault),
      instructions: m.cores.map((c) => c.instructions),
      busy: m.cores.map((c) => c.busyCycles),
      output: Buffer.from(out).toString('latin1'),
      errors: Buffer.from(err).toString('latin1'),
      digest: machineDigest(m),
    },
  };
}

const programs = allPrograms()
  .map((path) => loadProgram(path))
  .filter((p): p is RunnableProgram => p !== null);

describe('the translator on and off', () => {
  let translated = 0;
  for (const p of programs) {
    it(p.name, () => {
      const on = outcome(p, true);
      const off = outcome(p, false);
      expect(off.blocks).toBe(0);
      expect(on.result).toEqual(off.result);
      if (on.blocks > 0) translated++;
    });
  }
  it('translated blocks in most programs', () => {
    expect(programs.length).toBeGreaterThan(100);
    expect(translated).toBeGreaterThan(30);
  });
});
