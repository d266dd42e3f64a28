// `npm run bench`: the benchmark suite of bench/suite.ts. Each benchmark runs several times and its figures are
// printed as medians with the smallest and largest seen; emulated figures (cycles per loop, link rates) are
// deterministic, so a change in speed can be told from a change in work.
//
//   npm run bench                  every benchmark, full size, medians (min/max)
//   npm run bench -- NAME ...      only these benchmarks (a benchmark's name or one of its figures' names)
//   npm run bench -- --json        one JSON object: { machine, benchmarks: [{ name, unit, median, min, max }] }
//   npm run bench -- --quick       one iteration each at small sizes (what the tests run); no targets checked

import { cpus, totalmem } from 'node:os';
import { median } from './measure.js';
import { SUITE, type Benchmark } from './suite.js';

interface Result {
  readonly name: string;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

function machineDescription(): string {
  const c = cpus();
  return `${c.length} x ${c[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
}

function format(x: number): string {
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

async function runBenchmark(b: Benchmark, quick: boolean): Promise<Result[]> {
  const iterate = await b.prepare(quick);
  const runs = quick || b.once ? 1 : b.runs;
  const samples = new Map<string, number[]>(b.figures.map((f) => [f.name, []]));
  for (let i = 0; i < runs; i++) {
    const got = await iterate();
    for (const f of b.figures) {
      const v = got[f.name];
      if (v === undefined || !Number.isFinite(v)) throw new Error(`${b.name}: no figure ${f.name}`);
      samples.get(f.name)!.push(v);
    }
  }
  return b.figures.map((f) => {
    const xs = samples.get(f.name)!;
    return { name: f.name, unit: f.unit, median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs };
  });
}

async function main(args: readonly string[]): Promise<number> {
  const json = args.includes('--json');
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !SUITE.some((b) => b.name === n || b.figures.some((f) => f.name === n)));
  if (unknown.length > 0) {
    console.error(
      `bench: no benchmark named ${unknown.join(', ')}; the benchmarks are ${SUITE.map((b) => b.name).join(', ')}`,
    );
    return 64;
  }
  const chosen =
    names.length === 0
      ? SUITE
      : SUITE.filter((b) => names.some((n) => b.name === n || b.figures.some((f) => f.name === n)));
  const machine = machineDescription();
  if (!json) console.log(`machine: ${machine}${quick ? ' (quick mode: one iteration, small sizes)' : ''}`);
  const results: Result[] = [];
  for (const b of chosen) {
    const rs = await runBenchmark(b, quick);
    results.push(...rs);
    if (json) continue;
    console.log(`${b.name}: ${b.what}`);
    for (const r of rs) {
      const spread = r.runs > 1 ? ` (min ${format(r.min)}, max ${format(r.max)}, median of ${r.runs})` : '';
      console.log(`  ${r.name}: ${format(r.median)} ${r.unit}${spread}`);
    }
  }
  if (json) {
    const benchmarks = results.map(({ name, unit, median: m, min, max }) => ({ name, unit, median: m, min, max }));
    console.log(JSON.stringify({ machine, ...(quick ? { quick: true } : {}), benchmarks }, null, 2));
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
