// Snapshots of every example and test program: stop a run part of the way, snapshot the machine, let it go on to
// the end; restore the snapshot (twice) and run each copy to the end. The copies must do exactly what the original
// did from that point: the same output bytes, result (status, cycles, instruction counts, per-core and per-link
// figures) and final state digest. The keyboard is a KeyboardTape, so bytes read after the snapshot are replayed.

import { describe, expect, it } from 'vitest';
import { allProgramFiles, loadProgram, machineFor, Output, root } from './snapshot-harness.js';
import { machineDigest, restoreSnapshot, takeSnapshot } from '../../emulator/snapshot.js';
import { relative } from 'node:path';

/** Longer programs are checked up to here (the end state is then a cycle-limit one). */
const CAP = 3_000_000;
/** Machines with more cores than this are snapshotted at one point and restored once (each digest reads all their
 * memory). */
const MANY_CORES = 256;

const files = allProgramFiles();

describe('snapshot and restore part way through every program', () => {
  it('finds the programs', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
  });

  for (const path of files) {
    it(relative(root, path), () => {
      const p = loadProgram(path);
      if (!p) return; // programs that must not compile or load are covered by the programs tests
      const out = new Output();
      const ref = machineFor(p, out).machine;
      const refOut = out.fresh();
      const whole = ref.run(CAP);
      const many = p.image.cores.length > MANY_CORES;
      const points = many ? [0.5] : [0.25, 0.66];
      let checked = 0;
      for (const f of points) {
        const k = Math.floor(whole.cycles * f);
        if (k < 1) continue;
        const { machine: a } = machineFor(p, out);
        const head = out.fresh();
        if (a.run(k).status !== 'cycle-limit') continue;
        const s = takeSnapshot(a);
        const atSnapshot = machineDigest(a);
        expect(machineDigest(restoreSnapshot(s)), 'a restored machine is in the snapshotted state').toBe(atSnapshot);

        const tailA = out.fresh();
        const endA = a.run(CAP - k);
        const digestA = machineDigest(a);
        // Split runs are checked against the whole run for what the program does; cycle counts of mesh programs may
        // differ (a batch boundary moves the window in which link events are exchanged).
        expect(Buffer.from([...head.screen, ...tailA.screen]).toString('latin1')).toBe(Buffer.from(refOut.screen).toString('latin1'));
        expect(endA.status).toBe(whole.status);

        for (const copy of many ? ['first'] : ['first', 'second']) {
          const b = restoreSnapshot(s);
          expect(machineDigest(b), `${copy} restore: the snapshot is unchanged by the runs since`).toBe(atSnapshot);
          const tailB = out.fresh();
          const endB = b.run(CAP - k);
          expect(tailB, `${copy} restore: output after the snapshot`).toEqual(tailA);
          expect(endB, `${copy} restore: run result`).toEqual(endA);
          expect(machineDigest(b), `${copy} restore: final state`).toBe(digestA);
        }
        checked++;
      }
      if (whole.cycles >= 8) expect(checked).toBeGreaterThan(0);
    });
  }
});
