// The benchmark suite in quick mode (one iteration each, small sizes), as CI runs it: every benchmark runs its
// program through the normal code path to the expected output, and the JSON report has every figure, finite.
// Only the emulated figures are checked against values; wall-clock figures are never asserted.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUITE } from '../../bench/suite.js';

const RUN = join(import.meta.dirname, '..', '..', 'dist', 'bench', 'run.js');

interface Report {
  machine: string;
  benchmarks: { name: string; unit: string; median: number; min: number; max: number }[];
}

function bench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [RUN, ...args], { encoding: 'utf8' });
}

describe('npm run bench', () => {
  it('runs the whole suite in quick mode and reports every figure as JSON', () => {
    const r = bench(['--quick', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.machine).toMatch(/node v20/);
    const names = report.benchmarks.map((b) => b.name);
    expect(names).toEqual(SUITE.flatMap((b) => b.figures.map((f) => f.name)));
    for (const name of [
      'compute',
      'arrays',
      'chain',
      'permutations',
      'commstime',
      'commstime-cycles',
      'commstime-par-cycles',
      'stencil-32',
      'idle-64',
      'memory-64',
      'compile',
      'startup',
      'startup-course',
      'startup-node',
      'debugger-32',
      'heat-8x8',
    ]) {
      expect(names).toContain(name);
    }
    for (const b of report.benchmarks) {
      expect(Number.isFinite(b.median), b.name).toBe(true);
      expect(b.median, b.name).toBeGreaterThan(0);
      expect(b.min).toBeLessThanOrEqual(b.median);
      expect(b.max).toBeGreaterThanOrEqual(b.median);
    }
    const figure = (name: string) => report.benchmarks.find((b) => b.name === name)!.median;
    // Emulated cycles are deterministic: commstime's loop costs what the cycle table says (programs/commstime.occ).
    expect(figure('commstime-cycles')).toBeGreaterThan(200);
    expect(figure('commstime-cycles')).toBeLessThan(figure('commstime-par-cycles'));
    expect(figure('links-t800-bandwidth')).toBeGreaterThan(90);
  }, 300_000);

  it('runs one benchmark by name, and refuses a name it does not know', () => {
    const one = bench(['--quick', '--json', 'permutations']);
    expect(one.status).toBe(0);
    expect((JSON.parse(one.stdout) as Report).benchmarks.map((b) => b.name)).toEqual(['permutations']);
    const text = bench(['--quick', 'commstime-par-cycles']);
    expect(text.stdout).toMatch(/commstime-par-cycles: \d+ cycles\/loop/);
    const bad = bench(['--quick', 'nonesuch']);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toMatch(/no benchmark named nonesuch/);
  }, 120_000);
});
