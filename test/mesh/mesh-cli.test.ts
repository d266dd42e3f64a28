// The mesh through the command line: --json and --stats figures, --profile, --mesh, --spread, compile to an image
// and run it, and the placement of a program's processes on cores.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { compileSource } from '../../compiler/compile.js';
import { MESH_CHANNEL_BASE } from '../../emulator/image.js';

const root = join(import.meta.dirname, '..', '..');
const prog = (p: string): string => join(root, p);

describe('--json on a mesh program', () => {
  it('has exactly the documented fields, with cores and links', async () => {
    const r = await runCli(['run', '--json', prog('programs/mesh/token_ring.occ')]);
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual([
      'cores',
      'cycles',
      'deadlock',
      'diagnostics',
      'error',
      'exitCode',
      'links',
      'stdout',
    ]);
    expect(j.stdout).toBe('3\n6\n9\n');
    expect(j.cores).toHaveLength(4);
    for (const c of j.cores) expect(Object.keys(c).sort()).toEqual(['busyCycles', 'instructions', 'state', 'x', 'y']);
    expect(j.links.map((l: { from: number[]; to: number[] }) => [l.from, l.to])).toEqual([
      [
        [0, 0],
        [1, 0],
      ],
      [
        [1, 0],
        [1, 1],
      ],
      [
        [0, 1],
        [0, 0],
      ],
      [
        [1, 1],
        [0, 1],
      ],
    ]);
    // Four laps (three and the stop) of one INT per hop.
    for (const l of j.links) expect(l.bytes).toBe(16);
    expect(j.deadlock).toBeNull();
  });

  it('describes a deadlock with the blocked processes and the cycle of waits', async () => {
    const r = await runCli(['run', '--json', prog('test/programs/mesh/deadlock_three_cores.occ')]);
    expect(r.exitCode).toBe(3);
    const d = JSON.parse(r.stdout).deadlock;
    expect(
      d.blocked.map((b: { core: number[]; line: number; channel: string }) => [b.core, b.line, b.channel]),
    ).toEqual([
      [[0, 0], 8, 'r'],
      [[2, 0], 13, 'p'],
      [[1, 2], 18, 'q'],
    ]);
    expect(d.cycle.map((b: { core: number[] }) => b.core)).toEqual([
      [0, 0],
      [1, 2],
      [2, 0],
    ]);
  });
});

describe('--stats, --profile and --mesh', () => {
  it('prints the profile, per-core and per-link figures', async () => {
    const r = await runCli(['run', '--stats', prog('programs/mesh/sieve.occ')]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('profile: t800 (20 MHz, links 1.82 MB/s one way)');
    expect(r.stderr).toMatch(/core \(3, 1\): \d+ instructions, [\d.]+% busy, finished/);
    expect(r.stderr).toMatch(/link \(1, 0\) -> \(2, 0\): \d+ bytes, [\d.]+% busy/);
  });

  it('the epiphany profile gives the same output in fewer emulated microseconds', async () => {
    const t800 = await runCli(['run', '--stats', prog('programs/mesh/systolic_4x4.occ')]);
    const epi = await runCli(['run', '--stats', '--profile', 'epiphany', prog('programs/mesh/systolic_4x4.occ')]);
    expect(epi.stdout).toBe(t800.stdout);
    expect(epi.stderr).toContain('profile: epiphany (1000 MHz, links 8000.00 MB/s one way)');
    const us = (s: string): number => Number(/emulated time: ([\d.]+) us/.exec(s)![1]);
    expect(us(epi.stderr)).toBeLessThan(us(t800.stderr) / 10);
  });

  it('rejects an unknown profile and a malformed mesh size', async () => {
    expect((await runCli(['run', '--profile', 'z80', prog('programs/hello.occ')])).exitCode).toBe(64);
    expect((await runCli(['run', '--mesh', '4by4', prog('programs/hello.occ')])).exitCode).toBe(64);
  });

  it('a program without placement runs on core (0, 0) of a larger mesh', async () => {
    const r = await runCli(['run', '--json', '--mesh', '3x2', prog('programs/hello.occ')]);
    const j = JSON.parse(r.stdout);
    expect(j.exitCode).toBe(0);
    expect(j.cores.map((c: { x: number; y: number }) => [c.x, c.y])).toEqual([[0, 0]]);
  });

  it('the same run twice gives the same output, cycles and link figures', async () => {
    const a = await runCli(['run', '--json', prog('programs/mesh/heat_8x8.occ')]);
    const b = await runCli(['run', '--json', prog('programs/mesh/heat_8x8.occ')]);
    expect(JSON.parse(a.stdout).exitCode).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('loads and runs a 64x64 mesh with 64 KiB per core', async () => {
    const r = await runCli(['run', '--json', prog('test/programs/mesh/mesh_64x64.occ')]);
    const j = JSON.parse(r.stdout);
    expect(j.exitCode).toBe(0);
    expect(j.cores).toHaveLength(4096);
    expect(j.cores.every((c: { state: string }) => c.state === 'finished')).toBe(true);
  });
});

describe('compiling a placed program', () => {
  it('compiles to an image that runs the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-'));
    const out = join(dir, 'ring.omx');
    expect((await runCli(['compile', prog('programs/mesh/token_ring.occ'), '-o', out])).exitCode).toBe(0);
    const r = await runCli(['run', out]);
    expect(r.stdout).toBe('3\n6\n9\n');
  });

  it('gives each core only the PROCs it calls, and one mesh channel per channel between cores', () => {
    const src = [
      'PROC a (CHAN INT c!)',
      '  c ! 1',
      ':',
      'PROC b (CHAN INT c?)',
      '  INT x:',
      '  c ? x',
      ':',
      'PROC main (CHAN BYTE kyb?, scr!, err!)',
      '  CHAN INT c, local:',
      '  PLACED PAR',
      '    PROCESSOR 0, 0',
      '      PAR',
      '        a (local!)',
      '        b (local?)',
      '    PROCESSOR 1, 1',
      '      a (c!)',
      '    PROCESSOR 0, 1',
      '      b (c?)',
      ':',
    ].join('\n');
    const { image, diagnostics } = compileSource('t.occ', src);
    expect(diagnostics).toEqual([]);
    expect(image!.mesh).toEqual({ width: 2, height: 2 });
    expect(image!.cores.map((c) => [c.x, c.y])).toEqual([
      [0, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(image!.debug.map((d) => d.procs.map((p) => p.name))).toEqual([['a', 'b'], ['b'], ['a']]);
    // `local` is used by two processes on core (0, 0): a memory word there. `c` crosses the mesh.
    expect(image!.channels).toEqual([{ name: 'c', from: { x: 1, y: 1 }, to: { x: 0, y: 1 } }]);
    expect(MESH_CHANNEL_BASE).toBe(-0x40000000);
  });
});
