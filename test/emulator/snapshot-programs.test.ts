// Snapshots of every example and test program: stop a run a quarter and two thirds of the way, snapshot the machine
// each time (the second snapshot sharing with the first), let it go on to the end; restore each snapshot (the second
// twice) and run the copies to the end. A copy must be in the snapshotted state and then do exactly what the
// original did from that point: the same output bytes, result (status, cycles, instruction counts, per-core and
// per-link figures) and final state digest. The keyboard is a KeyboardTape, so bytes read after a snapshot are
// replayed.

import { describe, expect, it } from 'vitest';
import { allProgramFiles, loadProgram, machineFor, Output, root } from './snapshot-harness.js';
import { machineDigest, restoreSnapshot, takeSnapshot } from '../../emulator/snapshot.js';
import { relative } from 'node:path';
import { LoadError, type Machine } from '../../emulator/machine.js';

/** Longer programs are checked up to here (the end state is then a cycle-limit one). */
const CAP = 2_000_000;
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
      if (!p) return; // programs that must not compile are covered by the programs tests
      const out = new Output();
      let ref: Machine;
      try {
        ref = machineFor(p, out).machine;
      } catch (e) {
        if (e instanceof LoadError) return; // an image that does not fit its cores: covered by the programs tests
        throw e;
      }
      const refOut = out.fresh();
      const whole = ref.run(CAP);
      const many = p.image.cores.length > MANY_CORES;
      // The original stops at each point and is snapshotted, each snapshot after the first sharing pages with the one
      // before; then it runs to the end.
      const { machine: a } = machineFor(p, out);
      const outputs = [out.fresh()];
      const points: { k: number; snapshot: ReturnType<typeof takeSnapshot>; digest: string; calls: number }[] = [];
      /** The original's calls to run, in order: a restored copy makes the ones after its snapshot. */
      const calls: number[] = [];
      const run = (cycles: number): ReturnType<typeof a.run> => {
        calls.push(cycles);
        return a.run(cycles);
      };
      let done = 0;
      let endA: ReturnType<typeof a.run> | null = null;
      for (const f of many ? [0.5] : [0.25, 0.66]) {
        const k = Math.floor(whole.cycles * f);
        if (k <= done) continue;
        const r = run(k - done);
        if (r.status !== 'cycle-limit') {
          endA = r; // the program ended before this point (a split run may end a few cycles early)
          break;
        }
        done = k;
        points.push({
          k,
          snapshot: takeSnapshot(a, points.at(-1)?.snapshot),
          digest: machineDigest(a),
          calls: calls.length,
        });
        outputs.push(out.fresh());
      }
      endA ??= run(CAP - done);
      const digestA = machineDigest(a);
      const merged = (from: number): { screen: number[]; error: number[] } => ({
        screen: outputs.slice(from).flatMap((o) => o.screen),
        error: outputs.slice(from).flatMap((o) => o.error),
      });
      // Split runs are checked against the whole run for what the program does; cycle counts of mesh programs may
      // differ (a batch boundary moves the window in which link events are exchanged).
      expect(Buffer.from(merged(0).screen).toString('latin1')).toBe(Buffer.from(refOut.screen).toString('latin1'));
      expect(endA.status).toBe(whole.status);

      points.forEach(({ k, snapshot, digest }, i) => {
        const tailA = merged(i + 1);
        for (const copy of many || i === 0 ? ['first'] : ['first', 'second']) {
          const b = restoreSnapshot(snapshot);
          expect(machineDigest(b), `snapshot at ${k}, ${copy} restore: the snapshotted state`).toBe(digest);
          const tailB = out.fresh();
          // The same calls to run as the original made after the snapshot: re-execution is exact when they are.
          let endB: ReturnType<typeof b.run> | null = null;
          for (const cycles of calls.slice(points[i]!.calls)) endB = b.run(cycles);
          expect(tailB, `snapshot at ${k}, ${copy} restore: output after the snapshot`).toEqual(tailA);
          expect(endB, `snapshot at ${k}, ${copy} restore: run result`).toEqual(endA);
          expect(machineDigest(b), `snapshot at ${k}, ${copy} restore: final state`).toBe(digestA);
        }
      });
      if (whole.cycles >= 8) expect(points.length).toBeGreaterThan(0);
    });
  }
});
