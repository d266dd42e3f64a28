// Extended input `c ?? x` (occam-π): how it parses (a during-process and an optional after-process), the checker's
// and usage rules' view of it, and the instruction shapes the code generator gives it.

import { describe, expect, it } from 'vitest';
import { check } from '../../compiler/checker/index.js';
import { generate } from '../../compiler/codegen/index.js';
import { parseSource } from '../../compiler/compile.js';
import { checkUsage } from '../../compiler/usage.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';
import { Fn, operationByCode } from '../../emulator/isa.js';

function diagnose(text: string): { diags: Diagnostics; checked: ReturnType<typeof check> | null } {
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 't.occ', text), diags);
  const checked = diags.errorCount === 0 ? check(program, diags) : null;
  if (checked && diags.errorCount === 0) checkUsage(program, diags);
  return { diags, checked };
}

/** Error messages of a PROC body, as `line:col message`. */
function errors(body: string, before = ''): string[] {
  const { diags } = diagnose(`${before}PROC p (CHAN BYTE scr!)\n${body}\n:\n`);
  return diags
    .sorted()
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.span.line}:${d.span.col} ${d.message}`);
}

/** The channel and memory instructions generated for a program, in order. */
function ops(text: string): string[] {
  const { diags, checked } = diagnose(text);
  expect(
    diags
      .sorted()
      .filter((d) => d.severity === 'error')
      .map((d) => d.message),
  ).toEqual([]);
  const keep = new Set(['in', 'out', 'outword', 'outbyte', 'xable', 'xin', 'xend', 'enbc', 'disc', 'altwt']);
  const out: string[] = [];
  for (const item of generate(checked!).items) {
    if (item.kind !== 'fn' || item.fn !== Fn.opr || typeof item.operand !== 'number') continue;
    const name = operationByCode(item.operand)?.name ?? '?';
    if (keep.has(name)) out.push(name);
  }
  return out;
}

const PROTOCOLS = ['PROTOCOL CMD', '  CASE', '    num; INT', '    stop', ':', ''].join('\n');

describe('extended input: parsing and checking', () => {
  it('accepts a during-process alone, or with an after-process', () => {
    expect(errors(['  CHAN INT c:', '  INT x:', '  c ?? x', '    SKIP', '    scr ! 1'].join('\n'))).toEqual([]);
    expect(errors(['  CHAN INT c:', '  INT x:', '  c ?? x', '    SKIP'].join('\n'))).toEqual([]);
  });

  it('needs a process under it, and takes at most two', () => {
    expect(errors(['  CHAN INT c:', '  INT x:', '  SEQ', '    c ?? x', '    SKIP'].join('\n'))).toEqual([
      '5:5 the extended input `c ?? x` needs a process indented under it',
    ]);
    expect(errors(['  CHAN INT c:', '  INT x:', '  c ?? x', '    SKIP', '    SKIP', '    SKIP'].join('\n'))).toEqual([
      '7:5 at most two processes can be indented under the extended input `c ?? x`',
    ]);
  });

  it('is for channels: a timer is an error', () => {
    expect(errors(['  TIMER t:', '  INT x:', '  t ?? x', '    SKIP'].join('\n'))).toEqual([
      '4:3 a timer cannot be input with `??`',
    ]);
    expect(errors(['  TIMER t:', '  t ?? AFTER 5'].join('\n'))).toEqual([
      '3:3 `??` is an extended input from a channel',
    ]);
  });

  it('gives only the variants of ?? CASE a second process', () => {
    const body = (q: string): string =>
      [
        '  CHAN CMD c:',
        '  INT x:',
        `  c ${q} CASE`,
        '    num; x',
        '      SKIP',
        '      SKIP',
        '    stop',
        '      SKIP',
      ].join('\n');
    expect(errors(body('??'), PROTOCOLS)).toEqual([]);
    expect(errors(body('?'), PROTOCOLS)).toEqual(['12:7 only one process can be indented under the variant `num`']);
  });

  it('checks the during- and after-processes like any other', () => {
    expect(errors(['  CHAN INT c:', '  INT x:', '  c ?? x', '    y := 1', '    SKIP'].join('\n'))).toEqual([
      '5:5 `y` is not declared',
    ]);
  });

  it('counts the during-process in the usage rules of its PAR branch', () => {
    const body = ['  CHAN INT c, d:', '  INT x, y:', '  PAR', '    c ?? x', '      y := x', '    y := 2', '    c ! 1'];
    expect(errors(body.join('\n'))[0]).toMatch(
      /^7:5 `y` is assigned in one branch of this PAR and assigned in another/,
    );
  });
});

describe('extended input: code', () => {
  it('holds the outputter on the last item, through the during-process, before the after-process', () => {
    const src = [
      'PROTOCOL PAIR IS INT; INT:',
      'PROC p (CHAN BYTE scr!)',
      '  CHAN PAIR c:',
      '  CHAN INT d:',
      '  INT x, y:',
      '  c ?? x; y',
      '    d ! 1',
      '    d ! 2',
      ':',
    ].join('\n');
    expect(ops(src)).toEqual(['in', 'xable', 'xin', 'outword', 'xend', 'outword']);
  });

  it('holds the tag of ?? CASE when a variant has no items, and releases it before a variant with items', () => {
    const src = [
      PROTOCOLS,
      'PROC p (CHAN BYTE scr!)',
      '  CHAN CMD c:',
      '  INT x:',
      '  c ?? CASE',
      '    num; x',
      '      SKIP',
      '    stop',
      '      SKIP',
      ':',
    ].join('\n');
    expect(ops(src)).toEqual(['xable', 'xin', 'xend', 'xable', 'xin', 'xend', 'xend']);
  });

  it('in an ALT, enables the channel as usual and holds the outputter once the guard is chosen', () => {
    const src = [
      'PROC p (CHAN BYTE scr!)',
      '  CHAN INT c, d:',
      '  INT x:',
      '  ALT',
      '    c ?? x',
      '      d ! 1',
      '      d ! 2',
      ':',
    ].join('\n');
    expect(ops(src)).toEqual(['enbc', 'altwt', 'disc', 'xable', 'xin', 'outword', 'xend', 'outword']);
  });
});
