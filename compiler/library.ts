// The occam library that ships with occmesh (the `lib/` folder of the package): the KRoC-compatible `course`
// module, and `mpi.inc`, MPI-style collectives for the lessons. Programs name it the way KRoC programs do, and it is found next to the installed compiler, whatever the
// current folder is.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The names programs use for the bundled files, and the file each one means. */
const BUNDLED: ReadonlyMap<string, string> = new Map([
  ['course.module', 'course.module'],
  ['course.lib', 'course.module'],
  ['course', 'course.module'],
  ['consts.inc', 'consts.inc'],
  ['mpi.inc', 'mpi.inc'],
]);

let libDir: string | null | undefined;

/** The `lib/` folder: next to `compiler/` in the source tree, two levels up from `dist/compiler/` when built. */
function libraryFolder(): string | null {
  if (libDir === undefined) {
    libDir = null;
    for (const rel of ['../lib/', '../../lib/']) {
      const dir = fileURLToPath(new URL(rel, import.meta.url));
      if (existsSync(dir + 'course.module')) {
        libDir = dir;
        break;
      }
    }
  }
  return libDir;
}

/** A bundled library file for the name a #INCLUDE or #USE gives, or null if the name is not one of them. */
export function bundledFile(name: string): { path: string; text: string } | null {
  const file = BUNDLED.get(name);
  const dir = libraryFolder();
  if (file === undefined || dir === null) return null;
  try {
    return { path: dir + file, text: readFileSync(dir + file, 'latin1') };
  } catch {
    return null;
  }
}

/** Whether a path is one of the bundled library files (their warnings are not the user's business). */
export function isBundledPath(path: string): boolean {
  const dir = libraryFolder();
  return dir !== null && path.startsWith(dir);
}

/** lib/predefined.inc, the predefined FUNCTIONs written in occam (compiler/predefined.ts), or null if missing. */
export function predefinedFile(): { path: string; text: string } | null {
  const dir = libraryFolder();
  if (dir === null) return null;
  try {
    return { path: dir + 'predefined.inc', text: readFileSync(dir + 'predefined.inc', 'latin1') };
  } catch {
    return null;
  }
}
