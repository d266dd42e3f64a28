// `--no-checks`: the range checks go, overflow checks stay.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'occmesh-nochecks-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('occmesh run --no-checks', () => {
  const shift = file(
    'shift.occ',
    "PROC main (CHAN BYTE kyb?, scr!, err!)\n  INT x, n:\n  SEQ\n    n := 40\n    x := 1 << n\n    scr ! 'k'\n:\n",
  );
  const overflow = file(
    'overflow.occ',
    "PROC main (CHAN BYTE kyb?, scr!, err!)\n  INT x:\n  SEQ\n    x := MOSTPOS INT\n    x := x + 1\n    scr ! 'k'\n:\n",
  );
  it('a bad shift count is a run-time error by default', async () => {
    const r = await runCli(['run', shift]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('shift count out of range 0..32 in `1 << n`');
  });
  it('without range checks the shift simply happens', async () => {
    const r = await runCli(['run', '--no-checks', shift]);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'k' });
  });
  it('overflow is still checked', async () => {
    const r = await runCli(['run', '--no-checks', overflow]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('arithmetic overflow in `x + 1`');
  });
  it('compile --no-checks writes an image without them', async () => {
    const out = join(dir, 'shift.omx');
    expect((await runCli(['compile', '--no-checks', shift, '-o', out])).exitCode).toBe(0);
    expect(await runCli(['run', out])).toMatchObject({ exitCode: 0, stdout: 'k' });
  });
});
