// occam's usage rules (compiler/usage.ts) on small programs: what a PAR's branches may share, aliasing through
// parameters and abbreviations, multiple assignment.

import { describe, expect, it } from 'vitest';
import { check } from '../../compiler/checker/index.js';
import { parseSource } from '../../compiler/compile.js';
import { Diagnostics, formatDiagnostic, SourceFile, type Diagnostic } from '../../compiler/source.js';
import { usageChecks } from '../../compiler/pragmas.js';
import { checkUsage } from '../../compiler/usage.js';

// ---------------------------------------------------------------------------------------------------- helpers

/**
 * The usage pass's diagnostics for a program. The checker runs first to annotate the tree; its own complaints
 * (constructs the code generator cannot handle yet) are set aside, so the rules can be tested on every construct
 * the checker resolves names in.
 */
function usage(text: string): Diagnostic[] {
  const file = new SourceFile(0, 't.occ', text);
  const parsed = new Diagnostics();
  const program = parseSource(file, parsed, { experimental: true });
  expect(parsed.list.map(formatDiagnostic)).toEqual([]);
  check(program, new Diagnostics());
  const diags = new Diagnostics();
  checkUsage(program, diags);
  return diags.sorted();
}

/** `line:col: message` and `line:col: note` for every diagnostic. */
function brief(text: string): string[] {
  return usage(text).flatMap((d) => [
    `${d.span.line}:${d.span.col}: ${d.message}`,
    ...(d.related ?? []).map((r) => `  ${r.span.line}:${r.span.col}: ${r.message}`),
  ]);
}

/** A program whose last PROC has the given body lines (source line 2 onwards), after any `before` PROCs. */
function prog(lines: string[], before: string[] = []): string {
  return [...before, 'PROC main (CHAN BYTE kyb?, scr!, err!)', ...lines.map((l) => `  ${l}`), ':', ''].join('\n');
}

/** Same, for programs with no PROCs before main: the first body line is line 2. */
function main(...lines: string[]): string {
  return prog(lines);
}

// ---------------------------------------------------------------------------------------------------- variables

describe('PAR: variables', () => {
  it('names both places, the later use first', () => {
    const ds = usage(main('INT total:', 'PAR', '  total := 1', '  scr ! BYTE total'));
    expect(ds).toHaveLength(1);
    const text = formatDiagnostic(ds[0]!);
    expect(text).toContain('t.occ:5:16: error: `total` is assigned in one branch of this PAR and used in another');
    expect(text).toContain('t.occ:4:5: note: `total` is assigned here');
    expect(text).toContain('hint: ');
  });

  it('accepts reads shared between branches', () => {
    expect(brief(main('INT x, a, b:', 'PAR', '  a := x', '  b := x + 1'))).toEqual([]);
  });

  it('reports one conflict per variable per PAR', () => {
    expect(brief(main('INT x:', 'PAR', '  x := 1', '  x := 2', '  x := 3'))).toEqual([
      '5:5: `x` is assigned in one branch of this PAR and assigned in another',
      '  4:5: `x` is assigned here',
    ]);
  });

  it('treats an input target as written', () => {
    expect(brief(main('BYTE b:', 'PAR', '  kyb ? b', '  b := 0'))).toEqual([
      '5:5: `b` is assigned by an input in one branch of this PAR and assigned in another',
      '  4:11: `b` is assigned by an input here',
    ]);
  });

  it('keeps names declared inside a branch to that branch', () => {
    expect(brief(main('PAR', '  INT t:', '  t := 1', '  INT t:', '  t := 2'))).toEqual([]);
  });

  it('reports a conflict at the innermost PAR whose branches it separates', () => {
    expect(brief(main('INT x:', 'PAR', '  PAR', '    x := 1', '    x := 2', '  SKIP'))).toEqual([
      '6:7: `x` is assigned in one branch of this PAR and assigned in another',
      '  5:7: `x` is assigned here',
    ]);
  });

  it('does not count SIZE of a fixed array as a use', () => {
    expect(brief(main('[4]INT a:', 'INT n:', 'PAR', '  a[0] := 1', '  n := SIZE a'))).toEqual([]);
  });

  it('applies to PRI PAR too', () => {
    expect(brief(main('INT x:', 'PRI PAR', '  x := 1', '  x := 2'))).toHaveLength(2);
  });
});

describe('PAR: arrays', () => {
  it('accepts different constant elements', () => {
    expect(brief(main('[2]INT a:', 'PAR', '  a[0] := 1', '  a[1] := 2'))).toEqual([]);
  });

  it('counts a non-constant subscript as the whole array', () => {
    expect(brief(main('[2]INT a:', 'INT k:', 'PAR', '  a[k] := 1', '  a[1] := 2'))).toEqual([
      '6:5: `a` is assigned in one branch of this PAR and assigned in another',
      '  5:5: `a` is assigned here',
    ]);
  });

  it('treats i and i + 1 as different elements within one replica', () => {
    expect(brief(main('[4]INT a:', 'SEQ i = 0 FOR 3', '  PAR', '    a[i] := 1', '    a[i + 1] := 2'))).toEqual([]);
    expect(brief(main('[4]INT a:', 'SEQ i = 1 FOR 3', '  PAR', '    a[i] := 1', '    a[i - 1] := 2'))).toEqual([]);
    expect(brief(main('[4]INT a:', 'SEQ i = 0 FOR 3', '  PAR', '    a[i] := 1', '    a[i] := 2'))).toHaveLength(2);
  });

  it('compares multi-dimensional paths level by level', () => {
    // The checker rejects arrays of arrays today; the rule itself only needs the subscripts.
    expect(brief(main('[2][2]INT a:', 'PAR', '  a[0][1] := 1', '  a[1][1] := 2'))).toEqual([]);
  });
});

describe('PAR: channels and timers', () => {
  it('allows one input and one output branch per channel', () => {
    expect(brief(main('CHAN INT c:', 'INT x:', 'PAR', '  c ! 1', '  c ? x'))).toEqual([]);
  });

  it('rejects two inputs', () => {
    expect(brief(main('CHAN INT c:', 'INT x, y:', 'PAR', '  c ? x', '  c ? y'))).toEqual([
      '6:5: channel `c` is input from in two branches of this PAR',
      '  5:5: `c` is input from here',
    ]);
  });

  it('shares timers freely', () => {
    expect(brief(main('TIMER t:', 'INT a, b:', 'PAR', '  t ? a', '  t ? b'))).toEqual([]);
  });

  it('uses a decorated formal as a promise even when the body does not use it', () => {
    const text = prog(
      ['CHAN INT c:', 'INT x:', 'PAR', '  idle (c?)', '  c ? x'],
      ['PROC idle (CHAN INT in?)', '  SKIP', ':'],
    );
    expect(brief(text)).toEqual([
      '9:5: channel `c` is input from in two branches of this PAR',
      '  8:11: `c` is passed to `idle`, which inputs from it, here',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------- replicated PAR

describe('replicated PAR', () => {
  it('accepts each replica writing its own element a[i]', () => {
    expect(brief(main('[4]INT a:', 'PAR i = 0 FOR 4', '  a[i] := i'))).toEqual([]);
  });

  it('accepts a[i + 1] in every replica', () => {
    expect(brief(main('[5]INT a:', 'PAR i = 0 FOR 4', '  a[i + 1] := i'))).toEqual([]);
  });

  it('with STEP 2, accepts a[i] written and a[i + 1] read: the indices differ by multiples of 2', () => {
    expect(brief(main('[9]INT a:', 'PAR i = 0 FOR 4 STEP 2', '  a[i] := a[i + 1]'))).toEqual([]);
  });

  it('with STEP 2, rejects a[i] written and a[i + 2] read', () => {
    expect(brief(main('[9]INT a:', 'PAR i = 0 FOR 4 STEP 2', '  a[i] := a[i + 2]'))).toEqual([
      '4:13: `a` is assigned in one replica of this replicated PAR and used in another',
      '  4:5: `a` is assigned here',
    ]);
  });

  it('with STEP 0 or a STEP that is not a constant, rejects a[i] in every replica', () => {
    expect(brief(main('[4]INT a:', 'PAR i = 0 FOR 4 STEP 0', '  a[i] := i')).length).toBeGreaterThan(0);
    expect(brief(main('[4]INT a:\n  INT s:', 'PAR i = 0 FOR 4 STEP s', '  a[i] := i')).length).toBeGreaterThan(0);
  });

  it('leaves out a name #PRAGMA SHARED names after its declaration, and only that name', () => {
    expect(brief(main('INT x:', 'PAR i = 0 FOR 4', '  x := i')).length).toBeGreaterThan(0);
    expect(brief(main('INT x:\n  #PRAGMA SHARED x', 'PAR i = 0 FOR 4', '  x := i'))).toEqual([]);
    expect(brief(main('INT x, y:\n  #PRAGMA SHARED y', 'PAR i = 0 FOR 4', '  x := i')).length).toBeGreaterThan(0);
  });

  it('rejects a variable every replica assigns, pointing at the replicator', () => {
    expect(brief(main('INT x:', 'PAR i = 0 FOR 4', '  x := i'))).toEqual([
      '4:5: `x` is assigned in every replica of this replicated PAR',
      '  3:7: the PAR is replicated here, so every replica runs the same code',
    ]);
  });

  it('rejects one replica reading the element the next one writes', () => {
    expect(brief(main('[5]INT a:', 'PAR i = 0 FOR 4', '  a[i] := a[i + 1]'))).toEqual([
      '4:13: `a` is assigned in one replica of this replicated PAR and used in another',
      '  4:5: `a` is assigned here',
    ]);
  });

  it('rejects a channel every replica outputs to', () => {
    expect(brief(main('CHAN INT c:', 'PAR i = 0 FOR 2', '  c ! i'))).toEqual([
      '4:5: channel `c` is output to in every replica of this replicated PAR',
      '  3:7: the PAR is replicated here, so every replica runs the same code',
    ]);
  });

  it('accepts a replicated PAR of one replica', () => {
    expect(brief(main('INT x:', 'PAR i = 0 FOR 1', '  x := i'))).toEqual([]);
  });

  it('accepts variables declared inside the replicated body', () => {
    expect(brief(main('[4]INT a:', 'PAR i = 0 FOR 4', '  INT t:', '  SEQ', '    t := i * i', '    a[i] := t'))).toEqual(
      [],
    );
  });

  it('accepts read-only sharing across replicas', () => {
    expect(brief(main('INT n:', '[4]INT a:', 'PAR i = 0 FOR 4', '  a[i] := n'))).toEqual([]);
  });

  it('treats the same a[i] in two branches inside one replica as the same element', () => {
    expect(brief(main('[4]INT a:', 'PAR i = 0 FOR 4', '  PAR', '    a[i] := 1', '    a[i] := 2'))).toEqual([
      '6:7: `a` is assigned in one branch of this PAR and assigned in another',
      '  5:7: `a` is assigned here',
    ]);
  });

  it('counts a[i] as the whole array outside the replicated PAR', () => {
    expect(brief(main('[4]INT a:', 'PAR', '  PAR i = 0 FOR 4', '    a[i] := i', '  a[0] := 9'))).toEqual([
      '6:5: `a` is assigned in one branch of this PAR and assigned in another',
      '  5:7: `a` is assigned here',
    ]);
  });
});

describe('subscripts as linear forms', () => {
  it('treats k and k + 1 as different elements for any name k the PAR does not change', () => {
    expect(brief(main('[4]INT a:', 'INT k:', 'PAR', '  a[k] := 1', '  a[k + 1] := 2'))).toEqual([]);
    expect(brief(main('[4]INT a:', 'INT k:', 'PAR', '  a[2 * k] := 1', '  a[(k * 2) + 1] := 2'))).toEqual([]);
  });

  it('does not compare subscripts in different names', () => {
    expect(brief(main('[4]INT a:', 'INT j, k:', 'PAR', '  a[j] := 1', '  a[k + 1] := 2'))).toHaveLength(2);
  });

  it('accepts 2 * i and (2 * i) + 1 across replicas, rejects i and i + 1', () => {
    expect(
      brief(main('[8]INT a:', 'PAR i = 0 FOR 4', '  PAR', '    a[2 * i] := 0', '    a[(2 * i) + 1] := 1')),
    ).toEqual([]);
    expect(brief(main('[8]INT a:', 'PAR i = 0 FOR 4', '  SEQ', '    a[i] := 0', '    a[i + 1] := 1'))).toHaveLength(2);
  });

  it('accepts i and i + 4 across 4 replicas but not across 5', () => {
    expect(brief(main('[9]INT a:', 'PAR i = 0 FOR 4', '  SEQ', '    a[i] := 0', '    a[i + 4] := 1'))).toEqual([]);
    expect(brief(main('[9]INT a:', 'PAR i = 0 FOR 5', '  SEQ', '    a[i] := 0', '    a[i + 4] := 1'))).toHaveLength(2);
  });

  it('accepts a ring subscript (i + 1) \\ n when there are at most n replicas', () => {
    expect(brief(main('[4]CHAN INT c:', 'PAR i = 0 FOR 4', '  c[(i + 1) \\ 4] ! i'))).toEqual([]);
    expect(brief(main('[4]CHAN INT c:', 'PAR i = 0 FOR 5', '  c[(i + 1) \\ 4] ! i'))).toEqual([
      '4:5: channel `c` is output to in every replica of this replicated PAR',
      '  3:7: the PAR is replicated here, so every replica runs the same code',
    ]);
  });

  it('uses the range a replicated index runs over once outside its PAR', () => {
    const ok = main('[5]INT a:', 'PAR', '  PAR i = 1 FOR 4', '    a[i] := i', '  a[0] := 9');
    expect(brief(ok)).toEqual([]);
    const bad = main('[5]INT a:', 'PAR', '  PAR i = 1 FOR 4', '    a[i] := i', '  a[4] := 9');
    expect(brief(bad)).toEqual([
      '6:5: `a` is assigned in one branch of this PAR and assigned in another',
      '  5:7: `a` is assigned here',
    ]);
  });

  it('forgets subscripts in terms of a replicated SEQ index outside the SEQ', () => {
    expect(brief(main('[4]INT a:', 'PAR', '  SEQ i = 0 FOR 2', '    a[i] := 0', '  a[2] := 1'))).toEqual([]);
    expect(brief(main('[4]INT a:', 'INT n:', 'PAR', '  SEQ i = 0 FOR n', '    a[i] := 0', '  a[2] := 1'))).toHaveLength(
      2,
    );
  });

  it('does not let a local variable of a replica make subscripts disjoint', () => {
    const text = main('[4]INT a:', 'PAR i = 0 FOR 2', '  INT k:', '  SEQ', '    k := 0', '    a[k] := 1');
    expect(brief(text)).toEqual([
      '7:7: `a` is assigned in every replica of this replicated PAR',
      '  3:7: the PAR is replicated here, so every replica runs the same code',
    ]);
  });
});

describe('variant and counted inputs', () => {
  const proto = ['PROTOCOL MSG', '  CASE', '    num; INT', '    stop', ':'];

  it('counts `? CASE` as an input and its items as written', () => {
    const text = prog(
      [
        'CHAN MSG c:',
        'INT x:',
        'PAR',
        '  c ! stop',
        '  c ? CASE',
        '    num; x',
        '      SKIP',
        '    stop',
        '      SKIP',
        '  x := 1',
      ],
      proto,
    );
    expect(brief(text)).toEqual([
      '16:5: `x` is assigned by an input in one branch of this PAR and assigned in another',
      '  12:12: `x` is assigned by an input here',
    ]);
  });

  it('counts both parts of a counted input as written', () => {
    const text = main('CHAN INT::[]BYTE c:', 'INT n:', '[4]BYTE buf:', 'PAR', '  c ? n::buf', '  buf[0] := 0');
    expect(brief(text)).toEqual([
      '7:5: `buf` is assigned by an input in one branch of this PAR and assigned in another',
      '  6:12: `buf` is assigned by an input here',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------- aliasing

describe('aliasing in calls', () => {
  const swap = ['PROC swap (INT a, INT b)', '  a, b := b, a', ':'];

  it('rejects the same variable passed twice by reference', () => {
    expect(brief(prog(['INT x:', 'swap (x, x)'], swap))).toEqual([
      '6:12: `x` is passed to `swap` twice by reference, as `a` and `b`: inside `swap` they would be the same variable',
      '  6:9: `x` is passed as `a` here',
    ]);
  });

  it('accepts distinct constant elements', () => {
    expect(brief(prog(['[2]INT v:', 'swap (v[0], v[1])'], swap))).toEqual([]);
  });

  it('rejects one element passed by reference and by value', () => {
    const inc = ['PROC inc (INT a, VAL INT b)', '  a := a + b', ':'];
    expect(brief(prog(['[2]INT v:', 'inc (v[0], v[0])'], inc))).toEqual([
      '6:14: `v` is passed to `inc` both by reference (as `a`) and by value (as `b`)',
      '  6:8: `v` is passed by reference as `a` here',
    ]);
  });

  it('accepts a variable passed to two VAL parameters', () => {
    const add = ['PROC add (VAL INT a, VAL INT b, INT r)', '  r := a + b', ':'];
    expect(brief(prog(['INT x, y:', 'add (x, x, y)'], add))).toEqual([]);
  });
});

describe('abbreviations, segments and routines', () => {
  it('lets branches write disjoint segments and reports overlapping ones', () => {
    const fill = ['PROC fill ([]INT s)', '  SEQ i = 0 FOR SIZE s', '    s[i] := 0', ':'];
    expect(brief(prog(['[6]INT a:', 'PAR', '  fill ([a FROM 0 FOR 3])', '  fill ([a FROM 3 FOR 3])'], fill))).toEqual(
      [],
    );
    expect(brief(prog(['[6]INT a:', 'PAR', '  fill ([a FOR 3])', '  fill ([a FROM 2])'], fill))).toHaveLength(2);
  });

  it('maps a subscript of a segment abbreviation onto the array', () => {
    const text = main('[6]INT a:', '[]INT tail IS [a FROM 3 FOR 3]:', 'PAR', '  tail[0] := 1', '  a[2] := 2');
    expect(brief(text)).toEqual([]);
    const clash = main('[6]INT a:', '[]INT tail IS [a FROM 3 FOR 3]:', 'PAR', '  tail[0] := 1', '  tail[0] := 2');
    expect(brief(clash)).toEqual([
      '6:5: `tail` is assigned in one branch of this PAR and assigned in another',
      '  5:5: `tail` is assigned here',
    ]);
  });

  it('allows the other elements of an array while one constant element is abbreviated', () => {
    expect(brief(main('[2]INT a:', 'INT x IS a[0]:', 'SEQ', '  x := 1', '  a[1] := 2'))).toEqual([]);
  });

  it('reports a use of the abbreviated name once per use', () => {
    expect(brief(main('INT x:', 'INT y IS x:', 'SEQ', '  y := 1', '  x := 2', '  x := 3'))).toEqual([
      '6:5: `x` is assigned while `y`, an abbreviation of it, is in scope',
      '  3:12: `y` abbreviates `x` here',
      '7:5: `x` is assigned while `y`, an abbreviation of it, is in scope',
      '  3:12: `y` abbreviates `x` here',
    ]);
  });

  it('treats RETYPES of another shape as the whole of what it retypes', () => {
    const text = main('[2]INT a:', '[8]BYTE b RETYPES a:', 'PAR', '  b[0] := 1', '  b[7] := 2');
    expect(brief(text)).toHaveLength(2);
  });

  it('takes a non-linear actual for a VAL parameter as any element', () => {
    const before = [
      'PROC main (CHAN BYTE kyb?, scr!, err!)',
      '  [4]INT a:',
      '  PROC set (VAL INT k)',
      '    a[k] := 0',
      '  :',
    ];
    const text = [...before, '  PAR', '    set (1)', '    set (2)', ':', ''].join('\n');
    expect(brief(text)).toEqual([]);
    const bad = [...before, '  INT j:', '  PAR', '    set (j \\ 2)', '    set (2)', ':', ''].join('\n');
    expect(brief(bad)).toEqual([
      '9:5: `a` is assigned inside `set` in one branch of this PAR and assigned inside `set` in another',
      '  8:5: `a` is assigned inside `set` here',
    ]);
  });

  it('does not count SIZE of an open array as a use of its elements', () => {
    const clear = ['PROC clear ([]BYTE s, VAL INT n)', '  SEQ i = 0 FOR n', '    s[i] := 0', ':'];
    const text = [
      ...clear,
      'PROC user ([]BYTE buf)',
      '  clear (buf, SIZE buf)',
      ':',
      'PROC main (CHAN BYTE kyb?, scr!, err!)',
      '  SKIP',
      ':',
      '',
    ];
    expect(brief(text.join('\n'))).toEqual([]);
  });

  it('rejects a channel passed to a nested PROC that also uses it freely', () => {
    const text = main(
      'CHAN INT c:',
      'PROC relay (CHAN INT in?)',
      '  INT v:',
      '  SEQ',
      '    in ? v',
      '    c ! v',
      ':',
      'relay (c?)',
    );
    expect(brief(text)).toEqual([
      '9:10: channel `c` is passed to `relay`, which also uses it directly',
      '  7:7: `relay` uses `c` here',
    ]);
  });

  it("counts a nested PROC's free channel use against the branch that calls it", () => {
    const text = main(
      'CHAN INT c:',
      'PROC ping ()',
      '  c ! 1',
      ':',
      'PAR',
      '  ping ()',
      '  c ! 2',
      '  INT x:',
      '  SEQ',
      '    c ? x',
      '    c ? x',
    );
    expect(brief(text)).toEqual([
      '8:5: channel `c` is output to in two branches of this PAR',
      '  7:5: `c` is output to inside `ping` here',
    ]);
  });

  it('counts the free reads of a FUNCTION against the branch that calls it', () => {
    const text = main(
      'INT base:',
      'INT FUNCTION f (VAL INT v) IS v + base:',
      'INT r:',
      'PAR',
      '  r := f (1)',
      '  base := 2',
    );
    expect(brief(text)).toEqual([
      '7:5: `base` is used inside `f` in one branch of this PAR and assigned in another',
      '  6:10: `base` is used inside `f` here',
    ]);
  });

  it('forgets a constructor index once outside the constructor', () => {
    expect(brief(main('[4]INT a, b:', 'PAR', '  a := [i = 0 FOR 4 | b[i]]', '  b[0] := 1'))).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------------- multiple assignment

describe('multiple assignment', () => {
  it('accepts a swap and a rotation', () => {
    expect(brief(main('INT x, y, z:', 'SEQ', '  x, y := y, x', '  x, y, z := y, z, x'))).toEqual([]);
  });

  it('rejects a variable assigned twice', () => {
    expect(brief(main('INT x, y:', 'x, y, x := 1, 2, 3'))).toEqual([
      '3:9: `x` is assigned twice in this multiple assignment',
      '  3:3: `x` is assigned here',
    ]);
  });

  it('rejects an element whose subscript is assigned', () => {
    expect(brief(main('INT i:', '[2]INT a:', 'i, a[i] := 1, 2'))).toEqual([
      '4:8: `i` is both assigned and used in a subscript in this multiple assignment',
      '  4:3: `i` is assigned here',
    ]);
  });

  it('accepts subscripts that are only read on the right', () => {
    expect(brief(main('INT i:', '[2]INT a:', 'i, a[0] := a[i], i'))).toEqual([]);
  });

  it('rejects a[i], a[j] and accepts a[0], a[1]', () => {
    expect(brief(main('INT i, j:', '[2]INT a:', 'a[i], a[j] := 1, 2'))).toHaveLength(2);
    expect(brief(main('[2]INT a:', 'a[0], a[1] := 1, 2'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------- robustness

describe('bad input', () => {
  it('never throws on names the checker could not resolve', () => {
    expect(() => usage(main('PAR', '  nowhere := 1', '  nowhere := 2', '  missing (q, q)'))).not.toThrow();
  });
});

describe('#OPTION', () => {
  const body = ['INT z:', 'SEQ', '  c IS z:', '  z := 1', '  PAR', '    z := 1', '    z := 2'];
  /** The usage diagnostics of the program after an #OPTION line, with the checks that line leaves on. */
  function withOption(letters: string): string[] {
    const text = `#OPTION "${letters}"\n${prog(body)}`;
    const file = new SourceFile(0, 't.occ', text);
    const program = parseSource(file, new Diagnostics(), { experimental: true });
    check(program, new Diagnostics());
    const diags = new Diagnostics();
    checkUsage(program, diags, usageChecks(file));
    return diags.sorted().map((d) => `${d.span.line}:${d.span.col}: ${d.message}`);
  }

  it('"A" turns off the aliasing rules and the PAR rules', () => {
    expect(withOption('A')).toEqual([]);
  });

  it('"N" turns off the PAR rules only', () => {
    expect(withOption('N')).toEqual(['6:5: `z` is assigned while `c`, an abbreviation of it, is in scope']);
  });

  it('other letters leave both on', () => {
    expect(withOption('E')).toHaveLength(2);
  });

  it('counts only before the first line of code', () => {
    const file = new SourceFile(0, 't.occ', 'PROC p ()\n  SKIP\n:\n#OPTION "A"\n');
    expect(usageChecks(file)).toEqual({ alias: true, parallel: true });
  });
});
