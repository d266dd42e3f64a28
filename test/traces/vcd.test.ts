// `occmesh run --vcd`: every VCD goes through GTKWave's own converters (vcd2fst, then fst2vcd, from the Debian
// gtkwave package that .ci/run installs) and must come back with the same value changes on every signal. The
// values themselves must agree with the run: each core's final state, each link's busy time and bytes.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { haveGtkwave, readVcd, throughGtkwave } from './readers.js';

interface JsonResult {
  exitCode: number;
  cycles: number;
  cores: { x: number; y: number; state: string }[];
  links: { from: [number, number]; to: [number, number]; bytes: number; busyCycles: number }[];
}

const STATES = ['idle', 'running', 'blocked', 'finished', 'error'];

const PROGRAMS = [
  'programs/commstime.occ',
  'programs/philosophers.occ',
  'programs/mesh/heat_8x8.occ',
  'programs/mesh/systolic_4x4.occ',
  'programs/mesh/token_ring.occ',
  'test/programs/errors/deadlock.occ',
  'test/programs/errors/division_by_zero.occ',
];

// GTKWave must be there in CI (.ci/run installs it); elsewhere the round trip is skipped, loudly.
const gtkwave = haveGtkwave();
if (!gtkwave && process.env.CI)
  throw new Error('vcd2fst and fst2vcd are missing: .ci/run must install the gtkwave package');
if (!gtkwave)
  console.warn('vcd.test.ts: GTKWave (vcd2fst, fst2vcd) is not installed; the round trip through it is skipped');

describe('occmesh run --vcd', () => {
  for (const program of PROGRAMS) {
    it.skipIf(!gtkwave)(
      `writes a VCD of ${program} that GTKWave reads back change for change`,
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'occmesh-vcd-'));
        const path = join(dir, 'run.vcd');
        const run = await runCli(['run', program, '--vcd', path]);
        const result = JSON.parse((await runCli(['run', program, '--json'])).stdout) as JsonResult;
        expect(run.exitCode).toBe(result.exitCode);
        const ours = readVcd(readFileSync(path, 'latin1'));
        const back = readVcd(throughGtkwave(path));
        expect(ours.timescale).toBe('1ns');
        expect(back.timescale).toBe('1ns');
        expect([...back.changes.keys()].sort()).toEqual([...ours.changes.keys()].sort());
        let changes = 0;
        for (const [name, list] of ours.changes) {
          expect(back.changes.get(name), name).toEqual(list);
          changes += list.length;
        }
        expect(changes).toBeGreaterThan(2 * result.cores.length);

        // Every core ends in the state the run reports; its state starts as running at cycle 0.
        for (const c of result.cores) {
          const state = ours.changes.get(`mesh.core_${c.x}_${c.y}.state`)!;
          expect(state[0]).toEqual([0, '1']);
          expect(parseInt(state.at(-1)![1], 2), `state of core (${c.x}, ${c.y})`).toBe(STATES.indexOf(c.state));
        }
        // Each link is busy for at least its busy cycles (a packet's end is rounded up to a whole cycle), and at
        // most one cycle more per packet.
        for (const l of result.links) {
          const dir = l.to[0] > l.from[0] ? 'E' : l.to[0] < l.from[0] ? 'W' : l.to[1] > l.from[1] ? 'S' : 'N';
          const busy = ours.changes.get(`mesh.core_${l.from[0]}_${l.from[1]}.link_${dir}.busy`)!;
          let high = 0;
          let packets = 0;
          for (let i = 0; i < busy.length; i++) {
            if (busy[i]![1] !== '1') continue;
            packets++;
            high += (busy[i + 1]?.[0] ?? result.cycles) - busy[i]![0];
          }
          expect(high).toBeGreaterThanOrEqual(Math.floor(l.busyCycles));
          expect(packets).toBeGreaterThan(0);
        }
      },
      60_000,
    );
  }

  it.skipIf(!gtkwave)('keeps only the cycles of --trace-window, starting from the values at its start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-vcd-'));
    const whole = join(dir, 'whole.vcd');
    const part = join(dir, 'part.vcd');
    await runCli(['run', 'programs/mesh/token_ring.occ', '--vcd', whole]);
    await runCli(['run', 'programs/mesh/token_ring.occ', '--vcd', part, '--trace-window', '500:1500']);
    const all = readVcd(readFileSync(whole, 'latin1')).changes;
    const some = readVcd(throughGtkwave(part)).changes;
    for (const [name, list] of all) {
      const before = list.filter(([t]) => t <= 500).at(-1) ?? [0, '0'];
      const expected = [[500, before[1]] as [number, string], ...list.filter(([t]) => t > 500 && t <= 1500)];
      // Drop the repeats that appear when a change inside the window sets the value it had at the start.
      const dedup = expected.filter((c, i) => i === 0 || c[1] !== expected[i - 1]![1]);
      expect(some.get(name), name).toEqual(dedup);
    }
  });
});
