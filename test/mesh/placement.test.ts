// PLACED PAR through the parser, the checker and placement: the AST it builds, and the messages for misplaced
// or malformed placements.

import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import type { Process, ProcDef } from '../../compiler/ast.js';
import { parseSource } from '../../compiler/compile.js';
import { compileSource } from '../../compiler/compile.js';
import { Diagnostics, formatDiagnostic, SourceFile } from '../../compiler/source.js';

function mainBody(lines: string[]): Process {
  const diags = new Diagnostics();
  const program = parseSource(
    new SourceFile(0, 't.occ', ['PROC main (CHAN BYTE scr!)', ...lines.map((l) => `  ${l}`), ':', ''].join('\n')),
    diags,
  );
  expect(diags.list.map(formatDiagnostic)).toEqual([]);
  return (program.specs[0] as ProcDef).body;
}

function errors(lines: string[], options = {}): string[] {
  const text = ['PROC main (CHAN BYTE kyb?, scr!, err!)', ...lines.map((l) => `  ${l}`), ':', ''].join('\n');
  return compileSource('t.occ', text, options)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.span.line}:${d.span.col} ${d.message}`);
}

describe('parsing PLACED PAR', () => {
  it('builds PROCESSOR clauses with their coordinates and processes', () => {
    const p = mainBody(['PLACED PAR', '  PROCESSOR 0, 1', '    SKIP', '  PROCESSOR 2, 3', '    STOP']);
    expect(p.kind).toBe('placed');
    if (p.kind !== 'placed') return;
    expect(p.repl).toBeNull();
    expect(p.branches.map((b) => b.kind)).toEqual(['processor', 'processor']);
    const b = p.branches[1]!;
    if (b.kind !== 'processor') return;
    expect([b.x.kind, b.y.kind, b.body.kind]).toEqual(['int', 'int', 'stop']);
    expect([b.span.line, b.span.col]).toEqual([5, 5]);
  });

  it('builds a replicated PLACED PAR, nested ones too', () => {
    const p = mainBody(['PLACED PAR y = 0 FOR 2', '  PLACED PAR x = 0 FOR 3', '    PROCESSOR x, y', '      SKIP']);
    if (p.kind !== 'placed') throw new Error(p.kind);
    expect(p.repl!.index.name).toBe('y');
    const inner = p.branches[0]!;
    if (inner.kind !== 'placed') throw new Error(inner.kind);
    expect(inner.repl!.index.name).toBe('x');
    expect(inner.branches[0]!.kind).toBe('processor');
  });

  it('reports a PROCESSOR clause without its comma or its process', () => {
    const diags = new Diagnostics();
    parseSource(
      new SourceFile(0, 't.occ', 'PROC main ()\n  PLACED PAR\n    PROCESSOR 0 0\n      SKIP\n    PROCESSOR 1, 0\n:\n'),
      diags,
    );
    expect(diags.sorted().map((d) => `${d.span.line}:${d.span.col} ${d.message}`)).toEqual([
      '3:17 expected `,` between the coordinates',
      '5:5 PROCESSOR needs a process indented under it',
    ]);
  });
});

describe('checking and placing', () => {
  it('accepts replicator indices in coordinates and gives each core its index value', () => {
    const r = compileSource(
      't.occ',
      'PROC main ()\n  PLACED PAR i = 0 FOR 6\n    PROCESSOR i \\ 3, i / 3\n      INT k:\n      k := i\n:\n',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.image!.mesh).toEqual({ width: 3, height: 2 });
    expect(r.image!.cores.map((c) => `${c.x},${c.y}`)).toEqual(['0,0', '1,0', '2,0', '0,1', '1,1', '2,1']);
  });

  it('says where the two processes placed on one core are', () => {
    expect(errors(['PLACED PAR i = 0 FOR 3', '  PROCESSOR i / 2, 0', '    SKIP'])).toEqual([
      '3:5 two processes are placed on core (0, 0)',
    ]);
  });

  it('reports coordinates outside the mesh, negative or beyond --mesh', () => {
    expect(errors(['PLACED PAR', '  PROCESSOR 0, -1', '    SKIP'])).toEqual([
      '3:18 processor coordinate -1 is outside the mesh',
    ]);
    expect(errors(['PLACED PAR', '  PROCESSOR 4, 0', '    SKIP'], { mesh: { width: 4, height: 4 } })).toEqual([
      '3:5 core (4, 0) is outside the 4x4 mesh',
    ]);
  });

  it('rejects a type error in a coordinate', () => {
    expect(errors(['PLACED PAR', '  PROCESSOR TRUE, 0', '    SKIP'])[0]).toMatch(/^3:15 /);
  });

  it('reports variables shared between cores, and allows one used on a single core', () => {
    expect(
      errors(['INT x:', 'PLACED PAR', '  PROCESSOR 0, 0', '    x := 1', '  PROCESSOR 1, 0', '    x := 2']),
    ).toEqual(['7:7 `x` is shared between cores (0, 0) and (1, 0), but cores do not share memory']);
    expect(errors(['INT x:', 'PLACED PAR', '  PROCESSOR 0, 0', '    x := 1', '  PROCESSOR 1, 0', '    SKIP'])).toEqual(
      [],
    );
  });

  it('reports a channel used on three cores, or input on both ends', () => {
    expect(
      errors([
        'CHAN INT c:',
        'PLACED PAR',
        '  PROCESSOR 0, 0',
        '    c ! 1',
        '  PROCESSOR 1, 0',
        '    INT v:',
        '    c ? v',
        '  PROCESSOR 2, 0',
        '    INT v:',
        '    c ? v',
      ]),
    ).toEqual(['11:7 channel `c` is used on 3 cores ((0, 0), (1, 0), (2, 0))']);
    expect(
      errors([
        'CHAN INT c:',
        'PLACED PAR',
        '  PROCESSOR 0, 0',
        '    INT v:',
        '    c ? v',
        '  PROCESSOR 1, 0',
        '    INT v:',
        '    c ? v',
      ]),
    ).toEqual(['9:7 channel `c` is used for input on both cores']);
  });

  it('follows a channel into the PROCs it is passed to, to find its direction', () => {
    const text = [
      'PROC send (CHAN INT o!)',
      '  o ! 1',
      ':',
      'PROC pass (CHAN INT o!)',
      '  send (o!)',
      ':',
      'PROC main ()',
      '  CHAN INT c:',
      '  PLACED PAR',
      '    PROCESSOR 0, 0',
      '      INT v:',
      '      c ? v',
      '    PROCESSOR 0, 1',
      '      pass (c!)',
      ':',
    ].join('\n');
    const r = compileSource('t.occ', text);
    expect(r.diagnostics).toEqual([]);
    expect(r.image!.channels).toEqual([{ name: 'c', from: { x: 0, y: 1 }, to: { x: 0, y: 0 } }]);
  });

  it('rejects a PLACED PAR that is not the program body, and PROCESSOR outside one', () => {
    expect(errors(['SEQ', '  SKIP', '  PLACED PAR', '    PROCESSOR 0, 0', '      SKIP'])).toEqual([
      '4:5 a PLACED PAR must be the body of the program (its last PROC), after its declarations',
    ]);
    expect(errors(['PLACED PAR', '  SKIP'])).toEqual(['3:5 each branch of a PLACED PAR is a PROCESSOR clause']);
  });

  it('checks that every core fits its memory', () => {
    const e = errors(['PLACED PAR', '  PROCESSOR 0, 0', '    [300]INT a:', '    a[0] := 1'], { memoryBytes: 1024 });
    expect(e).toHaveLength(1);
    const m =
      /^3:5 core \(0, 0\) needs (\d+) bytes of memory \(code (\d+), workspace (\d+), reserved (\d+)\) but has 1024$/.exec(
        e[0]!,
      );
    expect(m).not.toBeNull();
    // The parts add up to the whole.
    expect(Number(m![2]) + Number(m![3]) + Number(m![4])).toBe(Number(m![1]));
  });
});

describe('arrays of channels across cores', () => {
  const compile = (lines: string[], options = {}) =>
    compileSource(
      't.occ',
      ['PROC main (CHAN BYTE kyb?, scr!, err!)', ...lines.map((l) => `  ${l}`), ':', ''].join('\n'),
      options,
    );

  it('makes one mesh channel per element, each between the cores that use it', () => {
    const r = compile([
      '[3]CHAN INT c:',
      'PLACED PAR i = 0 FOR 3',
      '  PROCESSOR i, 0',
      '    INT v:',
      '    IF',
      '      i = 0',
      '        c[0] ! 1',
      '      TRUE',
      '        SEQ',
      '          c[i - 1] ? v',
      '          c[i] ! v',
    ]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.image!.channels).toEqual([
      { name: 'c[0]', from: { x: 0, y: 0 }, to: { x: 1, y: 0 } },
      { name: 'c[1]', from: { x: 1, y: 0 }, to: { x: 2, y: 0 } },
      // c[2] is used on core (2, 0) only: it stays there.
      { name: 'c[2]', from: { x: 2, y: 0 }, to: { x: 2, y: 0 }, local: true },
    ]);
  });

  it('counts a subscript known only at run time as a use of every element', () => {
    const r = compile([
      '[3]CHAN INT c:',
      'PLACED PAR',
      '  PROCESSOR 0, 0',
      '    SEQ k = 1 FOR 2',
      '      INT v:',
      '      c[k] ? v',
      '  PLACED PAR i = 1 FOR 2',
      '    PROCESSOR i, 0',
      '      c[i] ! i',
    ]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.image!.channels!.map((c) => `${c.name} ${c.from.x}->${c.to.x}`)).toEqual([
      'c[0] 0->0',
      'c[1] 1->0',
      'c[2] 2->0',
    ]);
  });

  it('reports an element used on three cores, and a constant subscript outside the array', () => {
    expect(
      errors([
        '[2]CHAN INT c:',
        'PLACED PAR i = 0 FOR 3',
        '  PROCESSOR i, 0',
        '    IF',
        '      i = 0',
        '        c[0] ! 1',
        '      TRUE',
        '        INT v:',
        '        c[0] ? v',
      ]),
    ).toEqual(['10:11 channel `c[0]` is used on 3 cores ((0, 0), (1, 0), (2, 0))']);
    expect(errors(['[2]CHAN INT c:', 'PLACED PAR i = 0 FOR 2', '  PROCESSOR i, 0', '    c[i + 1] ! 1'])).toEqual([
      '5:7 subscript 2 is outside `c` (2 channels)',
    ]);
  });

  it('evaluates VAL abbreviations in front of a PROCESSOR clause on each core', () => {
    const r = compile([
      'PLACED PAR i = 0 FOR 4',
      '  VAL INT x IS i \\ 2:',
      '  VAL INT y IS i / 2:',
      '  PROCESSOR x, y',
      '    INT v:',
      '    v := x + y',
    ]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.image!.cores.map((c) => `${c.x},${c.y}`)).toEqual(['0,0', '1,0', '0,1', '1,1']);
    expect(errors(['PLACED PAR', '  INT z:', '  PROCESSOR 0, 0', '    SKIP'])).toEqual([
      '3:5 only VAL abbreviations can stand in front of a PROCESSOR clause',
    ]);
  });

  it('leaves out of a core the IF choices its indices rule out', () => {
    // Only core (0, 0) writes to the screen: the other cores' code never mentions it.
    const r = compile([
      'PLACED PAR i = 0 FOR 3',
      '  PROCESSOR i, 0',
      '    IF',
      '      i = 0',
      "        scr ! 'a'",
      '      TRUE',
      '        SKIP',
    ]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.image!.channels).toEqual([]);
  });
});

describe('names in the debug information', () => {
  it('records each variable and channel with its scope and workspace offset', () => {
    const r = compileSource('t.occ', 'PROC main ()\n  CHAN INT c:\n  INT x:\n  PAR\n    c ! 1\n    c ? x\n:\n');
    const names = r.image!.debug[0]!.names!;
    expect(names.map((n) => [n.name, n.kind])).toEqual([
      ['c', 'channel'],
      ['x', 'variable'],
    ]);
    for (const n of names) {
      expect(n.end).toBeGreaterThan(n.offset);
      expect(n.wordOffset).toBeGreaterThanOrEqual(2);
    }
    expect(names[0]!.wordOffset).not.toBe(names[1]!.wordOffset);
  });
});

// Three stages, one a replicated PAR; c[3] is never used, so it stays on one core.
const NESTED = [
  'PROC main (CHAN BYTE kyb?, scr!, err!)',
  '  [4]CHAN INT c:',
  '  SEQ',
  '    PAR',
  '      c[0] ! 1',
  '      PAR i = 0 FOR 2',
  '        INT v:',
  '        SEQ',
  '          c[i] ? v',
  '          c[i + 1] ! v',
  '      INT v:',
  '      c[2] ? v',
  ':',
  '',
].join('\n');

describe('--spread through nested PARs', () => {
  it('gives every branch of a nested PAR, and every replica of a replicated one, a core of its own', () => {
    const text = NESTED;
    const r = compileSource('t.occ', text, { spread: true });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.image!.mesh).toEqual({ width: 2, height: 2 });
    expect(r.image!.cores.map((c) => `${c.x},${c.y}`)).toEqual(['0,0', '1,0', '0,1', '1,1']);
    expect(r.image!.channels!.map((c) => `${c.name} ${c.from.x},${c.from.y}->${c.to.x},${c.to.y}`)).toEqual([
      'c[0] 0,0->1,0',
      'c[1] 1,0->0,1',
      'c[2] 0,1->1,1',
      'c[3] 0,0->0,0',
    ]);
  });
});

describe('mesh channels placement emits', () => {
  it('never goes from a core to itself, except an array element marked local', () => {
    const r = compileSource('t.occ', NESTED, { spread: true });
    expect(r.image!.channels!.filter((c) => c.local).map((c) => c.name)).toEqual(['c[3]']);
    for (const file of [
      'programs/sieve.occ',
      'test/programs/mesh/spread_nested_par.occ',
      'test/programs/mesh/spread_wrap.occ',
    ]) {
      for (const mesh of [undefined, { width: 2, height: 1 }, { width: 3, height: 3 }]) {
        const r = compileSource(file, readFileSync(file, 'latin1'), {
          spread: true,
          mesh,
          loader: (p) => readFileSync(p, 'latin1'),
        });
        for (const c of r.image?.channels ?? []) {
          if (c.from.x === c.to.x && c.from.y === c.to.y) expect([file, c.name, c.local]).toEqual([file, c.name, true]);
        }
      }
    }
  });
});
