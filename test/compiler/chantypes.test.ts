// occam-π CHAN TYPEs and mobile channel ends: the parser's nodes, the checker's rules for definitions, end types,
// field selection and directions, MOBILE allocation, CLAIM of SHARED ends, and the undefinedness rule for ends
// that have moved (checker/chantypes.ts, checker/mobiles.ts), with their messages.
import { describe, expect, it } from 'vitest';
import type { ProcDef, Spec } from '../../compiler/ast.js';
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
  return compileSource('t.occ', text)
    .diagnostics.filter((d) => !d.message.endsWith('is declared but never used'))
    .map((d) => `${d.span.line}:${d.span.col} ${d.severity}: ${d.message}`);
}

const REQ = ['CHAN TYPE REQ', '  MOBILE RECORD', '    CHAN INT req?:', '    CHAN INT resp!:', ':'];

/** A program with REQ defined, the given declarations and the given lines in its body (a SEQ); line 1 is REQ's. */
function program(decls: string[], body: string[], types: string[] = REQ): string {
  return [
    ...types,
    'PROC main (CHAN BYTE kyb?, scr!, err!)',
    '  REQ! cli, c2:',
    '  REQ? svr:',
    '  INT v:',
    ...decls.map((d) => `  ${d}`),
    '  SEQ',
    ...body.map((b) => `    ${b}`),
    ':',
    '',
  ].join('\n');
}

/** The line of body line `k` (0-based) in `program(decls, ...)`. */
const bodyLine = (decls: number, k: number): number => REQ.length + 5 + decls + k + 1;

describe('parsing CHAN TYPEs', () => {
  it('reads the definition, its fields and their directions', () => {
    const p = parseOk([...REQ, ''].join('\n'));
    const spec = p.specs[0]!;
    expect(spec.kind).toBe('chantype');
    if (spec.kind !== 'chantype') return;
    expect(spec.name.name).toBe('REQ');
    expect(spec.fields!.map((f) => f.names.map((n) => `${n.name.name}${n.dir}`))).toEqual([['req?'], ['resp!']]);
  });

  it('reads end types in parameters, SHARED ends, and MOBILE allocation', () => {
    const p = parseOk(
      [
        ...REQ,
        'PROC p (REQ? s, SHARED REQ! c, VAL INT n)',
        '  REQ! a:',
        '  REQ? b:',
        '  a, b := MOBILE REQ',
        ':',
        '',
      ].join('\n'),
    );
    const proc = p.specs[1] as ProcDef;
    expect(proc.formals.map((f) => f.type)).toMatchObject([
      { kind: 'end', name: 'REQ', end: '?' },
      { kind: 'end', name: 'REQ', end: '!', shared: true },
      { kind: 'prim', name: 'INT' },
    ]);
    const body = proc.body as Extract<ProcDef['body'], { kind: 'scope' }>;
    expect(body.specs[0]).toMatchObject({ kind: 'decl', type: { kind: 'end', end: '!' } });
  });

  it('reads a protocol that carries ends', () => {
    const p = parseOk([...REQ, 'PROTOCOL P', '  CASE', '    give; REQ!', '    done', ':', ''].join('\n'));
    const proto = p.specs[1]!;
    expect(proto).toMatchObject({ kind: 'protocol', variants: [{ items: [{ type: { kind: 'end', end: '!' } }] }, {}] });
  });
});

describe('the rules of CHAN TYPE definitions and ends', () => {
  it('accepts a client and a server using their channels in their directions', () => {
    expect(
      diagnostics(
        program(
          ['INT n:'],
          [
            'cli, svr := MOBILE REQ',
            'PAR',
            '  SEQ',
            '    cli[req] ! 1',
            '    cli[resp] ? v',
            '  SEQ',
            '    svr[req] ? n',
            '    svr[resp] ! n',
          ],
        ),
      ),
    ).toEqual([]);
  });

  it('wants a direction on every field, and channels only', () => {
    const types = ['CHAN TYPE T', '  MOBILE RECORD', '    CHAN INT a:', '    INT b?:', '    CHAN INT a?:', ':'];
    expect(diagnostics([...types, 'PROC main ()', '  SKIP', ':', ''].join('\n'))).toEqual([
      '3:14 error: the field `a` of a CHAN TYPE needs a direction',
      '4:5 error: a field of a CHAN TYPE is a channel, but this is INT',
      '5:14 error: CHAN TYPE T has two fields called `a`',
    ]);
  });

  it('rejects a CHAN TYPE name without an end, and an end of something that is not a CHAN TYPE', () => {
    expect(diagnostics(program(['REQ x:', 'FOO? y:'], ['SKIP']))).toEqual([
      `${REQ.length + 5}:3 error: \`REQ\` is a CHAN TYPE: a variable of it is one of its ends`,
      `${REQ.length + 6}:3 error: unknown CHAN TYPE \`FOO\``,
    ]);
  });

  it('uses each channel in the direction its end allows', () => {
    const d = diagnostics(program([], ['cli, svr := MOBILE REQ', 'cli[req] ? v', 'svr[resp] ? v']));
    expect(d).toEqual([
      `${bodyLine(0, 1)}:5 error: cannot input from \`cli[req]\`: the client (!) end of REQ outputs to \`req\``,
      `${bodyLine(0, 2)}:5 error: cannot input from \`svr[resp]\`: the server (?) end of REQ outputs to \`resp\``,
    ]);
  });

  it('names the channels a bundle has when a field does not exist', () => {
    expect(diagnostics(program([], ['cli, svr := MOBILE REQ', 'cli[ask] ! 1']))).toEqual([
      `${bodyLine(0, 1)}:9 error: CHAN TYPE REQ has no channel \`ask\``,
    ]);
    const c = compileSource('t.occ', program([], ['cli, svr := MOBILE REQ', 'cli[ask] ! 1']));
    expect(c.diagnostics[0]!.hint).toBe('its channels are req, resp');
  });

  it('makes a bundle only for a pair of one server and one client end', () => {
    expect(
      diagnostics(program(['REQ! c3:'], ['cli, c3 := MOBILE REQ', 'v := MOBILE REQ', 'cli, svr := MOBILE v'])),
    ).toEqual([
      `${bodyLine(1, 0)}:16 error: both targets are REQ! ends: one must be the server (?) end and the other the client (!) end`,
      `${bodyLine(1, 1)}:10 error: MOBILE REQ makes a bundle with two ends: assign it to a pair`,
      `${bodyLine(1, 2)}:24 error: \`v\` is not a CHAN TYPE`,
    ]);
  });

  it('assigns ends only from variables holding ends of the same type', () => {
    expect(diagnostics(program([], ['cli, svr := MOBILE REQ', 'c2 := svr']))).toEqual([
      `${bodyLine(0, 1)}:11 error: cannot assign a REQ? value to \`c2\`, which is REQ!`,
    ]);
  });

  it('claims only SHARED ends, and uses the channels of a SHARED end only under a CLAIM', () => {
    expect(
      diagnostics(
        program(
          ['SHARED REQ! sh:'],
          ['cli, svr := MOBILE REQ', 'sh := cli', 'CLAIM cli', '  SKIP', 'sh[req] ! 1', 'CLAIM sh', '  sh[req] ! 1'],
        ),
      ),
    ).toEqual([
      `${bodyLine(1, 1)}:11 error: cannot assign a REQ! value to \`sh\`, which is SHARED REQ!`,
      `${bodyLine(1, 2)}:11 error: \`cli\` is not a SHARED end, so it cannot be claimed`,
      `${bodyLine(1, 4)}:5 error: \`sh\` is a SHARED end of REQ: its channels can be used only inside a CLAIM of it`,
    ]);
  });

  it('lets any number of PAR branches share a SHARED end', () => {
    const text = [
      ...REQ,
      'PROC user (SHARED REQ! c)',
      '  CLAIM c',
      '    c[req] ! 1',
      ':',
      'PROC main (CHAN BYTE kyb?, scr!, err!)',
      '  SHARED REQ! cli:',
      '  REQ? svr:',
      '  SEQ',
      '    cli, svr := MOBILE REQ',
      '    PAR',
      '      user (cli)',
      '      user (cli)',
      '      INT v:',
      '      SEQ i = 0 FOR 2',
      '        svr[req] ? v',
      ':',
      '',
    ].join('\n');
    expect(diagnostics(text)).toEqual([]);
  });
});

describe('the usage rules for ends in parallel', () => {
  it('lets two branches use different channels of one end, but not the same one, and not move one end twice', () => {
    const text = program(
      ['CHAN REQ! link:'],
      [
        'cli, svr := MOBILE REQ',
        'PAR',
        '  cli[req] ! 1',
        '  cli[req] ! 2',
        '  SEQ',
        '    svr[req] ? v',
        '    svr[req] ? v',
        'PAR',
        '  link ! cli',
        '  link ? c2',
        '  cli[resp] ? v',
        '  svr[resp] ! 1',
      ],
    );
    expect(diagnostics(text)).toEqual([
      `${bodyLine(1, 3)}:7 error: channel \`cli\` is output to in two branches of this PAR`,
    ]);
    const twice = program(
      ['CHAN REQ! link:'],
      [
        'cli, svr := MOBILE REQ',
        'PAR',
        '  link ! cli',
        '  link ? c2',
        'PAR',
        '  link ! c2',
        '  SEQ',
        '    link ? cli',
        '    cli := c2',
      ],
    );
    expect(diagnostics(twice)).toEqual([
      `${bodyLine(1, 8)}:16 error: \`c2\` is moved away by an output in one branch of this PAR and used in another`,
    ]);
  });
});

describe('ends that have moved are undefined', () => {
  it('is an error to use an end never given a bundle, or one moved away by assignment or output', () => {
    const d = compileSource(
      't.occ',
      program(
        ['CHAN REQ! link:'],
        [
          'cli[req] ! 1',
          'cli, svr := MOBILE REQ',
          'c2 := cli',
          'cli[req] ! 2',
          'PAR',
          '  link ! c2',
          '  link ? cli',
          'c2[req] ! 3',
        ],
      ),
    ).diagnostics;
    expect(d.map((x) => `${x.span.line} ${x.message} / ${x.related?.[0]?.message}`)).toEqual([
      `${bodyLine(1, 0)} \`cli\` is undefined here: it holds no bundle / it is declared here, with no bundle yet`,
      `${bodyLine(1, 3)} \`cli\` is undefined here: it holds no bundle / it was moved away by the assignment here`,
      `${bodyLine(1, 7)} \`c2\` is undefined here: it holds no bundle / it was moved away by the output here`,
    ]);
  });

  it('warns where an end is undefined on some paths only, and marks the use for a run-time check', () => {
    const text = program(
      [],
      ['cli, svr := MOBILE REQ', 'IF', '  v > 0', '    c2 := cli', '  TRUE', '    SKIP', 'cli[req] ! 1'],
    );
    expect(diagnostics(text)).toEqual([
      `${bodyLine(0, 6)}:5 warning: \`cli\` may be undefined here: on some paths it holds no bundle`,
    ]);
  });

  it('takes an input, a RESULT parameter and a new MOBILE as giving an end its bundle again', () => {
    const text = [
      ...REQ,
      'PROC get (RESULT REQ! r, CHAN REQ! from?)',
      '  from ? r',
      ':',
      'PROC main (CHAN BYTE kyb?, scr!, err!)',
      '  REQ! cli, c2:',
      '  REQ? svr:',
      '  CHAN REQ! link:',
      '  SEQ',
      '    cli, svr := MOBILE REQ',
      '    PAR',
      '      link ! cli',
      '      get (c2, link?)',
      '    c2[req] ! 1',
      '    cli := c2',
      '    cli[req] ! 1',
      '    c2, svr := MOBILE REQ',
      '    c2[req] ! 1',
      ':',
      '',
    ].join('\n');
    expect(diagnostics(text)).toEqual([]);
  });

  it('knows which end parameters a PROC moves away, and warns at the PROC as occ21 does', () => {
    const text = [
      ...REQ,
      'PROC give (REQ! c, CHAN REQ! out!)',
      '  out ! c',
      ':',
      'PROC main (CHAN BYTE kyb?, scr!, err!)',
      '  REQ! cli, c2:',
      '  REQ? svr:',
      '  CHAN REQ! link:',
      '  SEQ',
      '    cli, svr := MOBILE REQ',
      '    PAR',
      '      give (cli, link!)',
      '      link ? c2',
      '    cli[req] ! 1',
      ':',
      '',
    ].join('\n');
    expect(diagnostics(text)).toEqual([
      `${REQ.length + 1}:17 warning: parameter \`c\` is undefined at the end of \`give\`: the caller's end moves away`,
      `${REQ.length + 13}:5 error: \`cli\` is undefined here: it holds no bundle`,
    ]);
  });

  it('copies a SHARED end instead of moving it', () => {
    expect(
      diagnostics(program(['SHARED REQ! a, b:'], ['a, svr := MOBILE REQ', 'b := a', 'CLAIM a', '  a[req] ! 1'])),
    ).toEqual([]);
  });

  it('reports a use in a loop as occ21 does: from the state before the loop', () => {
    // The second time round, cli has gone: the run-time check catches it.
    const text = program(
      ['CHAN REQ! link:'],
      ['cli, svr := MOBILE REQ', 'WHILE TRUE', '  PAR', '    link ! cli', '    link ? c2'],
    );
    expect(diagnostics(text)).toEqual([]);
  });
});
