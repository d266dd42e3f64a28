// Where a token came from. With #INCLUDE one token stream holds tokens of several files, and a token's offsets
// only mean something in its own file; an included file is also laid out relative to the column of the
// directive that brought it in. Tokens of the main file carry no origin: they belong to the file being parsed,
// at its own indentation.

import type { IToken } from './chevrotain-runtime.js';
import type { SourceFile, Span } from './source.js';

export interface TokenOrigin {
  readonly file: SourceFile;
  /** Columns added to the token's line's own indentation (the directive's column, for included text). */
  readonly base: number;
}

// Kept on the token itself, a property chevrotain's tokens do not otherwise have, rather than in a WeakMap: an
// included library is tens of thousands of tokens, and a WeakMap entry for each made setting and reading origins,
// and the collector's work on them, a sixth of the time to compile a course-library program.
interface WithOrigin {
  occmeshOrigin?: TokenOrigin;
}

export function setOrigin(tok: IToken, origin: TokenOrigin): void {
  (tok as IToken & WithOrigin).occmeshOrigin = origin;
}

export function originOf(tok: IToken): TokenOrigin | undefined {
  return (tok as IToken & WithOrigin).occmeshOrigin;
}

/** The file a token's offsets refer to: its origin's, or `main` for tokens of the file being parsed. */
export function fileOf(tok: IToken, main: SourceFile): SourceFile {
  return (tok as IToken & WithOrigin).occmeshOrigin?.file ?? main;
}

/** A key naming one line of one file, for sets of lines across the files of a compilation. */
export function lineKey(span: Pick<Span, 'file' | 'line'>): number {
  return span.file.id * 0x1000000 + span.line;
}
