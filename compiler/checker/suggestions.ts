// Hints for a name that is not in scope: a PROC or FUNCTION that calls itself (occam has no recursion), a
// near miss of a name in scope or in the course library ("did you mean `out.string`?"), and a course library or
// standard library name used without its #INCLUDE.

import { bundledFile } from '../library.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';

let courseNames: ReadonlySet<string> | undefined;

/** The names the course library defines at its outermost level (PROCs, FUNCTIONs, constants). */
function courseLibraryNames(): ReadonlySet<string> {
  if (courseNames) return courseNames;
  const names = new Set<string>();
  for (const file of ['course.module', 'consts.inc']) {
    const text = bundledFile(file)?.text ?? '';
    for (const m of text.matchAll(/^(?:PROC|[A-Z0-9, ]*FUNCTION|VAL [A-Z0-9[\]]+) +([A-Za-z][A-Za-z0-9.]*)/gm)) {
      names.add(m[1]!);
    }
  }
  courseNames = names;
  return names;
}

/** The standard libraries' files (lib/) and how a hint names each. */
const STANDARD_LIBRARIES: readonly (readonly [string, string])[] = [
  ['convert.module', 'the conversion library'],
  ['string.module', 'the string library'],
  ['snglmath.module', 'the maths library'],
  ['dblmath.module', 'the maths library'],
  ['file.module', 'the file library'],
];

let standardNames: ReadonlyMap<string, readonly [string, string]> | undefined;

/** The public names of the standard libraries, each with its library's file and description. */
function standardLibraryNames(): ReadonlyMap<string, readonly [string, string]> {
  if (standardNames) return standardNames;
  const names = new Map<string, readonly [string, string]>();
  for (const lib of STANDARD_LIBRARIES) {
    const text = bundledFile(lib[0])?.text ?? '';
    for (const m of text.matchAll(/^(?:PROC|[A-Z0-9, ]*FUNCTION) +([A-Za-z][A-Za-z0-9.]*)/gm)) {
      const name = m[1]!;
      // the libraries' own helpers have the library's prefix (string.pos is public)
      const helper = /^(convert|maths|string)\./.test(name) && name !== 'string.pos';
      if (!helper && !names.has(name)) names.set(name, lib);
    }
  }
  standardNames = names;
  return names;
}

/**
 * The edit distance between two names: insertions, deletions, substitutions and swaps of two neighbouring
 * characters (`cuont` for `count`), each costing one.
 */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row[j] = d;
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** The closest of `names` to `name`, if it is close enough to be a slip (one edit in four characters). */
function closest(name: string, names: Iterable<string>): string | null {
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const candidate of names) {
    if (candidate === name || Math.abs(candidate.length - name.length) > limit) continue;
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** The PROC or FUNCTION being checked (or one it is nested in) whose name is `name`, if any. */
export function enclosingRoutine(ck: Checker, name: string): 'PROC' | 'FUNCTION' | null {
  for (let r = ck.routine; r; r = r.outer ?? null) if (r.name === name) return r.kind === 'proc' ? 'PROC' : 'FUNCTION';
  return null;
}

/** The message for a routine that calls itself. */
export function recursionMessage(kind: 'PROC' | 'FUNCTION', name: string): { message: string; hint: string } {
  return {
    message: `${kind} \`${name}\` calls itself, but it is not declared recursive`,
    hint:
      kind === 'PROC'
        ? `declare it REC PROC ${name} (or RECURSIVE PROC): otherwise a PROC's name is in scope only after its definition`
        : `declare it REC FUNCTION (INT REC FUNCTION ${name} (...)): otherwise a FUNCTION's name is in scope only after its definition`,
  };
}

/** A hint for `name`, not in scope: the library to include, or the name it is probably a slip for. */
export function unknownNameHint(name: string, scope: Scope): string | undefined {
  const library = courseLibraryNames();
  const visible = scope.visibleNames();
  if (library.has(name) && !visible.includes(name)) {
    return `\`${name}\` is in the course library: add #INCLUDE "course.module" at the top of the file`;
  }
  const standard = standardLibraryNames().get(name);
  if (standard && !visible.includes(name)) {
    return `\`${name}\` is in ${standard[1]}: add #INCLUDE "${standard[0]}" at the top of the file`;
  }
  if (name.startsWith('file.') && !visible.includes(name)) {
    return `occmesh's file.module has no \`${name}\`: a program's cores have no file system; read the keyboard channel and write the screen channel instead`;
  }
  const near = closest(name, visible);
  if (near) return `did you mean \`${near}\`?`;
  const nearLibrary = closest(name, library);
  if (nearLibrary) {
    return `did you mean \`${nearLibrary}\`? it is in the course library (#INCLUDE "course.module")`;
  }
  return undefined;
}
