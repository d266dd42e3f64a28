// One fuzz input through every stage a user's file can reach: `check`, `compile`, `run` (with a cycle limit) and
// the report of how the run ended, and loading its image, whole and corrupted. What must never happen is reported
// as a finding: an exception out of the compiler, the emulator or the report, an internal error reported as a
// diagnostic, or a diagnostic whose location is not in the file.

import { checkSource, compileSource } from '../compiler/compile.js';
import type { Diagnostic } from '../compiler/source.js';
import { ImageError, parseImage, serializeImage, type Image } from '../emulator/image.js';
import { LoadError, Machine, type RunResult } from '../emulator/machine.js';
import { blockedDetails } from '../cli/blocked-detail.js';
import { runErrorChain } from '../cli/call-chain.js';
import { formatCycleLimit, formatDeadlock, formatRunError, ImageSources, runningAt } from '../cli/report.js';
import type { Random } from './inputs.js';

export type FindingKind =
  'compiler exception' | 'emulator exception' | 'report exception' | 'internal error' | 'message without a location';

export interface Finding {
  readonly kind: FindingKind;
  readonly stage: string;
  readonly detail: string;
}

/** Cycles a fuzzed program may run for. */
export const RUN_CYCLES = 200_000;
/** Cycles its image runs for once it has been written out and loaded again. */
const LOADED_CYCLES = 2_000;

const NO_FILES = (): string | null => null;

export function tryInput(text: string, rng: Random): Finding[] {
  const found: Finding[] = [];
  const compilerStage = <T>(stage: string, f: () => T): T | null => {
    try {
      return f();
    } catch (e) {
      found.push({
        kind: 'compiler exception',
        stage,
        detail: String((e as Error).stack ?? e)
          .split('\n')
          .slice(0, 3)
          .join(' | '),
      });
      return null;
    }
  };
  const diagnosed = (stage: string, diags: readonly Diagnostic[]): void => {
    for (const d of diags) {
      if (/internal error/i.test(d.message)) found.push({ kind: 'internal error', stage, detail: d.message });
      const s = d.span;
      if (!(s.line >= 1 && s.col >= 1 && s.start >= 0 && s.start <= s.file.text.length && s.line <= s.file.lineCount)) {
        found.push({ kind: 'message without a location', stage, detail: `${d.message} at ${s.line}:${s.col}` });
      }
    }
  };

  const checked = compilerStage('check', () => checkSource('fuzz.occ', text, { loader: NO_FILES }));
  if (checked) diagnosed('check', checked);
  const compiled = compilerStage('compile', () => compileSource('fuzz.occ', text, { loader: NO_FILES }));
  if (!compiled) return found;
  diagnosed('compile', compiled.diagnostics);
  if (!compiled.image) return found;

  run('run', compiled.image, found, RUN_CYCLES);
  // The image as a file, then corrupted. The whole image, once loaded, runs as the compiled one just did, so it
  // only starts; the corrupted one runs as long as the first.
  const file = serializeImage(compiled.image);
  load('load image', file, found, LOADED_CYCLES);
  load('load corrupted image', corrupt(rng, file), found, RUN_CYCLES);
  return found;
}

function run(stage: string, image: Image, found: Finding[], cycles: number): void {
  let machine: Machine;
  let result: RunResult;
  try {
    machine = new Machine(image, { stdin: new Uint8Array(0), onScreen: () => {}, onError: () => {} });
    result = machine.run(cycles);
  } catch (e) {
    if (e instanceof LoadError) return;
    found.push({
      kind: 'emulator exception',
      stage,
      detail: String((e as Error).stack ?? e)
        .split('\n')
        .slice(0, 3)
        .join(' | '),
    });
    return;
  }
  // What `occmesh run` would then say about it.
  try {
    const sources = new ImageSources(image);
    if (result.error) formatRunError(sources, result.error, runErrorChain(image, machine, result.error));
    if (result.status === 'deadlock') formatDeadlock(sources, result, blockedDetails(image, machine));
    if (result.status === 'cycle-limit') formatCycleLimit(sources, result.cycles, runningAt(machine));
  } catch (e) {
    found.push({
      kind: 'report exception',
      stage,
      detail: String((e as Error).stack ?? e)
        .split('\n')
        .slice(0, 3)
        .join(' | '),
    });
  }
}

function load(stage: string, text: string, found: Finding[], cycles: number): void {
  let image: Image;
  try {
    image = parseImage(text);
  } catch (e) {
    if (e instanceof ImageError) return;
    found.push({
      kind: 'emulator exception',
      stage,
      detail: String((e as Error).stack ?? e)
        .split('\n')
        .slice(0, 3)
        .join(' | '),
    });
    return;
  }
  run(stage, image, found, cycles);
}

/** An image file with a few characters changed, or a number in it replaced. */
function corrupt(rng: Random, text: string): string {
  const chars = text.split('');
  if (rng.int(2) === 0) {
    const numbers = [...text.matchAll(/-?\d+/g)];
    if (numbers.length > 0) {
      const m = rng.pick(numbers);
      const value = rng.pick(['0', '-1', '1', '3', '4294967296', '99999999', '1e308', '0.5', 'null', '"x"', '[]']);
      return text.slice(0, m.index) + value + text.slice(m.index! + m[0].length);
    }
  }
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) chars[rng.int(chars.length)] = String.fromCharCode(32 + rng.int(95));
  return chars.join('');
}
