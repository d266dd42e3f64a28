// RECORD types, BYTESIN and OFFSETOF: the parser's nodes, the layout the checker gives a RECORD (occ21's), and the
// checker's rules for field selection, record literals and PACKED RECORDs, with their messages.
import { describe, expect, it } from 'vitest';
import type { ProcDef, Process, Spec } from '../../compiler/ast.js';
import { compileSource, parseSource } from '../../compiler/compile.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';

function parseOk(text: string): { specs: readonly Spec[] } {
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 't.occ', text), diags);
  expect(diags.list.map((d) => d.message)).toEqual([]);
  return program;
}

/** Diagnostics of a whole program as `line:col severity: message`. */
function diagnostics(text: string): string[] {
  return compileSource('t.occ', text).diagnostics.map(
    (d) => `${d.span.line}:${d.span.col} ${d.severity}: ${d.message}`,
  );
}

/** A program with the given declarations at the top and the given lines in its body (a SEQ). */
function program(decls: string[], body: string[]): string {
  return [
    ...decls,
    'PROC main (CHAN BYTE kyb?, scr!, err!)',
    '  INT n:',
    '  SEQ',
    ...body.map((b) => `    ${b}`),
    ':',
    '',
  ].join('\n');
}

const POINT = ['DATA TYPE POINT', '  RECORD', '    INT x, y:', '    BYTE tag:', ':'];
const BOX = [
  'DATA TYPE BOX',
  '  RECORD',
  '    POINT lo, hi:',
  '    [3]INT16 extra:',
  '    REAL64 weight:',
  '    INT64 big:',
  ':',
];

describe('parser: RECORD types, BYTESIN, OFFSETOF', () => {
  it('parses RECORD and PACKED RECORD bodies of DATA TYPE', () => {
    const p = parseOk(
      ['DATA TYPE P', '  PACKED RECORD', '    INT a, b:', '    [2]BYTE c :', ':', ...POINT, ''].join('\n'),
    );
    const packed = p.specs[0]!;
    if (packed.kind !== 'datatype' || packed.type.kind !== 'record') throw new Error('not a record');
    expect(packed.type.packed).toBe(true);
    expect(packed.type.fields.map((f) => f.names.map((n) => n.name))).toEqual([['a', 'b'], ['c']]);
    expect(packed.type.fields[1]!.type.kind).toBe('array');
    const plain = p.specs[1]!;
    expect(plain.kind === 'datatype' && plain.type.kind === 'record' && plain.type.packed).toBe(false);
  });

  it('parses BYTESIN of a type and of an expression, and OFFSETOF', () => {
    const p = parseOk(
      ['PROC p ()', '  n := (BYTESIN ([2]INT) + BYTESIN (a[1])) + OFFSETOF (POINT, x)', ':', ''].join('\n'),
    );
    const body = (p.specs[0] as ProcDef).body as Extract<Process, { kind: 'assign' }>;
    const sum = body.values[0]!;
    if (sum.kind !== 'dyadic' || sum.left.kind !== 'dyadic') throw new Error('shape');
    const [a, b] = [sum.left.left, sum.left.right];
    expect(a.kind === 'bytesin' && a.target?.kind).toBe('array');
    expect(b.kind === 'bytesin' && b.operand?.kind).toBe('subscript');
    expect(sum.right.kind === 'offsetof' && sum.right.field.name).toBe('x');
  });

  it('parses a record literal decorated with its type', () => {
    const p = parseOk(['PROC p ()', "  q := [1, 2, 'a'](POINT)", ':', ''].join('\n'));
    const body = (p.specs[0] as ProcDef).body as Extract<Process, { kind: 'assign' }>;
    const lit = body.values[0]!;
    expect(lit.kind === 'table' && lit.decoration?.kind).toBe('named');
    expect(lit.kind === 'table' && lit.elems.length).toBe(3);
  });
});

describe('checker: RECORD layout', () => {
  /** The diagnostics of a program whose only error is the (wrong) constant it asserts, so none means equal. */
  function layout(decls: string[], facts: [string, number][]): string[] {
    // `[e]BYTE v:` needs e to be a constant; `VAL [k]BYTE w RETYPES v:` needs e = k.
    const body = facts.flatMap(([e, k], i) => [`[${e}]BYTE v${i}:`, `VAL [${k}]BYTE w${i} RETYPES v${i}:`]);
    return diagnostics(program(decls, [...body, 'SKIP'])).filter((d) => d.includes('error'));
  }

  it('puts the fields smallest first, each on its alignment, the whole in words', () => {
    expect(
      layout(POINT, [
        ['OFFSETOF (POINT, tag)', 0],
        ['OFFSETOF (POINT, x)', 4],
        ['OFFSETOF (POINT, y)', 8],
        ['BYTESIN (POINT)', 12],
      ]),
    ).toEqual([]);
  });

  it('puts elements larger than a word on a multiple of two words (KRoC: BOX is 52 bytes)', () => {
    expect(
      layout(
        [...POINT, ...BOX],
        [
          ['OFFSETOF (BOX, extra)', 0],
          ['OFFSETOF (BOX, weight)', 8],
          ['OFFSETOF (BOX, big)', 16],
          ['OFFSETOF (BOX, lo)', 24],
          ['OFFSETOF (BOX, hi)', 40],
          ['BYTESIN (BOX)', 52],
        ],
      ),
    ).toEqual([]);
  });

  it('keeps the order written in a PACKED RECORD', () => {
    const P = ['DATA TYPE P', '  PACKED RECORD', '    INT a:', '    BYTE b, c:', '    INT16 d:', ':'];
    expect(
      layout(P, [
        ['OFFSETOF (P, a)', 0],
        ['OFFSETOF (P, b)', 4],
        ['OFFSETOF (P, c)', 5],
        ['OFFSETOF (P, d)', 6],
        ['BYTESIN (P)', 8],
      ]),
    ).toEqual([]);
  });

  it('gives BYTESIN of types and values', () => {
    expect(
      layout(
        ['VAL [3]INT16 t IS [1, 2, 3]:'],
        [
          ['BYTESIN (INT64)', 8],
          ['BYTESIN ([2][3]INT)', 24],
          ['BYTESIN (t)', 6],
          ['BYTESIN (t[1])', 2],
        ],
      ),
    ).toEqual([]);
  });

  it('rejects misaligned PACKED RECORDs as occ21 does', () => {
    expect(
      diagnostics(program(['DATA TYPE P', '  PACKED RECORD', '    BYTE a:', '    INT b:', ':'], ['SKIP'])),
    ).toEqual([
      "4:9 error: the field `b` would start at byte 1, but a PACKED RECORD's INT must start at a multiple of 4 bytes",
    ]);
    expect(
      diagnostics(program(['DATA TYPE P', '  PACKED RECORD', '    INT b:', '    BYTE a:', ':'], ['SKIP'])),
    ).toEqual(['2:3 error: a PACKED RECORD must be a whole number of words long, but this one is 5 bytes']);
  });
});

describe('checker: using RECORDs', () => {
  const P = ['DATA TYPE P', '  RECORD', '    INT a, b:', ':'];
  const errs = (body: string[]): string[] =>
    diagnostics(program(P, ['P p:', 'SEQ', ...body.map((b) => `  ${b}`)])).filter((d) => d.includes('error'));

  it('selects fields by name only', () => {
    expect(errs(['p[a] := 1', 'n := p[b]'])).toEqual([]);
    expect(errs(['p[c] := 1'])).toEqual(['10:9 error: P has no field `c`']);
    expect(errs(['p[0] := 1'])).toEqual(['10:9 error: `p` is a RECORD (P): select one of its fields by name']);
  });

  it('treats a record as a whole value, not an array', () => {
    expect(errs(['n := SIZE p'])).toEqual(['10:17 error: `p` is a RECORD (P), not an array, so it has no SIZE']);
    expect(errs(['n := SIZE [p FROM 0 FOR 1]'])).toEqual([
      '10:18 error: `p` is a RECORD (P), not an array, so it has no segments',
    ]);
    expect(errs(['p := "abcdefgh"'])).toEqual(['10:12 error: cannot assign a [8]BYTE value to `p`, which is P']);
  });

  it('checks record literals field by field, in the order written', () => {
    expect(errs(['p := [1, 2](P)', 'p := [3, 4]'])).toEqual([]);
    expect(errs(['p := [1, 2, 3](P)'])).toEqual(['10:12 error: P has 2 field(s), but this literal gives 3 value(s)']);
    expect(errs(['p := [1, TRUE]'])).toEqual(['10:16 error: field `b` of P is INT, but this is BOOL']);
  });

  it('folds a field of a constant record', () => {
    const text = program([...P, 'VAL P k IS [5, 7](P):'], ['[k[b]]BYTE v:', 'VAL [7]BYTE w RETYPES v:', 'SKIP']);
    expect(diagnostics(text).filter((d) => d.includes('error'))).toEqual([]);
  });

  it('lets PAR branches write different fields of one record', () => {
    expect(errs(['PAR', '  p[a] := 1', '  p[b] := 2'])).toEqual([]);
    expect(errs(['PAR', '  p[a] := 1', '  p[a] := 2'])[0]).toMatch(/assigned in one branch of this PAR/);
  });
});
