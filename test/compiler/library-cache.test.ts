// The bundled library parsed once (compiler/library-cache.ts) gives exactly what parsing it in every compilation
// gives: every program that names it compiles to the same image with the same diagnostics either way, and the
// places where the unit must not be used (inside a file, after a #DEFINE, indented, a second time) still compile.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource, type CompileOptions } from '../../compiler/compile.js';
import { forgetParsedLibraries, preparsedLibrary, type LibraryStore } from '../../compiler/library-cache.js';
import { bundledFile } from '../../compiler/library.js';
import { findPrograms } from '../helpers/programs.js';

const root = join(import.meta.dirname, '..', '..');
const loader = (path: string): string | null => {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
};

function both(path: string, text: string, options: CompileOptions = {}): { fresh: string; cached: string } {
  const show = (o: CompileOptions): string => {
    const r = compileSource(path, text, { loader, ...options, ...o });
    const diags = r.diagnostics.map((d) => `${d.span.file.path}:${d.span.line}:${d.span.col}: ${d.message}`);
    return JSON.stringify({ image: r.image, diags });
  };
  return { fresh: show({ preparsedLibrary: false }), cached: show({}) };
}

const usesLibrary = [...findPrograms(join(root, 'test', 'programs')), ...findPrograms(join(root, 'programs'))]
  .map((path) => ({ path, text: readFileSync(path, 'latin1') }))
  .filter((p) => /#(INCLUDE|USE) *"(course\.(module|lib)|course|consts\.inc|mpi\.inc)"/.test(p.text));

describe('the bundled library parsed once', () => {
  it('is used by many programs', () => {
    expect(usesLibrary.length).toBeGreaterThan(50);
  });

  it.each(usesLibrary.map((p) => [p.path.slice(root.length + 1), p]))(
    '%s compiles to the same image and messages',
    (_name, p) => {
      const { fresh, cached } = both(p.path, p.text);
      expect(cached).toBe(fresh);
    },
  );

  it('is made once and shared, each compilation getting its own copy of the definitions', () => {
    const lib = bundledFile('course.module')!;
    const unit = preparsedLibrary(lib.path, lib.text)!;
    expect(unit).toBe(preparsedLibrary(lib.path, lib.text));
    const names = unit.files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1));
    expect(names.slice(0, 2)).toEqual(['course.module', 'consts.inc']);
    expect(unit.defines.map(([name]) => name)).toEqual(expect.arrayContaining(['COURSE.CONSTS', 'COURSE.MODULE']));
    expect(unit.files.map((f) => f.id)).toEqual(names.map((_, i) => i + 1));
    const [a, b] = [unit.specs(), unit.specs()];
    expect(a).not.toBe(b);
    expect(a[0]).not.toBe(b[0]);
    expect(a[0]!.span).toBe(b[0]!.span);
    expect(a.length).toBeGreaterThan(50);
  });

  const cases: [string, string][] = [
    ['after a #DEFINE', '#DEFINE DEBUG\n#INCLUDE "course.module"\n'],
    ['twice', '#INCLUDE "course.module"\n#INCLUDE "course.module"\n'],
    ['by #USE, then #INCLUDE', '#USE "course.lib"\n#INCLUDE "course.module"\n'],
    ['after its constants', '#INCLUDE "consts.inc"\n#INCLUDE "course.module"\n'],
    ['after another file', '#INCLUDE "mpi.inc"\n#INCLUDE "course.module"\n'],
  ];
  it.each(cases)('gives the same image when the library is named %s', (_what, head) => {
    const text = `${head}PROC main (CHAN BYTE kyb?, scr!, err!)\n  out.int (INT FLUSH, 0, scr!)\n:\n`;
    const { fresh, cached } = both('t.occ', text);
    expect(JSON.parse(fresh).image).not.toBeNull();
    expect(cached).toBe(fresh);
  });

  it('gives the same messages for a program with errors around the #INCLUDE', () => {
    const text = '#INCLUDE "course.module"\nPROC main (CHAN BYTE kyb?, scr!, err!)\n  out.strng ("x", 0, scr!)\n:\n';
    const { fresh, cached } = both('t.occ', text);
    expect(JSON.parse(fresh).diags.length).toBeGreaterThan(0);
    expect(cached).toBe(fresh);
  });

  it('gives the same messages when the #INCLUDE continues an unfinished line', () => {
    const text = 'VAL INT x IS 1 +\n#INCLUDE "course.module"\nPROC main (CHAN BYTE kyb?, scr!, err!)\n  SKIP\n:\n';
    const r = compileSource('t.occ', text, { loader });
    expect(r.image).toBeNull();
    expect(r.diagnostics.some((d) => d.span.file.path === 't.occ' && d.span.line <= 2)).toBe(true);
  });
});

describe('the parsed library kept between processes', () => {
  const program = join(root, 'programs', 'hello_course.occ');
  const text = readFileSync(program, 'latin1');
  const fresh = both(program, text).fresh;
  const memoryStore = (): LibraryStore & { entries: Map<string, string> } => {
    const entries = new Map<string, string>();
    return {
      entries,
      read: (path, t) => entries.get(`${path}\0${t}`) ?? null,
      write: (path, t, entry) => void entries.set(`${path}\0${t}`, entry),
    };
  };
  const compiled = (libraryStore: LibraryStore): string => {
    const r = compileSource(program, text, { loader, libraryStore });
    return JSON.stringify({ image: r.image, diags: r.diagnostics.map((d) => d.message) });
  };

  it('is written once, and read back gives the same image as parsing', () => {
    const store = memoryStore();
    forgetParsedLibraries();
    expect(JSON.parse(compiled(store)).image).toEqual(JSON.parse(fresh).image);
    expect(store.entries.size).toBe(1);
    const entry = [...store.entries.values()][0]!;
    expect(JSON.parse(entry).format).toBe('occmesh-parsed-library-1');
    forgetParsedLibraries();
    let reads = 0;
    const counting: LibraryStore = {
      read: (p, t) => (reads++, store.read(p, t)),
      write: () => {
        throw new Error('an entry that was read must not be written again');
      },
    };
    expect(JSON.parse(compiled(counting)).image).toEqual(JSON.parse(fresh).image);
    expect(reads).toBe(1);
  });

  it('ignores an entry that is corrupt, of another format or made from other files, and parses afresh', () => {
    const store = memoryStore();
    forgetParsedLibraries();
    compiled(store);
    const [key, entry] = [...store.entries][0]!;
    const e = JSON.parse(entry) as { format: string; files: { text: string }[] };
    const bad = [
      entry.slice(0, entry.length / 2),
      JSON.stringify({ ...e, format: 'occmesh-parsed-library-0' }),
      JSON.stringify({ ...e, files: e.files.map((f, i) => (i === 1 ? { ...f, text: f.text + ' ' } : f)) }),
      '{}',
      'null',
    ];
    for (const b of bad) {
      store.entries.set(key, b);
      forgetParsedLibraries();
      expect(JSON.parse(compiled(store)).image).toEqual(JSON.parse(fresh).image);
      expect(store.entries.get(key)).not.toBe(b); // replaced by a good one
    }
  });

  it('is no error when the store cannot be written', () => {
    forgetParsedLibraries();
    const failing: LibraryStore = {
      read: () => null,
      write: () => {
        throw new Error('read-only');
      },
    };
    expect(JSON.parse(compiled(failing)).image).toEqual(JSON.parse(fresh).image);
  });
});
