// KRoC's usage pragmas: `#PRAGMA SHARED c` (the PAR rules do not apply to `c`: the program shares it on purpose)
// and `#PRAGMA PERMITALIASES a` (the aliasing rules do not apply to `a`). The preprocessor drops directive lines
// from the token stream, so the usage checker reads them here from the text of the file that declares the name:
// a pragma applies to a declaration of its name that comes before it in the same file.

import type { SourceFile } from './source.js';
import type { Symbol } from './symbols.js';

export type PragmaKind = 'SHARED' | 'PERMITALIASES';

/** Each file's pragmas: kind and name to the offsets of the lines naming them. */
const cache = new WeakMap<SourceFile, Map<string, number[]>>();

const PRAGMA_LINE =
  /^[ \t]*#PRAGMA[ \t]+(SHARED|PERMITALIASES)[ \t]+([A-Za-z][A-Za-z0-9._]*(?:[ \t]*,[ \t]*[A-Za-z][A-Za-z0-9._]*)*)/gm;

function pragmasOf(file: SourceFile): Map<string, number[]> {
  let found = cache.get(file);
  if (found) return found;
  found = new Map();
  for (const m of file.text.matchAll(PRAGMA_LINE)) {
    for (const name of m[2]!.split(',')) {
      const key = `${m[1]} ${name.trim()}`;
      const list = found.get(key) ?? [];
      list.push(m.index!);
      found.set(key, list);
    }
  }
  cache.set(file, found);
  return found;
}

/** Whether a pragma of this kind names the symbol after its declaration. */
export function pragmaApplies(sym: Symbol, kind: PragmaKind): boolean {
  const offsets = pragmasOf(sym.span.file).get(`${kind} ${sym.name}`);
  return offsets !== undefined && offsets.some((at) => at > sym.span.start);
}

/** Whether a directive's text (after `#PRAGMA`) is one of the pragmas the usage checker reads. */
export function isUsagePragma(rest: string): boolean {
  return /^\s*(SHARED|PERMITALIASES)\b/.test(rest);
}

/**
 * The usage rules a file's `#OPTION "..."` lines leave on, as KRoC's occ21 reads them: `A` turns off alias checking
 * (and with it usage checking), `N` the PAR usage rules. The other letters are about code generation and
 * libraries, which occmesh does not vary; they are ignored. Only the lines before the first line of code count.
 */
export function usageChecks(file: SourceFile): { alias: boolean; parallel: boolean } {
  let alias = true;
  let parallel = true;
  for (const line of file.text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('--')) continue;
    const m = /^#OPTION[ \t]+"([^"]*)"/.exec(t);
    if (!m) break;
    const letters = m[1]!.toUpperCase();
    if (letters.includes('A')) alias = parallel = false;
    if (letters.includes('N')) parallel = false;
  }
  return { alias, parallel };
}
