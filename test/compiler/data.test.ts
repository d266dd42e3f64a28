// Declarations, data and procedures: the parser's nodes for segments, tables, constructors and the new
// specifications; the checker's rules and messages for FUNCTIONs, abbreviations, RETYPES and unused names; and the
// shapes of the code generated for static links, open arrays and FUNCTION results.
import { describe, expect, it } from 'vitest';
import type { Expr, ProcDef, Process, Spec } from '../../compiler/ast.js';
import type { Item } from '../../compiler/assembler.js';
import { check } from '../../compiler/checker/index.js';
import { generate } from '../../compiler/codegen/index.js';
import { compileSource } from '../../compiler/compile.js';
import { parseSource } from '../../compiler/compile.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';
import { DIRECT, operationByCode, Fn } from '../../emulator/isa.js';
import { Machine } from '../../emulator/machine.js';

function parseOk(text: string): { specs: readonly Spec[] } {
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 't.occ', text), diags);
  expect(diags.list.map((d) => d.message)).toEqual([]);
  return program;
}

function bodyOf(...lines: string[]): Process {
  const program = parseOk(['PROC p ()', ...lines.map((l) => `  ${l}`), ':', ''].join('\n'));
  return (program.specs[0] as ProcDef).body;
}

function valueOf(text: string): Expr {
  const p = bodyOf(`x := ${text}`);
  if (p.kind !== 'assign') throw new Error(p.kind);
  return p.values[0]!;
}

/** Diagnostics of a whole program as `line:col severity: message`. */
function diagnostics(text: string): string[] {
  return compileSource('t.occ', text).diagnostics.map(
    (d) => `${d.span.line}:${d.span.col} ${d.severity}: ${d.message}`,
  );
}

/** The instructions of a program as text (`ldc 3`, `call`, ...), operands resolved where they are numbers. */
function instructions(text: string): string[] {
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 't.occ', text), diags);
  const checked = check(program, diags);
  expect(diags.list.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const gen = generate(checked!);
  return gen.items.flatMap((it: Item) => {
    if (it.kind === 'jump') return [DIRECT[it.fn]!.name];
    if (it.kind !== 'fn') return [];
    if (it.fn === Fn.opr) return [operationByCode(it.operand as number)!.name];
    const v = typeof it.operand === 'number' ? it.operand : typeof it.operand === 'function' ? it.operand() : 'L';
    return [`${DIRECT[it.fn]!.name} ${v}`];
  });
}

async function run(text: string): Promise<{ out: string; status: string }> {
  const r = compileSource('t.occ', text);
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const chunks: number[] = [];
  const m = new Machine(r.image!, { onScreen: (b: Uint8Array) => chunks.push(...b) });
  const res = m.run();
  return { out: Buffer.from(chunks).toString('latin1'), status: res.status };
}

describe('parser: segments, tables, constructors', () => {
  it('parses the three segment forms', () => {
    const a = valueOf('[a FROM i FOR n]');
    expect(a.kind === 'slice' && a.start && a.count).toBeTruthy();
    const b = valueOf('[a FROM 2]');
    expect(b.kind === 'slice' && b.start !== null && b.count === null).toBe(true);
    const c = valueOf('[a FOR 3]');
    expect(c.kind === 'slice' && c.start === null && c.count !== null).toBe(true);
  });

  it('parses tables, nested tables and constructors', () => {
    const t = valueOf('[1, 2, 3]');
    expect(t.kind === 'table' && t.elems.length).toBe(3);
    const n = valueOf('[[1, 2], [3, 4]][1]');
    expect(n.kind).toBe('subscript');
    const k = valueOf('[i = 0 FOR 4 | i * i]');
    expect(k.kind === 'constructor' && k.index.name).toBe('i');
  });

  it('parses a segment as an assignment target', () => {
    const p = bodyOf('[a FROM 1 FOR 2] := b');
    expect(p.kind === 'assign' && p.targets[0]!.kind).toBe('slice');
  });

  it('parses INITIAL, RESULT, DATA TYPE, PLACE and RETYPES specifications', () => {
    const p = bodyOf(
      'INITIAL INT x IS 1:',
      'RESULT INT r IS y:',
      'DATA TYPE T IS [2]INT:',
      'PLACE x IN WORKSPACE:',
      'INT w RETYPES b:',
      'VAL [4]BYTE v RESHAPES w:',
      'SKIP',
    );
    expect(p.kind).toBe('scope');
    if (p.kind !== 'scope') return;
    expect(
      p.specs.map((s) =>
        s.kind === 'abbrev'
          ? `abbrev${s.isResult ? ' result' : ''}`
          : s.kind === 'retypes'
            ? `retypes ${s.isVal} ${s.reshape}`
            : s.kind,
      ),
    ).toEqual(['initial', 'abbrev result', 'datatype', 'place', 'retypes false false', 'retypes true true']);
  });

  it('parses a multiple assignment from one call, and RESULT formals', () => {
    const p = bodyOf('a, b := f (x)');
    expect(p.kind === 'assign' && p.targets.length === 2 && p.values.length === 1).toBe(true);
    const prog = parseOk('PROC q (VAL INT n, RESULT INT a, b)\n  SKIP\n:\n');
    const f = (prog.specs[0] as ProcDef).formals;
    expect(f.map((x) => `${x.isVal}/${x.isResult}`)).toEqual(['true/false', 'false/true', 'false/true']);
  });
});

describe('checker: FUNCTIONs', () => {
  it('requires VAL parameters and forbids side effects', () => {
    expect(
      diagnostics(
        [
          'INT FUNCTION f (INT x, CHAN INT c)',
          '  INT y:',
          '  VALOF',
          '    SEQ',
          '      c ? y',
          '      x := y',
          '    RESULT y',
          ':',
          'PROC main (CHAN BYTE scr!)',
          '  SKIP',
          ':',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '1:17 error: parameter `x` of FUNCTION f must be VAL',
      '1:24 error: parameter `c` of FUNCTION f must be VAL',
      '5:7 error: a FUNCTION cannot contain input',
    ]);
  });

  it('lets the value process change its own variables only', () => {
    expect(
      diagnostics(
        [
          'PROC main (CHAN BYTE scr!)',
          '  INT outside:',
          '  INT FUNCTION f (VAL INT n)',
          '    INT mine:',
          '    VALOF',
          '      SEQ',
          '        mine := n',
          '        outside := n',
          '      RESULT mine',
          '  :',
          '  SEQ',
          '    outside := f (1)',
          '    scr ! BYTE outside',
          ':',
          '',
        ].join('\n'),
      ),
    ).toEqual(['8:9 error: a FUNCTION cannot change `outside`, which is declared outside it']);
  });

  it('checks the number and types of results and arguments', () => {
    expect(
      diagnostics(
        [
          'INT, BOOL FUNCTION two (VAL INT x) IS x, x > 0:',
          'PROC main (CHAN BYTE scr!)',
          '  INT a, b:',
          '  SEQ',
          '    a, b := two (1)',
          '    a := two (1, 2)',
          ':',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '5:8 error: result 2 of `two` is BOOL, but `b` is INT',
      '6:10 error: `two` takes 1 parameter(s) but is given 2',
      '6:10 error: `two` gives 2 results, so it cannot be used inside an expression',
    ]);
  });
});

describe('checker: abbreviations, RETYPES, DATA TYPE, PLACE, warnings', () => {
  it('gives an open abbreviation the size of what it abbreviates', () => {
    expect(
      diagnostics('PROC main (CHAN BYTE scr!)\n  [4]BYTE b:\n  []BYTE c IS [b FROM 1]:\n  scr ! BYTE (SIZE c)\n:\n'),
    ).toEqual([]);
  });

  it('computes an open RETYPES dimension and rejects one that does not divide', () => {
    expect(
      diagnostics('PROC main (CHAN BYTE scr!)\n  [6]BYTE b:\n  []INT w RETYPES b:\n  scr ! BYTE (SIZE w)\n:\n'),
    ).toEqual(['3:3 error: `b` is 6 bytes, which is not a whole number of INT (4 bytes each)']);
  });

  it('rejects PLACE AT and accepts PLACE IN WORKSPACE', () => {
    expect(diagnostics('PROC main (CHAN BYTE scr!)\n  INT x:\n  PLACE x IN VECSPACE:\n  x := 1\n:\n')).toEqual([]);
    expect(diagnostics('PROC main (CHAN BYTE scr!)\n  INT x:\n  PLACE x AT 0:\n  x := 1\n:\n')).toEqual([
      '3:3 error: `x` cannot be PLACEd AT an address: memory is private and has no devices',
    ]);
  });

  it('warns about unused variables and VAL constants only when there are no errors', () => {
    expect(diagnostics('PROC main (CHAN BYTE scr!)\n  INT x, y:\n  VAL INT k IS 2:\n  x := 1\n:\n')).toEqual([
      '2:10 warning: `y` is declared but never used',
      '3:11 warning: `k` is declared but never used',
    ]);
    expect(diagnostics('PROC main (CHAN BYTE scr!)\n  INT x, y:\n  x := TRUE\n:\n')).toEqual([
      '3:8 error: cannot assign a BOOL value to `x`, which is INT',
    ]);
  });

  it('keeps a DATA TYPE distinct from the type it renames', () => {
    expect(diagnostics('DATA TYPE D IS INT:\nPROC main (CHAN BYTE scr!)\n  D d:\n  d := 1(INT)\n:\n')).toEqual([
      '4:8 error: cannot assign a INT value to `d`, which is D',
    ]);
  });
});

describe('code generator: calls', () => {
  it('passes an open array as its address in A and its size in B', () => {
    const code = instructions('PROC q (VAL []INT v)\n  SKIP\n:\nPROC main (CHAN BYTE scr!)\n  [3]INT a:\n  q (a)\n:\n');
    const i = code.lastIndexOf('call', code.lastIndexOf('call') - 1);
    expect(code.slice(i - 2, i + 1)).toEqual(['ldc 3', expect.stringMatching(/^ldlp \d+$/), 'call']);
  });

  it('passes a nested PROC its static link as parameter 0', () => {
    const code = instructions(
      'PROC main (CHAN BYTE scr!)\n  INT x:\n  PROC set (VAL INT v)\n    x := v\n  :\n  set (7)\n:\n',
    );
    // The caller loads v (B) then its own workspace address (A) before the call ...
    const i = code.lastIndexOf('call', code.lastIndexOf('call') - 1);
    expect(code.slice(i - 2, i + 1)).toEqual(['ldc 7', 'ldlp 0', 'call']);
    // ... and the nested PROC stores through it.
    expect(code).toContain('stnl 0');
  });

  it('returns FUNCTION results in registers and stores the first from A', () => {
    const code = instructions(
      'INT, INT FUNCTION f (VAL INT a) IS a, a + 1:\nPROC main (CHAN BYTE scr!)\n  INT p, q:\n  SEQ\n    p, q := f (1)\n    scr ! BYTE (p + q)\n:\n',
    );
    const i = code.lastIndexOf('call', code.lastIndexOf('call') - 1);
    expect(code[i + 1]).toMatch(/^stl \d+$/);
    expect(code[i + 2]).toMatch(/^stl \d+$/);
  });

  it('runs a program using every kind of parameter word', async () => {
    const r = await run(
      [
        'PROC fill ([][]BYTE g, VAL BYTE b, INT n)',
        '  SEQ i = 0 FOR SIZE g',
        '    SEQ j = 0 FOR SIZE g[i]',
        '      SEQ',
        '        g[i][j] := b',
        '        n := n + 1',
        ':',
        'PROC main (CHAN BYTE scr!)',
        '  [2][3]BYTE g:',
        '  INT n:',
        '  SEQ',
        '    n := 0',
        "    fill (g, 'z', n)",
        '    scr ! g[1][2]',
        "    scr ! BYTE (n + (INT '0'))",
        ':',
        '',
      ].join('\n'),
    );
    expect(r.out).toBe('z6');
  });
});

describe('robustness', () => {
  it('never throws (nor reports an internal error) while compiling the data programs with lines removed or words changed', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = join(import.meta.dirname, '..', 'programs', 'data');
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const words = [
      'VAL',
      'INT',
      '[]INT',
      'FUNCTION',
      'IS',
      'RESULT',
      'VALOF',
      'FROM',
      'FOR',
      '[',
      ']',
      'SIZE',
      ':',
      'x',
    ];
    let compiled = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.occ'))) {
      const lines = readFileSync(join(dir, f), 'latin1').split('\n');
      for (let k = 0; k < 12; k++) {
        const copy = [...lines];
        const at = rand(copy.length);
        if (k % 2 === 0) copy.splice(at, 1);
        else {
          const parts = copy[at]!.split(' ');
          parts[rand(parts.length)] = words[rand(words.length)]!;
          copy[at] = parts.join(' ');
        }
        const r = compileSource(f, copy.join('\n'));
        expect(r.diagnostics.filter((d) => d.message.includes('internal error')).map((d) => d.message)).toEqual([]);
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(400);
  });
});
