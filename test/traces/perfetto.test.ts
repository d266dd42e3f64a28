// `occmesh run --trace`: every JSON trace is read back by the Chrome DevTools trace engine, an independent reader,
// which must find every core and every process and bind both ends of every message arrow; the trace's figures
// must agree with the run's own (--json): busy cycles per core, bytes per link.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readWithTraceEngine, type TraceEvent } from './readers.js';

interface JsonResult {
  exitCode: number;
  cores: { x: number; y: number; busyCycles: number; instructions: number; state: string }[];
  links: { from: [number, number]; to: [number, number]; bytes: number; busyCycles: number }[];
  cycles: number;
}

async function traced(program: string, extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'occmesh-trace-'));
  const path = join(dir, 'run.json');
  const run = await runCli(['run', program, '--trace', path, ...extra]);
  const plain = await runCli(['run', program, '--json']);
  const result = JSON.parse(plain.stdout) as JsonResult;
  const file = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[]; otherData: { cycles: number } };
  return { run, result, events: file.traceEvents, otherData: file.otherData };
}

const MICROSECONDS_PER_CYCLE = 1 / 20; // the t800 profile's 20 MHz

async function checkTrace(
  events: TraceEvent[],
  result: JsonResult,
  window: { from: number } | null = null,
): Promise<void> {
  const engine = await readWithTraceEngine(events);
  // Every core is a process named `core (x, y)`, sorted row by row.
  const meta = events.filter((e) => e.ph === 'M');
  const names = new Map(meta.filter((e) => e.name === 'process_name').map((e) => [e.pid, String(e.args!.name)]));
  const sortIndex = new Map(
    meta.filter((e) => e.name === 'process_sort_index').map((e) => [e.pid, Number(e.args!.sort_index)]),
  );
  const width = Math.max(...result.cores.map((c) => c.x)) + 1;
  for (const c of result.cores) {
    const pid = [...names].find(([, n]) => n === `core (${c.x}, ${c.y})`)?.[0];
    expect(pid, `core (${c.x}, ${c.y})`).toBeDefined();
    expect(engine.processNames.get(pid!)).toBe(`core (${c.x}, ${c.y})`);
    expect(sortIndex.get(pid!)).toBe(c.y * width + c.x + 1);
  }
  // Every occam process with slices is a thread the engine finds, under its name.
  const slices = events.filter((e) => e.ph === 'X');
  const threadNames = new Map(
    meta.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}/${e.tid}`, String(e.args!.name)]),
  );
  const withSlices = new Set(slices.map((e) => `${e.pid}/${e.tid}`));
  for (const key of withSlices) {
    const [pid, tid] = key.split('/').map(Number) as [number, number];
    expect(threadNames.get(key), key).toMatch(/^([\w.]+|PROCESSOR \d+, \d+) \(line \d+\)$/);
    const t = engine.threads.get(pid)?.get(tid);
    expect(t, `thread ${key} found by the engine`).toBeDefined();
    expect(t!.name).toBe(threadNames.get(key));
  }
  // Every arrow binds to a slice at both ends, the start in the sender's thread and the end in the receiver's.
  const starts = events.filter((e) => e.ph === 's');
  const ends = new Map(events.filter((e) => e.ph === 'f').map((e) => [e.id, e]));
  expect(ends.size).toBe(starts.length);
  expect(engine.flows.length).toBe(starts.length);
  const bound = new Set(
    engine.flows.map((f) =>
      f
        .map((e) => `${e.pid}/${e.tid}/${e.ts}`)
        .sort()
        .join(' & '),
    ),
  );
  for (const s of starts) {
    const f = ends.get(s.id)!;
    expect(f.bp).toBe('e');
    // Timestamps carry a sub-nanosecond offset per thread (docs/traces.md), hence the tolerance.
    expect(f.ts! > s.ts! - 0.001, `arrow ${s.id} does not point back in time`).toBe(true);
    const key = [`${s.pid}/${s.tid}/${s.ts}`, `${f.pid}/${f.tid}/${f.ts}`].sort().join(' & ');
    expect(bound.has(key), `arrow ${s.id} bound`).toBe(true);
  }
  for (const f of engine.flows) for (const e of f) expect(e.ph).toBe('X');
  // Timestamps are emulated microseconds; the cycle is in args.
  for (const e of slices) {
    const cycle = Math.max(Number(e.args!.cycle), window?.from ?? 0);
    expect(Math.abs(e.ts! - cycle * MICROSECONDS_PER_CYCLE)).toBeLessThan(0.001);
  }
  // A thread's slices follow one another without overlapping, in cycles and in whole nanoseconds as Perfetto
  // reads the timestamps.
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of slices) byThread.set(`${e.pid}/${e.tid}`, [...(byThread.get(`${e.pid}/${e.tid}`) ?? []), e]);
  for (const list of byThread.values()) {
    for (let i = 1; i < list.length; i++) {
      const [p, q] = [list[i - 1]!, list[i]!];
      expect(q.ts!, 'no two slices of a thread start together (viewers would nest them)').toBeGreaterThan(p.ts!);
      if (!window) expect(Number(q.args!.cycle)).toBeGreaterThanOrEqual(Number(p.args!.cycle) + Number(p.args!.cycles));
      expect(Math.floor(q.ts! * 1000)).toBeGreaterThanOrEqual(Math.floor(p.ts! * 1000) + Math.floor(p.dur! * 1000));
      expect(Math.round(q.ts! * 1000)).toBeGreaterThanOrEqual(Math.round(p.ts! * 1000) + Math.round(p.dur! * 1000));
    }
  }
  if (window) return;
  // The figures agree with the run's: running time per core is its busy cycles, bytes per link are its bytes.
  const pidOf = (x: number, y: number) => y * width + x + 1;
  for (const c of result.cores) {
    const running = slices
      .filter((e) => e.pid === pidOf(c.x, c.y) && e.name === 'running')
      .reduce((n, e) => n + Number(e.args!.cycles), 0);
    expect(running, `busy cycles of core (${c.x}, ${c.y})`).toBe(c.busyCycles);
  }
  for (const l of result.links) {
    const dir = l.to[0] > l.from[0] ? 'E' : l.to[0] < l.from[0] ? 'W' : l.to[1] > l.from[1] ? 'S' : 'N';
    const name = `link ${dir} to (${l.to[0]}, ${l.to[1]})`;
    const bytes = events
      .filter((e) => e.ph === 'C' && e.pid === pidOf(l.from[0], l.from[1]) && e.name === name)
      .reduce((n, e) => n + Number(e.args!['bytes in flight']), 0);
    expect(bytes, name).toBe(l.bytes);
  }
}

const PROGRAMS = [
  'programs/demo.occ',
  'programs/philosophers.occ',
  'programs/sieve.occ',
  'programs/sort_pump.occ',
  'programs/mesh/report_4x4.occ',
  'programs/mesh/sieve.occ',
  'programs/mesh/systolic_4x4.occ',
  'programs/mesh/token_ring.occ',
  'test/programs/errors/deadlock.occ',
  'test/programs/errors/division_by_zero.occ',
];

describe('occmesh run --trace', () => {
  for (const program of PROGRAMS) {
    it(`writes a trace of ${program} that the Chrome trace engine reads whole`, async () => {
      const { run, result, events, otherData } = await traced(program);
      expect(run.exitCode).toBe(result.exitCode);
      expect(otherData.cycles).toBe(result.cycles);
      expect(events.filter((e) => e.ph === 'X').length).toBeGreaterThan(0);
      await checkTrace(events, result);
    }, 30_000);
  }

  it('keeps only the cycles of --trace-window, arrows and all, on the 8x8 stencil', async () => {
    const { events, result } = await traced('programs/mesh/heat_8x8.occ', ['--trace-window', '200000:210000']);
    const xs = events.filter((e) => e.ph === 'X' || e.ph === 'C' || e.ph === 's' || e.ph === 'f');
    expect(xs.length).toBeGreaterThan(1000);
    for (const e of xs) {
      expect(e.ts!).toBeGreaterThanOrEqual(200000 * MICROSECONDS_PER_CYCLE);
      expect(e.ts! + (e.dur ?? 0)).toBeLessThanOrEqual(210000 * MICROSECONDS_PER_CYCLE + 0.001);
    }
    expect(events.filter((e) => e.ph === 's').length).toBeGreaterThan(100);
    await checkTrace(events, result, { from: 200000 });
  }, 60_000);

  it('names what each process waits on and follows a PAR to its end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-trace-'));
    const src = join(dir, 'waits.occ');
    writeFileSync(
      src,
      [
        'PROC main (CHAN BYTE kyb?, scr!, err!)',
        '  CHAN INT c, d:',
        '  TIMER tim:',
        '  INT t:',
        '  PAR',
        '    INT x, y:',
        '    SEQ',
        '      ALT',
        '        c ? x',
        '          SKIP',
        '      d ? y',
        '    SEQ',
        '      tim ? t',
        '      tim ? AFTER t PLUS 100',
        '      c ! 42',
        '      d ! 43',
        '      tim ? AFTER t PLUS 200',
        ':',
        '',
      ].join('\n'),
    );
    const { events, result } = await traced(src);
    await checkTrace(events, result);
    const threads = events.filter((e) => e.name === 'thread_name').map((e) => e.args!.name);
    expect(threads).toEqual(['main (line 1)', 'main (line 13)']);
    const waits = (tid: number) =>
      events.filter((e) => e.ph === 'X' && e.tid === tid && e.name !== 'running').map((e) => e.name);
    // The process that starts the PAR runs its first branch, then waits for the second.
    expect(waits(1)).toEqual(['ALT', '? d', 'PAR end']);
    expect(waits(2)).toEqual(['timer', '! c', 'timer']);
    const dWait = events.find((e) => e.name === '? d')!;
    expect(dWait.args).toMatchObject({ file: src, line: 11, channel: 'd' });
    const arrows = events.filter((e) => e.ph === 's').map((e) => [e.tid, e.args!.channel]);
    expect(arrows).toEqual([
      [2, 'c'],
      [2, 'd'],
    ]);
    // After the PAR the first process carries on: its last slice runs to the end of the run.
    const last = events.filter((e) => e.ph === 'X' && e.tid === 1).at(-1)!;
    expect(last.name).toBe('running');
    expect(Number(last.args!.cycle) + Number(last.args!.cycles)).toBe(result.cycles);
  });

  it('streams the trace to the file from the real executable, the same events as in-process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-trace-'));
    const path = join(dir, 'heat.json');
    const bin = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'occmesh.js');
    // Big enough to be written in many chunks.
    const r = spawnSync(
      process.execPath,
      [bin, 'run', 'programs/mesh/heat_8x8.occ', '--trace', path, '--trace-window', '100000:160000'],
      {
        encoding: 'latin1',
      },
    );
    expect(r.status).toBe(0);
    const text = readFileSync(path, 'utf8');
    expect(text.length).toBeGreaterThan(1 << 20);
    const { events } = await traced('programs/mesh/heat_8x8.occ', ['--trace-window', '100000:160000']);
    expect(JSON.parse(text).traceEvents).toEqual(events);
  }, 60_000);

  it('says plainly when the trace file cannot be written', async () => {
    const r = await runCli(['run', 'programs/hello.occ', '--trace', '/nonexistent-folder/t.json']);
    expect(r.exitCode).toBe(73);
    expect(r.stderr).toBe(
      'occmesh: cannot write /nonexistent-folder/t.json: the folder it would go in does not exist\n',
    );
  });

  it('refuses a malformed --trace-window', async () => {
    const r = await runCli(['run', 'programs/hello.occ', '--trace', 'x.json', '--trace-window', '9:3']);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toContain('expected A:B');
  });
});
