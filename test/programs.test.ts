// Runs every .occ program under test/programs and programs/ through the same code path as `occmesh run` and
// compares what it does with what the file says it must do:
//   -- expect: <line>          the next line of standard output (all of them, in order, exactly)
//   -- expect-exit: <n>        the exit code (default 0)
//   -- expect-error: <text>    standard error contains this text (any number of them)
//   -- stdin: <text>           a line of keyboard input (a newline is added)
//   -- args: <options>         options for `occmesh run`, e.g. --spread --mesh 2x2

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

interface Expectations {
  stdout: string[];
  exit: number;
  errors: string[];
  stdin: string;
  args: string[];
}

function findPrograms(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findPrograms(path));
    else if (name.endsWith('.occ')) found.push(path);
  }
  return found;
}

export function expectationsOf(text: string): Expectations {
  const e: Expectations = { stdout: [], exit: 0, errors: [], stdin: '', args: [] };
  for (const line of text.split(/\r?\n/)) {
    const m = /--\s*(expect|expect-exit|expect-error|stdin|args):\s?(.*)$/.exec(line);
    if (!m) continue;
    const value = m[2]!.replace(/\r$/, '');
    switch (m[1]) {
      case 'expect':
        e.stdout.push(value);
        break;
      case 'expect-exit':
        e.exit = Number(value.trim());
        break;
      case 'expect-error':
        e.errors.push(value.trim());
        break;
      case 'stdin':
        e.stdin += value + '\n';
        break;
      case 'args':
        e.args.push(...value.trim().split(/\s+/).filter((a) => a !== ''));
        break;
    }
  }
  return e;
}

const root = join(import.meta.dirname, '..');
/** `run` has no cycle limit of its own; here a program that never ends fails instead of hanging the suite. */
const TEST_MAX_CYCLES = '2000000000';
const programs = [...findPrograms(join(root, 'test', 'programs')), ...findPrograms(join(root, 'programs'))];

describe('occam programs with expected output', () => {
  it('finds the test programs', () => {
    expect(programs.length).toBeGreaterThanOrEqual(10);
  });

  for (const path of programs) {
    const name = relative(root, path);
    it(name, async () => {
      const text = readFileSync(path, 'latin1');
      const want = expectationsOf(text);
      const got = await runCli(['run', '--max-cycles', TEST_MAX_CYCLES, ...want.args, path], want.stdin);
      const expectedStdout = want.stdout.length > 0 ? want.stdout.join('\n') + '\n' : '';
      expect({ stdout: got.stdout, exit: got.exitCode }, got.stderr).toEqual({ stdout: expectedStdout, exit: want.exit });
      for (const err of want.errors) expect(got.stderr).toContain(err);
      if (want.errors.length === 0) expect(got.stderr).toBe('');
    });
  }
});
