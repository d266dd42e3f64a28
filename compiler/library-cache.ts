// The bundled library's front end, done once per process: `course.module` (and the files it includes) is
// preprocessed, laid out and parsed on its own the first time a program names it, and every later compilation that
// names it at its outermost level gets a fresh copy of those definitions instead of lexing and parsing its 1,500
// lines again (preprocess.ts, `preparsed`). Nearly every course program does, and it was most of their compile time.
//
// What keeps it exact: a unit is only made from a parse with no diagnostics at all, it is used only where reading the
// file would give the same tokens and file table (the outermost level of the main file, column 0, before any other
// file is read and with nothing but the predefined names defined), and each compilation gets its own copy of the
// tree, because the checker writes its findings into the tree it checks (spans, which nothing writes, are shared). test/compiler/library-cache.test.ts compiles every program that
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
  // Read as the first file after a program's main file (id 1), where programs name it.
  const main = new SourceFile(1, path, text);
  const files = [new SourceFile(0, '', ''), main];
  const diags = new Diagnostics();
  const { tokens, defines } = preprocessDefining(main, diags, { files });
  const program = parseTokens(main, layout(main, diags, tokens), diags);
  if (diags.list.length > 0) return null;
  // Every predefined name must still be there with its value, so that adding the unit's names is all it did.
  for (const [name, value] of PREDEFINED) if (defines.get(name) !== value) return null;
  const added: (readonly [string, PPValue])[] = [];
  for (const [name, value] of defines) if (!PREDEFINED.has(name)) added.push([name, value]);
  const specs = program.specs;
  const shared = sharedNodes(specs);
  return { files: files.slice(1), defines: added, specs: () => copyTree(specs, shared) as Spec[] };
}

/** Whether a value is a span (spans are never written to, so every copy shares the original's). */
function isSpan(v: object): boolean {
  return 'file' in v && (v as { file: unknown }).file instanceof SourceFile;
}

/** The nodes the tree reaches more than once (a type written once for several parameters, say), spans aside. */
function sharedNodes(root: unknown): ReadonlySet<object> {
  const seen = new Set<object>();
  const shared = new Set<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array || isSpan(v)) return;
    if (seen.has(v)) {
      shared.add(v);
      return;
    }
    seen.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(root);
  return shared;
}

/**
 * A deep copy of a parsed tree, for a checker to write into. Spans and byte strings are shared, since nothing
 * writes into them; a node the tree reaches twice is copied once, so the copy has the original's shape.
 */
function copyTree(root: unknown, shared: ReadonlySet<object>): unknown {
  const copies = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof SourceFile) return v;
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = copy(v[i]);
      return out;
    }
    const isShared = shared.has(v);
    if (isShared) {
      const done = copies.get(v);
      if (done !== undefined) return done;
    }
    const from = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    if (isShared) copies.set(v, out);
    for (const k of Object.keys(from)) out[k] = k === 'span' ? from[k] : copy(from[k]);
    return out;
  };
  return copy(root);
}
