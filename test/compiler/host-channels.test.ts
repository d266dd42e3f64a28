// Which host channel each parameter of the program's PROC is (compiler/checker/host-channels.ts and mainRoles):
// KRoC's rule, by direction or by use, whatever the names.

import { describe, expect, it } from 'vitest';
import { parseSource } from '../../compiler/compile.js';
import { check, type HostRole } from '../../compiler/checker/index.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';

/** The roles of main's parameters, or the error messages. */
function roles(text: string): readonly HostRole[] | string[] {
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 'main.occ', text), diags);
  const checked = diags.errorCount === 0 ? check(program, diags) : null;
  const errors = diags.list.filter((d) => d.severity === 'error').map((d) => d.message);
  return checked && errors.length === 0 ? checked.mainRoles : errors;
}

describe("the program's channels", () => {
  it('are keyboard, screen and error for the usual three', () => {
    expect(roles('PROC main (CHAN BYTE kyb?, scr!, err!)\n  scr ! 0\n:\n')).toEqual(['keyboard', 'screen', 'error']);
  });
  it('take the first output as the screen, whatever its name', () => {
    expect(roles('PROC main (CHAN BYTE err!)\n  err ! 0\n:\n')).toEqual(['screen']);
    expect(roles('PROC main (CHAN BYTE err!, out!)\n  SKIP\n:\n')).toEqual(['screen', 'error']);
  });
  it("read an undecorated channel's direction from the body, through the PROCs it is passed to", () => {
    const text =
      'PROC put (CHAN BYTE c!)\n  c ! 0\n:\n' +
      'PROC main (CHAN OF BYTE screen, keyboard, error)\n  BYTE b:\n  SEQ\n    keyboard ? b\n    put (screen)\n:\n';
    expect(roles(text)).toEqual(['screen', 'keyboard', 'error']);
  });
  it('follow a channel into a PROC whose parameter has no direction either (occam 2)', () => {
    const text =
      'PROC put (CHAN OF BYTE c)\n  c ! 0\n:\nPROC relay (CHAN OF BYTE d)\n  put (d)\n:\n' +
      'PROC main (CHAN OF BYTE screen)\n  relay (screen)\n:\n';
    expect(roles(text)).toEqual(['screen']);
  });
  it('give an unused parameter a role nobody else has', () => {
    expect(roles('PROC main (CHAN BYTE a, b!)\n  b ! 0\n:\n')).toEqual(['keyboard', 'screen']);
  });
  it('refuse a second input and a third output', () => {
    expect(roles('PROC main (CHAN BYTE a?, b?)\n  SKIP\n:\n')[0]).toContain('a second input channel `b`');
    expect(roles('PROC main (CHAN BYTE a!, b!, c!)\n  SKIP\n:\n')[0]).toContain('a third output channel `c`');
  });
});
