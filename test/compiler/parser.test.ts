// The parser on its own: the AST it builds for declarations, PROCs, processes and expressions, operator
// precedence errors, and its syntax error messages and line-based recovery.

import { describe, expect, it } from 'vitest';
import type {
  AltProcess,
  Alternative,
  Choice,
  Expr,
  FunctionDef,
  IfProcess,
  Process,
  ProcDef,
  Program,
  Spec,
  TypeNode,
} from '../../compiler/ast.js';
import { parseSource } from '../../compiler/compile.js';
import { checkGrammar } from '../../compiler/parser.js';
import { Diagnostics, formatDiagnostic, SourceFile, type Span } from '../../compiler/source.js';

// ---------------------------------------------------------------------------------------------------- helpers

function parseText(text: string, experimental = false): { program: Program; diags: Diagnostics } {
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 't.occ', text), diags, { experimental });
  return { program, diags };
}

/** Parse text that must have no diagnostics at all. */
function ok(text: string, experimental = false): Program {
  const { program, diags } = parseText(text, experimental);
  expect(diags.list.map(formatDiagnostic)).toEqual([]);
  return program;
}

/** The body of `PROC p ()` wrapping the given lines (the first line of `lines` is source line 2). */
function body(...lines: string[]): Process {
  const program = ok(['PROC p ()', ...lines.map((l) => `  ${l}`), ':', ''].join('\n'));
  return (program.specs[0] as ProcDef).body;
}

/** The value of `x := <text>`. */
function expr(text: string): Expr {
  const p = body(`x := ${text}`);
  if (p.kind !== 'assign') throw new Error(p.kind);
  return p.values[0]!;
}

/** Diagnostics as `line:col message` strings, in source order. */
function errs(text: string, experimental = false): string[] {
  return parseText(text, experimental)
    .diags.sorted()
    .map((d) => `${d.span.line}:${d.span.col} ${d.message}`);
}

function at(span: Span): string {
  return `${span.line}:${span.col}`;
}

/** A compact rendering of an expression, to compare tree shapes. */
function sx(e: Expr): string {
  switch (e.kind) {
    case 'int':
      return (
        (e.hex ? `#${e.value.toString(16).toUpperCase()}` : `${e.value}`) +
        (e.decoration ? `(${tx(e.decoration)})` : '')
      );
    case 'byte':
      return `'${String.fromCharCode(e.value)}'` + (e.decoration ? `(${tx(e.decoration)})` : '');
    case 'real':
      return e.text + (e.decoration ? `(${tx(e.decoration)})` : '');
    case 'bool':
      return e.value ? 'TRUE' : 'FALSE';
    case 'string':
      return JSON.stringify(Buffer.from(e.bytes).toString('latin1'));
    case 'name':
      return e.name;
    case 'subscript':
      return `${sx(e.base)}[${sx(e.index)}]`;
    case 'dyadic':
      return `(${sx(e.left)} ${e.op} ${sx(e.right)})`;
    case 'monadic':
      return `(${e.op} ${sx(e.operand)})`;
    case 'size':
      return `(SIZE ${sx(e.operand)})`;
    case 'sizeof':
      return `(SIZE ${tx(e.target)})`;
    case 'mostpos':
      return `(MOSTPOS ${tx(e.target)})`;
    case 'mostneg':
      return `(MOSTNEG ${tx(e.target)})`;
    case 'conversion':
      return `(${tx(e.target)}${e.mode === 'exact' ? '' : ` ${e.mode}`} ${sx(e.operand)})`;
    case 'call':
      return `${e.callee.name}(${e.args.map(sx).join(', ')})`;
    case 'direction':
      return `${sx(e.channel)}${e.direction}`;
    case 'slice':
      return `[${sx(e.base)}${e.start ? ` FROM ${sx(e.start)}` : ''}${e.count ? ` FOR ${sx(e.count)}` : ''}]`;
    case 'table':
      return `[${e.elems.map(sx).join(', ')}]`;
    case 'constructor':
      return `[${e.index.name} = ${sx(e.base)} FOR ${sx(e.count)} | ${sx(e.value)}]`;
    case 'counted':
      return `${sx(e.count)}::${sx(e.array)}`;
    case 'valof':
      return `(VALOF ${e.results.map(sx).join(', ')})`;
    case 'bytesin':
      return `(BYTESIN ${e.target ? tx(e.target) : sx(e.operand!)})`;
    case 'offsetof':
      return `(OFFSETOF ${tx(e.target)}, ${e.field.name})`;
    case 'mobile':
      return `(MOBILE ${e.target.name})`;
  }
}

/** A compact rendering of a type. */
function tx(t: TypeNode): string {
  switch (t.kind) {
    case 'prim':
      return t.name;
    case 'array':
      return `[${t.size ? sx(t.size) : ''}]${tx(t.elem)}`;
    case 'chan':
      return `CHAN ${t.protocol.kind === 'simple' ? tx(t.protocol.type) : t.protocol.kind === 'named' ? t.protocol.name : t.protocol.kind}`;
    case 'timer':
      return 'TIMER';
    case 'barrier':
      return 'BARRIER';
    case 'named':
      return t.name;
    case 'record':
      return `${t.packed ? 'PACKED ' : ''}RECORD`;
    case 'end':
      return `${t.shared ? 'SHARED ' : ''}${t.name}${t.end}`;
  }
}

function specOf(text: string): Spec {
  const program = ok(text);
  expect(program.specs).toHaveLength(1);
  return program.specs[0]!;
}

function asKind<K extends Process['kind']>(p: Process, kind: K): Extract<Process, { kind: K }> {
  expect(p.kind).toBe(kind);
  return p as Extract<Process, { kind: K }>;
}

// ---------------------------------------------------------------------------------------------------- grammar

describe('grammar', () => {
  it('passes chevrotain validation', () => {
    expect(() => checkGrammar()).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------- top level

describe('declarations and abbreviations', () => {
  it('parses declarations of every form', () => {
    const cases: [string, string, string[]][] = [
      ['INT a, b:', 'INT', ['a', 'b']],
      ['[10]INT a:', '[10]INT', ['a']],
      ['[4][4]INT m:', '[4][4]INT', ['m']],
      ['CHAN INT c:', 'CHAN INT', ['c']],
      ['CHAN OF BYTE c:', 'CHAN BYTE', ['c']],
      ['[n]CHAN INT cs:', '[n]CHAN INT', ['cs']],
      ['TIMER t:', 'TIMER', ['t']],
      ['BOOL b:', 'BOOL', ['b']],
      ['POINT p, q:', 'POINT', ['p', 'q']],
      ['CHAN OF [4]BYTE c:', 'CHAN [4]BYTE', ['c']],
      ['CHAN OF CMD c:', 'CHAN CMD', ['c']],
    ];
    for (const [src, type, names] of cases) {
      const s = specOf(src);
      if (s.kind !== 'decl') throw new Error(`${src}: ${s.kind}`);
      expect(tx(s.type), src).toBe(type);
      expect(
        s.names.map((n) => n.name),
        src,
      ).toEqual(names);
      expect(at(s.span), src).toBe('1:1');
      expect(s.span.end, src).toBe(src.length);
    }
  });

  it('distinguishes a named protocol from a simple one', () => {
    const s = specOf('CHAN OF CMD c:');
    if (s.kind !== 'decl' || s.type.kind !== 'chan') throw new Error();
    expect(s.type.protocol).toMatchObject({ kind: 'named', name: 'CMD' });
    const t = specOf('CHAN INT c:');
    if (t.kind !== 'decl' || t.type.kind !== 'chan') throw new Error();
    expect(t.type.protocol.kind).toBe('simple');
  });

  it('records names with their own spans', () => {
    const s = specOf('INT alpha, beta:');
    if (s.kind !== 'decl') throw new Error();
    expect(s.names.map((n) => at(n.span))).toEqual(['1:5', '1:12']);
  });

  it('parses VAL abbreviations with and without a type', () => {
    const a = specOf('VAL INT n IS 5:');
    expect(a).toMatchObject({ kind: 'val', name: { name: 'n' } });
    if (a.kind !== 'val') throw new Error();
    expect(tx(a.type!)).toBe('INT');
    expect(sx(a.value)).toBe('5');

    const b = specOf('VAL x IS 5(BYTE):');
    if (b.kind !== 'val') throw new Error();
    expect(b.type).toBeNull();
    expect(b.name.name).toBe('x');
    expect(sx(b.value)).toBe('5(BYTE)');

    const c = specOf('VAL []BYTE s IS "hi":');
    if (c.kind !== 'val') throw new Error();
    expect(tx(c.type!)).toBe('[]BYTE');
    expect(sx(c.value)).toBe('"hi"');

    const d = specOf('VAL POINT origin IS zero:');
    if (d.kind !== 'val') throw new Error();
    expect(tx(d.type!)).toBe('POINT');
    expect(d.name.name).toBe('origin');
  });

  it('parses reference abbreviations with and without a type', () => {
    const program = ok('PROC p ([]INT a, CHAN INT c)\n  INT x IS a[0]:\n  y IS a[1]:\n  CHAN INT d IS c:\n  SKIP\n:\n');
    const scope = asKind((program.specs[0] as ProcDef).body, 'scope');
    expect(scope.specs.map((s) => s.kind)).toEqual(['abbrev', 'abbrev', 'abbrev']);
    const [x, y, d] = scope.specs;
    if (x?.kind !== 'abbrev' || y?.kind !== 'abbrev' || d?.kind !== 'abbrev') throw new Error();
    expect([tx(x.type!), x.name.name, sx(x.target)]).toEqual(['INT', 'x', 'a[0]']);
    expect([y.type, y.name.name, sx(y.target)]).toEqual([null, 'y', 'a[1]']);
    expect([tx(d.type!), sx(d.target)]).toEqual(['CHAN INT', 'c']);
  });

  it('reports an array declaration without a size', () => {
    expect(errs('[]INT a:\n')).toEqual(['1:1 an array declaration needs a size']);
  });
});

describe('PROC definitions', () => {
  it('parses name, formals, body and span', () => {
    const p = specOf('PROC hello (CHAN BYTE out!)\n  out ! 65\n:\n') as ProcDef;
    expect(p.kind).toBe('proc');
    expect(p.name).toMatchObject({ name: 'hello' });
    expect(at(p.name.span)).toBe('1:6');
    expect(at(p.span)).toBe('1:1');
    expect(p.span.end).toBe(p.span.file.text.lastIndexOf(':') + 1);
    expect(p.formals).toHaveLength(1);
    expect(asKind(p.body, 'output').items.map(sx)).toEqual(['65']);
  });

  it('shares a specifier between formals, as in T11', () => {
    const p = specOf('PROC mix (VAL INT a, b, []INT acc, POINT p, q, CHAN INT c?, d!)\n  SKIP\n:\n') as ProcDef;
    expect(p.formals.map((f) => [f.isVal, tx(f.type), f.name.name, f.direction])).toEqual([
      [true, 'INT', 'a', null],
      [true, 'INT', 'b', null],
      [false, '[]INT', 'acc', null],
      [false, 'POINT', 'p', null],
      [false, 'POINT', 'q', null],
      [false, 'CHAN INT', 'c', '?'],
      [false, 'CHAN INT', 'd', '!'],
    ]);
    expect(p.formals.map((f) => at(f.span))).toEqual(['1:11', '1:22', '1:25', '1:36', '1:45', '1:48', '1:61']);
  });

  it('parses the KRoC and occam 2 main signatures, timers and empty formals', () => {
    const a = specOf('PROC main (CHAN BYTE kyb?, scr!, err!)\n  SKIP\n:\n') as ProcDef;
    expect(a.formals.map((f) => `${tx(f.type)} ${f.name.name}${f.direction ?? ''}`)).toEqual([
      'CHAN BYTE kyb?',
      'CHAN BYTE scr!',
      'CHAN BYTE err!',
    ]);
    const b = specOf('PROC main (CHAN OF BYTE keyboard, screen, error)\n  SKIP\n:\n') as ProcDef;
    expect(b.formals.map((f) => `${tx(f.type)} ${f.name.name}`)).toEqual([
      'CHAN BYTE keyboard',
      'CHAN BYTE screen',
      'CHAN BYTE error',
    ]);
    const c = specOf('PROC tick (TIMER t, VAL [4][4]INT m, RESULT INT r)\n  SKIP\n:\n') as ProcDef;
    expect(c.formals.map((f) => `${f.isVal ? 'VAL ' : ''}${tx(f.type)} ${f.name.name}`)).toEqual([
      'TIMER t',
      'VAL [4][4]INT m',
      'INT r',
    ]);
    const d = specOf('PROC nothing ()\n  SKIP\n:\n') as ProcDef;
    expect(d.formals).toEqual([]);
  });

  it('accepts a parameter list broken after a comma', () => {
    const p = specOf('PROC p (VAL INT a,\n        CHAN INT c!)\n  SKIP\n:\n') as ProcDef;
    expect(p.formals.map((f) => f.name.name)).toEqual(['a', 'c']);
  });

  it('accepts INLINE PROC', () => {
    expect(specOf('INLINE PROC p ()\n  SKIP\n:\n').kind).toBe('proc');
  });

  it('parses a whole program of definitions', () => {
    const program = ok(
      [
        'VAL INT n IS 10:',
        'PROC a (CHAN INT out!)',
        '  SEQ i = 0 FOR n',
        '    out ! i',
        ':',
        'PROC main (CHAN BYTE kyb?, scr!, err!)',
        '  CHAN INT c:',
        '  PAR',
        '    a (c!)',
        '    SKIP',
        ':',
        '',
      ].join('\n'),
    );
    expect(program.specs.map((s) => s.kind)).toEqual(['val', 'proc', 'proc']);
    expect(program.specs.map((s) => at(s.span))).toEqual(['1:1', '2:1', '6:1']);
    expect(at(program.span)).toBe('1:1');
  });
});

// ---------------------------------------------------------------------------------------------------- processes

describe('processes', () => {
  it('parses SKIP and STOP', () => {
    expect(body('SKIP')).toMatchObject({ kind: 'skip' });
    const stop = body('STOP');
    expect(stop.kind).toBe('stop');
    expect(at(stop.span)).toBe('2:3');
  });

  it('parses assignment, including multiple assignment', () => {
    const a = asKind(body('x := y + 1'), 'assign');
    expect(a.targets.map(sx)).toEqual(['x']);
    expect(a.values.map(sx)).toEqual(['(y + 1)']);
    expect(at(a.span)).toBe('2:3');
    const b = asKind(body('a, b := b, a'), 'assign');
    expect([b.targets.map(sx), b.values.map(sx)]).toEqual([
      ['a', 'b'],
      ['b', 'a'],
    ]);
    const c = asKind(body('m[i][j], v[k] := 0, 1'), 'assign');
    expect(c.targets.map(sx)).toEqual(['m[i][j]', 'v[k]']);
  });

  it('parses output and input with several items', () => {
    const o = asKind(body("c ! 42; 'a'; x + 1"), 'output');
    expect(sx(o.channel)).toBe('c');
    expect(o.items.map(sx)).toEqual(['42', "'a'", '(x + 1)']);
    const i = asKind(body('cs[k] ? x; a[x]'), 'input');
    expect(sx(i.channel)).toBe('cs[k]');
    expect(i.items.map(sx)).toEqual(['x', 'a[x]']);
    expect(at(i.span)).toBe('2:3');
  });

  it('parses SEQ and PAR bodies in order, with their spans', () => {
    const s = asKind(body('SEQ', '  x := 1', '  y := 2'), 'seq');
    expect(s.repl).toBeNull();
    expect(s.body.map((p) => [p.kind, at(p.span)])).toEqual([
      ['assign', '3:5'],
      ['assign', '4:5'],
    ]);
    expect(at(s.span)).toBe('2:3');
    const p = asKind(body('PAR', '  SKIP', '  STOP'), 'par');
    expect([p.pri, p.body.map((b) => b.kind)]).toEqual([false, ['skip', 'stop']]);
    const q = asKind(body('PRI PAR', '  SKIP', '  SKIP'), 'par');
    expect(q.pri).toBe(true);
    expect(at(q.span)).toBe('2:3');
  });

  it('accepts empty SEQ and PAR', () => {
    expect(asKind(body('SEQ'), 'seq').body).toEqual([]);
    expect(asKind(body('PAR'), 'par').body).toEqual([]);
  });

  it('parses replicators', () => {
    const s = asKind(body('SEQ i = 0 FOR n', '  out ! i'), 'seq');
    expect(s.repl!.index).toMatchObject({ name: 'i' });
    expect([sx(s.repl!.base), sx(s.repl!.count)]).toEqual(['0', 'n']);
    expect(at(s.repl!.span)).toBe('2:7');
    expect(s.body.map((p) => p.kind)).toEqual(['output']);
    const p = asKind(body('PRI PAR j = 1 FOR (SIZE a) - 1', '  SKIP'), 'par');
    expect([p.pri, sx(p.repl!.count)]).toEqual([true, '((SIZE a) - 1)']);
  });

  it('parses nested replicated PARs with direction actuals (T6)', () => {
    const p = asKind(
      body(
        'PAR r = 0 FOR rows',
        '  PAR c = 0 FOR cols',
        '    cell (grid[r][c], links[r][c]?, links[r][(c + 1) \\ cols]!)',
      ),
      'par',
    );
    const inner = asKind(p.body[0]!, 'par');
    const call = asKind(inner.body[0]!, 'pcall');
    expect(call.callee.name).toBe('cell');
    expect(call.args.map(sx)).toEqual(['grid[r][c]', 'links[r][c]?', 'links[r][((c + 1) \\ cols)]!']);
    expect(at(call.span)).toBe('4:7');
  });

  it('parses PROC calls with no arguments and with expressions', () => {
    expect(asKind(body('p ()'), 'pcall').args).toEqual([]);
    const c = asKind(body('out.int (x * 2, scr!)'), 'pcall');
    expect(c.args.map(sx)).toEqual(['(x * 2)', 'scr!']);
  });

  it('parses WHILE', () => {
    const w = asKind(body('WHILE i < n', '  i := i + 1'), 'while');
    expect(sx(w.cond)).toBe('(i < n)');
    expect(w.body.kind).toBe('assign');
    expect(at(w.body.span)).toBe('3:5');
  });

  it('parses IF with choices, a nested IF, a replicated IF and declarations before a choice', () => {
    const p = asKind(
      body(
        'IF',
        '  x > 0',
        '    SKIP',
        '  IF j = 0 FOR SIZE table',
        '    table[j] = key',
        '      hit := TRUE',
        '  VAL INT lim IS 10:',
        '  INT t:',
        '  k < lim',
        '    t := k',
        '  TRUE',
        '    STOP',
      ),
      'if',
    );
    expect(p.repl).toBeNull();
    expect(p.choices).toHaveLength(4);
    const [c1, nested, c3, c4] = p.choices as [Choice, IfProcess, Choice, Choice];
    expect([sx(c1.guard), c1.body.kind, c1.specs]).toEqual(['(x > 0)', 'skip', []]);
    expect(at(c1.span)).toBe('3:5');
    expect(nested.kind).toBe('if');
    expect(sx(nested.repl!.count)).toBe('(SIZE table)');
    const inner = nested.choices[0] as Choice;
    expect(sx(inner.guard)).toBe('(table[j] = key)');
    expect(c3.specs.map((s) => s.kind)).toEqual(['val', 'decl']);
    expect(sx(c3.guard)).toBe('(k < lim)');
    expect(at(c3.span)).toBe('8:5');
    expect(sx(c4.guard)).toBe('TRUE');
    expect(c4.body.kind).toBe('stop');
  });

  it('collects consecutive specifications into one scope around the next process', () => {
    const s = asKind(body('INT a, b:', 'VAL INT c IS 3:', 'SEQ', '  a := c', '  b := a'), 'scope');
    expect(s.specs.map((x) => x.kind)).toEqual(['decl', 'val']);
    expect(s.body.kind).toBe('seq');
    expect(at(s.span)).toBe('2:3');
  });

  it('puts a specification in a SEQ around the next component only (T1)', () => {
    const s = asKind(body('SEQ', '  INT n:', '  n := 3', '  out ! n'), 'seq');
    expect(s.body.map((p) => p.kind)).toEqual(['scope', 'output']);
    const scope = asKind(s.body[0]!, 'scope');
    expect(scope.body.kind).toBe('assign');
  });

  it('gives a scope in a replicated body', () => {
    const s = asKind(body('SEQ i = 0 FOR n', '  INT x:', '  SEQ', '    in ? x', '    out ! x * x'), 'seq');
    expect(s.body).toHaveLength(1);
    expect(asKind(s.body[0]!, 'scope').specs[0]!.kind).toBe('decl');
  });

  it('parses a PROC nested in a PROC body', () => {
    const s = asKind(body('PROC inner (INT x)', '  x := 1', ':', 'INT y:', 'inner (y)'), 'scope');
    expect(s.specs.map((x) => x.kind)).toEqual(['proc', 'decl']);
    expect(s.body.kind).toBe('pcall');
  });
});

// ---------------------------------------------------------------------------------------------------- expressions

describe('expressions', () => {
  it('parses literals', () => {
    const i = expr('42');
    expect(i).toMatchObject({ kind: 'int', value: 42n, decoration: null, hex: false });
    expect(at(i.span)).toBe('2:8');
    expect(expr('#7FFFFFFF')).toMatchObject({ kind: 'int', value: 0x7fffffffn, hex: true });
    expect(expr("'A'")).toMatchObject({ kind: 'byte', value: 65, decoration: null });
    expect(expr("'*n'")).toMatchObject({ kind: 'byte', value: 10 });
    expect(expr('TRUE')).toMatchObject({ kind: 'bool', value: true });
    expect(expr('FALSE')).toMatchObject({ kind: 'bool', value: false });
    const s = expr('"hi*n"');
    expect(s.kind === 'string' && Array.from(s.bytes)).toEqual([104, 105, 10]);
    expect(expr('999999999999999999999')).toMatchObject({ kind: 'int', value: 999999999999999999999n });
  });

  it('parses typed (decorated) literals', () => {
    expect(sx(expr('5(BYTE)'))).toBe('5(BYTE)');
    expect(sx(expr("'A'(INT)"))).toBe("'A'(INT)");
    expect(sx(expr('#80(INT16)'))).toBe('#80(INT16)');
    expect(sx(expr('42(INT64)'))).toBe('42(INT64)');
    const e = expr('5(BYTE)');
    if (e.kind !== 'int') throw new Error();
    expect(e.decoration).toMatchObject({ kind: 'prim', name: 'BYTE' });
  });

  it('parses names, subscripts, calls and parentheses', () => {
    expect(sx(expr('a[i][j]'))).toBe('a[i][j]');
    expect(sx(expr('f(x, y + 1)'))).toBe('f(x, (y + 1))');
    expect(sx(expr('g()'))).toBe('g()');
    expect(sx(expr('f(x)[2]'))).toBe('f(x)[2]');
    expect(sx(expr('(a + b) * c'))).toBe('((a + b) * c)');
    expect(sx(expr('a + (b * c)'))).toBe('(a + (b * c))');
    expect(sx(expr('out.string'))).toBe('out.string');
    const sub = expr('a[i][j]');
    expect(at(sub.span)).toBe('2:8');
    expect(sub.span.end - sub.span.start).toBe('a[i][j]'.length);
  });

  it('includes parentheses in an operand span', () => {
    const e = expr('(a + b) * c');
    if (e.kind !== 'dyadic') throw new Error();
    expect(at(e.left.span)).toBe('2:8');
    expect(e.left.span.end - e.left.span.start).toBe('(a + b)'.length);
  });

  it('parses every dyadic operator', () => {
    const ops = [
      '+',
      '-',
      '*',
      '/',
      '\\',
      'REM',
      'PLUS',
      'MINUS',
      'TIMES',
      '/\\',
      '\\/',
      '><',
      'BITAND',
      'BITOR',
      '<<',
      '>>',
      '=',
      '<>',
      '<',
      '<=',
      '>',
      '>=',
      'AND',
      'OR',
      'AFTER',
    ];
    for (const op of ops) {
      const e = expr(`a ${op} b`);
      expect(e, op).toMatchObject({
        kind: 'dyadic',
        op,
        left: { kind: 'name', name: 'a' },
        right: { kind: 'name', name: 'b' },
      });
    }
  });

  it('parses monadic operators, SIZE, conversions and MOSTPOS/MOSTNEG', () => {
    expect(sx(expr('-1'))).toBe('(- 1)');
    expect(sx(expr('- x'))).toBe('(- x)');
    expect(sx(expr('MINUS x'))).toBe('(MINUS x)');
    expect(sx(expr('~ x'))).toBe('(~ x)');
    expect(sx(expr('BITNOT x'))).toBe('(BITNOT x)');
    expect(sx(expr('NOT done'))).toBe('(NOT done)');
    expect(sx(expr('NOT (a AND b)'))).toBe('(NOT (a AND b))');
    expect(sx(expr('SIZE a'))).toBe('(SIZE a)');
    expect(sx(expr('SIZE a[0]'))).toBe('(SIZE a[0])');
    expect(sx(expr('INT x'))).toBe('(INT x)');
    expect(sx(expr('BYTE n'))).toBe('(BYTE n)');
    expect(sx(expr('REAL32 ROUND x'))).toBe('(REAL32 ROUND x)');
    expect(sx(expr('INT TRUNC r'))).toBe('(INT TRUNC r)');
    expect(sx(expr("(INT ch) - (INT '0')"))).toBe("((INT ch) - (INT '0'))");
    expect(sx(expr('MOSTPOS INT'))).toBe('(MOSTPOS INT)');
    expect(sx(expr('MOSTNEG INT64'))).toBe('(MOSTNEG INT64)');
    const c = expr('REAL32 ROUND x');
    expect(c).toMatchObject({ kind: 'conversion', mode: 'ROUND', target: { kind: 'prim', name: 'REAL32' } });
  });

  it('allows a chain of one repeated AND or OR (T13)', () => {
    expect(sx(expr('a AND b AND c'))).toBe('((a AND b) AND c)');
    expect(sx(expr('a OR b OR c OR d'))).toBe('(((a OR b) OR c) OR d)');
  });

  it('accepts an expression broken after an operator (T4)', () => {
    const a = asKind(body('area := (width * height) +', '        (border * 2)'), 'assign');
    expect(sx(a.values[0]!)).toBe('((width * height) + (border * 2))');
    expect(a.values[0]!.span.end).toBe(a.span.file.text.indexOf('2)') + 2);
  });
});

// ---------------------------------------------------------------------------------------------------- errors

describe('operator precedence errors', () => {
  function precedence(text: string): { message: string; hint?: string; at: string; width: number } {
    const { diags } = parseText(`PROC p ()\n  x := ${text}\n:\n`);
    expect(diags.list).toHaveLength(1);
    const d = diags.list[0]!;
    return { message: d.message, hint: d.hint, at: at(d.span), width: d.span.end - d.span.start };
  }

  it('reports mixed operators with the actual operands in the hint', () => {
    expect(precedence('a + b * c')).toEqual({
      message: 'occam has no operator precedence: `a + b * c` mixes operators without parentheses',
      hint: 'write (a + b) * c',
      at: '2:8',
      width: 9,
    });
    expect(precedence('a AND b OR c').hint).toBe('write (a AND b) OR c');
    expect(precedence('x = 1 AND y = 2').hint).toBe('write ((x = 1) AND y) = 2');
  });

  it('reports a repeated operator other than AND/OR', () => {
    const r = precedence('p + q + r');
    expect(r.message).toBe('occam has no operator precedence or associativity: `p + q + r` needs parentheses');
    expect(r.hint).toBe('write (p + q) + r');
  });

  it('reports a monadic operator, SIZE or conversion used as a left operand (T7, T8)', () => {
    expect(precedence('-a * b')).toMatchObject({
      message: 'occam has no operator precedence: `-a` cannot be the left operand of `*` without parentheses',
      hint: 'write (-a) * b',
    });
    expect(precedence('INT ch + 1').hint).toBe('write (INT ch) + 1');
    expect(precedence('SIZE a - 1').hint).toBe('write (SIZE a) - 1');
    expect(precedence('NOT a AND b').hint).toBe('write (NOT a) AND b');
  });

  it('still builds a tree so that checking can go on', () => {
    const { program } = parseText('PROC p ()\n  x := a + b * c\n:\n');
    const a = asKind((program.specs[0] as ProcDef).body, 'assign');
    expect(sx(a.values[0]!)).toBe('((a + b) * c)');
  });
});

describe('syntax errors', () => {
  it('reports a missing `:` at the end of a declaration at the end of the line', () => {
    const { diags, program } = parseText('PROC p ()\n  INT x\n  x := 1\n:\n');
    expect(diags.list.map((d) => [d.message, at(d.span), d.hint])).toEqual([
      ['`:` missing at the end of the declaration', '2:8', 'a declaration ends with `:`, as in INT a, b:'],
    ]);
    // The declaration is still there.
    expect(asKind((program.specs[0] as ProcDef).body, 'scope').specs[0]!.kind).toBe('decl');
  });

  it('reports a missing `:` at the end of a VAL abbreviation', () => {
    expect(errs('VAL INT n IS 5\n')).toEqual(['1:15 `:` missing at the end of the abbreviation']);
  });

  it('reports a PROC without its closing `:` at the PROC name', () => {
    expect(errs('PROC p ()\n  SKIP\nPROC q ()\n  SKIP\n:\n')).toEqual([
      '1:6 the definition of PROC p is not closed by `:`',
    ]);
  });

  it('reports a construct without the process it needs', () => {
    expect(errs('PROC p ()\n  SEQ\n    WHILE TRUE\n    SKIP\n:\n')).toEqual([
      '3:5 WHILE needs a process indented under it',
    ]);
    expect(errs('PROC p ()\n  SEQ i = 0 FOR 3\n  SKIP\n:\n')).toEqual([
      '2:3 the replicated SEQ needs a process indented under it',
      '3:3 only one process can be indented under PROC p',
    ]);
    expect(errs('PROC p ()\n  IF\n    x > 0\n    TRUE\n      SKIP\n:\n')).toEqual([
      '3:5 the IF choice `x > 0` needs a process indented under it',
    ]);
    expect(errs('PROC p ()\n:\n')).toEqual(['1:1 PROC p needs a process indented under it']);
  });

  it('reports several processes where one is expected', () => {
    const e = parseText('PROC p ()\n  x := 1\n  y := 2\n:\n').diags.list;
    expect(e.map((d) => [at(d.span), d.message, d.hint])).toEqual([
      ['3:3', 'only one process can be indented under PROC p', 'to run several processes, put them under SEQ or PAR'],
    ]);
  });

  it('reports a declaration with no process after it', () => {
    expect(errs('PROC p ()\n  SEQ\n    SKIP\n    INT x:\n:\n')).toEqual([
      '4:5 this declaration is not followed by a process',
    ]);
  });

  it('reports a line that is not a process in plain words', () => {
    expect(errs('PROC p ()\n  SEQ\n    x + 1\n    )\n:\n')).toEqual([
      '3:5 `x + 1` is not a process or a declaration',
      '4:5 expected a process or a declaration, found `)`',
    ]);
  });

  it('explains a PROC call without parentheses', () => {
    const d = parseText('PROC p ()\n  SEQ\n    foo\n:\n').diags.list;
    expect(d.map((x) => [x.message, at(x.span), x.hint])).toEqual([
      ['expected `(` after the PROC name', '3:8', 'a PROC call needs parentheses, even with no parameters: foo ()'],
    ]);
  });

  it('reports a missing `)` and goes on', () => {
    expect(errs('PROC p ()\n  SEQ\n    q (a, b\n    x := (1 + 2\n:\n')).toEqual([
      '3:12 expected `,` or `)` in the parameter list',
      '4:16 expected `)` to close the parenthesis',
    ]);
  });

  it('reports an expression that is missing or cut short, with a hint about continuation lines', () => {
    expect(errs('PROC p ()\n  x :=\n:\n')).toEqual(['2:7 expected an expression, found the end of the line']);
    const d = parseText('PROC p ()\n  x := a +\n:\n').diags.list;
    expect(d.map((x) => `${at(x.span)} ${x.message}`)).toEqual([
      '2:11 expected an operand (a name, a literal or a parenthesised expression), found the end of the line',
    ]);
    expect(d[0]!.hint).toBe(
      'a line ending with `+` continues on the next line, which must be indented at least as far as the start of this statement',
    );
  });

  it('reads a line after a trailing operator as a continuation when it is indented enough', () => {
    expect(errs('PROC p ()\n  SEQ\n    x := a +\n    y := 2\n:\n')).toEqual([
      '4:7 expected the end of the line, found `:=`',
    ]);
  });

  it('says what was expected in words, never with internal token names', () => {
    expect(errs('VAL INT x 5:\n')).toEqual(['1:11 expected IS, found `5`']);
    expect(errs('PROC p ()\n  c ?\n:\n')).toEqual([
      '2:6 expected AFTER or the variables to input into, found the end of the line',
    ]);
    expect(errs('PROC p ()\n  x := MOSTPOS 3\n:\n')).toEqual(['2:16 expected a data type, found `3`']);
    expect(errs('PROC p ()\n  SEQ i = 0 FR 3\n    SKIP\n:\n')).toEqual(['2:13 expected FOR in the replicator']);
    expect(errs('PROC p (VAL x)\n  SKIP\n:\n')).toEqual(['1:14 expected the parameter name after its type']);
  });

  it('names a reserved word used as a name', () => {
    const d = parseText('VAL INT IN IS 3:\n').diags.list;
    expect(d.map((x) => [at(x.span), x.message])).toEqual([
      ['1:9', 'IN is a reserved word, so it cannot be used as a name'],
    ]);
  });

  it('rejects processes at the top level', () => {
    expect(errs('x := 1\nSEQ\n  SKIP\n')).toEqual([
      '1:1 a process cannot appear at the top level of a file',
      '2:1 a process cannot appear at the top level of a file',
    ]);
  });

  it('rejects a line indented under one that opens no block', () => {
    expect(errs('PROC p ()\n  SEQ\n    x := 1\n      y := 2\n    z := 3\n:\n')).toEqual([
      '4:7 this line is indented further than the line above, but that line does not start a block',
    ]);
  });

  it('reports a process directly under IF', () => {
    expect(errs('PROC p ()\n  IF\n    x := 1\n    TRUE\n      SKIP\n:\n')).toEqual([
      '3:5 expected a condition: each line directly under IF is a condition with its process indented under it',
    ]);
  });

  it('reports a mismatched multiple assignment', () => {
    expect(errs('PROC p ()\n  a, b := 1\n:\n')).toEqual(['2:3 2 variables are assigned 1 value']);
  });

  it('does not add parser errors to a line whose indentation is wrong', () => {
    expect(errs('PROC p ()\n  SEQ\n    SKIP\n   SKIP\n:\n')).toEqual([
      "4:4 this line's indentation (3 spaces) does not line up with any enclosing line",
    ]);
  });
});

describe('CASE, ALT, timer delays, protocols and variant input parse without the experimental option', () => {
  it('builds the nodes', () => {
    const p = ok(
      'PROTOCOL P\n  CASE\n    a; INT\n    b\n:\nPROTOCOL Q IS INT::[]BYTE:\nPROC p (CHAN P c?, CHAN Q d?, TIMER t)\n' +
        '  INT x:\n  [4]BYTE s:\n  SEQ\n    t ? AFTER x\n    d ? x::s\n    c ? CASE a; x\n    c ? CASE\n      a; x\n        SKIP\n      b\n        SKIP\n' +
        '    ALT\n      c ? CASE\n        b\n          SKIP\n      t ? AFTER x\n        SKIP\n    CASE x\n      1, 2\n        SKIP\n:\n',
    );
    const specs = p.specs.map((s) => s.kind);
    expect(specs).toEqual(['protocol', 'protocol', 'proc']);
    const proc = p.specs[2] as Extract<Program['specs'][number], { kind: 'proc' }>;
    const seq = (proc.body as unknown as { body: { body: { kind: string }[] } }).body.body;
    expect(seq.map((q) => q.kind)).toEqual(['delay', 'input', 'caseinput', 'caseinput', 'alt', 'case']);
  });

  it('accepts a `? CASE` with no variants, as KRoC does (any tag received is then a run-time error)', () => {
    expect(errs('PROC p (CHAN INT c)\n  c ? CASE\n:\n')).toEqual([]);
  });
});

describe('top-level definitions', () => {
  it('parses FUNCTION definitions at the top level, after a directive', () => {
    expect(errs('#DEFINE X\nINT FUNCTION f (VAL INT x) IS x:\nPROC p ()\n  SKIP\n:\n')).toEqual([]);
  });
});

describe('error recovery', () => {
  it('reports an error in one PROC and an error in a later PROC', () => {
    const src = [
      'PROC a ()',
      '  SEQ',
      '    x := (1 + ))',
      '    y := 2',
      ':',
      'PROC b ()',
      '  SEQ',
      '    z := p * q + r',
      ':',
      'PROC c ()',
      '  w := ) (',
      ':',
      '',
    ].join('\n');
    const { program, diags } = parseText(src);
    expect(diags.sorted().map((d) => d.span.line)).toEqual([3, 8, 11]);
    expect(program.specs.map((s) => (s as ProcDef).name.name)).toEqual(['a', 'b', 'c']);
    // The good line after the bad one is still parsed.
    const seq = asKind((program.specs[0] as ProcDef).body, 'seq');
    expect(seq.body.map((p) => at(p.span))).toEqual(['4:5']);
  });

  it('skips the block under a bad line, and resumes at the next line of the same block', () => {
    const src = ['PROC p ()', '  SEQ', '    WHILE ) x', '      SKIP', '    y := 1', ':', ''].join('\n');
    const { program, diags } = parseText(src);
    expect(diags.list.map((d) => d.span.line)).toEqual([3]);
    const seq = asKind((program.specs[0] as ProcDef).body, 'seq');
    expect(seq.body.map((p) => p.kind)).toEqual(['assign']);
  });

  it('reports every bad line of a block', () => {
    const src = ['PROC p ()', '  SEQ', '    a := )', '    b := 1', '    c := (', '    d ! ]', '    SKIP', ':', ''].join(
      '\n',
    );
    expect(
      parseText(src)
        .diags.sorted()
        .map((d) => d.span.line),
    ).toEqual([3, 5, 6]);
  });

  it('keeps the declarations in front of a bad line for the process after it', () => {
    const { program, diags } = parseText('PROC p ()\n  INT x:\n  x := )\n  x := 1\n:\n');
    expect(diags.list.map((d) => d.span.line)).toEqual([3]);
    const scope = asKind((program.specs[0] as ProcDef).body, 'scope');
    expect([scope.specs[0]!.kind, scope.body.kind, at(scope.body.span)]).toEqual(['decl', 'assign', '4:3']);
  });

  it('recovers from a missing token without losing the line', () => {
    const { program, diags } = parseText('PROC p ()\n  WHILE x )\n    SKIP\n:\n');
    expect(diags.list.map((d) => `${at(d.span)} ${d.message}`)).toEqual([
      '2:11 expected the end of the line, found `)`',
    ]);
    expect(asKind((program.specs[0] as ProcDef).body, 'while').body.kind).toBe('skip');
  });

  it('leaves no trace of one parse in the next', () => {
    parseText('PROC p ()\n  x := (\n:\n');
    ok('PROC p ()\n  x := 1\n:\n');
  });
});

describe('robustness', () => {
  const demo = [
    '-- A pipeline.',
    'PROC out.int (VAL INT n, CHAN BYTE out!)',
    '  INT v, d:',
    '  SEQ',
    '    IF',
    '      n < 0',
    '        SEQ',
    "          out ! '-'",
    '          v := n',
    '      TRUE',
    '        v := -n',
    '    d := 1',
    '    WHILE (v / d) <= (-10)',
    '      d := d * 10',
    '    WHILE d > 0',
    '      SEQ',
    "        out ! BYTE ((INT '0') - ((v / d) \\ 10))",
    '        d := d / 10',
    ':',
    'PROC square (VAL INT n, CHAN INT in?, out!)',
    '  SEQ i = 0 FOR n',
    '    INT x:',
    '    SEQ',
    '      in ? x',
    '      out ! x * x',
    ':',
    'PROC main (CHAN BYTE kyb?, scr!, err!)',
    '  VAL []BYTE label IS "sum: ":',
    '  CHAN INT a, b:',
    '  PAR',
    '    square (10, a?, b!)',
    '    SEQ i = 0 FOR SIZE label',
    '      scr ! label[i]',
    ':',
    '',
  ].join('\n');

  it('parses the sample program cleanly', () => {
    expect(ok(demo).specs.map((s) => (s as ProcDef).name.name)).toEqual(['out.int', 'square', 'main']);
  });

  /** Deterministic pseudo-random numbers, so a failure can be reproduced. */
  function random(seed: number): () => number {
    let s = seed;
    return () => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s / 0x7fffffff;
    };
  }

  function checkSpans(value: unknown, text: string): void {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    if ('kind' in value || 'name' in value) {
      const span = (value as { span?: Span }).span;
      expect(span).toBeDefined();
      expect(span!.start).toBeGreaterThanOrEqual(0);
      expect(span!.end).toBeGreaterThanOrEqual(span!.start);
      expect(span!.end).toBeLessThanOrEqual(text.length + 1);
      expect(span!.line).toBeGreaterThanOrEqual(1);
    }
    for (const [k, v] of Object.entries(value)) if (k !== 'span') checkSpans(v, text);
  }

  function survive(text: string): void {
    const diags = new Diagnostics();
    const start = performance.now();
    let program: Program | undefined;
    expect(() => {
      program = parseSource(new SourceFile(0, 'fuzz.occ', text), diags);
    }, JSON.stringify(text)).not.toThrow();
    expect(performance.now() - start, JSON.stringify(text)).toBeLessThan(2000);
    checkSpans(program, text);
    for (const d of diags.list) {
      expect(d.message, JSON.stringify(text)).not.toMatch(/internal error/);
      expect(d.span.start).toBeLessThanOrEqual(text.length);
      expect(() => formatDiagnostic(d)).not.toThrow();
    }
  }

  it('survives random garbage', () => {
    const rnd = random(12345);
    const pieces = [
      'SEQ',
      'PAR',
      'IF',
      'WHILE',
      'PROC',
      'VAL',
      'INT',
      'CHAN',
      'OF',
      ':',
      ':=',
      '?',
      '!',
      '(',
      ')',
      '[',
      ']',
      ',',
      ';',
      '\n',
      '\n  ',
      '\n    ',
      '\n      ',
      'x',
      'y',
      '1',
      '#F',
      "'a'",
      '"s',
      '"str"',
      '*',
      '+',
      '-',
      'AND',
      'FOR',
      '=',
      'IS',
      '--c',
      '\t',
      'SKIP',
      'STOP',
      'PRI',
      'ALT',
      'CASE',
      '#INCLUDE',
      '@',
      '_',
      '.',
      '1.5',
      'MOSTNEG',
      'SIZE',
      'TRUE',
      'ROUND',
      'BYTE',
      '*\n',
      '"a*\n  *b"',
    ];
    for (let n = 0; n < 400; n++) {
      let text = '';
      const len = Math.floor(rnd() * 60);
      for (let i = 0; i < len; i++) text += pieces[Math.floor(rnd() * pieces.length)] + (rnd() < 0.5 ? ' ' : '');
      survive(text);
    }
    for (let n = 0; n < 100; n++) {
      let text = '';
      const len = Math.floor(rnd() * 200);
      for (let i = 0; i < len; i++) text += String.fromCharCode(Math.floor(rnd() * 128));
      survive(text);
    }
  });

  it('survives every truncation of a real program, and reports something for cut-off lines', () => {
    for (let cut = 0; cut <= demo.length; cut += 7) survive(demo.slice(0, cut));
    // Cut in the middle of an expression: reported, not silently accepted.
    const cut = demo.indexOf('(v / d) <= ') + '(v / d) <= '.length;
    expect(parseText(demo.slice(0, cut)).diags.errorCount).toBeGreaterThan(0);
  });

  it('survives random edits of a real program', () => {
    const rnd = random(777);
    for (let n = 0; n < 300; n++) {
      const chars = demo.split('');
      for (let k = 0; k < 4; k++) {
        const i = Math.floor(rnd() * chars.length);
        const r = rnd();
        if (r < 0.4) chars.splice(i, 1);
        else if (r < 0.7) chars.splice(i, 0, ' ');
        else chars[i] = String.fromCharCode(32 + Math.floor(rnd() * 95));
      }
      survive(chars.join(''));
    }
  });
});

// ---------------------------------------------------------------------------------------------------- experimental

describe('CASE, ALT, timer delays and FUNCTION (experimental: true)', () => {
  /** The body of `PROC p ()` wrapping `lines`, parsed with the experimental constructs on. */
  function xbody(...lines: string[]): Process {
    const program = ok(['PROC p ()', ...lines.map((l) => `  ${l}`), ':', ''].join('\n'), true);
    return (program.specs[0] as ProcDef).body;
  }

  it('parses CASE with several values per option, specifications and ELSE', () => {
    const c = asKind(
      xbody(
        'CASE cmd',
        "  'x', q",
        '    running := FALSE',
        "  VAL BYTE r IS 'r':",
        '  r',
        '    SKIP',
        '  ELSE',
        '    STOP',
      ),
      'case',
    );
    expect(sx(c.selector)).toBe('cmd');
    expect(c.options.map((o) => [o.values?.map(sx) ?? 'ELSE', o.body.kind, o.specs.map((sp) => sp.kind)])).toEqual([
      [["'x'", 'q'], 'assign', []],
      [['r'], 'skip', ['val']],
      ['ELSE', 'stop', []],
    ]);
    expect(c.options.map((o) => at(o.span))).toEqual(['3:5', '5:5', '8:5']);
    expect(at(c.span)).toBe('2:3');
  });

  it('parses ALT and PRI ALT with every kind of guard, nested and replicated ALTs (T5, T14)', () => {
    const a = asKind(
      xbody(
        'PRI ALT',
        '  c ? x',
        '    SKIP',
        '  enabled & d ? x; y',
        '    SKIP',
        '  clock ? AFTER deadline',
        '    SKIP',
        '  ready & clock ? AFTER t PLUS 10',
        '    SKIP',
        '  ALT i = 0 FOR n',
        '    in[i] ? v',
        '      out ! i',
        '  INT v:',
        '  TRUE & SKIP',
        '    SKIP',
        '  SKIP',
        '    STOP',
      ),
      'alt',
    );
    expect([a.pri, a.repl]).toEqual([true, null]);
    const guards = a.alternatives.map((alt) => ('guard' in alt ? alt.guard : alt));
    expect(guards.map((g) => g.kind)).toEqual(['input', 'input', 'timeout', 'timeout', 'alt', 'skip', 'skip']);
    const [g1, g2, g3, g4, nested, g6, g7] = guards as [
      Extract<Alternative['guard'], { kind: 'input' }>,
      Extract<Alternative['guard'], { kind: 'input' }>,
      Extract<Alternative['guard'], { kind: 'timeout' }>,
      Extract<Alternative['guard'], { kind: 'timeout' }>,
      AltProcess,
      Extract<Alternative['guard'], { kind: 'skip' }>,
      Extract<Alternative['guard'], { kind: 'skip' }>,
    ];
    expect([g1.cond, sx(g1.channel), g1.items.map(sx)]).toEqual([null, 'c', ['x']]);
    expect([sx(g2.cond!), sx(g2.channel), g2.items.map(sx)]).toEqual(['enabled', 'd', ['x', 'y']]);
    expect(at(g2.span)).toBe('5:5');
    expect([g3.cond, sx(g3.timer), sx(g3.after)]).toEqual([null, 'clock', 'deadline']);
    expect([sx(g4.cond!), sx(g4.after)]).toEqual(['ready', '(t PLUS 10)']);
    expect([nested.pri, sx(nested.repl!.count)]).toEqual([false, 'n']);
    const inner = nested.alternatives[0] as Alternative;
    expect(inner.guard).toMatchObject({ kind: 'input', channel: { kind: 'subscript' } });
    expect([sx(g6.cond!), g7.cond]).toEqual(['TRUE', null]);
    expect((a.alternatives[5] as Alternative).specs.map((sp) => sp.kind)).toEqual(['decl']);
    expect(at(a.alternatives[5]!.span)).toBe('14:5');
    expect((a.alternatives[6] as Alternative).body.kind).toBe('stop');
  });

  it('attaches a declaration in front of a nested ALT to it', () => {
    const p = ok('PROC p ()\n  ALT\n    INT v:\n    ALT\n      c ? v\n        SKIP\n:\n', true);
    const outer = (p.specs[0] as { body: unknown }).body as {
      alternatives: { kind: string; specs: { kind: string }[] }[];
    };
    expect(outer.alternatives[0]!.kind).toBe('alt');
    expect(outer.alternatives[0]!.specs.map((s) => s.kind)).toEqual(['decl']);
  });

  it('parses a timer delay process', () => {
    const d = asKind(xbody('tim ? AFTER now PLUS 100'), 'delay');
    expect([sx(d.timer), sx(d.after)]).toEqual(['tim', '(now PLUS 100)']);
    expect(at(d.span)).toBe('2:3');
  });

  it('parses FUNCTION definitions, long and short (T3, T15)', () => {
    const program = ok(
      [
        'INT FUNCTION sum.to (VAL INT n)',
        '  INT acc:',
        '  VALOF',
        '    SEQ',
        '      acc := 0',
        '      SEQ i = 1 FOR n',
        '        acc := acc + i',
        '    RESULT acc',
        ':',
        'INT, INT FUNCTION div.mod (VAL INT a, b) IS a / b, a \\ b:',
        'BOOL INLINE FUNCTION yes () IS TRUE:',
        '',
      ].join('\n'),
      true,
    );
    const [f, g, h] = program.specs as [FunctionDef, FunctionDef, FunctionDef];
    expect([f.kind, f.name.name, f.resultTypes.map(tx), f.formals.map((x) => x.name.name)]).toEqual([
      'function',
      'sum.to',
      ['INT'],
      ['n'],
    ]);
    expect(f.specs.map((x) => x.kind)).toEqual(['decl']);
    expect(f.body!.kind).toBe('seq');
    expect(f.results.map(sx)).toEqual(['acc']);
    expect([at(f.span), f.span.end]).toEqual(['1:1', f.span.file.text.indexOf(':\nINT, INT') + 1]);
    expect([g.resultTypes.map(tx), g.formals.map((x) => [x.isVal, x.name.name]), g.body, g.results.map(sx)]).toEqual([
      ['INT', 'INT'],
      [
        [true, 'a'],
        [true, 'b'],
      ],
      null,
      ['(a / b)', '(a \\ b)'],
    ]);
    expect([h.name.name, h.results.map(sx)]).toEqual(['yes', ['TRUE']]);
  });

  it('reports a FUNCTION body without VALOF or RESULT', () => {
    expect(errs('INT FUNCTION f ()\n  SKIP\n:\nINT FUNCTION g ()\n  VALOF\n    SKIP\n:\n', true)).toEqual([
      '2:3 expected VALOF',
      '5:3 VALOF needs a RESULT line',
    ]);
  });

  it('reports lines that do not belong under CASE or ALT', () => {
    expect(errs('PROC p ()\n  CASE x\n    x := 1\n    ELSE\n      SKIP\n:\n', true)).toEqual([
      '3:5 expected a CASE option: each line directly under CASE is a value (or ELSE) with its process indented under it',
    ]);
    expect(errs('PROC p ()\n  ALT\n    x := 1\n    b & c ! x\n      SKIP\n:\n', true)).toEqual([
      '3:5 expected an ALT guard, found the name `x`',
      '4:11 expected `?` after the channel: an ALT guard is an input, a timeout or SKIP, found `!`',
    ]);
  });

  it('parse FUNCTION definitions without the option', () => {
    expect(errs('INT FUNCTION f ()\n  VALOF\n    SKIP\n    RESULT 1\n:\nPROC p ()\n  SKIP\n:\n')).toEqual([]);
  });

  it('survive random edits', () => {
    const src = [
      'INT FUNCTION f (VAL INT n)',
      '  VALOF',
      '    SKIP',
      '    RESULT n',
      ':',
      'PROC p (CHAN INT c?, TIMER t)',
      '  INT x:',
      '  PRI ALT',
      '    c ? x',
      '      CASE x',
      '        1, 2',
      '          SKIP',
      '        ELSE',
      '          STOP',
      '    b & t ? AFTER x',
      '      SKIP',
      ':',
      '',
    ].join('\n');
    ok(src, true);
    let seed = 99;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let n = 0; n < 200; n++) {
      const chars = src.split('');
      for (let k = 0; k < 3; k++) {
        const i = Math.floor(rnd() * chars.length);
        if (rnd() < 0.5) chars.splice(i, 1);
        else chars.splice(i, 0, String.fromCharCode(32 + Math.floor(rnd() * 95)));
      }
      const text = chars.join('');
      const diags = new Diagnostics();
      expect(
        () => parseSource(new SourceFile(0, 'f.occ', text), diags, { experimental: true }),
        JSON.stringify(text),
      ).not.toThrow();
      for (const d of diags.list) expect(d.message).not.toMatch(/internal error/);
    }
  });
});
