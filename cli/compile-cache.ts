// The compiled-image cache: `occmesh run prog.occ` compiles a program once and later runs load its image from the
// user's cache folder ($XDG_CACHE_HOME/occmesh, or ~/.cache/occmesh), skipping the compiler and chevrotain. That
// is what makes a course-library program (whose 1,500 library lines are lexed, parsed, checked and generated on
// every compile) start about as fast as hello.
//
// An entry is keyed by a hash of everything the compile depends on: occmesh's version and the files of its
// compiler and emulator (so a changed compiler never meets an old image), the options, the program's path and
// text. It records every other file the compile read (the course library, #INCLUDEd files, and the files it looked
// for and did not find) with the hash of its contents, and is used only while all of them are unchanged. Programs
// with warnings are not cached, so a run from the cache prints exactly what a compile would.
//
// The folder is safe to delete at any time, and holds at most MAX_ENTRIES entries (the least recently used go). An entry that cannot be read or parsed is ignored (and replaced by the
// next compile); entries are written to a temporary file and renamed into place, so concurrent runs never see a
// half-written one. This module never imports the compiler: a hit costs one file read and an image parse.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageError, parseImage, serializeImage, type Image } from '../emulator/image.js';
import type { LibraryStore } from '../compiler/library-cache.js';

/** Bumped when the entry format changes. */
const ENTRY_FORMAT = 'occmesh-compile-cache-1';
/** Entries kept: after a store beyond this many, the least recently used are deleted. */
export const MAX_ENTRIES = 256;

/** A file the compile read (its contents' hash) or looked for and did not find (null). */
export type Dependency = readonly [path: string, hash: string | null];

/** An entry's first line; the serialized image (emulator/image.ts) follows on the second. */
interface Header {
  format: string;
  key: string;
  dependencies: Dependency[];
}

/** The cache folder for an environment: $XDG_CACHE_HOME/occmesh, or ~/.cache/occmesh. */
export function defaultCacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'occmesh');
}

export function hashText(text: string): string {
  return createHash('sha256').update(text, 'latin1').digest('hex');
}

let fingerprint: string | undefined;

/**
 * occmesh's version and a hash of the names, sizes and modification times of the compiler's and emulator's own
 * files (the .js files when built, the .ts files when run from source): a new release, or any change to the
 * compiler, gives new keys. Their status, not their contents, so that a hit reads no more than it must (reading
 * and hashing 700 KB of compiler on every run cost a tenth of hello's start-up).
 */
function compilerFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256').update(ENTRY_FORMAT);
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const pkg of [join(here, '..', 'package.json'), join(here, '..', '..', 'package.json')]) {
    try {
      hash.update(`version ${(JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version}\n`);
      break;
    } catch {
      // not this one
    }
  }
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const add = (dir: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .map((d) => (d.isDirectory() ? d.name + '/' : d.name))
        .sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name.endsWith('/')) add(join(dir, name), rel + name);
      else if (name.endsWith(ext)) {
        const st = statSync(join(dir, name));
        hash.update(`${rel}${name} ${st.size} ${st.mtimeMs}\n`);
      }
    }
  };
  add(join(here, '..', 'compiler'), 'compiler/');
  add(join(here, '..', 'emulator'), 'emulator/');
  fingerprint = hash.digest('hex');
  return fingerprint;
}

/** The key of a compile: what it depends on before any file is read. */
export function cacheKey(path: string, text: string, options: object): string {
  return createHash('sha256')
    .update(compilerFingerprint())
    .update('\0')
    .update(JSON.stringify(options))
    .update('\0')
    .update(path)
    .update('\0')
    .update(text, 'latin1')
    .digest('hex');
}

export class CompileCache {
  constructor(
    readonly folder: string,
    /** Reads a dependency as the compile would: its text, or null if it cannot be read. */
    private readonly read: (path: string) => string | null,
  ) {}

  private file(key: string): string {
    return join(this.folder, `${key}.json`);
  }

  /** The cached image for a key, if there is a readable entry whose dependencies are all unchanged. */
  lookup(key: string): Image | null {
    let header: Header;
    let body: string;
    try {
      const text = readFileSync(this.file(key), 'utf8');
      const nl = text.indexOf('\n');
      header = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as Header;
      body = nl < 0 ? '' : text.slice(nl + 1);
    } catch {
      return null; // missing or corrupt: compile afresh
    }
    if (!header || header.format !== ENTRY_FORMAT || header.key !== key || !Array.isArray(header.dependencies))
      return null;
    for (const dep of header.dependencies) {
      if (!Array.isArray(dep) || typeof dep[0] !== 'string') return null;
      const text = this.read(dep[0]);
      if ((text === null ? null : hashText(text)) !== dep[1]) return null;
    }
    let image: Image;
    try {
      image = parseImage(body);
    } catch (e) {
      if (e instanceof ImageError) return null;
      throw e;
    }
    try {
      const now = new Date();
      utimesSync(this.file(key), now, now); // recently used: the last to be pruned
    } catch {
      // a read-only cache still serves
    }
    return image;
  }

  /** Store an image; a cache that cannot be written is no error (the next run compiles again). */
  store(key: string, dependencies: readonly Dependency[], image: Image): void {
    const header: Header = { format: ENTRY_FORMAT, key, dependencies: [...dependencies] };
    const tmp = join(this.folder, `.${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    try {
      mkdirSync(this.folder, { recursive: true });
      writeFileSync(tmp, `${JSON.stringify(header)}\n${serializeImage(image)}`);
      renameSync(tmp, this.file(key));
    } catch {
      rmSync(tmp, { force: true });
      return;
    }
    this.prune();
  }

  /** Keep the MAX_ENTRIES most recently used entries; a compile, never a hit, pays for this. */
  private prune(): void {
    try {
      const names = readdirSync(this.folder).filter((f) => f.endsWith('.json'));
      if (names.length <= MAX_ENTRIES) return;
      const aged = names
        .map((name) => ({ name, time: statSync(join(this.folder, name)).mtimeMs }))
        .sort((a, b) => b.time - a.time);
      for (const { name } of aged.slice(MAX_ENTRIES)) rmSync(join(this.folder, name), { force: true });
    } catch {
      // another process pruned at the same time: nothing to do
    }
  }
}

/**
 * The parsed bundled library, kept in the same folder (compiler/library-cache.ts): an entry per library file,
 * keyed by the compiler's fingerprint, its path and its text, so the first compile of a course program in a new
 * process reads the library's definitions instead of parsing it. Written and pruned like the images.
 */
export function libraryStore(folder: string): LibraryStore {
  const file = (path: string, text: string): string =>
    join(
      folder,
      `library-${createHash('sha256').update(compilerFingerprint()).update('\0').update(path).update('\0').update(hashText(text)).digest('hex')}.json`,
    );
  return {
    read: (path, text) => {
      try {
        return readFileSync(file(path, text), 'utf8');
      } catch {
        return null;
      }
    },
    write: (path, text, entry) => {
      const to = file(path, text);
      const tmp = `${to}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        mkdirSync(folder, { recursive: true });
        writeFileSync(tmp, entry);
        renameSync(tmp, to);
      } catch {
        rmSync(tmp, { force: true });
      }
    },
  };
}
