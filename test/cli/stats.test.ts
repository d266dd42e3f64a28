// --stats at every mesh size: a line per core and link on a small mesh, a summary with a heat map on a large one.

import { describe, expect, it } from 'vitest';
import { emulatedTime } from '../../cli/stats.js';
import { runCli } from '../helpers/cli.js';

describe('--stats', () => {
  it('lists every core and link of a small mesh', async () => {
    const r = await runCli(['run', '--stats', 'programs/mesh/report_4x4.occ']);
    expect(r.exitCode).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('core ('))).toHaveLength(16);
    expect(lines.some((l) => l.startsWith('link ('))).toBe(true);
  });

  it('summarises a 64x64 mesh in a screenful: totals, busiest cores, a heat map', async () => {
    const r = await runCli(['run', '--stats', 'test/programs/mesh/mesh_64x64.occ']);
    expect(r.exitCode).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(50);
    expect(lines).toContain('cores: 4096 (4096 finished)');
    expect(lines).toContain('links: 0 carried traffic, 0 bytes in all');
    const busiest = lines.indexOf('busiest cores:');
    expect(
      lines
        .slice(busiest + 1, busiest + 6)
        .every((l) => /^ {2}core \(\d+, \d+\): \d+ instructions, 100\.0% busy, finished$/.test(l)),
    ).toBe(true);
    const map = lines.filter((l) => /^ {2}\|.*\|$/.test(l));
    expect(map).toHaveLength(32);
    expect(map.every((l) => l.length === 36)).toBe(true);
    expect(lines.at(-1)).toBe('(every core and link: --stats-full)');
  });

  it('gives the full lists with --stats-full', async () => {
    const r = await runCli(['run', '--stats-full', 'test/programs/mesh/mesh_64x64.occ']);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('core ('))).toHaveLength(4096);
  });

  it('shows long emulated times in seconds', () => {
    expect(emulatedTime(953.8e-6)).toBe('953.8 us');
    expect(emulatedTime(0.0284134)).toBe('28.413 ms');
    expect(emulatedTime(100)).toBe('100.000 s');
  });
});
