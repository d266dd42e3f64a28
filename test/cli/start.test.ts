// `npm start`'s launcher: runs the built command line, and says plainly when there is nothing built to run.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const launcher = join(root, 'scripts', 'start.mjs');

describe('npm start', () => {
  it('runs the built command line with its arguments', () => {
    const r = spawnSync(process.execPath, [launcher, 'run', 'programs/hello.occ'], { cwd: root, encoding: 'utf8' });
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 0,
      stdout: 'Hello, world!\n',
      stderr: '',
    });
  });

  it('says to build first when dist/ is missing, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-unbuilt-'));
    mkdirSync(join(dir, 'scripts'));
    copyFileSync(launcher, join(dir, 'scripts', 'start.mjs'));
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'start.mjs'), 'run', 'programs/demo.occ'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: 'occmesh is not built yet: run `npm run build` first (`npm ci` builds it unless scripts are skipped)\n',
    });
  });

  it('is what the start script runs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node scripts/start.mjs run --stats programs/demo.occ');
  });
});
