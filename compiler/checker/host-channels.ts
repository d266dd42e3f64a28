// Which of the host's channels (keyboard, screen, error) each parameter of the program's PROC is, by KRoC's rule
// for its top-level process: a parameter is an input or an output, by its direction specifier or, without one,
// by how the body uses it; the first input is the keyboard, the first output the screen and the second output the
// error channel. A parameter the body never uses is none of them (KRoC gives it a channel nobody listens to).

import type { ProcSymbol, ParamSymbol, Symbol } from '../symbols.js';
import { walk } from '../reachable.js';

/** How the body of `main` uses each of its parameters: '?' input, '!' output, null neither (or both). */
export function usedDirections(main: ProcSymbol): ('?' | '!' | null)[] {
  const seen = new Map<Symbol, Set<'?' | '!'>>();
  const mark = (channel: unknown, dir: '?' | '!'): void => {
    const c = channel as { kind?: string; decl?: Symbol; channel?: unknown };
    if (c?.kind === 'direction') return mark(c.channel, dir);
    if (c?.kind !== 'name' || !c.decl) return;
    let s = seen.get(c.decl);
    if (!s) seen.set(c.decl, (s = new Set()));
    s.add(dir);
  };
  walk(main.def.body, (n) => {
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
        // A channel passed on: the called PROC's parameter says which end it is.
        const callee = n.decl as ProcSymbol | undefined;
        if (callee?.kind !== 'proc') break;
        (n.args as unknown[]).forEach((a, i) => {
          const formal: ParamSymbol | undefined = callee.params[i];
          if (formal?.direction) mark(a, formal.direction);
        });
        break;
      }
    }
  });
  return main.params.map((p) => {
    if (p.direction) return p.direction;
    const s = seen.get(p);
    return s && s.size === 1 ? [...s][0]! : null;
  });
}
