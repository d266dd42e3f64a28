// Independent readers for the trace files the tests write: the Chrome DevTools trace engine for the JSON traces,
// GTKWave's own converters for the VCD files, and a plain VCD reader to compare value changes.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  id?: number;
  cat?: string;
  bp?: string;
  args?: Record<string, unknown>;
}

export interface EngineView {
  /** pid -> process name from the engine's metadata. */
  processNames: Map<number, string>;
  /** pid -> (tid -> thread name) for the threads the renderer built, with how many slices each has. */
  threads: Map<number, Map<number, { name: string | undefined; slices: number }>>;
  /** Each flow the engine bound, as the slices at its two ends. */
  flows: TraceEvent[][];
}

/** Parse events with @paulirish/trace_engine (the Chrome DevTools performance panel's engine) in Node. */
export async function readWithTraceEngine(events: TraceEvent[]): Promise<EngineView> {
  const g = globalThis as unknown as { DOMRect?: unknown };
  // The engine expects a browser's DOMRect; it uses it for layout shifts, which these traces have none of.
  g.DOMRect ??= class {
    constructor(
      public x = 0,
      public y = 0,
      public width = 0,
      public height = 0,
    ) {}
  };
  // eslint-disable-next-line @typescript-eslint/ban-ts-comment
  // @ts-ignore -- the package's JavaScript is used as is; its TypeScript sources are not part of this build.
  const Trace = (await import('@paulirish/trace_engine')) as any;
  const model = Trace.TraceModel.Model.createWithAllHandlers();
  await model.parse(events);
  const data = model.parsedTrace().data;
  const processNames = new Map<number, string>();
  for (const [pid, e] of data.Meta.processNames as Map<number, TraceEvent>) processNames.set(pid, String(e.args?.name));
  const threads = new Map<number, Map<number, { name: string | undefined; slices: number }>>();
  for (const [pid, p] of data.Renderer.processes as Map<
    number,
    { threads: Map<number, { name?: string; entries: unknown[] }> }
  >) {
    const m = new Map<number, { name: string | undefined; slices: number }>();
    for (const [tid, t] of p.threads) m.set(tid, { name: t.name, slices: t.entries.length });
    threads.set(pid, m);
  }
  return { processNames, threads, flows: data.Flows.flows as TraceEvent[][] };
}

/** A signal's value changes: [time, value as a binary string without leading zeros]. */
export type Changes = Map<string, [number, string][]>;

/** Read a VCD into each signal's changes, by its full dotted name. Repeated values are not changes. */
export function readVcd(text: string): { changes: Changes; timescale: string } {
  const ids = new Map<string, string[]>();
  const scope: string[] = [];
  const changes: Changes = new Map();
  const tokens = text.split(/\s+/).filter((t) => t !== '');
  let time = 0;
  let timescale = '';
  const set = (id: string, value: string) => {
    const v = value.replace(/^0+(?=.)/, '');
    for (const name of ids.get(id) ?? []) {
      const list = changes.get(name)!;
      const last = list[list.length - 1];
      if (last && last[1] === v) continue;
      if (last && last[0] === time) last[1] = v;
      else list.push([time, v]);
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '$scope') {
      scope.push(tokens[i + 2]!);
      i += 3;
    } else if (t === '$upscope') {
      scope.pop();
      i += 1;
    } else if (t === '$var') {
      const id = tokens[i + 3]!;
      const name = [...scope, tokens[i + 4]!].join('.');
      ids.set(id, [...(ids.get(id) ?? []), name]);
      changes.set(name, []);
      while (tokens[i] !== '$end') i++;
    } else if (t === '$timescale') {
      const parts: string[] = [];
      while (tokens[++i] !== '$end') parts.push(tokens[i]!);
      timescale = parts.join('');
    } else if (t === '$comment' || t === '$date' || t === '$version') {
      while (tokens[i] !== '$end') i++;
    } else if (t.startsWith('#')) {
      time = Number(t.slice(1));
    } else if (t.startsWith('b') || t.startsWith('B')) {
      set(tokens[++i]!, t.slice(1));
    } else if (/^[01xzXZ]/.test(t)) {
      set(t.slice(1), t[0]!);
    }
  }
  return { changes, timescale };
}

/** Whether GTKWave's converters are installed (.ci/run installs the gtkwave package). */
export function haveGtkwave(): boolean {
  return spawnSync('vcd2fst', ['--help'], { stdio: 'ignore' }).error === undefined;
}

/** A VCD file through GTKWave: vcd2fst, then fst2vcd; returns the VCD text GTKWave writes back. */
export function throughGtkwave(vcdPath: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'occmesh-fst-'));
  const fst = join(dir, 'trace.fst');
  execFileSync('vcd2fst', [vcdPath, fst], { stdio: 'pipe' });
  return execFileSync('fst2vcd', [fst], { encoding: 'latin1', maxBuffer: 1 << 30 });
}
