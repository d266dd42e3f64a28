// A VALOF inside an expression and FUNCTION results of every shape: the layout of `(VALOF` lines, the parser's
// node, the checker's rules (no side effects, one result, results of a known size) and their messages.
import { describe, expect, it } from 'vitest';
import type { IToken } from 'chevrotain';
import { compileSource, lexSource } from '../../compiler/compile.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';

function layout(text: string): string {
  const diags = new Diagnostics();
  const tokens = lexSource(new SourceFile(0, 't.occ', text), diags);
  expect(diags.list.map((d) => d.message)).toEqual([]);
  const show = (t: IToken): string =>
    ['Name', 'DecimalLiteral'].includes(t.tokenType.name) ? t.image : t.tokenType.name;
  return tokens.map(show).join(' ');
}

function diagnostics(text: string): string[] {
  return compileSource('t.occ', text).diagnostics.map(
    (d) => `${d.span.line}:${d.span.col} ${d.severity}: ${d.message}`,
  );
}

const main = (body: string[], before: string[] = []): string =>
  [...before, 'PROC main (CHAN BYTE kyb?, scr!, err!)', '  INT a, b:', '  SEQ', '    a := 1', ...body, ':', ''].join(
    '\n',
  );

describe('layout of a VALOF in an expression', () => {
  it('lays out the lines under `(VALOF` from its column and ends them at the `)` line', () => {
    expect(layout(['x := (VALOF', '        SKIP', '        RESULT 1', '     ) + 2', ''].join('\n'))).toBe(
      'x Assign LParen VALOF NL INDENT SKIP NL RESULT 1 NL OUTDENT RParen Plus 2 NL',
    );
  });

  it('lays out specifications after `(` in the column of the first of them', () => {
    expect(layout(['x := (INT y:', '      VALOF', '        y := 1', '        RESULT y', '     )', ''].join('\n'))).toBe(
      'x Assign LParen INT y Colon NL VALOF NL INDENT y Assign 1 NL RESULT y NL OUTDENT RParen NL',
    );
  });

  it('ends the value process at a `)` on the RESULT line too', () => {
    expect(layout(['x := (VALOF', '        SKIP', '        RESULT 1)', 'y := 2', ''].join('\n'))).toBe(
      'x Assign LParen VALOF NL INDENT SKIP NL RESULT 1 NL OUTDENT RParen NL y Assign 2 NL',
    );
  });
});

describe('checker: VALOF in an expression', () => {
  it('accepts a value process that changes only its own names', () => {
    const body = [
      '    b := (INT k:',
      '          VALOF',
      '            k := a + 1',
      '            RESULT k',
      '         )',
    ];
    expect(diagnostics(main(body))).toEqual([]);
  });

  it('rejects side effects and several results, naming the VALOF', () => {
    expect(diagnostics(main(['    b := (VALOF', '            a := 2', '            RESULT a', '         )']))).toEqual([
      '6:13 error: a VALOF cannot change `a`, which is declared outside it',
    ]);
    expect(
      diagnostics(main(['    b := (VALOF', "            scr ! 'x'", '            RESULT a', '         )'])),
    ).toEqual(['6:13 error: a VALOF cannot contain output']);
    expect(diagnostics(main(['    b := (VALOF', '            SKIP', '            RESULT a, b', '         )']))).toEqual(
      ['7:23 error: a VALOF inside an expression gives one result, but this one gives 2'],
    );
  });

  it('keeps the declarations under VALOF out of the RESULT line, as occam scopes them', () => {
    const body = ['    b := (VALOF', '            INT k:', '            k := 1', '            RESULT k', '         )'];
    expect(diagnostics(main(body))).toEqual(['8:20 error: `k` is not declared']);
  });
});

describe('checker: FUNCTION results', () => {
  it('accepts any number of results of any fixed-size data type', () => {
    const defs = [
      'INT64, REAL64, INT, BOOL FUNCTION f (VAL INT a) IS INT64 a, REAL64 ROUND a, a, TRUE:',
      '[2][3]INT FUNCTION g () IS [[1, 2, 3], [4, 5, 6]]:',
    ];
    expect(diagnostics(main(['    b := a'], defs))).toEqual([]);
  });

  it('rejects results whose size is not known', () => {
    expect(diagnostics(main(['    SKIP'], ['[]INT FUNCTION f (VAL INT a) IS [a]:']))).toEqual([
      '1:1 error: a FUNCTION result must have a size known when the program is compiled, not []INT',
    ]);
  });
});
