// ALT choosing among ready guards from the seed, and `occmesh explore` finding the outcomes of a race.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/program-files.js';

const race = join(repoRoot, 'test/faults/race.occ');
const replicated = join(repoRoot, 'test/faults/replicated.occ');

interface Explored {
  runs: number;
  outcomes: { count: number; exitCode: number; status: string; stdout: string; seeds: number[] }[];
}

async function explore(file: string, ...args: string[]): Promise<Explored> {
  const r = await runCli(['explore', file, '--json', ...args]);
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as Explored;
}

describe('ALT with a seed', () => {
  it('without --seed, an ALT takes the first ready guard, every time', async () => {
    const a = await runCli(['run', race]);
    expect(a.stdout).toBe('balance 5\n');
  });

  it('explore finds both outcomes of the race, with the seeds that give them', async () => {
    const e = await explore(race, '--runs', '30');
    expect(e.runs).toBe(30);
    expect(e.outcomes.map((o) => o.stdout).sort()).toEqual(['balance 5\n', 'refused\nbalance 10\n']);
    expect(e.outcomes.reduce((n, o) => n + o.count, 0)).toBe(30);
    const seeds = e.outcomes.flatMap((o) => o.seeds).sort((a, b) => a - b);
    expect(seeds).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // Each seed replays its outcome.
    for (const o of e.outcomes) {
      const r = await runCli(['run', race, '--seed', String(o.seeds[0])]);
      expect(r.stdout).toBe(o.stdout);
    }
  });

  it('explore tells a deadlock from a finished run', async () => {
    const e = await explore(join(repoRoot, 'test/faults/race_deadlock.occ'), '--runs', '20');
    expect(e.outcomes.map((o) => [o.exitCode, o.status, o.stdout]).sort()).toEqual([
      [0, 'finished', 'ok\n'],
      [3, 'deadlock', 'ok\n'],
    ]);
    const text = await runCli(['explore', join(repoRoot, 'test/faults/race_deadlock.occ'), '--runs', '20']);
    expect(text.stdout).toMatch(/exit 3 \(deadlock\)/);
  });

  it('PRI ALT keeps its priority whatever the seed', async () => {
    const { readFileSync, writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-pri-'));
    const pri = join(dir, 'pri.occ');
    writeFileSync(pri, readFileSync(race, 'latin1').replace('        ALT\n', '        PRI ALT\n'));
    const e = await explore(pri, '--runs', '30');
    expect(e.outcomes.map((o) => o.stdout)).toEqual(['balance 5\n']);
  });

  it('a replicated ALT chooses among its ready guards and its branch sees the index chosen', async () => {
    const e = await explore(replicated, '--runs', '60');
    for (const o of e.outcomes) {
      const pairs = o.stdout.trim().split(' ');
      expect(pairs.every((p) => p.split('=')[0] === p.split('=')[1])).toBe(true);
      expect(pairs.map((p) => p[0]).sort()).toEqual(['0', '1', '2']);
    }
    // The first sender is alone when the ALT first looks; the other two are ready together, in either order.
    expect(e.outcomes.map((o) => o.stdout).sort()).toEqual(['0=0 1=1 2=2 ', '0=0 2=2 1=1 ']);
  });

  it('the seed changes the choices, not the cycle counts, of a program without a race', async () => {
    const stream = join(repoRoot, 'test/faults/stream.occ');
    const plain = JSON.parse((await runCli(['run', stream, '--json'])).stdout);
    const seeded = JSON.parse((await runCli(['run', stream, '--json', '--seed', '9'])).stdout);
    expect(seeded.cycles).toBe(plain.cycles);
    expect(seeded.stdout).toBe(plain.stdout);
  });

  it('explore prints each outcome with its count, seeds and a command to replay it', async () => {
    const r = await runCli(['explore', race, '--runs', '10']);
    expect(r.stdout).toMatch(/: 10 runs \(seeds 1 to 10\), 2 distinct outcomes\n/);
    expect(r.stdout).toMatch(
      /outcome 1: \d+ of 10 runs \(\d+%\), exit 0 \(finished\)\n {2}seeds: [\d, ]+\n {2}replay: occmesh run .*race\.occ --seed \d+\n {2}output:\n {2}\| /,
    );
    const bad = await runCli(['explore', race, '--runs', '0']);
    expect(bad.exitCode).toBe(64);
  });
});
