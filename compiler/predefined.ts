// The occam 2.1 predefined FUNCTIONs for multiple-length arithmetic and shifts (LONGADD, LONGSUM, LONGPROD,
// LONGDIV, SHIFTLEFT, NORMALISE, ...). A program calls them without defining them, so when one of its files
// names one, the driver (compile.ts) parses the bundled lib/predefined.inc, written in occam, and puts its
// definitions in front of the program's own: a definition of the same name in the program hides the predefined one.

import type { SourceFile } from './source.js';

const NAMES =
  /\b(LONGADD|LONGSUB|LONGSUM|LONGDIFF|LONGPROD|LONGDIV|SHIFTLEFT|SHIFTRIGHT|NORMALISE|ASHIFTLEFT|ASHIFTRIGHT|ROTATELEFT|ROTATERIGHT)\b/;

/** Whether any of the files names a predefined FUNCTION (a mention in a comment counts too: it only costs a parse). */
export function mentionsPredefined(files: readonly SourceFile[]): boolean {
  return files.some((f) => NAMES.test(f.text));
}
