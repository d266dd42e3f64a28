// Runs every .occ program under test/programs and programs/ through the same code path as `occmesh run` and
// compares what it does with what the file says it must do (docs/testing.md):
//   -- expect: <line>          the next line of standard output (all of them, in order, exactly)
//   -- expect-exit: <n>        the exit code (default 0)
//   -- expect-error: <text>    standard error contains this text (any number of them)
//   -- error: <message>        on a line of code: a diagnostic with this message is reported on this line (also
//                              -- warning:, -- run-time error:, -- note:)
//   -- stdin: <text>           a line of keyboard input (a newline is added)
//   -- args: <options>         options for `occmesh run`, e.g. --spread --mesh 2x2
// Every error, warning, run-time error and deadlock on standard error must be listed by an expectation.

import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { expectationsOf, findPrograms, stderrMismatches } from './helpers/programs.js';

const root = join(import.meta.dirname, '..');
/** `run` has no cycle limit of its own; here a program that never ends fails instead of hanging the suite. */
const TEST_MAX_CYCLES = '2000000000';
const testPrograms = findPrograms(join(root, 'test', 'programs'));
const programs = [...testPrograms, ...findPrograms(join(root, 'programs'))];

describe('occam programs with expected output', () => {
  it('finds the test programs', () => {
    expect(programs.length).toBeGreaterThanOrEqual(10);
  });

  for (const path of programs) {
    const name = relative(root, path);
    it(name, async () => {
      const text = readFileSync(path, 'latin1');
      const want = expectationsOf(text);
      const got = await runCli(['run', '--max-cycles', TEST_MAX_CYCLES, ...want.args, name], want.stdin);
      const expectedStdout = want.stdout.length > 0 ? want.stdout.join('\n') + '\n' : '';
      expect({ stdout: got.stdout, exit: got.exitCode }, got.stderr).toEqual({
        stdout: expectedStdout,
        exit: want.exit,
      });
      expect(stderrMismatches(got.stderr, name, want), got.stderr).toEqual([]);
      if (want.errors.length === 0 && want.onLine.length === 0) expect(got.stderr).toBe('');
    });
  }
});

describe('test program names', () => {
  // One rule: a program the compiler must reject (exit code 1) is named err_*; one that compiles is not, whatever
  // it then does (a run-time error or a deadlock is behaviour, named for what it shows).
  it('err_ starts the name of exactly the programs that must not compile', () => {
    const misnamed = testPrograms
      .map((path) => ({
        name: relative(root, path),
        rejected: expectationsOf(readFileSync(path, 'latin1')).exit === 1,
      }))
      .filter(({ name, rejected }) => basename(name).startsWith('err_') !== rejected)
      .map(
        ({ name, rejected }) =>
          `${name} ${rejected ? 'must not compile but is not named err_*' : 'compiles but is named err_*'}`,
      );
    expect(misnamed).toEqual([]);
  });
});
