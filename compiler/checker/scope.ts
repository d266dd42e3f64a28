// Scopes: which symbol each name means where it is used, and the warnings about names declared and never used.
// A scope is a map from names to symbols with a parent; every specification opens a new one, so a later
// declaration hides an earlier one for the process after it only.

import type { SourceFile } from '../source.js';
import type { Symbol } from '../symbols.js';
import type { Checker } from './context.js';

export class Scope {
  private readonly names = new Map<string, Symbol>();
  constructor(readonly parent: Scope | null) {}

  lookup(name: string): Symbol | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }

  /** The symbol a name has in this scope itself (not in the scopes around it). */
  lookupHere(name: string): Symbol | undefined {
    return this.names.get(name);
  }

  define(sym: Symbol): void {
    this.names.set(sym.name, sym);
  }

  /** Every name visible here (for "did you mean"), innermost first. */
  visibleNames(): string[] {
    const out = [...this.names.keys()];
    // A loop, not recursion: a program of thousands of declarations has a scope chain as long.
    for (let scope = this.parent; scope; scope = scope.parent) out.push(...scope.names.keys());
    return out;
  }

  /** Define a symbol under another key than its name (user-defined operators, filed by operand types). */
  defineAs(key: string, sym: Symbol): void {
    this.names.set(key, sym);
  }
}

/** Define a name declared in a body; it is then watched for "never used" and, inside a FUNCTION, may change. */
export function declare(ck: Checker, scope: Scope, sym: Symbol): void {
  scope.define(sym);
  if (ck.routine) ck.declared.push(sym);
  ck.fnLocals?.add(sym);
}

export function warnUnused(ck: Checker, main: SourceFile): void {
  // With errors to fix, "never used" is noise (and often a consequence of them).
  if (ck.diags.errorCount > 0) return;
  for (const sym of ck.declared) {
    // Only the program's own file: names in included library code are not the user's to tidy.
    if (ck.used.has(sym) || sym.span.file !== main) continue;
    if (sym.kind === 'var' || sym.kind === 'const' || sym.kind === 'abbrev') {
      ck.diags.warning(sym.span, `\`${sym.name}\` is declared but never used`);
    }
  }
}
