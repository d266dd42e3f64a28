// User-defined operators: the lexer's occam-pi operator symbols, FUNCTIONs named by an operator in quotes, and the
// checker's choice among overloaded definitions by operand types, with its messages.
import { describe, expect, it } from 'vitest';
import type { Expr, ProcDef, Process } from '../../compiler/ast.js';
import { check } from '../../compiler/checker/index.js';
import { compileSource, parseSource } from '../../compiler/compile.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';

const COMPLEX = ['DATA TYPE COMPLEX', '  RECORD', '    INT re, im:', ':'];

function diagnostics(text: string): string[] {
  return compileSource('t.occ', text).diagnostics.map(
    (d) => `${d.span.line}:${d.span.col} ${d.severity}: ${d.message}`,
  );
}

/** The checked value of `x := <e>` in a program with these definitions: the node the checker leaves. */
function checkedValue(defs: string[], decls: string[], e: string): Expr {
  const text = [
    ...defs,
    'PROC main (CHAN BYTE kyb?, scr!, err!)',
    ...decls.map((d) => `  ${d}`),
    `  x := ${e}`,
    ':',
    '',
  ];
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 't.occ', text.join('\n')), diags);
  check(program, diags);
  expect(diags.list.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  let body = (program.specs[program.specs.length - 1] as ProcDef).body;
  while (body.kind === 'scope') body = body.body;
  return (body as Extract<Process, { kind: 'assign' }>).values[0]!;
}

describe('user-defined operators', () => {
  it('makes an operator on a record a call of its FUNCTION', () => {
    const defs = [...COMPLEX, 'COMPLEX FUNCTION "+" (VAL COMPLEX a, b) IS [a[re] + b[re], a[im] + b[im]]:'];
    const v = checkedValue(defs, ['COMPLEX x, y:'], 'x + y');
    expect(v.kind === 'call' && v.decl?.name).toBe('"+"');
  });

  it('chooses among definitions by the operand types, and keeps the built-in meaning for the others', () => {
    const defs = [
      ...COMPLEX,
      'COMPLEX FUNCTION "+" (VAL COMPLEX a, b) IS a:',
      'COMPLEX FUNCTION "+" (VAL COMPLEX a, VAL INT n) IS [a[re] + n, a[im]]:',
    ];
    const withInt = checkedValue(defs, ['COMPLEX x:'], 'x + 3');
    expect(withInt.kind === 'call' && withInt.decl?.params[1]?.type).toEqual({ kind: 'prim', name: 'INT' });
    const builtIn = checkedValue(defs, ['INT x:'], '1 + 2');
    expect(builtIn.kind).toBe('dyadic');
    expect(builtIn.constValue).toBe(3n);
  });

  it('defines monadic operators and the occam-pi symbols with no built-in meaning', () => {
    const defs = ['INT FUNCTION "@@" (VAL INT a, b) IS a + b:', 'INT FUNCTION "??" (VAL []INT v) IS SIZE v:'];
    expect(checkedValue(defs, ['INT x:'], '1 @@ 2').kind).toBe('call');
    expect(checkedValue(defs, ['INT x:'], '?? [1, 2]').kind).toBe('call');
  });

  it('reads "**" as the operator *, as occ21 does', () => {
    const defs = [...COMPLEX, 'COMPLEX FUNCTION "**" (VAL COMPLEX a, b) IS a:'];
    expect(checkedValue(defs, ['COMPLEX x:'], 'x * x').kind).toBe('call');
  });

  it('reports an operator that no definition takes, and definitions of the wrong shape', () => {
    const main = ['PROC main (CHAN BYTE kyb?, scr!, err!)', '  INT n:', '  n := 1 @@ 2', ':', ''];
    expect(diagnostics(main.join('\n'))).toEqual(['3:8 error: no operator `@@` is defined for INT and INT']);
    expect(
      diagnostics(['INT FUNCTION "@" (VAL INT a, b, c) IS a:', ...main.slice(0, 2), '  n := 1', ':'].join('\n')),
    ).toEqual(['1:14 error: an operator takes one operand or two, but FUNCTION "@" has 3']);
  });
});
