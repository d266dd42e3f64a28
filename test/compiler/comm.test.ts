// The checker's messages and the code generator's instruction shapes for ALT, timers, CASE, PRI PAR,
// replicated PAR and IF, channel arrays and protocols.

import { describe, expect, it } from 'vitest';
import { check } from '../../compiler/checker/index.js';
import { generate } from '../../compiler/codegen/index.js';
import { parseSource } from '../../compiler/compile.js';
import { Diagnostics, SourceFile } from '../../compiler/source.js';
import { DIRECT, Fn, operationByCode } from '../../emulator/isa.js';

function diagnose(text: string): { diags: Diagnostics; checked: ReturnType<typeof check> } {
  const diags = new Diagnostics();
  const program = parseSource(new SourceFile(0, 't.occ', text), diags);
  const checked = diags.errorCount === 0 ? check(program, diags) : null;
  return { diags, checked };
}

/** Error messages of a PROC body (lines indented by 2 already), as `line:col message`. */
function errors(body: string, before = ''): string[] {
  const { diags } = diagnose(`${before}PROC p (CHAN BYTE scr!)\n${body}\n:\n`);
  return diags
    .sorted()
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.span.line}:${d.span.col} ${d.message}`);
}

/** Mnemonics of the instructions generated for a whole program. */
function mnemonics(text: string): string[] {
  const { diags, checked } = diagnose(text);
  // Warnings (an unused name in a small example) do not matter here.
  expect(
    diags
      .sorted()
      .filter((d) => d.severity === 'error')
      .map((d) => d.message),
  ).toEqual([]);
  const out: string[] = [];
  for (const item of generate(checked!).items) {
    if (item.kind === 'jump') out.push(DIRECT[item.fn]!.name);
    if (item.kind !== 'fn') continue;
    if (item.fn === Fn.opr && typeof item.operand === 'number') out.push(operationByCode(item.operand)?.name ?? '?');
    else out.push(DIRECT[item.fn]!.name);
  }
  return out;
}

/** Whether `needle` occurs in `hay` in order (not necessarily adjacent). */
function inOrder(hay: readonly string[], needle: readonly string[]): boolean {
  let k = 0;
  for (const h of hay) if (h === needle[k]) k++;
  return k === needle.length;
}

const count = (xs: readonly string[], x: string): number => xs.filter((y) => y === x).length;

describe('ALT code', () => {
  const src = [
    'PROC p (CHAN BYTE scr!)',
    '  CHAN INT a, b:',
    '  TIMER t:',
    '  INT x, now:',
    '  BOOL g:',
    '  SEQ',
    '    t ? now',
    '    g := TRUE',
    '    ALT',
    '      a ? x',
    '        SKIP',
    '      g & b ? x',
    '        SKIP',
    '      t ? AFTER now PLUS 10',
    '        SKIP',
    '      g & SKIP',
    '        SKIP',
    ':',
  ].join('\n');

  it('enables, waits, disables in textual order and jumps to the branch (docs/codegen.md, ALT)', () => {
    const m = mnemonics(src);
    expect(
      inOrder(m, ['talt', 'enbc', 'enbc', 'enbt', 'enbs', 'taltwt', 'disc', 'disc', 'dist', 'diss', 'altend']),
    ).toBe(true);
    // The two channel guards input in their branches after the choice.
    expect(count(m, 'in')).toBe(2);
  });

  it('uses alt/altwt when there is no timer guard', () => {
    const m = mnemonics(
      'PROC p (CHAN BYTE scr!)\n  CHAN INT a:\n  INT x:\n  ALT\n    a ? x\n      SKIP\n    SKIP\n      SKIP\n:\n',
    );
    expect(inOrder(m, ['alt', 'enbc', 'enbs', 'altwt', 'disc', 'diss', 'altend'])).toBe(true);
    expect(m).not.toContain('talt');
  });

  it('checks at run time that some guard is TRUE only when every guard has a condition', () => {
    const guarded = mnemonics(
      'PROC p (CHAN BYTE scr!)\n  BOOL g:\n  SEQ\n    g := TRUE\n    ALT\n      g & SKIP\n        SKIP\n:\n',
    );
    expect(inOrder(guarded, ['enbs', 'csub0', 'altwt'])).toBe(true);
    const plain = mnemonics('PROC p (CHAN BYTE scr!)\n  ALT\n    SKIP\n      SKIP\n:\n');
    expect(plain).not.toContain('csub0');
  });

  it('loops over a replicated ALT with lend, and records the chosen index after each disable', () => {
    const m = mnemonics(
      'PROC p (CHAN BYTE scr!)\n  [3]CHAN INT c:\n  INT x:\n  ALT i = 0 FOR 3\n    c[i] ? x\n      SKIP\n:\n',
    );
    expect(inOrder(m, ['alt', 'enbc', 'lend', 'altwt', 'disc', 'cj', 'ldl', 'stl', 'lend', 'altend'])).toBe(true);
  });
});

describe('timers, CASE and PAR code', () => {
  it('reads a timer with ldtimer and waits with tin', () => {
    const m = mnemonics('PROC p (CHAN BYTE scr!)\n  TIMER t:\n  INT now:\n  SEQ\n    t ? now\n    t ? AFTER now\n:\n');
    expect(inOrder(m, ['ldtimer', 'stl', 'ldl', 'tin'])).toBe(true);
  });

  it('compiles CASE to a compare chain that ends in STOP without ELSE', () => {
    const m = mnemonics(
      'PROC p (CHAN BYTE scr!)\n  INT x:\n  SEQ\n    x := 2\n    CASE x\n      1, 2\n        SKIP\n      3\n        SKIP\n:\n',
    );
    expect(count(m, 'eqc')).toBeGreaterThanOrEqual(6);
    expect(inOrder(m, ['eqc', 'cj', 'eqc', 'cj', 'eqc', 'cj', 'seterr'])).toBe(true);
  });

  it('starts the high branch of a PRI PAR with runp and requeues it at low priority with runp; stopp', () => {
    const m = mnemonics("PROC p (CHAN BYTE scr!)\n  PRI PAR\n    scr ! 'h'\n    scr ! 'l'\n:\n");
    expect(inOrder(m, ['runp', 'outbyte', 'endp', 'outbyte', 'adc', 'runp', 'stopp', 'endp'])).toBe(true);
  });

  it('starts one process per index of a replicated PAR', () => {
    const m = mnemonics('PROC p (CHAN BYTE scr!)\n  [4]INT a:\n  PAR i = 0 FOR 4\n    a[i] := i\n:\n');
    expect(count(m, 'startp')).toBe(3);
    expect(count(m, 'endp')).toBe(4);
  });

  it('initialises every channel of a channel array', () => {
    // One more mint is the boot process connecting scr to the screen.
    expect(count(mnemonics('PROC p (CHAN BYTE scr!)\n  [5]CHAN INT c:\n  SKIP\n:\n'), 'mint')).toBe(5 + 1);
    // A large one with a loop.
    const big = mnemonics('PROC p (CHAN BYTE scr!)\n  [50]CHAN INT c:\n  SKIP\n:\n');
    expect(count(big, 'mint')).toBe(1 + 1);
    expect(big).toContain('lend');
  });
});

describe('protocol code', () => {
  it('sends each item of a sequential protocol as its own communication', () => {
    const m = mnemonics(
      "PROTOCOL P IS INT; BYTE; [2]INT:\nPROC p (CHAN BYTE scr!)\n  CHAN P c:\n  [2]INT v:\n  c ! 1; 'a'; v\n:\n",
    );
    expect(inOrder(m, ['outword', 'outbyte', 'out'])).toBe(true);
  });

  it('sends a counted array as its count, range checked, then count × element size bytes', () => {
    const m = mnemonics('PROC p (CHAN BYTE scr!)\n  CHAN OF INT::[]INT c:\n  [4]INT v:\n  c ! 2::v\n:\n');
    expect(inOrder(m, ['csub0', 'outword', 'prod', 'out'])).toBe(true);
  });

  it('inputs a variant tag as one byte and chooses with a compare chain', () => {
    const m = mnemonics(
      'PROTOCOL P\n  CASE\n    a; INT\n    b\n:\nPROC q (CHAN P c?)\n  INT x:\n  c ? CASE\n    a; x\n      SKIP\n    b\n      SKIP\n:\nPROC p (CHAN BYTE scr!)\n  CHAN P c:\n  q (c?)\n:\n',
    );
    expect(inOrder(m, ['in', 'eqc', 'cj', 'eqc', 'cj', 'seterr', 'in'])).toBe(true);
  });
});

describe('checker messages', () => {
  it('rejects a CASE option that is not a constant, and duplicates', () => {
    expect(errors('  INT x, y:\n  CASE x\n    y\n      SKIP\n    1, 1\n      SKIP')).toEqual([
      '4:5 a CASE option must be a constant',
      '6:8 the value 1 appears in two options of this CASE',
    ]);
  });

  it('rejects a timer guard on something that is not a timer', () => {
    expect(errors('  CHAN INT c:\n  ALT\n    c ? AFTER 3\n      SKIP')).toEqual([
      '4:5 `c` is not a TIMER, so it cannot wait with AFTER',
    ]);
  });

  it('rejects protocol mismatches item by item', () => {
    expect(errors('  CHAN P c:\n  BYTE b:\n  c ! b; 1', 'PROTOCOL P IS INT; INT:\n')).toEqual([
      '5:7 item 1 of PROTOCOL P is INT, but `b` is BYTE',
    ]);
  });

  it('rejects an unknown protocol and a protocol used as a type', () => {
    expect(errors('  CHAN Q c:\n  SKIP')).toEqual(['2:8 unknown protocol `Q`']);
    expect(errors('  P x:\n  SKIP', 'PROTOCOL P IS INT:\n')).toEqual(['3:3 `P` is a PROTOCOL, not a data type']);
  });

  it('rejects a variant output with a tag of another protocol', () => {
    expect(errors('  CHAN P c:\n  c ! zz', 'PROTOCOL P\n  CASE\n    go\n:\n')).toEqual([
      '7:7 `zz` is not a tag of PROTOCOL P',
    ]);
  });

  it('accepts a TIMER parameter and rejects a non-timer argument for it', () => {
    expect(errors('  INT x:\n  q (x)', 'PROC q (TIMER t)\n  SKIP\n:\n')).toEqual([
      '6:6 parameter `t` of `q` is a TIMER, but this is INT',
    ]);
  });

  it('accepts a replicated PAR of any count, constant or not', () => {
    expect(errors('  PAR i = 0 FOR 5000\n    SKIP')).toEqual([]);
    expect(errors('  INT n:\n  SEQ\n    n := 3\n    PAR i = 0 FOR n\n      SKIP')).toEqual([]);
  });

  it('never throws on random edits of a program that uses every construct', () => {
    const src = [
      'PROTOCOL P',
      '  CASE',
      '    a; INT::[]BYTE',
      '    b',
      ':',
      'PROC q ([]CHAN P cs?, TIMER t)',
      '  INT x, n:',
      '  [4]BYTE s:',
      '  PRI ALT i = 0 FOR SIZE cs',
      '    cs[i] ? CASE',
      '      a; n::s',
      '        CASE x',
      '          1, 2',
      '            SKIP',
      '          ELSE',
      '            STOP',
      '      b',
      '        t ? AFTER x',
      ':',
      'PROC p (CHAN BYTE scr!)',
      '  [2]CHAN P c:',
      '  TIMER t:',
      '  PRI PAR',
      '    q (c?, t)',
      '    PAR i = 0 FOR 2',
      '      c[i] ! b',
      ':',
      '',
    ].join('\n');
    for (let k = 0; k < src.length; k += 7) {
      const edited = src.slice(0, k) + src.slice(k + 3);
      expect(() => {
        const { diags, checked } = diagnose(edited);
        if (checked && diags.errorCount === 0) generate(checked);
      }, JSON.stringify(edited)).not.toThrow();
    }
  });
});
