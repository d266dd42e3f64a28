// A short seeded pass of the fuzzer (fuzz/): generated and mutated programs through check, compile, run and
// image loading, with nothing that must never happen. The nesting depth stays below the parser's current limit
// (about 290 SEQ levels); `npm run fuzz` goes deeper.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputAt, loadCorpus } from '../../fuzz/corpus.js';
import { tryInput } from '../../fuzz/try-input.js';

const root = join(import.meta.dirname, '..', '..');
const corpus = loadCorpus(root);
const options = { maxDepth: 200, maxProcs: 40 };

describe('fuzzing', () => {
  it('makes the same inputs from the same seed, and different ones from another', () => {
    const a = Array.from({ length: 20 }, (_, i) => inputAt(5, i, corpus, options).input.text);
    const b = Array.from({ length: 20 }, (_, i) => inputAt(5, i, corpus, options).input.text);
    const c = Array.from({ length: 20 }, (_, i) => inputAt(6, i, corpus, options).input.text);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('finds nothing that must never happen in a short seeded pass', () => {
    const found: string[] = [];
    const kinds = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const { input, rng } = inputAt(2026, i, corpus, options);
      kinds.add(input.kind);
      for (const f of tryInput(input.text, rng))
        found.push(`--seed 2026 --only ${i} (${input.kind}): ${f.kind} in ${f.stage}: ${f.detail}`);
    }
    expect(found).toEqual([]);
    expect(kinds.size).toBeGreaterThanOrEqual(7);
  });

  it('runs as npm run fuzz, with its figures and exit code 0', () => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'dist', 'fuzz', 'run.js'), '--runs', '5', '--seed', '3', '--max-depth', '50'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^fuzz: 5 inputs from seed 3 in [\d.]+ s\n/);
    for (const line of [
      'compiler exceptions: 0',
      'internal errors: 0',
      'emulator exceptions: 0',
      'report exceptions: 0',
      'messages without a location: 0',
      'hangs over 10000 ms of CPU: 0',
    ]) {
      expect(r.stdout).toContain(`${line}\n`);
    }
  });

  it('runs a range of input numbers in several workers, the same inputs as one worker', () => {
    const run = (extra: string[]) =>
      spawnSync(
        process.execPath,
        [join(root, 'dist', 'fuzz', 'run.js'), '--seed', '3', '--max-depth', '50', ...extra],
        {
          encoding: 'utf8',
        },
      );
    const two = run(['--runs', '4', '--from', '7', '--jobs', '2']);
    const one = run(['--runs', '4', '--from', '7']);
    expect(two.status).toBe(0);
    expect(two.stdout).toMatch(/^fuzz: 4 inputs from seed 3 \(numbers from 7\) in [\d.]+ s\n/);
    // The same numbered inputs, so the same kinds, whichever worker made each.
    const kinds = (out: string) => out.split('\n').find((l) => l.startsWith('inputs: '));
    expect(kinds(two.stdout)).toBeDefined();
    expect(kinds(two.stdout)).toBe(kinds(one.stdout));
    expect(kinds(two.stdout)).not.toBe(kinds(run(['--runs', '4', '--from', '0']).stdout));
  });

  it('counts an input that uses more CPU than --timeout as a hang, and carries on with a fresh worker', () => {
    // Input 53 of seed 3 is a huge program (65,000 characters): far more than 20 ms of compiling.
    const r = spawnSync(
      process.execPath,
      [join(root, 'dist', 'fuzz', 'run.js'), '--seed', '3', '--runs', '2', '--from', '53', '--timeout', '20'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/hangs over 20 ms of CPU: [12]\n/);
    expect(r.stdout).toContain('--seed 3 --only 53: hang (over 20 ms), huge program');
  });
});
