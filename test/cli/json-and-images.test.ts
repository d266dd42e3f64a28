// Options must not be silently ignored: placement options given with an image are warned about, and --json gives
// a JSON result for a compile error and carries --stats.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'occmesh-json-'));

describe('options given with an image', () => {
  it('warns that placement and checks are fixed at compile time', async () => {
    const image = join(dir, 'ring.omx');
    expect((await runCli(['compile', 'programs/mesh/token_ring.occ', '-o', image])).exitCode).toBe(0);
    const plain = await runCli(['run', image]);
    expect(plain.stderr).toBe('');
    const r = await runCli(['run', '--mesh', '1x1', '--spread', '--no-checks', image]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toBe(
      `occmesh: warning: --mesh, --spread and --no-checks do nothing for the image ${image}: placement and checks are fixed when a program is compiled, so give them to \`occmesh compile\`\n`,
    );
    const d = await runCli(['disasm', '--spread', image]);
    expect(d.stderr).toContain('--spread does nothing for the image');
  });
});

describe('--json', () => {
  it('gives a JSON result with the diagnostics for a compile error', async () => {
    const bad = join(dir, 'bad.occ');
    writeFileSync(bad, 'PROC main (CHAN BYTE kyb?, scr!, err!)\n  scr ! undefined.name\n:\n');
    const r = await runCli(['run', '--json', bad]);
    expect(r.exitCode).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ exitCode: 1, cycles: 0, stdout: '', error: null, deadlock: null });
    expect(j.diagnostics).toEqual([
      { file: bad, line: 2, col: 9, severity: 'error', message: '`undefined.name` is not declared' },
    ]);
  });

  it('gives a JSON result for a file that cannot be loaded', async () => {
    const r = await runCli(['run', '--json', join(dir, 'missing.occ')]);
    expect(r.exitCode).toBe(64);
    expect(JSON.parse(r.stdout)).toMatchObject({
      exitCode: 64,
      error: `occmesh: cannot read ${join(dir, 'missing.occ')}: no such file`,
      diagnostics: [],
    });
  });

  it('carries the --stats figures', async () => {
    const r = await runCli(['run', '--json', '--stats', 'programs/hello.occ']);
    const j = JSON.parse(r.stdout);
    expect(j.stats).toEqual({
      profile: 't800',
      clockHz: 20_000_000,
      linkBytesPerSecond: expect.any(Number),
      cycles: j.cycles,
      emulatedSeconds: j.cycles / 20_000_000,
      instructions: j.cores[0].instructions,
    });
    expect(JSON.parse((await runCli(['run', '--json', 'programs/hello.occ'])).stdout).stats).toBeUndefined();
  });
});
