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
  ['predefined.occ', 'predefined.occ'],
  ['real-text.inc', 'real-text.inc'],
  ['convert.module', 'convert.module'],
  ['convert.lib', 'convert.module'],
  ['convert', 'convert.module'],
  ['file.module', 'file.module'],
  ['file.lib', 'file.module'],
  ['file', 'file.module'],
  ['string.module', 'string.module'],
  ['string.lib', 'string.module'],
  ['string', 'string.module'],
  ['maths-core.inc', 'maths-core.inc'],
  ['maths.module', 'maths.module'],
  ['maths', 'maths.module'],
  ['snglmath.module', 'snglmath.module'],
  ['snglmath.lib', 'snglmath.module'],
  ['snglmath', 'snglmath.module'],
  ['dblmath.module', 'dblmath.module'],
  ['dblmath.lib', 'dblmath.module'],
  ['dblmath', 'dblmath.module'],
]);

/**
 * The routines occam predefines (lib/predefined.occ): a program that names one of them gets that file compiled in
 * first, as if it began with `#USE "predefined.occ"`.
 */
export const PREDEFINED_ROUTINES: ReadonlySet<string> = new Set([
  'SQRT',
  'DSQRT',
  'ABS',
  'DABS',
  'LONGADD',
  'LONGSUM',
  'LONGSUB',
  'LONGDIFF',
  'LONGPROD',
  'LONGDIV',
  'SHIFTLEFT',
  'SHIFTRIGHT',
  'NORMALISE',
  'ASHIFTLEFT',
  'ASHIFTRIGHT',
  'ROTATELEFT',
  'ROTATERIGHT',
  'BITCOUNT',
  'BITREVWORD',
  'BITREVNBITS',
  'CRCWORD',
  'CRCBYTE',
  'FRACMUL',
]);

/**
 * KRoC libraries occmesh does not have, and why: a #INCLUDE or #USE of one is an error saying so, rather than
 * "cannot find the file". (None at present; file.module has the routines occmesh can give.)
 */
export const UNAVAILABLE: ReadonlyMap<string, string> = new Map();

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

/** The current text of a bundled file named by its full path, or null if it is not one or cannot be read. */
export function bundledText(path: string): string | null {
  if (!isBundledPath(path)) return null;
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}
