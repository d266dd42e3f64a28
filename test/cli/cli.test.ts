// The real executable, run as a child process: what a user at a terminal gets.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli', 'occmesh.js');

function occmesh(args: string[], input = '') {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, input, encoding: 'latin1' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('occmesh executable', () => {
  it('finds the bundled course library from any folder, and #INCLUDEd files beside the program', () => {
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-'));
    writeFileSync(join(dir, 'defs.inc'), 'VAL INT answer IS 42:\n');
    writeFileSync(
      join(dir, 'main.occ'),
      '#INCLUDE "course.module"\n#INCLUDE "defs.inc"\nPROC main (CHAN BYTE kyb?, scr!, err!)\n  SEQ\n    out.int (answer, 4, scr!)\n    scr ! \'*n\'\n:\n',
    );
    const r = spawnSync(process.execPath, [bin, 'run', 'main.occ'], { cwd: dir, encoding: 'latin1' });
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: '  42\n', stderr: '' });
    const c = spawnSync(process.execPath, [bin, 'check', join(dir, 'main.occ')], { cwd: tmpdir(), encoding: 'latin1' });
    expect({ code: c.status, stderr: c.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('runs hello and exits 0', () => {
    const r = occmesh(['run', 'programs/hello.occ']);
    expect(r).toEqual({ code: 0, stdout: 'Hello, world!\n', stderr: '' });
  });

  it('reports a compile error with file:line:col, the line and a caret, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-'));
    const file = join(dir, 'bad.occ');
    writeFileSync(file, 'PROC main (CHAN BYTE kyb?, scr!, err!)\n  SEQ\n    scr ! undefined.name\n:\n');
    const r = occmesh(['run', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(`${file}:3:11: error: \`undefined.name\` is not declared`);
    expect(lines[1]).toBe('        scr ! undefined.name');
    expect(lines[2]).toBe('              ^~~~~~~~~~~~~~');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('compiles to an image that runs the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-'));
    const image = join(dir, 'demo.omx');
    const c = occmesh(['compile', 'programs/demo.occ', '-o', image]);
    expect(c).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(image, 'utf8')).format).toBe('occmesh-image');
    const fromImage = occmesh(['run', image]);
    const fromSource = occmesh(['run', 'programs/demo.occ']);
    expect(fromImage.code).toBe(0);
    expect(fromImage.stdout).toBe(fromSource.stdout);
    expect(fromImage.stdout).toContain('sum of squares up to 10: 385');
  });

  it('rejects a corrupt image with a clear message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'occmesh-'));
    const image = join(dir, 'bad.omx');
    writeFileSync(
      image,
      '{"format":"occmesh-image","version":1,"mesh":{"width":1,"height":1},"cores":[{"x":0,"y":0,"code":"AA==","entry":9,"workspaceWords":1}],"files":[],"debug":[{"lines":[],"checks":[],"procs":[],"data":[]}]}',
    );
    const r = occmesh(['run', image]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${image}: error: core 0: entry point outside the code\n`);
  });

  it('disassembles with startp, endp, in and outword under their source lines', () => {
    const r = occmesh(['disasm', 'test/programs/basics/producer_consumer.occ']);
    expect(r.code).toBe(0);
    const out = r.stdout;
    for (const op of ['startp', 'endp', 'in', 'outword', 'outbyte', 'lend', 'call']) {
      expect(out).toMatch(new RegExp(`^  [0-9A-F]{4}  [0-9A-F ]+  ${op}\\b`, 'm'));
    }
    expect(out).toContain('PROC producer');
    expect(out).toMatch(
      /-- test\/programs\/basics\/producer_consumer.occ:4 {2}out ! i \* 10\n( {2}.*\n)*? {2}[0-9A-F]{4} .* outword/,
    );
    expect(out).toMatch(/producer_consumer.occ:10 {2}in \? x\n( {2}.*\n)*? {2}[0-9A-F]{4} .* in\n/);
    expect(out).toMatch(/producer_consumer.occ:16 {2}PAR\n( {2}.*\n)*? {2}[0-9A-F]{4} .* startp\n/);
  });

  it('exits 64 on usage errors', () => {
    expect(occmesh([]).code).toBe(64);
    expect(occmesh(['frobnicate']).code).toBe(64);
    expect(occmesh(['run']).code).toBe(64);
    expect(occmesh(['run', 'programs/hello.occ', '--max-cycles', 'lots']).code).toBe(64);
    const missing = occmesh(['run', 'no/such/file.occ']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toBe('occmesh: cannot read no/such/file.occ: no such file\n');
  });

  it('prints help and version with exit 0', () => {
    const help = occmesh(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: occmesh');
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toBe('0.1.0');
  });

  it('stops at the cycle limit with exit 4', () => {
    const r = occmesh(['run', 'programs/demo.occ', '--max-cycles', '1000']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('stopped at the cycle limit');
  });

  it('prints a JSON result with --json', () => {
    const r = occmesh(['run', 'programs/hello.occ', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.exitCode).toBe(0);
    expect(j.stdout).toBe('Hello, world!\n');
    expect(j.cycles).toBeGreaterThan(0);
    expect(j.cores).toHaveLength(1);
    expect(j.deadlock).toBeNull();
  });

  it('shows a prompt before it waits for the keyboard, and reads stdin only when asked', async () => {
    const child = spawn(process.execPath, [bin, 'run', 'test/cli/programs/prompt.occ'], { cwd: root });
    let out = '';
    let typed = false;
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      // Type the answer only once the prompt is visible: if the prompt waited for input, this would never happen.
      if (!typed && out === '? ') {
        typed = true;
        child.stdin.end('occam\n');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(typed).toBe(true);
    expect(out).toBe('? occam!\n');
    expect(code).toBe(0);
  });
});
