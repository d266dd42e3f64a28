// What a program's image holds: only the PROCs and FUNCTIONs it calls (directly or through others), and each
// constant string once in the pool.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../compiler/compile.js';

const load = (p: string): string => readFileSync(p, 'latin1');

function compiled(file: string, text: string) {
  const r = compileSource(file, text, { loader: load });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.image!;
}

/** How many times `needle` occurs in `hay`. */
function occurrences(hay: Uint8Array, needle: string): number {
  const n = Buffer.from(needle, 'latin1');
  let count = 0;
  for (let i = Buffer.from(hay).indexOf(n); i >= 0; i = Buffer.from(hay).indexOf(n, i + 1)) count++;
  return count;
}

describe('linking', () => {
  it('links only the course library PROCs hello world calls', () => {
    const image = compiled('programs/hello_course.occ', load('programs/hello_course.occ'));
    expect(image.debug[0]!.procs.map((p) => p.name).sort()).toEqual(['hello.world', 'out.repeat', 'out.string']);
    expect(image.cores[0]!.code.length).toBeLessThan(200);
  });

  it('follows calls through PROCs and FUNCTIONs, and leaves out what nothing calls', () => {
    const text = [
      'INT FUNCTION twice (VAL INT x) IS 2 * x:',
      'PROC unused (CHAN BYTE out!)',
      '  out ! BYTE twice (1)',
      ':',
      'PROC put (VAL INT n, CHAN BYTE out!)',
      '  out ! BYTE twice (n)',
      ':',
      'PROC middle (CHAN BYTE out!)',
      '  put (33, out!)',
      ':',
      'PROC main (CHAN BYTE kyb?, scr!, err!)',
      '  middle (scr!)',
      ':',
    ].join('\n');
    const image = compiled('t.occ', text);
    expect(image.debug[0]!.procs.map((p) => p.name).sort()).toEqual(['main', 'middle', 'put', 'twice']);
  });

  it('stores the same string constant once', () => {
    const text = [
      'PROC main (CHAN BYTE kyb?, scr!, err!)',
      '  VAL []BYTE a IS "a string stored once":',
      '  VAL []BYTE b IS "a string stored once":',
      '  SEQ',
      '    SEQ i = 0 FOR SIZE a',
      '      scr ! a[i]',
      '    SEQ i = 0 FOR SIZE b',
      '      scr ! b[i]',
      '    SEQ i = 0 FOR SIZE "a string stored once"',
      '      scr ! "a string stored once"[i]',
      ':',
    ].join('\n');
    const image = compiled('t.occ', text);
    expect(occurrences(image.cores[0]!.code, 'a string stored once')).toBe(1);
  });
});
