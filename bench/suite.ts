// The benchmarks of `npm run bench` (docs/performance.md lists them with their targets). Each is a program in
// bench/ (or programs/) compiled and run through the normal code path; one iteration measures every figure the
// benchmark reports once, and the harness (bench/run.ts) repeats it and takes medians. Quick mode (`--quick`, run
// by the tests) makes each program smaller so the whole suite takes well under a minute.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeImage, type Image } from '../emulator/image.js';
import { BENCH_PROGRAMS, compileText, ROOT, runTimed, sourceOf } from './measure.js';
import { generatedProgram } from './generated.js';
import { linkNumbers } from './links.js';

/** One figure of a benchmark: its name in the output and the unit of its value. */
export interface Figure {
  readonly name: string;
  readonly unit: string;
}

export interface Benchmark {
  readonly name: string;
  readonly what: string;
  readonly figures: readonly Figure[];
  /** How many iterations a full run takes the median of. */
  readonly runs: number;
  /** Whether a figure is deterministic (emulated), so one iteration is enough. */
  readonly once?: boolean;
  /** Prepare once (compile), then return the function that measures one iteration: figure name to value. */
  prepare(quick: boolean): Promise<() => Promise<Record<string, number>>>;
}

type Replace = readonly (readonly [string, string])[];

const MESH = join(ROOT, 'programs', 'mesh');
const CLI = join(ROOT, 'dist', 'cli', 'occmesh.js');

function program(name: string, quick: boolean, quickReplace: Replace, dir = BENCH_PROGRAMS, options = {}): Image {
  const path = join(dir, name);
  return compileText(path, sourceOf(path, quick ? quickReplace : []), options);
}

/** A one-core or mesh program whose figure is emulated instructions per host second (millions). */
function rateBench(
  name: string,
  what: string,
  file: string,
  quickReplace: Replace,
  extra: { dir?: string; unchecked?: boolean; expect?: string } = {},
): Benchmark {
  const figures = [{ name, unit: 'M instructions/s' }];
  if (extra.unchecked) figures.push({ name: `${name}-unchecked`, unit: 'M instructions/s' });
  return {
    name,
    what,
    figures,
    runs: 5,
    async prepare(quick) {
      const checked = program(file, quick, quickReplace, extra.dir);
      const unchecked = extra.unchecked ? program(file, quick, quickReplace, extra.dir, { rangeChecks: false }) : null;
      return async () => {
        const rate = (image: Image): number => {
          const t = runTimed(image, {}, extra.expect);
          return t.result.instructions / t.seconds / 1e6;
        };
        const out: Record<string, number> = { [name]: rate(checked) };
        if (unchecked) out[`${name}-unchecked`] = rate(unchecked);
        return out;
      };
    },
  };
}

/** A program timed as a whole: host seconds of the run. */
function secondsBench(
  name: string,
  what: string,
  file: string,
  quickReplace: Replace,
  expect: string,
  quickExpect: string,
): Benchmark {
  return {
    name,
    what,
    figures: [{ name, unit: 's' }],
    runs: 3,
    async prepare(quick) {
      const image = program(file, quick, quickReplace);
      return async () => ({ [name]: runTimed(image, {}, quick ? quickExpect : expect).seconds });
    },
  };
}

function commstime(): Benchmark {
  const loops = (quick: boolean): number => (quick ? 5000 : 200_000);
  const replace = (quick: boolean): Replace =>
    quick ? [['VAL INT loops IS 200000:', `VAL INT loops IS ${loops(true)}:`]] : [];
  return {
    name: 'commstime',
    what: "Welch's commstime: SEQ delta host ns per loop, and emulated cycles per loop with SEQ and PAR delta",
    figures: [
      { name: 'commstime', unit: 'ns/loop' },
      { name: 'commstime-par', unit: 'ns/loop' },
      { name: 'commstime-cycles', unit: 'cycles/loop' },
      { name: 'commstime-par-cycles', unit: 'cycles/loop' },
    ],
    runs: 5,
    async prepare(quick) {
      const n = loops(quick);
      const seq = program('commstime_seq.occ', false, []);
      const par = program('commstime_par.occ', false, []);
      const [s, p] = quick
        ? [program('commstime_seq.occ', true, replace(true)), program('commstime_par.occ', true, replace(true))]
        : [seq, par];
      const expect = `${n - 1}\n`;
      return async () => {
        const a = runTimed(s, {}, expect);
        const b = runTimed(p, {}, expect);
        return {
          commstime: (a.seconds * 1e9) / n,
          'commstime-par': (b.seconds * 1e9) / n,
          'commstime-cycles': a.result.cycles / n,
          'commstime-par-cycles': b.result.cycles / n,
        };
      };
    },
  };
}

function watchedHeat(): Benchmark {
  return {
    name: 'heat-8x8-watched',
    what: 'programs/mesh/heat_8x8.occ with a subscriber on the event stream: what watching costs',
    figures: [
      { name: 'heat-8x8-watched', unit: 'M instructions/s' },
      { name: 'heat-8x8-watched-events', unit: 'events/run' },
    ],
    runs: 5,
    async prepare() {
      const image = program('heat_8x8.occ', false, [], MESH);
      const { Machine } = await import('../emulator/machine.js');
      return async () => {
        let events = 0;
        const m = new Machine(image, { onScreen: () => {} });
        m.subscribe(() => events++);
        const t0 = process.hrtime.bigint();
        const r = m.run();
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        if (r.status !== 'finished') throw new Error(`heat-8x8-watched: run ended with ${r.status}`);
        return { 'heat-8x8-watched': r.instructions / seconds / 1e6, 'heat-8x8-watched-events': events };
      };
    },
  };
}

function idle64(): Benchmark {
  const replace: Replace = [['VAL INT outer IS 2000:', 'VAL INT outer IS 100:']];
  return {
    name: 'idle-64',
    what: "a 64x64 mesh where core (0, 0) computes and 4,095 cores wait: that core's instructions per host second",
    figures: [{ name: 'idle-64', unit: 'M instructions/s' }],
    runs: 3,
    async prepare(quick) {
      const image = program('idle_64.occ', quick, replace, BENCH_PROGRAMS, { memoryBytes: 65536 });
      return async () => {
        const t = runTimed(image, { memoryBytes: 65536 }, 'ok\n');
        const busy = t.result.cores.find((c) => c.x === 0 && c.y === 0)!;
        return { 'idle-64': busy.instructions / t.seconds / 1e6 };
      };
    },
  };
}

function memory64(): Benchmark {
  const replace: Replace = [['VAL INT outer IS 2000:', 'VAL INT outer IS 10:']];
  return {
    name: 'memory-64',
    what: 'peak resident memory of a process that loads and runs the 64x64 mesh of idle_64.occ, 64 KiB per core',
    figures: [{ name: 'memory-64', unit: 'MB' }],
    runs: 3,
    async prepare() {
      // The figure is memory, not speed: core (0, 0) computes briefly in both modes.
      const image = program('idle_64.occ', true, replace, BENCH_PROGRAMS, { memoryBytes: 65536 });
      const dir = mkdtempSync(join(tmpdir(), 'occmesh-bench-'));
      const file = join(dir, 'idle_64.omx');
      writeFileSync(file, serializeImage(image));
      process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
      return async () => {
        const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'memory-child.js'), file, '65536'], {
          encoding: 'utf8',
        });
        if (r.status !== 0) throw new Error(`memory-64: child failed: ${r.stderr}`);
        const { maxRssBytes } = JSON.parse(r.stdout) as { maxRssBytes: number };
        return { 'memory-64': maxRssBytes / 1e6 };
      };
    },
  };
}

function compileBench(): Benchmark {
  return {
    name: 'compile',
    what: 'compiling a generated 20,000-line program (bench/generated.ts): source lines per host second',
    figures: [{ name: 'compile', unit: 'lines/s' }],
    runs: 3,
    async prepare(quick) {
      const text = generatedProgram(quick ? 2000 : 20_000);
      const lines = text.split('\n').length - 1;
      const { compileSource } = await import('../compiler/compile.js');
      return async () => {
        const t0 = process.hrtime.bigint();
        const r = compileSource('generated.occ', text, { memoryBytes: 1 << 20 });
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        if (!r.image) throw new Error('compile: the generated program does not compile');
        return { compile: lines / seconds };
      };
    },
  };
}

/**
 * Whole-process start-up: `occmesh run` on hello and on the course-library hello, and a bare `node -e 0`, timed
 * alternately so the machine's noise falls on all three alike. The compiled-image cache lives in a fresh folder
 * the first iteration fills (a warm-up, not timed), as it would be for a user after their first run. With
 * BENCH_BASELINE=DIR set, DIR's built occmesh is timed in the same rotation (`startup-before`, ...).
 */
function startup(): Benchmark {
  const baseline = process.env.BENCH_BASELINE;
  const figures: Figure[] = [
    { name: 'startup', unit: 'ms' },
    { name: 'startup-course', unit: 'ms' },
    { name: 'startup-node', unit: 'ms' },
  ];
  if (baseline) figures.push({ name: 'startup-before', unit: 'ms' }, { name: 'startup-course-before', unit: 'ms' });
  return {
    name: 'startup',
    what: 'whole-process ms of occmesh run on programs/hello.occ and programs/hello_course.occ, and of node -e 0',
    figures,
    runs: 7,
    async prepare() {
      const cache = mkdtempSync(join(tmpdir(), 'occmesh-bench-cache-'));
      process.on('exit', () => rmSync(cache, { recursive: true, force: true }));
      const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache };
      delete env.OCCMESH_NO_CACHE;
      const time = (args: string[], expect?: string): number => {
        const t0 = process.hrtime.bigint();
        const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r.status !== 0 || (expect !== undefined && r.stdout !== expect))
          throw new Error(`startup: ${args.join(' ')} failed: ${r.stderr}`);
        return ms;
      };
      const hello = join(ROOT, 'programs', 'hello.occ');
      const course = join(ROOT, 'programs', 'hello_course.occ');
      const runs: [string, string[]][] = [
        ['startup', [CLI, 'run', hello]],
        ['startup-course', [CLI, 'run', course]],
        ['startup-node', ['-e', '0']],
      ];
      if (baseline) {
        const old = join(baseline, 'dist', 'cli', 'occmesh.js');
        runs.push(['startup-before', [old, 'run', hello]], ['startup-course-before', [old, 'run', course]]);
      }
      for (const [, args] of runs) time(args);
      return async () => {
        const out: Record<string, number> = {};
        for (const [name, args] of runs) out[name] = time(args, name === 'startup-node' ? '' : 'Hello, world!\n');
        return out;
      };
    },
  };
}

function debugger32(): Benchmark {
  return {
    name: 'debugger-32',
    what: 'the 32x32 stencil in the debugger (drawing into a discarded terminal) against the plain machine loop',
    figures: [
      { name: 'debugger-32', unit: 'M cycles/s' },
      { name: 'debugger-32-run', unit: 'M cycles/s' },
      { name: 'debugger-32-key-wait', unit: 'ms' },
      { name: 'debugger-32-snapshots', unit: 'MiB/M cycles' },
    ],
    runs: 3,
    async prepare(quick) {
      const d = await import('./debugger.js');
      const cycles = quick ? 50_000 : d.DEBUGGER_CYCLES;
      return async () => {
        const plain = d.plainRate(cycles);
        const ui = await d.uiRate(cycles);
        return {
          'debugger-32': ui.rate / 1e6,
          'debugger-32-run': plain / 1e6,
          'debugger-32-key-wait': ui.keyWaitMs,
          'debugger-32-snapshots': ui.snapshotBytesPerMillion / (1 << 20),
        };
      };
    },
  };
}

function links(): Benchmark {
  return {
    name: 'links',
    what: 'per profile: bulk transfer between neighbours against the link rate, and latency per hop (emulated)',
    figures: ['t800', 'epiphany'].flatMap((p) => [
      { name: `links-${p}-bandwidth`, unit: '% of link rate' },
      { name: `links-${p}-hop`, unit: 'cycles/hop' },
    ]),
    runs: 1,
    once: true,
    async prepare() {
      return async () => {
        const out: Record<string, number> = {};
        for (const l of linkNumbers()) {
          out[`links-${l.profile}-bandwidth`] = l.percent;
          out[`links-${l.profile}-hop`] = l.hopCycles;
        }
        return out;
      };
    },
  };
}

export const SUITE: readonly Benchmark[] = [
  rateBench(
    'compute',
    'nested loops of integer arithmetic, one core (range checks on, and off)',
    'compute.occ',
    [['FOR 2000', 'FOR 200']],
    {
      unchecked: true,
    },
  ),
  rateBench('arrays', 'a sieve and a matrix product: subscripts in every inner loop, one core', 'arrays.occ', [], {
    unchecked: true,
  }),
  secondsBench(
    'chain',
    '500 processes in a pipeline passing 15,000 integers each (7.5 M messages): host seconds',
    'chain.occ',
    [['VAL INT messages IS 15000:', 'VAL INT messages IS 200:']],
    '112492500\n',
    '19900\n',
  ),
  secondsBench(
    'permutations',
    'fannkuch-style permutations, n = 10 (3.6 M permutations): host seconds',
    'permutations.occ',
    [['VAL INT n IS 10:', 'VAL INT n IS 7:']],
    '73196\n38\n',
    '228\n16\n',
  ),
  commstime(),
  rateBench(
    'heat-8x8',
    'programs/mesh/heat_8x8.occ: heat stencil with halo exchange, 64 cores, t800 links',
    'heat_8x8.occ',
    [],
    { dir: MESH },
  ),
  watchedHeat(),
  rateBench(
    'stencil-32',
    'bench/programs/heat_32x32.occ on 32x32 cores: aggregate instructions per host second',
    'heat_32x32.occ',
    [['VAL INT steps IS 20:', 'VAL INT steps IS 2:']],
  ),
  idle64(),
  memory64(),
  compileBench(),
  startup(),
  debugger32(),
  links(),
];
