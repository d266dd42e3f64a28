// What every benchmark of `npm run bench` shares: compiling a program of bench/ through the normal compiler entry
// point (with the substitutions quick mode makes to its sizes), running it on a Machine, timing, and the median.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSource, type CompileOptions } from '../compiler/compile.js';
import { Machine, type MachineOptions, type RunResult } from '../emulator/machine.js';
import type { Image } from '../emulator/image.js';

/** The repository's root, from dist/bench/ where the compiled benchmarks run. */
export const ROOT = join(import.meta.dirname, '..', '..');
export const BENCH_PROGRAMS = join(ROOT, 'bench', 'programs');

/** A program's text with quick mode's smaller sizes: each [from, to] replaces an exact piece of the source. */
export function sourceOf(path: string, replace: readonly (readonly [string, string])[] = []): string {
  let text = readFileSync(path, 'latin1');
  for (const [from, to] of replace) {
    if (!text.includes(from)) throw new Error(`${path}: quick mode expects to find ${JSON.stringify(from)}`);
    text = text.split(from).join(to);
  }
  return text;
}

/** Compile source text through compileSource, as `occmesh run` does; a compile error is a broken benchmark. */
export function compileText(path: string, text: string, options: CompileOptions = {}): Image {
  const result = compileSource(path, text, options);
  if (!result.image) {
    const first = result.diagnostics.find((d) => d.severity === 'error');
    throw new Error(`${path} does not compile: ${first?.message ?? 'unknown error'}`);
  }
  return result.image;
}

export interface Timed {
  readonly seconds: number;
  readonly result: RunResult;
  readonly output: string;
}

/** Run an image to its end on a fresh Machine, timing only the run (not the load). */
export function runTimed(image: Image, options: MachineOptions = {}, expectOutput?: string): Timed {
  const out: number[] = [];
  const machine = new Machine(image, { onScreen: (b) => out.push(...b), ...options });
  const t0 = process.hrtime.bigint();
  const result = machine.run();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const output = Buffer.from(out).toString('latin1');
  if (result.status !== 'finished') throw new Error(`run ended with ${result.status}`);
  if (expectOutput !== undefined && output !== expectOutput) {
    throw new Error(`printed ${JSON.stringify(output)}, expected ${JSON.stringify(expectOutput)}`);
  }
  return { seconds, result, output };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
