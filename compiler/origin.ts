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

const origins = new WeakMap<IToken, TokenOrigin>();

export function setOrigin(tok: IToken, origin: TokenOrigin): void {
  origins.set(tok, origin);
}

export function originOf(tok: IToken): TokenOrigin | undefined {
  return origins.get(tok);
}

/** The file a token's offsets refer to: its origin's, or `main` for tokens of the file being parsed. */
export function fileOf(tok: IToken, main: SourceFile): SourceFile {
  return origins.get(tok)?.file ?? main;
}

/** A key naming one line of one file, for sets of lines across the files of a compilation. */
export function lineKey(span: Pick<Span, 'file' | 'line'>): number {
  return span.file.id * 0x1000000 + span.line;
}
