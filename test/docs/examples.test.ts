// Every fenced occam block in README.md and docs/*.md is real code, so the docs cannot drift from the compiler:
// - ```occam file=PATH``` is an excerpt of that file, verbatim, and the file compiles (the program tests run it);
// - ```occam fragment``` is a piece of a program (a statement, declarations, directives), or an example of an
//   error, and is not compiled on its own;
// - any other ```occam``` block is a whole program, and must compile without errors.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../compiler/compile.js';
import { formatDiagnostic } from '../../compiler/source.js';

const root = join(import.meta.dirname, '..', '..');

interface Block {
  readonly doc: string;
  readonly line: number;
  readonly info: string[];
  readonly text: string;
}

function blocks(doc: string): Block[] {
  const text = readFileSync(join(root, doc), 'utf8');
  const out: Block[] = [];
  const re = /^```occam([^\n]*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ doc, line: text.slice(0, m.index).split('\n').length, info: m[1]!.trim().split(/\s+/).filter(Boolean), text: m[2]! });
  }
  return out;
}

const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const all = docs.flatMap(blocks);

function loader(path: string): string | null {
  try {
    return readFileSync(join(root, path), 'latin1');
  } catch {
    return null;
  }
}

function errorsOf(path: string, text: string): string[] {
  return compileSource(path, text, { loader })
    .diagnostics.filter((d) => d.severity === 'error')
    .map(formatDiagnostic);
}

describe('occam examples in the docs', () => {
  it('finds the examples', () => {
    expect(all.length).toBeGreaterThan(30);
  });

  for (const b of all) {
    const kind = b.info.find((w) => w === 'fragment' || w.startsWith('file=')) ?? 'program';
    it(`${b.doc}:${b.line} (${kind})`, () => {
      expect(b.info.every((w) => w === 'fragment' || w.startsWith('file=')), `unknown marker in \`\`\`occam ${b.info.join(' ')}`).toBe(true);
      if (kind === 'fragment') return;
      if (kind === 'program') {
        expect(errorsOf(`${b.doc}:${b.line}`, b.text)).toEqual([]);
        return;
      }
      const path = kind.slice('file='.length);
      const file = readFileSync(join(root, path), 'latin1');
      expect(file.includes(b.text), `the block is not a verbatim excerpt of ${path}`).toBe(true);
      expect(errorsOf(path, file)).toEqual([]);
    });
  }
});
