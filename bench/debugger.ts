// The debugger's benchmark: the 32x32 heat stencil run by `occmesh run`'s machine loop and with the debugger
// open and running it (drawing into a terminal whose bytes are discarded), as emulated cycles per host second;
// how long a key waits while the mesh runs at full speed; and what the step-back snapshots cost per million cycles.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { compileSource } from '../compiler/compile.js';
import { Machine } from '../emulator/machine.js';
import { PROFILES } from '../emulator/profiles.js';
import { startDebugger } from '../tui/app.js';

const RUNS = 5;
const file = join(import.meta.dirname, '..', '..', 'bench', 'programs', 'heat_32x32.occ');
/** The cycles each run covers; `npm run bench`'s quick mode asks for fewer. */
export const DEBUGGER_CYCLES = 400_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const compiled = compileSource(file, readFileSync(file, 'latin1'));
if (!compiled.image) throw new Error('heat_32x32.occ does not compile');
const image = compiled.image;

/** Emulated instructions per host second of the machine loop `occmesh run` uses, over the first `cycles` cycles. */
export function plainRate(cycles = DEBUGGER_CYCLES): number {
  const m = new Machine(image, { onScreen: () => {} });
  const t0 = performance.now();
  m.run(cycles);
  // Instructions, not cycles: a clock with no cycle limit may jump ahead over idle time, which costs nothing.
  return (m.cores.reduce((n, c) => n + c.instructions, 0) * 1000) / (performance.now() - t0);
}

export interface UiFigures {
  rate: number;
  keyWaitMs: number;
  frames: number;
  snapshotBytesPerMillion: number;
}

/** The debugger open and running the stencil for its first `cycles` cycles, drawing into a discarded terminal. */
export async function uiRate(cycles = DEBUGGER_CYCLES): Promise<UiFigures> {
  let frames = 0;
  const output = Object.assign(
    new Writable({
      write(_c, _e, cb) {
        frames++;
        cb();
      },
    }),
    { columns: 160, rows: 50, isTTY: true },
  );
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode() {} });
  const dbg = startDebugger({ image, profile: PROFILES.t800, input, output, terminal: 'xterm-256color' });
  const waits: number[] = [];
  let sentAt = 0;
  input.on('data', () => waits.push(performance.now() - sentAt));
  const t0 = performance.now();
  input.write(' ');
  // Press a key that changes nothing (`h` at the west edge) every 100 ms while it runs.
  const presser = setInterval(() => {
    sentAt = performance.now();
    input.write('h');
  }, 100);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (dbg.session.machine.cycle >= cycles || !dbg.busy) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  clearInterval(presser);
  const seconds = (performance.now() - t0) / 1000;
  const ran = dbg.session.machine.cycle;
  const executed = dbg.session.machine.cores.reduce((n, c) => n + c.instructions, 0);
  const mem = dbg.session.snapshotMemory();
  dbg.quit();
  await dbg.done;
  return {
    rate: executed / seconds,
    keyWaitMs: waits.length > 0 ? Math.max(...waits.slice(1)) : 0,
    frames,
    snapshotBytesPerMillion: (mem * 1e6) / ran,
  };
}

export async function debuggerFigures(): Promise<string[]> {
  const plain: number[] = [];
  const ui: UiFigures[] = [];
  // A warm-up of each, then the measured runs in alternating order, so neither side gains from going second.
  plainRate();
  await uiRate();
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      plain.push(plainRate());
      ui.push(await uiRate());
    } else {
      ui.push(await uiRate());
      plain.push(plainRate());
    }
  }
  const p = median(plain);
  const u = median(ui.map((x) => x.rate));
  return [
    `debugger: heat stencil on 32x32 cores, the first ${DEBUGGER_CYCLES} cycles (median of ${RUNS} after a warm-up, in alternating order)`,
    `  occmesh run: ${(p / 1e6).toFixed(2)} M emulated instructions per host second`,
    `  debugger open and running: ${(u / 1e6).toFixed(2)} M instructions per second, ${((100 * u) / p).toFixed(0)}% of run`,
    `  longest wait for a key while running: ${median(ui.map((x) => x.keyWaitMs)).toFixed(0)} ms`,
    `  step-back snapshots: ${(median(ui.map((x) => x.snapshotBytesPerMillion)) / (1 << 20)).toFixed(1)} MiB per million cycles`,
  ];
}

if (process.argv[1]?.endsWith('debugger.js')) for (const l of await debuggerFigures()) console.log(l);
