// The architecture test: rules about the source tree itself that ARCHITECTURE.md states as invariants. Every rule
// walks the folders, so files and folders added later are held to it without being listed here.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, importsOf, projectFiles, readProjectFile, ROOT } from './helpers/source-tree.js';

const sources = projectFiles(['.ts']);

describe('the machinery of this test', () => {
  it('finds the source files', () => {
    expect(sources).toContain('compiler/compile.ts');
    expect(sources).toContain('emulator/machine.ts');
    expect(sources).toContain('test/tidy.test.ts');
    expect(sources.some((f) => f.startsWith('node_modules/') || f.startsWith('dist/'))).toBe(false);
  });

  it('tells run-time imports from type-only ones', () => {
    // context.ts names the recursive entry points by type only, and uses the assembler's Label at run time.
    const imports = importsOf('compiler/codegen/context.ts');
    expect(imports.all).toContain('compiler/codegen/expressions.ts');
    expect(imports.runtime).not.toContain('compiler/codegen/expressions.ts');
    expect(imports.runtime).toContain('compiler/assembler.ts');
  });

  it('finds cycles in an import graph', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });
});

describe('architecture invariants', () => {
  it('emulator/ imports nothing from compiler/, cli/, tui/ or traces/', () => {
    const forbidden = ['compiler/', 'cli/', 'tui/', 'traces/'];
    const bad = sources
      .filter((f) => f.startsWith('emulator/'))
      .flatMap((f) =>
        importsOf(f)
          .all.filter((i) => forbidden.some((p) => i.startsWith(p)))
          .map((i) => `${f} imports ${i}`),
      );
    expect(bad).toEqual([]);
  });

  it('has no run-time import cycles', () => {
    const graph = new Map(sources.map((f) => [f, importsOf(f).runtime]));
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('starts every source file with a comment saying why it exists', () => {
    const missing = sources.filter((f) => {
      const lines = readProjectFile(f)
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('#!'));
      const first = lines[0]?.trim() ?? '';
      return !first.startsWith('//') && !first.startsWith('/*');
    });
    expect(missing).toEqual([]);
  });

  it('cites only files that are in the repository', () => {
    // A citation is the name of a Markdown file, in code comments, docs and occam sources alike. It must name a
    // file from the citing file's folder or from the repository's root.
    const citing = projectFiles(['.ts', '.md', '.occ', '.inc', '.module']);
    const bad: string[] = [];
    for (const f of citing) {
      const text = readProjectFile(f).replace(/\bhttps?:\/\/\S+/g, '');
      for (const m of text.matchAll(/(?<![\w./-])((?:\.{1,2}\/)*[\w-]+(?:\/[\w.-]+)*\.md)\b/g)) {
        const ref = m[1]!;
        if (!existsSync(join(ROOT, dirname(f), ref)) && !existsSync(join(ROOT, ref))) bad.push(`${f}: ${ref}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
