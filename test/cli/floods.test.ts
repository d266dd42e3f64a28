// Bad input must give a few readable lines, never a flood: a binary file, an image given to `check`, a file with
// hundreds of errors, control bytes and very long lines.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Diagnostics, EXCERPT_WIDTH, formatDiagnostic, SourceFile, spanOf } from '../../compiler/source.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'occmesh-floods-'));

function file(name: string, data: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

describe('files that are not occam source', () => {
  it('refuses a binary file in one line', async () => {
    const bytes = Buffer.alloc(20000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    bytes.write('\x7fELF', 0, 'latin1');
    const bin = file('prog', bytes);
    for (const command of ['run', 'check', 'disasm']) {
      const r = await runCli([command, bin]);
      expect({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({
        exitCode: 1,
        stdout: '',
        stderr: `${bin}: error: not an occam program: it is not a text file\n`,
      });
    }
  });

  it('tells check and compile that an image is not source', async () => {
    const image = join(dir, 'hello.omx');
    expect((await runCli(['compile', 'programs/hello.occ', '-o', image])).exitCode).toBe(0);
    const r = await runCli(['check', image]);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toBe(
      `${image}: error: this is a compiled image, not occam source, so \`check\` cannot take it; use \`occmesh run\` or \`occmesh disasm\` on it\n`,
    );
    const c = await runCli(['compile', image, '-o', join(dir, 'again.omx')]);
    expect(c.exitCode).toBe(64);
    expect(c.stderr).toContain('so `compile` cannot take it');
  });
});

describe('many errors, control bytes, long lines', () => {
  const lines = ['PROC main (CHAN BYTE kyb?, scr!, err!)', '  SEQ', `    x := ${'a + '.repeat(800)}\x1b[31m 1`];
  for (let i = 0; i < 300; i++) lines.push('    y := := 2');
  lines.push(':');
  const flood = file('flood.occ', lines.join('\n') + '\n');

  it('shows at most 20 diagnostics and counts the rest', async () => {
    for (const command of ['check', 'run']) {
      const r = await runCli([command, flood]);
      expect(r.exitCode).toBe(1);
      const headers = r.stderr.split('\n').filter((l) => l.startsWith(`${flood}:`));
      expect(headers).toHaveLength(20);
      expect(r.stderr).toMatch(/\n\(\d+ more not shown\)\n\d+ errors\n$/);
    }
  });

  it('escapes control bytes and trims long lines around the caret', async () => {
    const r = await runCli(['check', flood]);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThanOrEqual(EXCERPT_WIDTH + 10);
    const first = r.stderr.split('\n');
    expect(first[0]).toBe(`${flood}:3:3210: error: unexpected character \`\\x1B\``);
    expect(first[1]).toMatch(/^ {4}\.\.\.(a \+ )+\\x1B\[31m 1$/);
    // The caret is under the escaped byte.
    expect(first[2]!.indexOf('^')).toBe(first[1]!.indexOf('\\x1B'));
  });

  it('keeps short lines whole and marks the span on them', () => {
    const src = new SourceFile(0, 't.occ', 'abc\tdef\x01 ghi\n');
    const diags = new Diagnostics();
    diags.error(spanOf(src, 7, 8), 'bad byte \x01');
    expect(formatDiagnostic(diags.list[0]!)).toBe(
      't.occ:1:8: error: bad byte \\x01\n    abc\tdef\\x01 ghi\n       \t   ^~~~',
    );
    const long = new SourceFile(0, 'l.occ', `${'x'.repeat(500)}!${'y'.repeat(500)}\n`);
    const d2 = new Diagnostics();
    d2.error(spanOf(long, 500, 501), 'here');
    const [, text, caret] = formatDiagnostic(d2.list[0]!).split('\n');
    expect(text!.length).toBeLessThanOrEqual(EXCERPT_WIDTH + 10);
    expect(text!.startsWith('    ...x')).toBe(true);
    expect(text!.endsWith('y...')).toBe(true);
    expect(text![caret!.indexOf('^')]).toBe('!');
  });
});
