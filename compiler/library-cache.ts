// The bundled library's front end, done once per process: `course.module` (and the files it includes) is
// preprocessed, laid out and parsed on its own the first time a program names it, and every later compilation that
// names it at its outermost level gets a fresh copy of those definitions instead of lexing and parsing its 1,500
// lines again (preprocess.ts, `preparsed`). Nearly every course program does, and it was most of their compile time.
//
// What keeps it exact: a unit is only made from a parse with no diagnostics at all, it is used only where reading the
// file would give the same tokens and file table (the outermost level of the main file, column 0, before any other
// file is read and with nothing but the predefined names defined), and each compilation gets its own copy of the
// tree, because the checker writes its findings into the tree it checks (spans, which nothing writes, are shared).
// test/compiler/library-cache.test.ts compiles every program that includes the library both ways and compares the
// images.
//
// Between processes, a LibraryStore (the CLI's cache folder, cli/compile-cache.ts) keeps each unit as JSON, so the
// first compile of a course program in a new process reads the parsed library instead of parsing it. An entry
// holds the texts of every file it was made from and is used only while all of them are unchanged.

import type { Spec } from './ast.js';
import { layout } from './lexer.js';
import { parseTokens } from './parser.js';
import { PREDEFINED, preprocessDefining, type PPValue, type PreparsedUnit } from './preprocess.js';
import { bundledText } from './library.js';
import { Diagnostics, SourceFile } from './source.js';

/** Keeps parsed units between processes: an entry by the path and text of the file named. */
export interface LibraryStore {
  read(path: string, text: string): string | null;
  write(path: string, text: string, entry: string): void;
}

/** Bumped when the entry format changes (the store's key also changes with the compiler). */
const ENTRY_FORMAT = 'occmesh-parsed-library-1';

interface Made {
  readonly unit: PreparsedUnit;
  /** The definitions as parsed: never handed to a compilation, only copied. */
  readonly specs: readonly Spec[];
}

/** Units by path, each with the text it was made from (a changed file on disk makes a new one). */
const units = new Map<string, { readonly text: string; readonly unit: PreparsedUnit | null }>();

/** Forget the units made in this process, so the next compilation reads its store or parses again (for tests). */
export function forgetParsedLibraries(): void {
  units.clear();
}

/**
 * The preparsed unit of a bundled file, made on first use (or read from `store`); null if parsing it on its own
 * reported anything.
 */
export function preparsedLibrary(path: string, text: string, store?: LibraryStore): PreparsedUnit | null {
  const known = units.get(path);
  if (known && known.text === text) return known.unit;
  let unit = store ? readEntry(path, text, store) : null;
  if (!unit) {
    const made = makeUnit(path, text);
    unit = made?.unit ?? null;
    if (made && store) {
      try {
        store.write(path, text, writeEntry(made));
      } catch {
        // a store that cannot be written is no error: the next process parses again
      }
    }
  }
  units.set(path, { text, unit });
  return unit;
}

function makeUnit(path: string, text: string): Made | null {
  // Read as the first file after a program's main file (id 1), where programs name it.
  const main = new SourceFile(1, path, text);
  const files = [new SourceFile(0, '', ''), main];
  const diags = new Diagnostics();
  const { tokens, defines } = preprocessDefining(main, diags, { files });
  // A library naming a predefined routine would bring lib/predefined.occ in with it: left to be read as it is.
  if (files.some((f) => f.path.endsWith('/predefined.occ'))) return null;
  const program = parseTokens(main, layout(main, diags, tokens), diags);
  if (diags.list.length > 0) return null;
  // Every predefined name must still be there with its value, so that adding the unit's names is all it did.
  for (const [name, value] of PREDEFINED) if (defines.get(name) !== value) return null;
  const added: (readonly [string, PPValue])[] = [];
  for (const [name, value] of defines) if (!PREDEFINED.has(name)) added.push([name, value]);
  return { unit: unitOf(files.slice(1), added, program.specs), specs: program.specs };
}

function unitOf(
  files: readonly SourceFile[],
  defines: readonly (readonly [string, PPValue])[],
  specs: readonly Spec[],
) {
  const shared = sharedNodes(specs);
  return { files, defines, specs: () => copyTree(specs, shared) as Spec[] };
}

// ---------------------------------------------------------------------------------------------------- entries

/**
 * An entry: the format, the files (path and text, the named one first), the names defined, and the definitions
 * as JSON in which a span is `{"$s": [file, start, end, line, col]}`, a bigint `{"$n": "digits"}`, a byte string
 * `{"$b": "base64"}`, and a node the tree reaches twice is `{"$id": k, ...}` where first written and `{"$r": k}`
 * after.
 */
function writeEntry(made: Made): string {
  const shared = sharedNodes(made.specs);
  const ids = new Map<object, number>();
  const encode = (v: unknown): unknown => {
    if (typeof v === 'bigint') return { $n: v.toString() };
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof Uint8Array) return { $b: Buffer.from(v).toString('base64') };
    if (v instanceof SourceFile) throw new Error('a file outside a span');
    if (Array.isArray(v)) return v.map(encode);
    if (isSpan(v)) {
      const s = v as { file: SourceFile; start: number; end: number; line: number; col: number };
      return { $s: [s.file.id, s.start, s.end, s.line, s.col] };
    }
    const out: Record<string, unknown> = {};
    if (shared.has(v)) {
      const id = ids.get(v);
      if (id !== undefined) return { $r: id };
      ids.set(v, ids.size);
      out.$id = ids.size - 1;
    }
    for (const [k, x] of Object.entries(v)) out[k] = encode(x);
    return out;
  };
  const unit = made.unit;
  return JSON.stringify({
    format: ENTRY_FORMAT,
    files: unit.files.map((f) => ({ id: f.id, path: f.path, text: f.text })),
    defines: unit.defines.map(([name, value]) => [name, encode(value)]),
    specs: encode(made.specs),
  });
}

/** The unit an entry holds, if it is well formed and made from exactly these files; null otherwise. */
function readEntry(path: string, text: string, store: LibraryStore): PreparsedUnit | null {
  try {
    const entry = store.read(path, text);
    if (entry === null) return null;
    const e = JSON.parse(entry) as {
      format?: unknown;
      files?: { id: number; path: string; text: string }[];
      defines?: [string, unknown][];
      specs?: unknown;
    };
    if (e.format !== ENTRY_FORMAT || !Array.isArray(e.files) || !Array.isArray(e.defines)) return null;
    const first = e.files[0];
    if (!first || first.path !== path || first.text !== text) return null;
    for (const f of e.files.slice(1)) if (bundledText(f.path) !== f.text) return null;
    const files = e.files.map((f) => new SourceFile(f.id, f.path, f.text));
    const byId = new Map(files.map((f) => [f.id, f]));
    const refs: object[] = [];
    const decode = (v: unknown): unknown => {
      if (v === null || typeof v !== 'object') return v;
      if (Array.isArray(v)) return v.map(decode);
      const o = v as Record<string, unknown>;
      if ('$n' in o) return BigInt(o.$n as string);
      if ('$b' in o) return new Uint8Array(Buffer.from(o.$b as string, 'base64'));
      if ('$r' in o) return refs[o.$r as number];
      if ('$s' in o) {
        const [file, start, end, line, col] = o.$s as number[];
        const f = byId.get(file!);
        if (!f) throw new Error('a span in an unknown file');
        return { file: f, start, end, line, col };
      }
      const out: Record<string, unknown> = {};
      if ('$id' in o) refs[o.$id as number] = out;
      for (const [k, x] of Object.entries(o)) if (k !== '$id') out[k] = decode(x);
      return out;
    };
    const defines = e.defines.map(([name, value]) => [name, decode(value) as PPValue] as const);
    return unitOf(files, defines, decode(e.specs) as Spec[]);
  } catch {
    return null; // unreadable or malformed: parse afresh
  }
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
