// The hints for a name not in scope (compiler/checker/suggestions.ts): the edit distance, the near miss chosen
// from the names in scope and the course library, and the library to include.

import { describe, expect, it } from 'vitest';
import { Scope } from '../../compiler/checker/scope.js';
import { editDistance, unknownNameHint } from '../../compiler/checker/suggestions.js';
import type { Symbol } from '../../compiler/symbols.js';

const scopeWith = (...names: string[]): Scope => {
  const s = new Scope(null);
  for (const name of names) s.define({ kind: 'var', name } as unknown as Symbol);
  return s;
};

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps as one each', () => {
    expect(editDistance('out.strng', 'out.string')).toBe(1);
    expect(editDistance('count', 'cuont')).toBe(1);
    expect(editDistance('abc', 'xbd')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('unknownNameHint', () => {
  it('suggests a name in scope that is one slip away', () => {
    expect(unknownNameHint('cuont', scopeWith('count', 'x'))).toBe('did you mean `count`?');
  });
  it('suggests a course library name, saying where it is, when the library is not included', () => {
    expect(unknownNameHint('out.strng', scopeWith('x'))).toBe(
      'did you mean `out.string`? it is in the course library (#INCLUDE "course.module")',
    );
  });
  it('says to include the library for a library name used without it', () => {
    expect(unknownNameHint('out.string', scopeWith())).toContain('add #INCLUDE "course.module"');
  });
  it("names the standard library a routine is in, and leaves out the libraries' own helpers", () => {
    expect(unknownNameHint('STRINGTOINT', scopeWith())).toContain('add #INCLUDE "convert.module"');
    expect(unknownNameHint('DSIN', scopeWith())).toContain('add #INCLUDE "dblmath.module"');
    expect(unknownNameHint('string.pos', scopeWith())).toContain('add #INCLUDE "string.module"');
    expect(unknownNameHint('convert.parse', scopeWith()) ?? '').not.toContain('#INCLUDE "convert.module"');
  });
  it("says why file.module's file routines are missing, and where its argument routines are", () => {
    expect(unknownNameHint('file.open', scopeWith())).toContain('cores have no file system');
    expect(unknownNameHint('file.nth.arg', scopeWith())).toContain('add #INCLUDE "file.module"');
  });
  it('suggests nothing for a name far from every name', () => {
    expect(unknownNameHint('zebra', scopeWith('count'))).toBeUndefined();
  });
});
