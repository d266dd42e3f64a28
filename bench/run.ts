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
  { name: 'heat 8x8', file: 'heat_8x8.occ', dir: mesh, what: 'heat stencil with halo exchange, 64 cores, t800 links' },
  { name: 'heat 8x8 watched', file: 'heat_8x8.occ', dir: mesh, watched: true, what: 'the same with an event-stream subscriber' },
];

function compile(file: string, dir = here): Image {
  const path = join(dir, file);
  const result = compileSource(path, readFileSync(path, 'latin1'));
  if (!result.image) throw new Error(`${file} does not compile`);
  return result.image;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let lastEvents = 0;
for (const b of BENCHES) {
  const image = compile(b.file, b.dir);
  const rates: number[] = [];
  const times: number[] = [];
  let cycles = 0;
  let instructions = 0;
  for (let run = 0; run < RUNS; run++) {
    const machine = new Machine(image, { onScreen: () => {} });
    let events = 0;
    if (b.watched) machine.subscribe(() => events++);
    const t0 = process.hrtime.bigint();
    const result = machine.run();
    lastEvents = events;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (result.status !== 'finished') throw new Error(`${b.name}: run ended with ${result.status}`);
    cycles = result.cycles;
    instructions = result.instructions;
    rates.push(instructions / seconds);
    times.push(seconds);
  }
  console.log(`${b.name}: ${b.what}${b.watched ? ` (${lastEvents} events per run)` : ''}`);
  console.log(`  emulated instructions per host second: ${(median(rates) / 1e6).toFixed(1)} M (median of ${RUNS})`);
  console.log(`  host time: ${(median(times) * 1000).toFixed(1)} ms; instructions: ${instructions}; emulated cycles: ${cycles}`);
}

for (const line of linkFigures()) console.log(line);
