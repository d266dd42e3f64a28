// `npm run bench:snapshot`: what whole-machine snapshots cost (emulator/snapshot.ts) on mesh programs, the figures
// the debugger's stepping backwards is planned from. For each program and snapshot interval it runs the program
// to the end, taking a snapshot (sharing pages with the previous one) every interval, and prints the time a
// snapshot and a restore take and the bytes each snapshot adds, in all and per million cycles of the interval.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSource } from '../compiler/compile.js';
import { Machine } from '../emulator/machine.js';
import { restoreSnapshot, snapshotBytes, takeSnapshot, type Snapshot } from '../emulator/snapshot.js';

const benchPrograms = join(import.meta.dirname, '..', '..', 'bench', 'programs');
const meshPrograms = join(import.meta.dirname, '..', '..', 'programs', 'mesh');

const CASES = [
  { name: 'heat 8x8 (64 cores)', path: join(meshPrograms, 'heat_8x8.occ'), intervals: [10_000, 100_000] },
  { name: 'heat 32x32 (1024 cores)', path: join(benchPrograms, 'heat_32x32.occ'), intervals: [25_000, 100_000] },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;

for (const c of CASES) {
  const result = compileSource(c.path, readFileSync(c.path, 'latin1'), { loader: (p) => readFileSync(p, 'latin1') });
  if (!result.image) throw new Error(`${c.path} does not compile`);
  const image = result.image;
  for (const interval of c.intervals) {
    const machine = new Machine(image, { onScreen: () => {} });
    let previous: Snapshot | undefined;
    const takeMs: number[] = [];
    const restoreMs: number[] = [];
    const own: number[] = [];
    const pages: number[] = [];
    let first = 0;
    let total = 0;
    let cycles: number;
    let count = 0;
    for (;;) {
      const r = machine.run(interval);
      cycles = r.cycles;
      if (r.status !== 'cycle-limit') break;
      let t = performance.now();
      const s = takeSnapshot(machine, previous);
      takeMs.push(performance.now() - t);
      const b = snapshotBytes(s);
      if (!previous) first = b.own;
      else {
        own.push(b.own);
        pages.push(b.ownPages);
      }
      total = b.total;
      if (count % 4 === 0) {
        t = performance.now();
        restoreSnapshot(s);
        restoreMs.push(performance.now() - t);
      }
      previous = s;
      count++;
    }
    const perSnapshot = median(own);
    console.log(
      `${c.name}, a snapshot every ${interval} cycles (${count} snapshots, run of ${cycles} cycles):\n` +
        `  take ${median(takeMs).toFixed(1)} ms, restore ${median(restoreMs).toFixed(1)} ms (medians)\n` +
        `  first snapshot ${kib(first)}; each later one adds ${kib(perSnapshot)} (of which pages ${kib(median(pages))}), ` +
        `${kib((perSnapshot * 1e6) / interval)} per million cycles; one snapshot alone holds ${kib(total)}`,
    );
  }
}
