// The bundled library's front end, done once per process: `course.module` (and the files it includes) is
// preprocessed, laid out and parsed on its own the first time a program names it, and every later compilation that
// names it at its outermost level gets a fresh copy of those definitions instead of lexing and parsing its 1,500
// lines again (preprocess.ts, `preparsed`). Nearly every course program does, and it was most of their compile time.
//
// What keeps it exact: a unit is only made from a parse with no diagnostics at all, it is used only where reading the
// file would give the same tokens (the outermost level of the main file, column 0, nothing but the predefined names
// defined, none of its files read yet), and each compilation gets its own copy of the tree, because the checker
// writes its findings into the tree it checks. test/compiler/library-cache.test.ts compiles every program that
// includes the library both ways and compares the images.

import type { Spec } from './ast.js';
import { layout } from './lexer.js';
import { parseTokens } from './parser.js';
import { PREDEFINED, preprocessDefining, type PPValue, type PreparsedUnit } from './preprocess.js';
import { Diagnostics, SourceFile } from './source.js';

/** Units by path, each with the text it was made from (a changed file on disk makes a new one). */
const units = new Map<string, { readonly text: string; readonly unit: PreparsedUnit | null }>();

/** The preparsed unit of a bundled file, made on first use; null if parsing it on its own reported anything. */
export function preparsedLibrary(path: string, text: string): PreparsedUnit | null {
  const known = units.get(path);
  if (known && known.text === text) return known.unit;
  const unit = makeUnit(path, text);
  units.set(path, { text, unit });
  return unit;
}

function makeUnit(path: string, text: string): PreparsedUnit | null {
  const main = new SourceFile(0, path, text);
  const files = [main];
  const diags = new Diagnostics();
  const { tokens, defines } = preprocessDefining(main, diags, { files });
  const program = parseTokens(main, layout(main, diags, tokens), diags);
  if (diags.list.length > 0) return null;
  // Every predefined name must still be there with its value, so that adding the unit's names is all it did.
  for (const [name, value] of PREDEFINED) if (defines.get(name) !== value) return null;
  const added: (readonly [string, PPValue])[] = [];
  for (const [name, value] of defines) if (!PREDEFINED.has(name)) added.push([name, value]);
  const specs = program.specs;
  return {
    files: files.map((f) => ({ path: f.path, text: f.text })),
    defines: added,
    specs: (into) => copyTree(specs, into) as Spec[],
  };
}

/**
 * A deep copy of a parsed tree, with each span's file replaced by the compilation's file of the same index.
 * Objects the tree reaches twice are copied once, so the copy has the original's shape; byte strings are shared,
 * since nothing writes into them.
 */
function copyTree(root: unknown, files: readonly SourceFile[]): unknown {
  const copies = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof SourceFile) return files[v.id] ?? v;
    if (v instanceof Uint8Array) return v;
    const seen = copies.get(v);
    if (seen !== undefined) return seen;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      copies.set(v, out);
      for (const x of v) out.push(copy(x));
      return out;
    }
    const out: Record<string, unknown> = {};
    copies.set(v, out);
    for (const k in v) out[k] = copy((v as Record<string, unknown>)[k]);
    return out;
  };
  return copy(root);
}
