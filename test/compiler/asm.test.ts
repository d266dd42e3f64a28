// ASM and GUY blocks: the checker's rules for instructions, operands and labels, and the instructions the code
// generator emits for them.

import { describe, expect, it } from 'vitest';
import { check } from '../../compiler/checker/index.js';
import { generate } from '../../compiler/codegen/index.js';
import { parseSource } from '../../compiler/compile.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';
import { DIRECT, Fn, operationByCode } from '../../emulator/isa.js';

function diagnose(text: string): { diags: Diagnostics; checked: ReturnType<typeof check> | null } {
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 't.occ', text), diags);
  const checked = diags.errorCount === 0 ? check(program, diags) : null;
  return { diags, checked };
}

function errors(body: string): string[] {
  const { diags } = diagnose(`PROC p (CHAN BYTE scr!)\n  INT x, y:\n  [2]INT v:\n${body}\n:\n`);
  return diags
    .sorted()
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.span.line}:${d.span.col} ${d.message}`);
}

/** The instructions of the ASM block `body` (with operands), between two markers the test puts around it. */
function code(body: string): string[] {
  const src = `PROC p (CHAN BYTE scr!)\n  INT x, y:\n  SEQ\n    x := 7\n${body}\n    x := 7\n:\n`;
  const { diags, checked } = diagnose(src);
  expect(
    diags
      .sorted()
      .filter((d) => d.severity === 'error')
      .map((d) => d.message),
  ).toEqual([]);
  const out: string[] = [];
  for (const item of generate(checked!).items) {
    if (item.kind === 'jump') out.push(DIRECT[item.fn]!.name + ' label');
    else if (item.kind === 'label') out.push(':');
    else if (item.kind === 'data') out.push(`data ${Array.from(item.bytes).join(' ')}`);
    else if (item.kind === 'fn') {
      const operand =
        typeof item.operand === 'number' ? item.operand : typeof item.operand === 'function' ? item.operand() : 'diff';
      if (item.fn === Fn.opr && typeof item.operand === 'number') out.push(operationByCode(item.operand)?.name ?? '?');
      else out.push(`${DIRECT[item.fn]!.name} ${operand}`);
    }
  }
  const first = out.indexOf('ldc 7');
  const last = out.lastIndexOf('ldc 7');
  return out.slice(first + 2, last);
}

describe('ASM: checking', () => {
  it('knows the instructions of the ISA by name and the pseudo-instructions', () => {
    expect(errors('  ASM\n    LDC 1\n    ADC 2\n    OUTWORD\n    FPUABS\n    LD x\n    ST y')).toEqual([]);
    expect(errors('  GUY\n    LDL x\n    STL y\n    LDLP v')).toEqual([]);
    expect(errors('  ASM\n    SHUFFLE')).toEqual(['5:5 `SHUFFLE` is not an instruction occmesh implements']);
  });

  it('checks the number and kind of operands', () => {
    expect(errors('  ASM\n    REV 1')).toEqual(['5:5 REV takes no operand, but is given 1']);
    expect(errors('  ASM\n    LDABC x, y')).toEqual(['5:5 LDABC takes 3 values, but is given 2']);
    expect(errors('  ASM\n    ST v')).toEqual(['5:8 ST stores one word, but `v` is not a one-word variable']);
    expect(errors('  ASM\n    LDC x + 1')).toEqual(['5:9 the operand of LDC must be an integer constant']);
    expect(errors('  ASM\n    LDC .FOO')).toEqual(['5:9 `.FOO` is not a special name of ASM']);
    expect(errors('  ASM\n    LDC :l\n    :l')).toEqual(['5:9 a label is an operand of J, CJ and CALL, not of LDC']);
  });

  it('knows a label in every ASM block of the PROC, once', () => {
    expect(errors('  SEQ\n    ASM\n      J :a\n    ASM\n      :a')).toEqual([]);
    expect(errors('  ASM\n    J :b')).toEqual(['5:7 the label `:b` is not defined in this PROC']);
    expect(errors('  ASM\n    :c\n    :c')[0]).toBe('6:5 the label `:c` is defined twice in this PROC');
  });
});

describe('ASM: code', () => {
  it('emits the instructions as written, loading LDAB operands last first', () => {
    expect(code('    ASM\n      LDAB x, 5\n      ADD\n      ST y')).toEqual(['ldc 5', 'ldl 2', 'add', 'stl 3']);
  });

  it('places labels and data in the code', () => {
    expect(code('    ASM\n      :top\n      J :top\n      BYTE "ab", 3\n      WORD 258')).toEqual([
      ':',
      'j label',
      'data 97 98 3',
      'data 2 1 0 0',
    ]);
  });
});
