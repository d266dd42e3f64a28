// The rules the program tests judge standard error by (test/helpers/programs.ts): expectations at the end of a
// file and on the offending line, and the exactness rule that fails a run reporting anything nobody listed.

import { describe, expect, it } from 'vitest';
import { expectationsOf, stderrMismatches } from './helpers/programs.js';

const PATH = 'test/programs/x/err_demo.occ';

const program = [
  'PROC main (CHAN BYTE kyb?, scr!, err!)',
  '  INT x:',
  '  SEQ',
  '    x := TRUE     -- error: cannot assign a BOOL value to `x`, which is INT',
  '    x := y',
  ':',
  '-- expect-exit: 1',
  '-- expect-error: err_demo.occ:5:10: error: `y` is not declared',
].join('\n');

const both = [
  `${PATH}:4:10: error: cannot assign a BOOL value to \`x\`, which is INT`,
  '        x := TRUE',
  '             ^~~~',
  `${PATH}:5:10: error: \`y\` is not declared`,
  '        x := y',
  '             ^',
  '2 errors',
  '',
].join('\n');

describe('reading expectations', () => {
  it('reads expectations at the end and on the line they are about', () => {
    const e = expectationsOf(program);
    expect(e.exit).toBe(1);
    expect(e.errors).toEqual(['err_demo.occ:5:10: error: `y` is not declared']);
    expect(e.onLine).toEqual([
      { line: 4, severity: 'error', message: 'cannot assign a BOOL value to `x`, which is INT' },
    ]);
  });

  it('reads every kind of line expectation, and does not take expect-error for one', () => {
    const e = expectationsOf('a -- warning: w\nb -- run-time error: r\nc -- note: n\n-- expect-error: e\n');
    expect(e.onLine.map((x) => `${x.line} ${x.severity}: ${x.message}`)).toEqual([
      '1 warning: w',
      '2 run-time error: r',
      '3 note: n',
    ]);
    expect(e.errors).toEqual(['e']);
  });
});

describe('judging standard error', () => {
  it('accepts a run that reports exactly what is listed', () => {
    expect(stderrMismatches(both, PATH, expectationsOf(program))).toEqual([]);
  });

  it('fails a diagnostic nobody listed', () => {
    const want = expectationsOf(program.replace(/-- expect-error: .*/, ''));
    expect(stderrMismatches(both, PATH, want)).toEqual([
      `not listed in the program's expectations: ${PATH}:5:10: error: \`y\` is not declared`,
    ]);
  });

  it('fails an expectation that is not there, at the end or on its line', () => {
    const first = both.split('\n').slice(0, 3).join('\n');
    expect(stderrMismatches(first, PATH, expectationsOf(program))).toEqual([
      'expected on standard error: err_demo.occ:5:10: error: `y` is not declared',
    ]);
    const moved = both.replace(`${PATH}:4:10`, `${PATH}:3:10`);
    expect(stderrMismatches(moved, PATH, expectationsOf(program))).toEqual([
      'expected on line 4: error: cannot assign a BOOL value to `x`, which is INT',
      `not listed in the program's expectations: ${PATH}:3:10: error: cannot assign a BOOL value to \`x\`, which is INT`,
    ]);
  });

  it('wants warnings, run-time errors and deadlocks listed too, but not notes or the lines of a report', () => {
    const stderr = [
      `${PATH}:2:7: warning: \`x\` is declared but never used`,
      `${PATH}:3:1: note: declared here`,
      'deadlock: no process can proceed (after 12 cycles)',
      `  ${PATH}:4:5: process on core (0, 0) waiting to output on channel \`c\``,
      '',
    ].join('\n');
    expect(stderrMismatches(stderr, PATH, expectationsOf(''))).toEqual([
      `not listed in the program's expectations: ${PATH}:2:7: warning: \`x\` is declared but never used`,
      "not listed in the program's expectations: deadlock: no process can proceed (after 12 cycles)",
    ]);
    const listed = expectationsOf('-- expect-error: never used\n-- expect-error: deadlock: no process can proceed\n');
    expect(stderrMismatches(stderr, PATH, listed)).toEqual([]);
  });

  it('matches a line expectation only in the program itself, with its severity and whole message', () => {
    const other = both.replaceAll(PATH, 'test/programs/x/inc/other.inc');
    expect(stderrMismatches(other, PATH, expectationsOf(program))).toContain(
      'expected on line 4: error: cannot assign a BOOL value to `x`, which is INT',
    );
    const warning = both.replace('4:10: error:', '4:10: warning:');
    expect(stderrMismatches(warning, PATH, expectationsOf(program))[0]).toBe(
      'expected on line 4: error: cannot assign a BOOL value to `x`, which is INT',
    );
    const truncated = expectationsOf(program.replace(', which is INT', ''));
    expect(stderrMismatches(both, PATH, truncated)[0]).toBe(
      'expected on line 4: error: cannot assign a BOOL value to `x`',
    );
  });
});
