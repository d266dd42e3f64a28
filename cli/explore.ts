// `occmesh explore FILE --runs K`: run a program with K seeds and group the runs by outcome (what it printed, how it
// ended), so that a race shows itself: "usually works", and the seeds where it does not, to replay with `run --seed`.
// With a seed, a plain ALT chooses among its ready guards at random (docs/machine.md, "Faults"); faults may be
// added too.

import type { Image } from '../emulator/image.js';
import type { FaultSpec } from '../emulator/faults.js';
import { LoadError, Machine, type RunResult } from '../emulator/machine.js';
import type { Profile } from '../emulator/profiles.js';

export interface ExploreOptions {
  runs: number;
  profile: Profile;
  maxCycles: number;
  memoryBytes?: number;
  faults?: FaultSpec;
  json?: boolean;
}

interface ExploreIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** One distinct outcome and the seeds that produced it. */
interface Outcome {
  output: string;
  exitCode: number;
  status: RunResult['status'];
  seeds: number[];
}

const ENDED: Record<RunResult['status'], string> = {
  finished: 'finished',
  error: 'run-time error',
  deadlock: 'deadlock',
  'cycle-limit': 'cycle limit',
};

const FLUSH = 255;

/** Run seeds 1..K; print the outcomes, most frequent first. Returns the exit code: 0, or 1 if the image cannot be loaded. */
export function exploreCommand(
  file: string,
  image: Image,
  options: ExploreOptions,
  io: ExploreIO,
  exitCodeOf: (r: RunResult) => number,
): number {
  const outcomes = new Map<string, Outcome>();
  for (let seed = 1; seed <= options.runs; seed++) {
    const out: number[] = [];
    let machine: Machine;
    try {
      machine = new Machine(image, {
        profile: options.profile,
        ...(options.memoryBytes ? { memoryBytes: options.memoryBytes } : {}),
        ...(options.faults ? { faults: options.faults } : {}),
        seed,
        stdin: () => -1,
        onScreen: (bytes) => {
          for (const b of bytes) if (b !== FLUSH) out.push(b);
        },
      });
    } catch (e) {
      if (e instanceof LoadError) {
        io.stderr(`${file}: error: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
    const result = machine.run(options.maxCycles);
    const output = Buffer.from(out).toString('latin1');
    const exitCode = exitCodeOf(result);
    const key = `${exitCode}\u0000${output}`;
    const o = outcomes.get(key);
    if (o) o.seeds.push(seed);
    else outcomes.set(key, { output, exitCode, status: result.status, seeds: [seed] });
  }
  const sorted = [...outcomes.values()].sort((a, b) => b.seeds.length - a.seeds.length || a.seeds[0]! - b.seeds[0]!);
  if (options.json) {
    io.stdout(
      JSON.stringify({
        runs: options.runs,
        outcomes: sorted.map((o) => ({
          count: o.seeds.length,
          exitCode: o.exitCode,
          status: o.status,
          stdout: o.output,
          seeds: o.seeds,
        })),
      }) + '\n',
    );
    return 0;
  }
  const n = sorted.length;
  const lines = [
    `${file}: ${options.runs} run${options.runs === 1 ? '' : 's'} (seeds 1 to ${options.runs}), ${n} distinct outcome${n === 1 ? '' : 's'}`,
  ];
  sorted.forEach((o, i) => {
    const pct = ((100 * o.seeds.length) / options.runs).toFixed(0);
    lines.push(
      `outcome ${i + 1}: ${o.seeds.length} of ${options.runs} runs (${pct}%), exit ${o.exitCode} (${ENDED[o.status]})`,
    );
    lines.push(`  seeds: ${o.seeds.join(', ')}`);
    lines.push(`  replay: occmesh run ${file} --seed ${o.seeds[0]}`);
    const shown = o.output.endsWith('\n') ? o.output.slice(0, -1) : o.output;
    lines.push(o.output === '' ? '  output: (none)' : '  output:');
    if (o.output !== '') for (const l of shown.split('\n')) lines.push(`  | ${l}`);
  });
  io.stdout(lines.join('\n') + '\n');
  return 0;
}
