// The lexer on its own: token definitions, the layout pass (NL, INDENT, OUTDENT), continuation lines, indentation
// errors, literal values, names and keywords, and directive lines.

import { describe, expect, it } from 'vitest';
import type { IToken } from 'chevrotain';
import { lexSource } from '../../compiler/compile.js';
import { checkTokens } from '../../compiler/lexer.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';

function run(text: string): { tokens: IToken[]; diags: Diagnostics; file: SourceFile } {
  const file = new SourceFile(0, 't.occ', text);
  const diags = new Diagnostics();
  return { tokens: lexSource(file, diags), diags, file };
}

/** Token kinds in one string: names and literals by their text, everything else by token type name. */
function kinds(text: string): string {
  const { tokens, diags } = run(text);
  expect(diags.list.map((d) => d.message)).toEqual([]);
  return tokens.map(show).join(' ');
}

function show(t: IToken): string {
  switch (t.tokenType.name) {
    case 'Name':
    case 'DecimalLiteral':
    case 'HexLiteral':
    case 'RealLiteral':
    case 'ByteLiteral':
    case 'StringLiteral':
      return t.image;
    default:
      return t.tokenType.name;
  }
}

function errors(text: string): { message: string; line: number; col: number; hint?: string }[] {
  return run(text).diags.list.map((d) => ({ message: d.message, line: d.span.line, col: d.span.col, hint: d.hint }));
}

function payload(text: string): unknown {
  const { tokens } = run(text);
  return tokens[0]!.payload;
}

describe('token definitions', () => {
  it('pass chevrotain validation', () => {
    expect(checkTokens()).toEqual([]);
  });
});

describe('layout', () => {
  it('ends every line with NL and brackets nested blocks with INDENT/OUTDENT', () => {
    const src = ['PROC p ()', '  SEQ', '    x := 1', '    PAR', '      SKIP', '      STOP', '  SKIP', ':', ''].join(
      '\n',
    );
    expect(kinds(src)).toBe(
      'PROC p LParen RParen NL INDENT SEQ NL INDENT x Assign 1 NL PAR NL INDENT SKIP NL STOP NL OUTDENT OUTDENT ' +
        'SKIP NL OUTDENT Colon NL',
    );
  });

  it('closes all open blocks at the end of the file', () => {
    expect(kinds('SEQ\n  SEQ\n    SKIP')).toBe('SEQ NL INDENT SEQ NL INDENT SKIP NL OUTDENT OUTDENT');
  });

  it('returns nothing for an empty or comment-only file', () => {
    expect(kinds('')).toBe('');
    expect(kinds('-- just a comment\n\n   \n')).toBe('');
  });

  it('ignores blank and comment-only lines, wherever they are indented', () => {
    const src = 'SEQ\n\n  -- first\n        -- deep comment\n  SKIP\n-- shallow comment\n  SKIP\n';
    expect(kinds(src)).toBe('SEQ NL INDENT SKIP NL SKIP NL OUTDENT');
  });

  it('drops comments at the end of a line, and `--` right after a name starts a comment', () => {
    expect(kinds('x := a--1\n')).toBe('x Assign a NL');
    expect(kinds('SKIP -- done\n')).toBe('SKIP NL');
  });

  it('gives synthetic tokens real positions', () => {
    const { tokens } = run('SEQ\n  x := 1\nSKIP\n');
    const nl = tokens[1]!;
    expect(nl.tokenType.name).toBe('NL');
    expect([nl.startLine, nl.startColumn, nl.startOffset]).toEqual([1, 4, 3]);
    const indent = tokens[2]!;
    expect(indent.tokenType.name).toBe('INDENT');
    expect([indent.startLine, indent.startColumn]).toEqual([2, 3]);
    const outdent = tokens.find((t) => t.tokenType.name === 'OUTDENT')!;
    expect([outdent.startLine, outdent.startColumn]).toEqual([3, 1]);
  });

  it('records line and column on every real token', () => {
    const { tokens } = run('SEQ\n  x := 10\n');
    const ten = tokens.find((t) => t.image === '10')!;
    expect([ten.startLine, ten.startColumn, ten.endLine, ten.endColumn]).toEqual([2, 8, 2, 9]);
  });

  it('handles CRLF line endings', () => {
    expect(kinds('SEQ\r\n  SKIP\r\n  x := 1 -- c\r\n')).toBe('SEQ NL INDENT SKIP NL x Assign 1 NL OUTDENT');
  });

  it('expands leading tabs to the next multiple of 8 (as occ21 does)', () => {
    // A tab is 8 columns, so under a line indented 6 spaces a tab is one level (+2) deeper.
    expect(kinds('SEQ\n  SEQ\n    SEQ\n      SEQ\n\tSKIP\n')).toBe(
      'SEQ NL INDENT SEQ NL INDENT SEQ NL INDENT SEQ NL INDENT SKIP NL OUTDENT OUTDENT OUTDENT OUTDENT',
    );
    const errs = errors('SEQ\n\tSKIP\n');
    expect(errs).toHaveLength(1);
    expect(errs[0]!.message).toMatch(/indented 8 spaces more/);
    expect(errs[0]!.hint).toMatch(/tabs/);
  });
});

describe('continuation lines', () => {
  it('joins a line that ends with an operator, `,`, `;`, `:=` or IS to the next, with no layout tokens', () => {
    expect(kinds('area := (w * h) +\n        (b * 2)\n')).toBe(
      'area Assign LParen w Times h RParen Plus LParen b Times 2 RParen NL',
    );
    expect(kinds('p (a,\n   b)\n')).toBe('p LParen a Comma b RParen NL');
    expect(kinds('c ! x;\n  y\n')).toBe('c Bang x Semicolon y NL');
    expect(kinds('x :=\n  1\n')).toBe('x Assign 1 NL');
    expect(kinds('VAL INT n IS\n  5:\n')).toBe('VAL INT n IS 5 Colon NL');
    expect(kinds('ok := a AND\n      b\n')).toBe('ok Assign a AND b NL');
    expect(kinds('SEQ i = 0 FOR\n      n\n  SKIP\n')).toBe('SEQ i Equal 0 FOR n NL INDENT SKIP NL OUTDENT');
  });

  it('also continues after monadic operators and SIZE (as occ21 and Tock do)', () => {
    expect(kinds('x := NOT\n  b\n')).toBe('x Assign NOT b NL');
    expect(kinds('n := SIZE\n  a\n')).toBe('n Assign SIZE a NL');
  });

  it('allows comment lines between the pieces, and any deeper column', () => {
    expect(kinds('SEQ\n  x := a +\n  -- note\n             b\n  SKIP\n')).toBe(
      'SEQ NL INDENT x Assign a Plus b NL SKIP NL OUTDENT',
    );
  });

  it('measures the next line against the statement, not the continuation', () => {
    expect(kinds('SEQ\n  x := a +\n          b\n  y := 2\n')).toBe(
      'SEQ NL INDENT x Assign a Plus b NL y Assign 2 NL OUTDENT',
    );
  });

  it('does not continue a statement onto a line indented less than it (the parser reports the unfinished line)', () => {
    expect(kinds('SEQ\n  x := a +\nSKIP\n')).toBe('SEQ NL INDENT x Assign a Plus NL OUTDENT SKIP NL');
  });

  it('does not treat a break before an operator as a continuation', () => {
    const errs = errors('SEQ\n  x := (a * b)\n          + c\n');
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ line: 3, col: 11 });
    expect(errs[0]!.hint).toMatch(/break it after the operator/);
  });
});

describe('indentation errors', () => {
  it('reports a jump of 4 with line, column and a hint, and still opens one block', () => {
    const { tokens, diags } = run('SEQ\n      SKIP\n');
    expect(diags.list).toHaveLength(1);
    const d = diags.list[0]!;
    expect(d.message).toBe('this line is indented 6 spaces more than the line above; each level is 2 spaces');
    expect([d.span.line, d.span.col]).toEqual([2, 7]);
    expect(d.hint).toBeTruthy();
    expect(tokens.map(show).join(' ')).toBe('SEQ NL INDENT SKIP NL OUTDENT');
  });

  it('reports an odd step', () => {
    const errs = errors('SEQ\n  SKIP\n   SKIP\n');
    expect(errs).toEqual([
      expect.objectContaining({ line: 3, col: 4, message: expect.stringMatching(/indented 1 space more/) }),
    ]);
  });

  it('reports an outdent to a column that matches no enclosing line', () => {
    const errs = errors('SEQ\n  SEQ\n    SKIP\n   SKIP\n');
    expect(errs).toEqual([
      expect.objectContaining({ line: 4, col: 4, message: expect.stringMatching(/does not line up/) }),
    ]);
  });

  it('reports each badly indented line once and keeps INDENT/OUTDENT balanced', () => {
    const { tokens, diags } = run('SEQ\n   a := 1\n   b := 2\n      c := 3\n  d := 4\nSKIP\n');
    // Line 5 is at column 2, but the block it would close was opened at column 3.
    expect(diags.list.map((d) => d.span.line)).toEqual([2, 4, 5]);
    let depth = 0;
    for (const t of tokens) {
      if (t.tokenType.name === 'INDENT') depth++;
      if (t.tokenType.name === 'OUTDENT') depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
  });
});

describe('literals', () => {
  it('decodes decimal and hex integers as bigint', () => {
    expect(payload('12345678901234567890')).toBe(12345678901234567890n);
    expect(payload('#7F')).toBe(0x7fn);
    expect(payload('#FFFFFFFF')).toBe(0xffffffffn);
    expect(kinds('#FF(BYTE)')).toBe('#FF LParen BYTE RParen NL');
  });

  it('rejects lower-case hex digits clearly', () => {
    const errs = errors('x := #ff\n');
    expect(errs).toEqual([
      expect.objectContaining({ line: 1, col: 6, message: 'hex digits must be upper case: write #FF' }),
    ]);
  });

  it('decodes reals and explains malformed ones', () => {
    expect(payload('2.5E+3')).toEqual({ text: '2.5E+3', value: 2500 });
    expect(payload('0.125')).toEqual({ text: '0.125', value: 0.125 });
    expect(errors('1.')[0]).toMatchObject({ message: 'a real number needs digits after the point', hint: 'write 1.0' });
    expect(errors('2.0E3')[0]).toMatchObject({
      message: 'the exponent of a real number needs a sign',
      hint: 'write 2.0E+3',
    });
    expect(errors('2.0e+3')[0]).toMatchObject({ message: 'the exponent of a real number is written with a capital E' });
  });

  it('decodes character literals with every escape, in both cases', () => {
    const cases: [string, number][] = [
      ["'a'", 97],
      ["' '", 32],
      ["'*c'", 13],
      ["'*C'", 13],
      ["'*n'", 10],
      ["'*N'", 10],
      ["'*t'", 9],
      ["'*T'", 9],
      ["'*s'", 32],
      ["'*S'", 32],
      ["'*''", 39],
      ["'*\"'", 34],
      ["'**'", 42],
      ["'*#41'", 65],
      ["'*#FF'", 255],
      ["'\"'", 34],
      ["'-'", 45],
    ];
    for (const [src, value] of cases) {
      const { tokens, diags } = run(src);
      expect(diags.list, src).toEqual([]);
      expect(tokens[0]!.tokenType.name, src).toBe('ByteLiteral');
      expect(tokens[0]!.payload, src).toBe(value);
    }
  });

  it('reports bad character literals', () => {
    expect(errors("x := ''")[0]!.message).toBe('empty character literal');
    expect(errors("x := 'ab'")[0]!.message).toBe('a character literal holds exactly one character');
    expect(errors("x := 'a")[0]!.message).toBe('this character literal is not closed');
    expect(errors("x := '*q'")[0]).toMatchObject({ message: 'unknown escape `*q`', col: 7 });
    expect(errors("x := '*#4'")[0]!.message).toBe('`*#` must be followed by two hex digits');
    expect(errors("x := '*#ff'")[0]!.message).toBe('hex digits must be upper case: write *#FF');
  });

  it('decodes strings with escapes', () => {
    const bytes = payload('"she said *"hi*"*c*n ** *#41*s*t*\'"') as Uint8Array;
    expect(Buffer.from(bytes).toString('latin1')).toBe('she said "hi"\r\n * A \t\'');
    expect(payload('""')).toEqual(new Uint8Array(0));
    expect(Buffer.from(payload('"a -- not a comment"') as Uint8Array).toString()).toBe('a -- not a comment');
  });

  it('encodes non-ASCII text in strings as UTF-8', () => {
    expect(Array.from(payload('"é"') as Uint8Array)).toEqual([0xc3, 0xa9]);
  });

  it('continues a string across lines with `*` at the end and `*` at the start', () => {
    const src = 'banner := "first part, *\n          *second part"\n';
    const { tokens, diags } = run(src);
    expect(diags.list).toEqual([]);
    expect(tokens.map(show)).toEqual(['banner', 'Assign', '"first part, *\n          *second part"', 'NL']);
    expect(Buffer.from(tokens[2]!.payload as Uint8Array).toString()).toBe('first part, second part');
    expect([tokens[3]!.startLine]).toEqual([2]);
  });

  it('lets comment lines sit inside a string continuation', () => {
    const { tokens, diags } = run('s := "ab*\n  -- note\n     *cd"\nSKIP\n');
    expect(diags.list).toEqual([]);
    expect(Buffer.from(tokens[2]!.payload as Uint8Array).toString()).toBe('abcd');
    expect(tokens.map(show).slice(3)).toEqual(['NL', 'SKIP', 'NL']);
  });

  it('rejects a string continuation indented less than the statement', () => {
    const errs = errors('SEQ\n  s := "ab*\n *cd"\n');
    expect(errs).toEqual([
      expect.objectContaining({ line: 3, col: 2, message: expect.stringMatching(/string continuation/) }),
    ]);
  });

  it('reports an unterminated string at its start and goes on with the next line', () => {
    const { tokens, diags } = run('SEQ\n  s := "abc\n  SKIP\n');
    expect(diags.list.map((d) => [d.message, d.span.line, d.span.col])).toEqual([['this string is not closed', 2, 8]]);
    expect(tokens.map((t) => t.tokenType.name)).toContain('SKIP');
    expect(errors('s := "abc*"')[0]!.hint).toMatch(/escaped quote/);
    expect(errors('s := "abc*\nx := 1')[0]!.hint).toMatch(/next line starts with `\*`/);
  });

  it('reports unknown escapes in strings at the escape', () => {
    expect(errors('s := "ab*qc"')).toEqual([
      expect.objectContaining({ message: 'unknown escape `*q`', line: 1, col: 9 }),
    ]);
  });
});

describe('names, keywords and symbols', () => {
  it('reads dotted names and keeps longer names that start with a keyword', () => {
    expect(kinds('out.string INT.size SEQ2 seq Par INTEGER INT16 INT')).toBe(
      'out.string INT.size SEQ2 seq Par INTEGER INT16 INT NL',
    );
  });

  it('knows the occam-π words used in teaching code', () => {
    expect(kinds('INITIAL RESULT STEP REC RECURSIVE SHARED CLAIM')).toBe(
      'INITIAL RESULT STEP REC RECURSIVE SHARED CLAIM NL',
    );
  });

  it('prefers the longer symbol', () => {
    expect(kinds(':: := : <> <= << < >= >> >< > /\\ / \\/ \\ ?? ? ! - + * = ~ & ( ) [ ] , ; |')).toBe(
      'CountedSep Assign Colon NotEqual LessEqual ShiftLeft Less GreaterEqual ShiftRight Xor Greater BitAndSym ' +
        'Divide BitOrSym Remainder DoubleQuery Query Bang Minus Plus Times Equal BitNotSym Ampersand LParen RParen ' +
        'LBracket RBracket Comma Semicolon Bar NL',
    );
  });

  it('reports `_` in names and unexpected characters, and keeps going', () => {
    const { tokens, diags } = run('my_name := 1 ` 2\n');
    expect(diags.list.map((d) => [d.message, d.span.col])).toEqual([
      ['`_` is not allowed in occam names', 1],
      ['unexpected character ```', 14],
    ]);
    expect(diags.list[0]!.hint).toMatch(/my\.name/);
    expect(tokens.map(show).join(' ')).toBe('my_name Assign 1 2 NL');
  });
});

describe('preprocessor directives', () => {
  it('leaves no trace of directive lines in the token stream', () => {
    const { tokens, diags } = run('#DEFINE X 1\n#IF DEFINED (X)\nPROC p ()\n#ENDIF\n');
    expect(diags.list).toEqual([]);
    expect(tokens.map((t) => t.tokenType.name)).toEqual(['PROC', 'Name', 'LParen', 'RParen', 'NL']);
  });

  it('drops #PRAGMA, #COMMENT and #OPTION with a warning, except the usage pragmas the checker reads', () => {
    const { tokens, diags } = run('#PRAGMA SHARED x\n#PRAGMA DEFINED y\n#COMMENT "hi"\nSKIP\n');
    expect(tokens.map(show).join(' ')).toBe('SKIP NL');
    expect(diags.list.map((d) => [d.severity, d.span.line, d.message])).toEqual([
      ['warning', 2, '#PRAGMA is ignored'],
      ['warning', 3, '#COMMENT is ignored'],
    ]);
  });

  it('tells a hex literal from a directive by position', () => {
    expect(kinds('x := #DEF\n')).toBe('x Assign #DEF NL');
  });
});
