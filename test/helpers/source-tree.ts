// The repository's source tree as the architecture test sees it: every file under the project's folders (found by
// walking them, so new folders and files are covered without being listed), and each TypeScript file's imports,
// split into those that exist at run time and those that are only types.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** Folders that are not the project's own source: dependencies, build output, version control. */
const IGNORED = new Set(['node_modules', 'dist', 'coverage', '.git']);

/** Every file under the repository whose name ends with one of `extensions`, as paths relative to the root. */
export function projectFiles(extensions: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (IGNORED.has(name) || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (extensions.some((e) => name.endsWith(e))) found.push(relative(ROOT, path));
    }
  };
  walk(ROOT);
  return found;
}

export function readProjectFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

export interface Imports {
  /**
   * Files this one imports anything from, types and `import()` expressions included (relative paths resolved,
   * `.js` mapped to `.ts`).
   */
  readonly all: string[];
  /** Files whose code runs when this one is loaded: static value imports and re-exports, after type erasure. */
  readonly runtime: string[];
}

const IMPORT = /^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

const importCache = new Map<string, Imports>();

/** The project files a TypeScript file imports; package imports (`vitest`, `node:fs`) are left out. */
export function importsOf(path: string): Imports {
  const cached = importCache.get(path);
  if (cached) return cached;
  const text = readProjectFile(path);
  // What TypeScript leaves after erasing types: imports used only as types disappear, as they do in dist/.
  const js = ts.transpileModule(text, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: path,
  }).outputText;
  const local = (source: string, ...patterns: RegExp[]): string[] =>
    patterns
      .flatMap((p) => [...source.matchAll(p)])
      .map((m) => m[1]!)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(ROOT, resolve(ROOT, dirname(path), spec.replace(/\.js$/, '.ts'))));
  const imports = { all: local(text, IMPORT, DYNAMIC_IMPORT), runtime: local(js, IMPORT) };
  importCache.set(path, imports);
  return imports;
}

/**
 * The strongly connected components with more than one file (or a file importing itself) of an import graph:
 * each is a set of files that import each other in a circle.
 */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}
