// Which of the host's channels (keyboard, screen, error) each parameter of the program's PROC is, by KRoC's rule
// for its top-level process: a parameter is an input or an output, by its direction specifier or, without one,
// by how the body uses it; the first input is the keyboard, the first output the screen and the second output the
// error channel. A parameter the body never uses is none of them (KRoC gives it a channel nobody listens to).

import type { ProcSymbol, ParamSymbol, Symbol } from '../symbols.js';
import { walk } from '../reachable.js';

/** How the body of `main` uses each of its parameters: '?' input, '!' output, null neither (or both). */
export function usedDirections(main: ProcSymbol): ('?' | '!' | null)[] {
  return directionsOf(main, new Map());
}

/**
 * `usedDirections` for any PROC; `memo` holds the PROCs already worked out (or being worked out, as all-null, so
 * that a recursive PROC ends the search).
 */
function directionsOf(proc: ProcSymbol, memo: Map<ProcSymbol, ('?' | '!' | null)[]>): ('?' | '!' | null)[] {
  const known = memo.get(proc);
  if (known) return known;
  memo.set(
    proc,
    proc.params.map(() => null),
  );
  const seen = new Map<Symbol, Set<'?' | '!'>>();
  const mark = (channel: unknown, dir: '?' | '!'): void => {
    const c = channel as { kind?: string; decl?: Symbol; channel?: unknown };
    if (c?.kind === 'direction') return mark(c.channel, dir);
    if (c?.kind !== 'name' || !c.decl) return;
    let s = seen.get(c.decl);
    if (!s) seen.set(c.decl, (s = new Set()));
    s.add(dir);
  };
  walk(proc.def.body, (n) => {
    switch (n.kind) {
      case 'input':
      case 'caseinput':
        mark(n.channel, '?');
        break;
      case 'output':
        mark(n.channel, '!');
        break;
      case 'direction':
        mark(n.channel, n.direction);
        break;
      case 'claim':
        if (n.claimDir) mark(n.channel, n.claimDir);
        break;
      case 'pcall': {
        const callee = n.decl as ProcSymbol | undefined;
        if (callee?.kind !== 'proc') break;
        // A channel passed on: the called PROC's parameter says which end it is, by its direction or, without
        // one, by how that PROC uses it.
        let used: ('?' | '!' | null)[] | null = null;
        (n.args as unknown[]).forEach((a, i) => {
          const formal: ParamSymbol | undefined = callee.params[i];
          if (!formal) return;
          let dir = formal.direction;
          if (!dir && formal.type.kind === 'chan') dir = (used ??= directionsOf(callee, memo))[i] ?? null;
          if (dir) mark(a, dir);
        });
        break;
      }
    }
  });
  const dirs = proc.params.map((p) => {
    if (p.direction) return p.direction;
    const s = seen.get(p);
    return s && s.size === 1 ? [...s][0]! : null;
  });
  memo.set(proc, dirs);
  return dirs;
}
