// The preprocessor on its own: conditional compilation, directive errors, ##NAME substitution, #INCLUDE with
// files served from memory, and bad input.

import { describe, expect, it } from 'vitest';
import type { IToken } from 'chevrotain';
import { compileSource } from '../../compiler/compile.js';
import { lexSource } from '../../compiler/compile.js';
import { fileOf } from '../../compiler/origin.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';

/** Lex `main.occ` with the given in-memory files available to #INCLUDE. */
function run(
  text: string,
  files: Record<string, string> = {},
): { tokens: IToken[]; diags: Diagnostics; table: SourceFile[] } {
  const file = new SourceFile(0, 'main.occ', text);
  const diags = new Diagnostics();
  const table = [file];
  const tokens = lexSource(file, diags, { loader: (p) => files[p] ?? null, files: table });
  return { tokens, diags, table };
}

function show(t: IToken): string {
  return t.image === '' ? t.tokenType.name : t.image;
}

/** The tokens as text; fails if anything was reported. */
function kinds(text: string, files: Record<string, string> = {}): string {
  const { tokens, diags } = run(text, files);
  expect(diags.list.map((d) => `${d.span.file.path}:${d.span.line}:${d.span.col} ${d.message}`)).toEqual([]);
  return tokens.map(show).join(' ');
}

/** `path:line:col severity message` of every diagnostic. */
function reports(text: string, files: Record<string, string> = {}): string[] {
  return run(text, files)
    .diags.sorted()
    .map((d) => `${d.span.file.path}:${d.span.line}:${d.span.col} ${d.severity} ${d.message}`);
}

describe('conditional compilation', () => {
  it('keeps the branch whose condition holds', () => {
    expect(kinds('#IF TRUE\na\n#ELSE\nb\n#ENDIF\n')).toBe('a NL');
    expect(kinds('#IF FALSE\na\n#ELSE\nb\n#ENDIF\n')).toBe('b NL');
  });

  it('takes the first true #ELIF and only that one', () => {
    const src = '#IF FALSE\na\n#ELIF TRUE\nb\n#ELIF TRUE\nc\n#ELSE\nd\n#ENDIF\n';
    expect(kinds(src)).toBe('b NL');
  });

  it('tests DEFINED, NOT, AND and OR', () => {
    expect(kinds('#DEFINE X\n#IF DEFINED (X) AND NOT DEFINED (Y)\na\n#ENDIF\n')).toBe('a NL');
    expect(kinds('#IF DEFINED (Y) OR (NOT DEFINED (X))\na\n#ENDIF\n')).toBe('a NL');
    expect(kinds('#DEFINE X\n#UNDEF X\n#IF DEFINED (X)\na\n#ELSE\nb\n#ENDIF\n')).toBe('b NL');
  });

  it('compares numbers and strings', () => {
    expect(kinds('#IF TARGET.BITS.PER.WORD = 32\na\n#ENDIF\n')).toBe('a NL');
    // The occam-π features occ21 announces, which programs test before using them (KRoC's cgtest74 does).
    for (const name of ['EXTENDED.RENDEZVOUS', 'USER.DEFINED.OPERATORS', 'INITIAL.DECL']) {
      expect(kinds(`#IF DEFINED (${name})\na\n#ELSE\nb\n#ENDIF\n`), name).toBe('a NL');
    }
    expect(kinds('#IF DEFINED (MOBILE.DATA.TYPES)\na\n#ELSE\nb\n#ENDIF\n')).toBe('b NL');
    expect(kinds('#DEFINE N 5\n#IF (N > 4) AND (N <= 5) AND (N <> 6) AND (N >= #5) AND (N < 6)\na\n#ENDIF\n')).toBe(
      'a NL',
    );
    expect(kinds('#DEFINE S "abc"\n#IF (S = "abc") AND (S < "abd") AND (S <> "ab")\na\n#ENDIF\n')).toBe('a NL');
  });

  it('takes negative numbers', () => {
    expect(kinds('#DEFINE N -3\n#IF (N < 0) AND (N = -3)\na\n#ENDIF\n')).toBe('a NL');
  });

  it('evaluates lazily, so an undefined name behind a false AND is fine', () => {
    expect(kinds('#IF DEFINED (N) AND (N = 3)\na\n#ELSE\nb\n#ENDIF\n')).toBe('b NL');
  });

  it('does not evaluate conditions inside a branch that is skipped', () => {
    expect(kinds('#IF FALSE\n#IF NOPE = 1\na\n#ENDIF\n#ELSE\nb\n#ENDIF\n')).toBe('b NL');
  });

  it('does not lex the lines it skips', () => {
    expect(kinds('#IF FALSE\n{ not occam at all }\n#ENDIF\nx\n')).toBe('x NL');
  });

  it('keeps the lines and columns of the code after directives', () => {
    const { tokens } = run('#IF TRUE\n  x\n#ENDIF\n');
    expect(tokens.filter((t) => t.image === 'x').map((t) => [t.startLine, t.startColumn])).toEqual([[2, 3]]);
  });

  it('shifts a branch two columns left after #RELAX', () => {
    expect(kinds('SEQ\n  #IF TRUE\n  #RELAX\n    a\n  #ENDIF\n')).toBe('SEQ NL INDENT a NL OUTDENT');
  });
});

describe('directive errors', () => {
  const cases: [string, string][] = [
    ['#ENDIF\n', 'main.occ:1:1 error #ENDIF without a matching #IF'],
    ['#ELSE\n', 'main.occ:1:1 error #ELSE without a matching #IF'],
    ['#ELIF TRUE\n', 'main.occ:1:1 error #ELIF without a matching #IF'],
    ['#IF TRUE\nx\n', 'main.occ:1:1 error this #IF has no matching #ENDIF'],
    ['#IF TRUE\n#ELSE\n#ELSE\n#ENDIF\n', 'main.occ:3:1 error a second #ELSE for the same #IF'],
    ['#IF TRUE\n#ELSE\n#ELIF TRUE\n#ENDIF\n', 'main.occ:3:1 error #ELIF after #ELSE'],
    ['#IF\n#ENDIF\n', 'main.occ:1:4 error #IF needs a condition'],
    ['#IF X = 1\n#ENDIF\n', 'main.occ:1:5 error X is not defined'],
    ['#IF 1 = "1"\n#ENDIF\n', 'main.occ:1:5 error cannot compare a number with a string'],
    ['#IF TRUE AND FALSE OR TRUE\n#ENDIF\n', 'main.occ:1:20 error AND and OR are mixed without brackets'],
    ['#IF DEFINED X\n#ENDIF\n', 'main.occ:1:13 error expected `(` after DEFINED, found `X`'],
    ['#IF (TRUE\n#ENDIF\n', 'main.occ:1:10 error expected `)` to close the bracket, found the end of the line'],
    ['#IF TRUE FALSE\n#ENDIF\n', 'main.occ:1:10 error unexpected `FALSE` after the condition'],
    ['#IF X\n#ENDIF\n', 'main.occ:1:5 error `X` is not a condition'],
    ['#IF TRUE\n#ENDIF x\n', 'main.occ:2:8 error unexpected `x` after #ENDIF'],
    ['#DEFINE 3\n', 'main.occ:1:9 error #DEFINE needs a name'],
    ['#DEFINE X Y\n', 'main.occ:1:11 error the value of #DEFINE X must be a number or a string'],
    ['#DEFINE X\n#DEFINE X\n', 'main.occ:2:9 error X is already defined'],
    ['#DEFINE TARGET.BITS.PER.WORD 64\n', 'main.occ:1:9 error TARGET.BITS.PER.WORD is already defined'],
    ['#UNDEF\n', 'main.occ:1:7 error #UNDEF needs the name to forget'],
    ['#RELAX\n', 'main.occ:1:1 error #RELAX is only allowed between #IF and #ENDIF'],
    ['#ERROR this target is not supported\n', 'main.occ:1:1 error this target is not supported'],
    ['#WARNING untested\n', 'main.occ:1:1 warning untested'],
    ['#PRAGMA LINKAGE x\n', 'main.occ:1:1 warning #PRAGMA is ignored'],
    ['#COMMENT "made by hand"\n', 'main.occ:1:1 warning #COMMENT is ignored'],
    ['#OPTION "E"\n', 'main.occ:1:1 warning #OPTION is ignored'],
    ['#INCLUDE x.inc\n', 'main.occ:1:10 error #INCLUDE needs a file name in double quotes'],
    ['#INCLUDE "a" "b"\n', 'main.occ:1:14 error #INCLUDE takes one file name; remove what follows it'],
    ['#INCLUDE "none.inc"\n', 'main.occ:1:10 error cannot find the file "none.inc"'],
    ['x := ##NOPE\n', 'main.occ:1:6 error NOPE is not defined'],
    ['#IF 1 ? 2\n#ENDIF\n', 'main.occ:1:7 error unexpected character `?` in a directive'],
  ];
  for (const [src, expected] of cases) {
    it(`reports ${expected.replace(/^\S+ \S+ /, '')}`, () => {
      expect(reports(src)).toEqual([expected]);
    });
  }

  it('ignores directives in skipped branches, except the ones that nest', () => {
    expect(
      reports('#IF FALSE\n#ERROR no\n#INCLUDE "none.inc"\n#DEFINE X 1\n#ENDIF\n#IF DEFINED (X)\n#ERROR yes\n#ENDIF\n'),
    ).toEqual([]);
  });
});

describe('##NAME substitution', () => {
  it('puts a number or a string where the name stands', () => {
    const { tokens } = run('#DEFINE N 7\n#DEFINE S "hi"\nx := ##N + ##TARGET.BITS.PER.WORD\ns := ##S\n');
    const lits = tokens.filter((t) => t.image.startsWith('##'));
    expect(lits.map((t) => [t.tokenType.name, t.payload])).toEqual([
      ['DecimalLiteral', 7n],
      ['DecimalLiteral', 32n],
      ['StringLiteral', Uint8Array.from([104, 105])],
    ]);
    expect(tokens.map(show).join(' ')).toBe('x := ##N + ##TARGET.BITS.PER.WORD NL s := ##S NL');
  });

  it('leaves ## alone inside strings and comments', () => {
    expect(kinds('s := "##N" -- ##N\n')).toBe('s := "##N" NL');
  });

  it('knows the line it is on', () => {
    const { tokens } = run('\n\nx := ##LINE\n');
    expect(tokens.find((t) => t.image === '##LINE')!.payload).toBe(3n);
  });
});

describe('#INCLUDE', () => {
  it('splices the file in, laid out at the column of the directive', () => {
    const files = { 'defs.inc': 'VAL INT a IS 1:\nVAL INT b IS 2:\n' };
    expect(kinds('PROC p ()\n  #INCLUDE "defs.inc"\n  SKIP\n:\n', files)).toBe(
      'PROC p ( ) NL INDENT VAL INT a IS 1 : NL VAL INT b IS 2 : NL SKIP NL OUTDENT : NL',
    );
  });

  it('records the included file in the file table and on its tokens', () => {
    const { tokens, table } = run('#INCLUDE "sub/a.inc"\n', { 'sub/a.inc': 'VAL INT a IS 1:\n' });
    expect(table.map((f) => [f.id, f.path])).toEqual([
      [0, 'main.occ'],
      [1, 'sub/a.inc'],
    ]);
    const a = tokens.find((t) => t.image === 'a')!;
    expect(fileOf(a, table[0]!).path).toBe('sub/a.inc');
  });

  it("resolves nested includes from the including file's folder", () => {
    const files = {
      'sub/a.inc': '#INCLUDE "b.inc"\n',
      'sub/b.inc': '#INCLUDE "../c.inc"\n',
      'c.inc': 'VAL INT c IS 3:\n',
    };
    expect(kinds('#INCLUDE "sub/a.inc"\n', files)).toBe('VAL INT c IS 3 : NL');
  });

  it('reports a cycle at the directive that closes it', () => {
    const files = { 'a.inc': '#INCLUDE "b.inc"\n', 'b.inc': '\n#INCLUDE "a.inc"\n' };
    expect(reports('#INCLUDE "a.inc"\n', files)).toEqual([
      'b.inc:2:10 error "a.inc" includes itself: a.inc -> b.inc -> a.inc',
    ]);
  });

  it('reports errors in an included file at its own lines', () => {
    const files = { 'bad.inc': '\n  x\n#ENDIF\n' };
    // `  x` sits 2 columns into the file, which is laid out at the directive's column: 4 in all, under SEQ at 0.
    expect(reports('SEQ\n  #INCLUDE "bad.inc"\n', files)).toEqual([
      'bad.inc:2:3 error this line is indented 4 spaces more than the line above; each level is 2 spaces',
      'bad.inc:3:1 error #ENDIF without a matching #IF',
    ]);
  });

  it('keeps conditionals inside one file', () => {
    const files = { 'open.inc': '#IF TRUE\n' };
    expect(reports('#INCLUDE "open.inc"\n#ENDIF\n', files)).toEqual([
      'main.occ:2:1 error #ENDIF without a matching #IF',
      'open.inc:1:1 error this #IF has no matching #ENDIF',
    ]);
  });

  it('reads a #USE library once, however often it is named', () => {
    const files = { 'lib.inc': 'VAL INT v IS 1:\n' };
    expect(kinds('#USE "lib.inc"\n#USE "lib.inc"\n', files)).toBe('VAL INT v IS 1 : NL');
  });

  it('prefers the bundled library for #USE, and a file beside the program for #INCLUDE', () => {
    const files = { 'course.lib': 'not occam at all\n', 'course.module': 'VAL INT mine IS 1:\n' };
    expect(run('#USE "course.lib"\n', files).table[1]!.path).toMatch(/lib\/course\.module$/);
    expect(kinds('#INCLUDE "course.module"\n', files)).toBe('VAL INT mine IS 1 : NL');
  });

  it('finds the bundled course library under all its names', () => {
    for (const how of ['#INCLUDE "course.module"', '#USE "course"', '#USE "course.lib"']) {
      const { diags, table } = run(`${how}\n`);
      expect(diags.errorCount, how).toBe(0);
      expect(table[1]!.path).toMatch(/lib\/course\.module$/);
    }
  });
});

describe('compileSource with a file loader', () => {
  it('puts every file in the image, so run-time errors can name them', () => {
    const files: Record<string, string> = { 'inc/k.inc': 'VAL INT k IS 7:\n' };
    const src = '#INCLUDE "inc/k.inc"\nPROC main (CHAN BYTE out!)\n  out ! BYTE k\n:\n';
    const result = compileSource('main.occ', src, { loader: (p) => files[p] ?? null });
    expect(result.diagnostics).toEqual([]);
    expect(result.image!.files.map((f) => f.path)).toEqual(['main.occ', 'inc/k.inc']);
  });

  it('says so when there is no loader', () => {
    const result = compileSource('main.occ', '#INCLUDE "x.inc"\nPROC main (CHAN BYTE out!)\n  SKIP\n:\n');
    expect(result.image).toBeNull();
    expect(result.diagnostics.map((d) => d.message)).toEqual(['cannot find the file "x.inc"']);
  });
});

describe('bad input', () => {
  it('never throws on random mixtures of directives and code', () => {
    const frags = [
      '#IF',
      '#ELIF',
      '#ELSE',
      '#ENDIF',
      '#DEFINE',
      '#UNDEF',
      '#INCLUDE',
      '#USE',
      '#RELAX',
      '#ERROR',
      '#PRAGMA',
      ' DEFINED',
      ' (',
      ')',
      ' X',
      ' "a.inc"',
      ' "course.module"',
      ' =',
      ' <>',
      ' 3',
      ' -',
      ' AND',
      ' OR',
      ' NOT',
      ' TRUE',
      ' ##X',
      '"',
      ' *',
      '  ',
      'SEQ',
      '  SKIP',
      'PROC p ()',
      ':',
      '--c',
    ];
    const files: Record<string, string> = {
      'a.inc': '#INCLUDE "b.inc"\nVAL INT q IS 1:\n',
      'b.inc': '#IF DEFINED (Q)\n#INCLUDE "a.inc"\n#ENDIF\n',
    };
    let seed = 1;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 500; k++) {
      const lines: string[] = [];
      for (let i = 1 + rnd(8); i > 0; i--) {
        let line = ' '.repeat(rnd(3) * 2);
        for (let j = 1 + rnd(5); j > 0; j--) line += frags[rnd(frags.length)];
        lines.push(line);
      }
      const src = lines.join(rnd(2) ? '\n' : '\r\n');
      expect(() => compileSource('m.occ', src, { loader: (p) => files[p] ?? null }), src).not.toThrow();
    }
  });
});
