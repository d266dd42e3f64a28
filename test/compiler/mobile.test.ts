// MOBILE data of fixed size (occam-π): the types that may be MOBILE, CLONE, the usage rule that a moved MOBILE is
// changed, and the code of a move (the two values exchanged, as KRoC's exchange of their storage leaves them).

import { describe, expect, it } from 'vitest';
import { check } from '../../compiler/checker/index.js';
import { generate } from '../../compiler/codegen/index.js';
import { parseSource } from '../../compiler/compile.js';
import { checkUsage } from '../../compiler/usage.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';
import { Fn, operationByCode } from '../../emulator/isa.js';

const RECORD = 'DATA TYPE P\n  MOBILE RECORD\n    INT x, y:\n:\n';

function diagnose(text: string): { diags: Diagnostics; checked: ReturnType<typeof check> | null } {
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 't.occ', text), diags);
  const checked = diags.errorCount === 0 ? check(program, diags) : null;
  if (checked && diags.errorCount === 0) checkUsage(program, diags);
  return { diags, checked };
}

function errors(body: string): string[] {
  const { diags } = diagnose(`${RECORD}PROC p (CHAN BYTE scr!)\n${body}\n:\n`);
  return diags
    .sorted()
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.span.line - 4}:${d.span.col} ${d.message}`);
}

function moves(body: string): number {
  const { diags, checked } = diagnose(`${RECORD}PROC p (CHAN BYTE scr!)\n${body}\n:\n`);
  expect(
    diags
      .sorted()
      .filter((d) => d.severity === 'error')
      .map((d) => d.message),
  ).toEqual([]);
  return generate(checked!).items.filter(
    (i) =>
      i.kind === 'fn' &&
      i.fn === Fn.opr &&
      typeof i.operand === 'number' &&
      operationByCode(i.operand)?.name === 'move',
  ).length;
}

describe('MOBILE data', () => {
  it('may be a value type, a fixed-size array or a RECORD', () => {
    expect(errors('  MOBILE INT a:\n  MOBILE [4]BYTE b:\n  P r:\n  CHAN MOBILE INT c:\n  SKIP')).toEqual([]);
    expect(errors('  MOBILE []INT a:\n  SKIP')).toEqual([
      '2:3 a MOBILE array of a size known only at run time is not supported yet',
    ]);
    expect(errors('  MOBILE TIMER t:\n  SKIP')).toEqual(['2:3 TIMER cannot be MOBILE']);
  });

  it('CLONE copies only a MOBILE', () => {
    expect(errors('  MOBILE INT a, b:\n  SEQ\n    a := 1\n    b := CLONE a')).toEqual([]);
    expect(errors('  INT a, b:\n  SEQ\n    a := 1\n    b := CLONE a')).toEqual([
      '5:10 CLONE copies a MOBILE, but this is INT',
    ]);
  });

  it('a move changes its source, for the usage rules of PAR', () => {
    expect(errors('  MOBILE INT a, b, c:\n  PAR\n    b := a\n    c := a')[0]).toMatch(
      /^5:10 `a` is moved by an assignment in one branch of this PAR and moved by an assignment in another/,
    );
    expect(errors('  MOBILE INT a, b, c:\n  PAR\n    b := CLONE a\n    c := CLONE a')).toEqual([]);
  });

  it('a move exchanges the two values; a CLONE or a plain assignment copies', () => {
    expect(moves('  P r, s:\n  r := s')).toBe(3);
    expect(moves('  MOBILE INT a, b:\n  a := b')).toBe(3);
    expect(moves('  P r, s:\n  r := CLONE s')).toBe(1);
    expect(moves('  MOBILE INT a, b:\n  a := CLONE b')).toBe(0);
  });
});
