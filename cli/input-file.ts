// What kind of file the command line was given: a compiled image, occam source text, or something that is neither
// (a binary such as /bin/ls), which is refused in one line instead of flooding the terminal with lexer errors; and
// the one-line messages for a file given to the wrong command or with options that do nothing for it.

import type { CompileOptions } from '../compiler/compile.js';

export type InputKind = 'image' | 'text' | 'binary';

/** At most this many diagnostics are printed for one file; the rest are counted. */
export const MAX_SHOWN_DIAGNOSTICS = 20;

export function inputKind(file: string, data: Uint8Array): InputKind {
  if (file.endsWith('.omx')) return 'image';
  let i = 0;
  while (i < data.length && (data[i] === 32 || data[i] === 10 || data[i] === 13 || data[i] === 9)) i++;
  if (data[i] === 0x7b) return 'image'; // '{': occam source never starts with a brace
  return isText(data) ? 'text' : 'binary';
}

/** Text has no zero bytes and few other control bytes (tab, line breaks and form feed are text). */
function isText(data: Uint8Array): boolean {
  let controls = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0) return false;
    if ((b < 32 && b !== 9 && b !== 10 && b !== 12 && b !== 13) || b === 127) controls++;
  }
  return controls <= Math.max(8, data.length / 100);
}

export function notTextMessage(file: string): string {
  return `${file}: error: not an occam program: it is not a text file\n`;
}

export function isImageMessage(file: string, command: string): string {
  return `${file}: error: this is a compiled image, not occam source, so \`${command}\` cannot take it; use \`occmesh run\` or \`occmesh disasm\` on it\n`;
}

/** The warning for options that only matter when compiling, given with an image; null when there are none. */
export function ignoredForImage(file: string, options: CompileOptions): string | null {
  const ignored = [
    options.mesh && '--mesh',
    options.spread && '--spread',
    options.rangeChecks === false && '--no-checks',
  ].filter((o): o is string => typeof o === 'string');
  if (ignored.length === 0) return null;
  const one = ignored.length === 1;
  const list = one ? ignored[0]! : `${ignored.slice(0, -1).join(', ')} and ${ignored.at(-1)}`;
  return (
    `occmesh: warning: ${list} ${one ? 'does' : 'do'} nothing for the image ${file}: ` +
    `placement and checks are fixed when a program is compiled, so give ${one ? 'it' : 'them'} to \`occmesh compile\`\n`
  );
}
