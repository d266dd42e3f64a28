// Which PROCs and FUNCTIONs a process calls, directly or through the routines it calls: a program's image (and
// each placed core's) holds only those. Also the plain walk over AST nodes that finding them needs.

import type { Expr } from './ast.js';
import type { Routine } from './symbols.js';

/** Visit every AST node under `root` (syntax only: resolved symbols and types are not followed). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function walk(root: unknown, visit: (n: any) => void): void {
  if (!root || typeof root !== 'object' || root instanceof Uint8Array) return;
  if (Array.isArray(root)) {
    for (const x of root) walk(x, visit);
    return;
  }
  const n = root as Record<string, unknown>;
  if (typeof n.kind === 'string') visit(n);
  for (const k in n) {
    if (k === 'span' || k === 'decl' || k === 'decls' || k === 'type' || k === 'constValue') continue;
    const v = n[k];
    if (v && typeof v === 'object') walk(v, visit);
  }
}

/**
 * Add to `into` every routine that `root` calls, and every routine those call, and so on. A worklist rather than
 * recursion, so a long chain of PROCs each calling the next cannot exhaust the stack.
 */
export function calledRoutines(root: unknown, into: Set<Routine>): void {
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    walk(todo.pop(), (n) => {
      const r: Routine | undefined =
        n.kind === 'pcall' && n.decl && n.decl.kind === 'proc'
          ? n.decl
          : n.kind === 'call'
            ? (n as Extract<Expr, { kind: 'call' }>).decl
            : undefined;
      if (r && !into.has(r)) {
        into.add(r);
        todo.push(r.def);
      }
    });
  }
}
