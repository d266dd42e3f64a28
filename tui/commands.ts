// The debugger's `:` command line: communication breakpoints and line breakpoints by number. Parsing only; the
// app carries the command out. A mistake is answered with what was expected.

import type { Image } from '../emulator/image.js';
import type { CommBreak } from './session.js';

export type Command =
  | { readonly kind: 'clear' }
  | { readonly kind: 'line'; readonly file: number; readonly line: number }
  | { readonly kind: 'break'; readonly break: CommBreak; readonly words: string }
  | { readonly error: string };

export const COMMAND_HELP =
  'break chan NAME [VALUE] | break stall CYCLES | break alt LINE | break block | break LINE | clear';

export function parseCommand(text: string, image: Image, file: number): Command {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const [verb, what, ...rest] = words;
  if (verb === 'clear') return { kind: 'clear' };
  if (verb !== 'break' && verb !== 'b') return { error: `unknown command \`${verb ?? ''}\`: expected ${COMMAND_HELP}` };
  const int = (s: string | undefined): number | null =>
    s !== undefined && /^-?(\d+|#[0-9A-Fa-f]+)$/.test(s)
      ? s.includes('#')
        ? parseInt(s.replace('#', ''), 16) * (s.startsWith('-') ? -1 : 1)
        : Number(s)
      : null;
  if (what !== undefined && int(what) !== null) {
    return { kind: 'line', file, line: int(what)! };
  }
  switch (what) {
    case 'chan':
    case 'channel': {
      const name = rest[0];
      if (!name) return { error: 'break chan needs a channel name, e.g. `break chan c` or `break chan c 42`' };
      const channelNamed =
        image.debug.some((d) => d.channels?.some((s) => s.name === name)) ||
        image.channels?.some((c) => c.name === name);
      if (!channelNamed)
        return { error: `no channel is called \`${name}\` in the program (use the name as written, e.g. c[i])` };
      const v = rest[1] === undefined ? undefined : int(rest[1]);
      if (v === null) return { error: `\`${rest[1]}\` is not a number` };
      return {
        kind: 'break',
        break: { kind: 'channel', name, ...(v !== undefined ? { value: v } : {}) },
        words: `\`${name}\` carries a message${v !== undefined ? ` of ${v}` : ''}`,
      };
    }
    case 'stall': {
      const n = int(rest[0]);
      if (n === null || n < 0) return { error: 'break stall needs a number of cycles, e.g. `break stall 100`' };
      return { kind: 'break', break: { kind: 'stall', cycles: n }, words: `a link stalls for more than ${n} cycles` };
    }
    case 'alt': {
      const n = int(rest[0]);
      if (n === null) return { error: 'break alt needs the line of the branch, e.g. `break alt 12`' };
      return { kind: 'break', break: { kind: 'alt', file, line: n }, words: `an ALT chooses the branch at line ${n}` };
    }
    case 'block':
      return { kind: 'break', break: { kind: 'block' }, words: 'a process blocks' };
    default:
      return { error: `expected ${COMMAND_HELP}` };
  }
}
