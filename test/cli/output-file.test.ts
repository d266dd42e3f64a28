// `occmesh compile -o FILE` when FILE cannot or must not be written: a plain message, exit code 73, and nothing
// lost — neither the source, nor a file that is not an image, nor (after a failed write) the previous image.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli', 'occmesh.js');
const hello = join(root, 'programs', 'hello.occ');

function occmesh(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'latin1' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fresh(): string {
  return mkdtempSync(join(tmpdir(), 'occmesh-out-'));
}

describe('compile -o FILE that cannot be written', () => {
  it('names the file and the reason, with exit code 73 and no stack trace', () => {
    const dir = fresh();
    const cases: [string, string][] = [
      [join(dir, 'no', 'such', 'x.omx'), 'the folder it would go in does not exist'],
      [dir, 'it is a directory'],
      ['', 'no file name given'],
    ];
    if (existsSync('/dev/full')) cases.push(['/dev/full', 'no space left on the device']);
    for (const [target, reason] of cases) {
      const r = occmesh(['compile', hello, '-o', target]);
      expect(r).toEqual({ code: 73, stdout: '', stderr: `occmesh: cannot write ${target}: ${reason}\n` });
    }
  });

  it.skipIf(process.getuid?.() === 0)('reports a folder it may not write to', () => {
    const dir = fresh();
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const r = occmesh(['compile', hello, '-o', join(locked, 'x.omx')]);
    expect(r.code).toBe(73);
    expect(r.stderr).toBe(`occmesh: cannot write ${join(locked, 'x.omx')}: permission denied\n`);
  });

  it('leaves the previous image whole and no temporary file when the write fails half way', () => {
    const dir = fresh();
    const image = join(dir, 'demo.omx');
    expect(occmesh(['compile', hello, '-o', image]).code).toBe(0);
    const before = readFileSync(image, 'utf8');
    // A file size limit of 1 block makes the write of the (larger) demo image fail after its first 512 bytes.
    const r = spawnSync(
      'sh',
      [
        '-c',
        `trap '' XFSZ; ulimit -f 1; exec "$0" "$@"`,
        process.execPath,
        bin,
        'compile',
        join(root, 'programs', 'demo.occ'),
        '-o',
        image,
      ],
      {
        encoding: 'latin1',
      },
    );
    expect({ code: r.status, stderr: r.stderr }).toEqual({
      code: 73,
      stderr: `occmesh: cannot write ${image}: the file would be too large\n`,
    });
    expect(readFileSync(image, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['demo.omx']);
  });

  it('writes an image whole, replacing an older image', () => {
    const dir = fresh();
    const image = join(dir, 'x.omx');
    writeFileSync(image, '{"format":"occmesh-image","version":1}');
    expect(occmesh(['compile', hello, '-o', image])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(image, 'utf8')).cores).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(['x.omx']);
  });
});

describe('compile -o FILE that must not be overwritten', () => {
  it('refuses to overwrite the program it compiles', () => {
    const dir = fresh();
    const source = join(dir, 'h2.occ');
    copyFileSync(hello, source);
    const r = occmesh(['compile', source, '-o', source]);
    expect(r).toEqual({
      code: 73,
      stdout: '',
      stderr: `occmesh: cannot write ${source}: it is the program being compiled\n`,
    });
    expect(readFileSync(source, 'utf8')).toBe(readFileSync(hello, 'utf8'));
    // Also when named another way.
    const r2 = spawnSync(process.execPath, [bin, 'compile', 'h2.occ', '-o', './h2.occ'], {
      cwd: dir,
      encoding: 'latin1',
    });
    expect(r2.status).toBe(73);
    expect(readFileSync(source, 'utf8')).toBe(readFileSync(hello, 'utf8'));
  });

  it('refuses to overwrite an existing file that is not an occmesh image', () => {
    const dir = fresh();
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'keep me\n');
    const r = occmesh(['compile', hello, '-o', notes]);
    expect(r).toEqual({
      code: 73,
      stdout: '',
      stderr: `occmesh: cannot write ${notes}: it exists and is not an occmesh image (remove it first if it is not needed)\n`,
    });
    expect(readFileSync(notes, 'utf8')).toBe('keep me\n');
  });
});
