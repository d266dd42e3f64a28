// The standard streams at their ends: a reader that closes stdout stops the run, and a program that keeps reading
// the keyboard after the end of its input is told about once.

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli', 'occmesh.js');

describe('stdout closed by its reader', () => {
  it('stops the run with exit code 141, long before the cycle limit', async () => {
    // 10^10 cycles would take minutes of host time: only the closed pipe can end this run in the test's time.
    const child = spawn(process.execPath, [bin, 'run', 'test/cli/programs/yes.occ', '--max-cycles', '10000000000'], {
      cwd: root,
    });
    onTestFinished(() => {
      child.kill();
    });
    let got = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', (d: Buffer) => {
      got = d.toString('latin1').slice(0, 10);
      child.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(got).toBe('y\ny\ny\ny\ny\n');
    expect({ code, err }).toEqual({ code: 141, err: '' });
  });
});

describe('keyboard at the end of input', () => {
  it('says once that the program keeps reading, and gives 255 for every read', () => {
    const r = spawnSync(process.execPath, [bin, 'run', 'test/cli/programs/read-past-end.occ'], {
      cwd: root,
      input: 'ab',
      encoding: 'latin1',
    });
    expect(r.status).toBe(0);
    // 255 means "flush" to the screen and is never printed, so only the two real bytes appear.
    expect(r.stdout).toBe('ab');
    expect(r.stderr).toBe(
      'occmesh: note: the program keeps reading the keyboard after the end of its input; each read gives 255 (END.OF.FILE), as in KRoC\n',
    );
  });

  it('says nothing when the program stops at the end of its input', () => {
    const r = spawnSync(process.execPath, [bin, 'run', 'test/cli/programs/read-past-end.occ'], {
      cwd: root,
      input: 'abcd',
      encoding: 'latin1',
    });
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: 'abcd', stderr: '' });
  });
});
