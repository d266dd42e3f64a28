// The compiled-image cache (cli/compile-cache.ts): a second run of a program loads its image from the cache; the
// image is byte-for-byte the one a compile makes; a changed program or included file, a corrupt entry or a
// deleted folder means a fresh compile; programs with warnings are not cached; concurrent writers are safe; the
// least recently used entries are pruned.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, CompileCache, defaultCacheFolder, MAX_ENTRIES } from '../../cli/compile-cache.js';
import { serializeImage } from '../../emulator/image.js';
import { compileSource } from '../../compiler/compile.js';
import { forgetParsedLibraries } from '../../compiler/library-cache.js';
import { runCli } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..');
const helloCourse = join(root, 'programs', 'hello_course.occ');

let dir: string;
let cache: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'occmesh-cache-test-'));
  cache = join(dir, 'cache');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The image entries (the parsed library's entries, `library-*.json`, are counted apart). */
const entries = (): string[] => {
  try {
    return readdirSync(cache).filter((f) => f.endsWith('.json') && !f.startsWith('library-'));
  } catch {
    return [];
  }
};
const entryImage = (name: string): string => readFileSync(join(cache, name), 'latin1').split('\n')[1]!;

/** Put another program's image into the one entry: a run that prints its output read the cache. */
function plantImage(text: string): void {
  const [name] = entries();
  const image = compileSource('planted.occ', text).image!;
  const head = readFileSync(join(cache, name!), 'latin1').split('\n')[0]!;
  writeFileSync(join(cache, name!), `${head}\n${serializeImage(image)}`);
}
const PLANTED = `PROC p (CHAN BYTE kyb?, scr!, err!)\n  scr ! 'C'\n:\n`;

describe('the parsed library in the cache folder', () => {
  const libraryEntries = (): string[] => readdirSync(cache).filter((f) => /^library-[0-9a-f]{64}\.json$/.test(f));

  it('is written by the first compile in a process that parses the library, and read by the next', async () => {
    forgetParsedLibraries();
    expect((await runCli(['run', helloCourse], '', cache)).stdout).toBe('Hello, world!\n');
    const [entry] = libraryEntries();
    expect(entry).toBeDefined();
    const old = new Date(2020, 0, 1);
    utimesSync(join(cache, entry!), old, old);
    // Another course program, in what is for the compiler a new process: it reads the entry, and writes nothing.
    forgetParsedLibraries();
    const other = join(dir, 'other.occ');
    writeFileSync(other, '#INCLUDE "course.module"\nPROC p (CHAN BYTE kyb?, scr!, err!)\n  out.int (42, 0, scr!)\n:\n');
    expect(await runCli(['run', other], '', cache)).toMatchObject({ exitCode: 0, stdout: '42', stderr: '' });
    expect(libraryEntries()).toEqual([entry]);
    expect(statSync(join(cache, entry!)).mtime.getFullYear()).toBe(2020);
  });

  it('is not used with --no-cache', async () => {
    forgetParsedLibraries();
    await runCli(['run', '--no-cache', helloCourse], '', cache);
    expect(() => readdirSync(cache)).toThrow();
  });
});

describe('compiled-image cache', () => {
  it('fills the cache on the first run and runs from it on the second', async () => {
    const first = await runCli(['run', helloCourse], '', cache);
    expect(first).toMatchObject({ exitCode: 0, stdout: 'Hello, world!\n', stderr: '' });
    expect(entries()).toHaveLength(1);
    plantImage(PLANTED);
    const second = await runCli(['run', helloCourse], '', cache);
    expect(second.stdout).toBe('C');
  });

  it('stores exactly the image a compile without the cache makes, and loads it back unchanged', async () => {
    await runCli(['run', helloCourse], '', cache);
    const out = join(dir, 'hello.omx');
    expect((await runCli(['compile', helloCourse, '-o', out])).exitCode).toBe(0);
    expect(entryImage(entries()[0]!)).toBe(readFileSync(out, 'latin1'));
    // A run from the cache does what a run without it does, to the cycle.
    const fresh = await runCli(['run', '--json', '--no-cache', helloCourse], '', cache);
    const warm = await runCli(['run', '--json', helloCourse], '', cache);
    expect(warm.stdout).toBe(fresh.stdout);
    const image = compileSource(helloCourse, readFileSync(helloCourse, 'latin1')).image!;
    const store = new CompileCache(cache, () => null);
    store.store('k', [], image);
    expect(serializeImage(store.lookup('k')!)).toBe(serializeImage(image));
  });

  it('compiles afresh when the program, an included file, or the options change', async () => {
    const inc = join(dir, 'greeting.inc');
    const prog = join(dir, 'prog.occ');
    writeFileSync(inc, `VAL BYTE mark IS 'a':\n`);
    writeFileSync(prog, `#INCLUDE "greeting.inc"\nPROC p (CHAN BYTE kyb?, scr!, err!)\n  scr ! mark\n:\n`);
    expect((await runCli(['run', prog], '', cache)).stdout).toBe('a');
    writeFileSync(inc, `VAL BYTE mark IS 'b':\n`);
    expect((await runCli(['run', prog], '', cache)).stdout).toBe('b');
    writeFileSync(prog, `#INCLUDE "greeting.inc"\nPROC p (CHAN BYTE kyb?, scr!, err!)\n  scr ! 'c'\n:\n`);
    expect((await runCli(['run', prog], '', cache)).stdout).toBe('c');
    expect((await runCli(['run', '--no-checks', prog], '', cache)).exitCode).toBe(0);
    // The key is the program and options; an included file's change replaces the entry under the same key.
    expect(entries()).toHaveLength(3);
    expect(cacheKey(prog, 'x', {})).not.toBe(cacheKey(prog, 'x', { rangeChecks: false }));
  });

  it('notices a file the compile looked for and did not find appearing', async () => {
    const prog = join(dir, 'prog.occ');
    writeFileSync(
      prog,
      `#INCLUDE "course.module"\nPROC p (CHAN BYTE kyb?, scr!, err!)\n  out.string ("lib", 0, scr!)\n:\n`,
    );
    expect((await runCli(['run', prog], '', cache)).stdout).toBe('lib');
    // #INCLUDE reads the program's folder before the bundled library.
    writeFileSync(
      join(dir, 'course.module'),
      `PROC out.string (VAL []BYTE s, VAL INT w, CHAN BYTE out!)\n  out ! 'L'\n:\n`,
    );
    expect((await runCli(['run', prog], '', cache)).stdout).toBe('L');
  });

  it('ignores a corrupt entry and replaces it, and survives the folder being deleted', async () => {
    await runCli(['run', helloCourse], '', cache);
    const [name] = entries();
    for (const junk of ['', '{', 'not json at all\n{}', `{"format":"occmesh-compile-cache-1"}\n{}`]) {
      writeFileSync(join(cache, name!), junk);
      expect((await runCli(['run', helloCourse], '', cache)).stdout).toBe('Hello, world!\n');
    }
    const head = JSON.parse(readFileSync(join(cache, name!), 'latin1').split('\n')[0]!) as { key: string };
    writeFileSync(join(cache, name!), `${JSON.stringify(head)}\n{"format":"occmesh-image"}`);
    expect((await runCli(['run', helloCourse], '', cache)).stdout).toBe('Hello, world!\n');
    plantImage(PLANTED); // the entry was rewritten whole: it is used again
    expect((await runCli(['run', helloCourse], '', cache)).stdout).toBe('C');
    rmSync(cache, { recursive: true });
    expect((await runCli(['run', helloCourse], '', cache)).stdout).toBe('Hello, world!\n');
    expect(entries()).toHaveLength(1);
  });

  it('does not cache a program with warnings, so every run prints them', async () => {
    const prog = join(root, 'test', 'programs', 'data', 'unused_warning.occ');
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['run', prog], '', cache);
      expect(r.stderr).toMatch(/warning: `spare` is declared but never used/);
    }
    expect(entries()).toHaveLength(0);
  });

  it('writes through a temporary file, so writers never leave a partial entry', () => {
    const image = compileSource('a.occ', PLANTED).image!;
    const a = new CompileCache(cache, () => null);
    const b = new CompileCache(cache, () => null);
    for (let i = 0; i < 5; i++) {
      a.store('same', [], image);
      b.store('same', [], image);
    }
    expect(readdirSync(cache)).toEqual(['same.json']);
    expect(serializeImage(a.lookup('same')!)).toBe(serializeImage(image));
  });

  it('keeps the most recently used entries and deletes the rest', () => {
    const image = compileSource('a.occ', PLANTED).image!;
    const store = new CompileCache(cache, () => null);
    for (let i = 0; i < MAX_ENTRIES; i++) {
      store.store(`k${i}`, [], image);
      const t = new Date(1_700_000_000_000 + i * 1000);
      utimesSync(join(cache, `k${i}.json`), t, t);
    }
    expect(store.lookup('k0')).not.toBeNull(); // used now: the newest
    store.store('extra', [], image);
    expect(entries()).toHaveLength(MAX_ENTRIES);
    expect(store.lookup('k1')).toBeNull(); // the least recently used went
    expect(store.lookup('k0')).not.toBeNull();
    expect(store.lookup('extra')).not.toBeNull();
  });

  it('lives in $XDG_CACHE_HOME/occmesh, or ~/.cache/occmesh', () => {
    expect(defaultCacheFolder({ XDG_CACHE_HOME: '/x/y' })).toBe('/x/y/occmesh');
    expect(defaultCacheFolder({})).toMatch(/\.cache\/occmesh$/);
  });
});
