// `npm run bench`: the emulator's speed on reference programs. Figures are medians of several runs; the emulated
// cycle counts are deterministic and printed alongside so a change in speed can be told from a change in work.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSource } from '../compiler/compile.js';
import { Machine } from '../emulator/machine.js';
import type { Image } from '../emulator/image.js';
import { linkFigures } from './links.js';

const RUNS = 5;
const here = join(import.meta.dirname, '..', '..', 'bench', 'programs');
const mesh = join(import.meta.dirname, '..', '..', 'programs', 'mesh');

interface Bench {
  readonly name: string;
  readonly file: string;
  readonly what: string;
  /** Folder of the program, when it is not bench/programs. */
  readonly dir?: string;
  /** Subscribe a listener to the event stream during the run, to measure what watching costs. */
  readonly watched?: boolean;
}

const BENCHES: readonly Bench[] = [
  { name: 'compute', file: 'compute.occ', what: 'nested loops of integer arithmetic, one core' },
  { name: 'arrays', file: 'arrays.occ', what: 'a sieve and a matrix product: subscripts in every inner loop, one core' },
  { name: 'heat 8x8', file: 'heat_8x8.occ', dir: mesh, what: 'heat stencil with halo exchange, 64 cores, t800 links' },
  { name: 'heat 8x8 watched', file: 'heat_8x8.occ', dir: mesh, watched: true, what: 'the same with an event-stream subscriber' },
];

function compile(file: string, rangeChecks: boolean, dir = here): Image {
  const path = join(dir, file);
  const result = compileSource(path, readFileSync(path, 'latin1'), { rangeChecks });
  if (!result.image) throw new Error(`${file} does not compile`);
  return result.image;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Measured {
  readonly rate: number;
  readonly seconds: number;
  readonly cycles: number;
  readonly instructions: number;
  /** Events a subscriber saw in one run (watched benches). */
  readonly events: number;
}

function measure(b: Bench, rangeChecks: boolean): Measured {
  const image = compile(b.file, rangeChecks, b.dir);
  const rates: number[] = [];
  const times: number[] = [];
  let cycles = 0;
  let instructions = 0;
  let events = 0;
  for (let run = 0; run < RUNS; run++) {
    const machine = new Machine(image, { onScreen: () => {} });
    events = 0;
    if (b.watched) machine.subscribe(() => events++);
    const t0 = process.hrtime.bigint();
    const result = machine.run();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (result.status !== 'finished') throw new Error(`${b.name}: run ended with ${result.status}`);
    cycles = result.cycles;
    instructions = result.instructions;
    rates.push(instructions / seconds);
    times.push(seconds);
  }
  return { rate: median(rates), seconds: median(times), cycles, instructions, events };
}

for (const b of BENCHES) {
  if (b.dir === mesh) {
    const m = measure(b, true);
    console.log(`${b.name}: ${b.what}${b.watched ? ` (${m.events} events per run)` : ''}`);
    console.log(
      `  ${(m.rate / 1e6).toFixed(1)} M emulated instructions per host second (median of ${RUNS}); ` +
        `host ${(m.seconds * 1000).toFixed(1)} ms; instructions ${m.instructions}; emulated cycles ${m.cycles}`,
    );
    continue;
  }
  console.log(`${b.name}: ${b.what}`);
  // Range checks (subscripts, conversions, shift counts) on, as compiled by default, and off (--no-checks).
  const on = measure(b, true);
  const off = measure(b, false);
  for (const [label, m] of [
    ['with range checks', on],
    ['without range checks', off],
  ] as const) {
    console.log(
      `  ${label}: ${(m.rate / 1e6).toFixed(1)} M emulated instructions per host second (median of ${RUNS}); ` +
        `host ${(m.seconds * 1000).toFixed(1)} ms; instructions ${m.instructions}; emulated cycles ${m.cycles}`,
    );
  }
  const saved = 1 - off.cycles / on.cycles;
  console.log(`  range checks cost ${(saved * 100).toFixed(1)}% of the emulated cycles`);
}

for (const line of linkFigures()) console.log(line);
