// Deep nesting: programs nested as deep as the parser can go compile; deeper ones get one plain error, at a place
// inside the deepest part, never an internal error.

import { describe, expect, it } from 'vitest';
import { compileSource } from '../../compiler/compile.js';
import { NESTING_LIMIT } from '../../compiler/parser.js';
import { runCli } from '../helpers/cli.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const HEAD = 'PROC main (CHAN BYTE kyb?, scr!, err!)\n';

function seqs(depth: number): string {
  let s = HEAD;
  for (let i = 0; i < depth; i++) s += '  '.repeat(i + 1) + 'SEQ\n';
  return s + '  '.repeat(depth + 1) + 'SKIP\n:\n';
}

function parens(depth: number): string {
  return `${HEAD}  INT x:\n  x := ${'('.repeat(depth)}1${')'.repeat(depth)}\n:\n`;
}

function operators(depth: number): string {
  let e = '1';
  for (let i = 0; i < depth; i++) e = `(1 + ${e})`;
  return `${HEAD}  INT x:\n  x := ${e}\n:\n`;
}

describe('nesting', () => {
  for (const [name, make] of [
    ['SEQ inside SEQ', seqs],
    ['parentheses', parens],
    ['operators', operators],
  ] as const) {
    it(`compiles ${name} nested ${NESTING_LIMIT} deep`, () => {
      expect(compileSource('deep.occ', make(NESTING_LIMIT)).diagnostics).toEqual([]);
    });

    it(`says plainly when ${name} nest 10,000 deep`, () => {
      const r = compileSource('deep.occ', make(10_000));
      expect(r.image).toBeNull();
      expect(r.diagnostics.map((d) => d.message)).toEqual([
        `nesting too deep: occmesh parses constructs nested up to about ${NESTING_LIMIT} levels deep (processes inside processes, parentheses, operators)`,
      ]);
      // Inside the program, not at its start or its end.
      const d = r.diagnostics[0]!;
      expect(d.span.start).toBeGreaterThan(HEAD.length);
      expect(d.span.start).toBeLessThan(make(10_000).length - 3);
    });
  }

  it('is a compile error on the command line, not an internal one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'occmesh-')), 'deep.occ');
    writeFileSync(file, seqs(2_000));
    const r = await runCli(['check', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error: nesting too deep');
    expect(r.stderr).not.toContain('internal');
  });
});
