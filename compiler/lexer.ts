// The occam lexer, in two passes the driver (compile.ts) runs either side of the preprocessor: `lexRaw` splits one
// file's text into tokens with chevrotain and decodes literal values (stored in each token's `payload`); the
// preprocessor calls it for every file it reads. `layout` then turns indentation into NL / INDENT / OUTDENT
// tokens so that the parser can treat occam's block structure like brackets.
//
// Layout (docs/language.md, Layout; Tock's approach with a stack of open levels):
// - every logical line ends with NL; a line indented 2 more than the line above is preceded by INDENT; a line
//   indented less is preceded by one OUTDENT per level it closes;
// - a line whose predecessor ends with a continuation token (dyadic or monadic operator, `,`, `;`, `:=`, IS, FROM,
//   FOR, RETYPES, RESHAPES, SIZE, ROUND, TRUNC, `|`) continues that line, with no layout tokens, provided it is
//   indented at least as far as the statement's first line (otherwise it starts a new line, and the parser reports
//   the unfinished statement);
// - blank and comment-only lines do not exist as far as layout is concerned.
//
// Leading tabs are expanded to the next multiple of 8 columns, as occ21 does, so files from KRoC users keep working;
// when such a line is badly indented the message says that tabs were involved.
//
// Every problem is a Diagnostic; lexing never throws and always returns a balanced token stream (each INDENT has
// its OUTDENT), so the parser can carry on after errors.

import { createTokenInstance, Lexer, type IToken, type TokenType } from './chevrotain-runtime.js';
import type { Diagnostics, SourceFile } from './source.js';
import { spanOf } from './source.js';
import * as T from './tokens.js';
import { fileOf, lineKey, originOf, setOrigin } from './origin.js';

/** A decoded real literal: the text as written and its value as a double. */
export interface RealValue {
  readonly text: string;
  readonly value: number;
}

let lexerInstance: Lexer | null = null;

/** Lines with an indentation error (as `lineKey`s), per token stream returned by `lex`. */
const badLayoutLines = new WeakMap<readonly IToken[], ReadonlySet<number>>();

/**
 * The lines (as `lineKey`s) of a token stream from `lex` whose indentation was reported as wrong. The parser stays
 * quiet about those lines: its complaints there would only be consequences of the indentation error.
 */
export function indentationErrorLines(tokens: readonly IToken[]): ReadonlySet<number> {
  return badLayoutLines.get(tokens) ?? new Set();
}

// The token definitions are validated by a test (`checkTokens`), not at every start-up.
function chevrotainLexer(): Lexer {
  lexerInstance ??= new Lexer(T.lexerTokens, { positionTracking: 'onlyOffset', skipValidations: true });
  return lexerInstance;
}

/** Chevrotain's checks of the token definitions (unreachable patterns, ...): the problems found, if any. */
export function checkTokens(): string[] {
  const lexer = new Lexer(T.lexerTokens, {
    positionTracking: 'onlyOffset',
    skipValidations: false,
    ensureOptimizations: true,
    deferDefinitionErrorsHandling: true,
  });
  return lexer.lexerDefinitionErrors.map((e) => e.message);
}

/** Tokens after which a line break continues the statement on the next line. */
export const CONTINUATION: ReadonlySet<TokenType> = new Set<TokenType>([
  T.Comma,
  T.Semicolon,
  T.Assign,
  T.IS,
  T.FROM,
  T.FOR,
  T.RETYPES,
  T.RESHAPES,
  T.SIZE,
  T.ROUND,
  T.TRUNC,
  T.Bar,
  // dyadic operators
  T.Plus,
  T.Minus,
  T.Times,
  T.Divide,
  T.Remainder,
  T.REM,
  T.PLUS,
  T.MINUS,
  T.TIMES,
  T.BitAndSym,
  T.BitOrSym,
  T.Xor,
  T.BITAND,
  T.BITOR,
  T.ShiftLeft,
  T.ShiftRight,
  T.Equal,
  T.NotEqual,
  T.Less,
  T.LessEqual,
  T.Greater,
  T.GreaterEqual,
  T.AND,
  T.OR,
  T.AFTER,
  // monadic operators
  T.BitNotSym,
  T.BITNOT,
  T.NOT,
]);

/**
 * The tokens of one file with literals decoded, without layout. `text` is the file's text with the preprocessor's
 * directive and skipped lines blanked out (same length, so offsets still point into the file).
 */
export function lexRaw(file: SourceFile, diags: Diagnostics, text: string = file.text): IToken[] {
  const result = chevrotainLexer().tokenize(text);
  const tokens: IToken[] = [];
  // Bad characters are reported in source order among the other lexical errors.
  let nextError = 0;
  const reportErrorsBefore = (offset: number): void => {
    for (; nextError < result.errors.length && result.errors[nextError]!.offset < offset; nextError++) {
      const e = result.errors[nextError]!;
      reportBadCharacters(file, diags, e.offset, e.length);
    }
  };
  for (const tok of result.tokens) {
    reportErrorsBefore(tok.startOffset);
    decodeLiteral(file, diags, tok);
    tokens.push(tok);
  }
  reportErrorsBefore(Infinity);
  return tokens;
}

// ---------------------------------------------------------------------------------------------------- bad characters

function reportBadCharacters(file: SourceFile, diags: Diagnostics, offset: number, length: number): void {
  const text = file.text.slice(offset, offset + length);
  const span = spanOf(file, offset, offset + length);
  const shown = text.length === 1 ? `character \`${text}\`` : `characters \`${text}\``;
  let hint: string | undefined;
  switch (text[0]) {
    case '_':
      hint = 'occam names cannot start with `_`; names are letters, digits and dots, like `out.string`';
      break;
    case '.':
      hint = 'a real number needs digits on both sides of the point, like 0.5';
      break;
    case '{':
    case '}':
      hint = 'occam marks blocks by indentation, not braces';
      break;
    case '#':
      hint =
        'a hex literal is `#` followed by upper-case hex digits, like #FF; a directive like #INCLUDE must start its line';
      break;
  }
  diags.error(span, `unexpected ${shown}`, hint);
}

// ---------------------------------------------------------------------------------------------------- literals

const ESCAPE_HINT =
  'escapes are *c *n *t *s *\' *" ** and *#hh (two upper-case hex digits), and *l first in a string; write ** for an asterisk';

/**
 * Decode the escape starting with the `*` at `at`. Returns the byte (or -1 after reporting an error) and the index
 * just after the escape.
 */
function decodeEscape(file: SourceFile, diags: Diagnostics, at: number, limit: number): { byte: number; next: number } {
  const text = file.text;
  const c = at + 1 < limit ? text[at + 1]! : '';
  if (c in T.STRING_ESCAPES) return { byte: T.STRING_ESCAPES[c]!, next: at + 2 };
  if (c === '#') {
    const digits = text.slice(at + 2, Math.min(at + 4, limit));
    if (/^[0-9A-F]{2}$/.test(digits)) return { byte: parseInt(digits, 16), next: at + 4 };
    if (/^[0-9A-Fa-f]{2}$/.test(digits)) {
      diags.error(spanOf(file, at, at + 4), `hex digits must be upper case: write *#${digits.toUpperCase()}`);
      return { byte: parseInt(digits, 16), next: at + 4 };
    }
    let end = at + 2;
    while (end < limit && end < at + 4 && /[0-9A-Za-z]/.test(text[end]!)) end++;
    diags.error(spanOf(file, at, end), '`*#` must be followed by two hex digits', ESCAPE_HINT);
    return { byte: -1, next: end };
  }
  if (c === '') {
    diags.error(
      spanOf(file, at, at + 1),
      '`*` at the end of a literal starts an escape that is not finished',
      ESCAPE_HINT,
    );
    return { byte: -1, next: at + 1 };
  }
  diags.error(spanOf(file, at, at + 2), `unknown escape \`*${c}\``, ESCAPE_HINT);
  return { byte: -1, next: at + 2 };
}

/** Append the UTF-8 encoding of code point `cp` (strings are byte arrays; non-ASCII text is sent as UTF-8). */
function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Offsets of the resuming `*` of each continuation in a string token, for the layout pass's column check. */
const stringResumes = new WeakMap<IToken, number[]>();

function decodeString(file: SourceFile, diags: Diagnostics, tok: IToken): Uint8Array {
  const text = file.text;
  const start = tok.startOffset;
  const end = start + tok.image.length;
  const closed = tok.image.length >= 2 && tok.image.endsWith('"') && !escapedAt(text, start, end - 1);
  const limit = closed ? end - 1 : end;
  const bytes: number[] = [];
  const resumes: number[] = [];
  // `"*l..."` starts with a byte holding the number of bytes after it (KRoC's length escape, also `*L`).
  let lengthByte = false;
  let i = start + 1;
  while (i < limit) {
    const cp = text.codePointAt(i)!;
    if (cp === 42 /* * */) {
      // A `*` ending an unclosed string is a failed continuation; the "not closed" message explains it.
      if (!closed && i + 1 >= limit) break;
      const resume = T.continuationResume(text, i);
      if (resume >= 0 && resume <= limit) {
        resumes.push(resume - 1);
        i = resume;
        continue;
      }
      if (i + 1 < limit && (text[i + 1] === 'l' || text[i + 1] === 'L')) {
        if (i === start + 1) {
          lengthByte = true;
          bytes.push(0);
        } else {
          diags.error(
            spanOf(file, i, i + 2),
            `\`*${text[i + 1]}\` (the length of the string) can only be the first thing in a string`,
          );
        }
        i += 2;
        continue;
      }
      const { byte, next } = decodeEscape(file, diags, i, limit);
      if (byte >= 0) bytes.push(byte);
      i = next;
      continue;
    }
    pushUtf8(bytes, cp);
    i += cp > 0xffff ? 2 : 1;
  }
  if (!closed) {
    let hint = 'add `"` at the end of the string';
    if (tok.image.endsWith('*')) {
      hint = 'a `*` at the end of a line continues the string only if the next line starts with `*`';
    } else if (tok.image.endsWith('*"')) {
      hint = '`*"` is an escaped quote; end the string with another `"`';
    }
    diags.error(spanOf(file, start, end), 'this string is not closed', hint);
  }
  if (lengthByte) {
    if (bytes.length - 1 > 255) {
      diags.error(
        spanOf(file, start, end),
        `a string starting with \`*l\` holds at most 255 bytes after it, not ${bytes.length - 1}`,
      );
    }
    bytes[0] = (bytes.length - 1) & 255;
  }
  if (resumes.length > 0) stringResumes.set(tok, resumes);
  return Uint8Array.from(bytes);
}

/** Whether the character at `pos` is the second character of an escape that starts after `from`. */
function escapedAt(text: string, from: number, pos: number): boolean {
  let i = from + 1;
  while (i < pos) {
    if (text.charCodeAt(i) === 42) {
      const resume = T.continuationResume(text, i);
      if (resume >= 0) {
        i = resume;
        continue;
      }
      if (i + 1 === pos) return true;
      i += text[i + 1] === '#' ? 4 : 2;
      continue;
    }
    i++;
  }
  return false;
}

function decodeByte(file: SourceFile, diags: Diagnostics, tok: IToken): number {
  const text = file.text;
  const start = tok.startOffset;
  const end = start + tok.image.length;
  const closed = tok.image.length >= 2 && tok.image.endsWith("'") && !escapedAt(text, start, end - 1);
  const span = spanOf(file, start, end);
  if (!closed) {
    diags.error(
      span,
      'this character literal is not closed',
      "a character literal is one character between quotes, like 'a' or '*n'",
    );
    return 0;
  }
  const limit = end - 1;
  const values: number[] = [];
  let i = start + 1;
  while (i < limit) {
    const cp = text.codePointAt(i)!;
    if (cp === 42) {
      const { byte, next } = decodeEscape(file, diags, i, limit);
      values.push(byte < 0 ? 0 : byte);
      i = next;
      continue;
    }
    if (cp > 127) {
      diags.error(
        spanOf(file, i, i + (cp > 0xffff ? 2 : 1)),
        `\`${String.fromCodePoint(cp)}\` is not an ASCII character, so it does not fit in one BYTE`,
        'write it in a string instead, or give its code with *#hh',
      );
      values.push(0);
    } else values.push(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  if (values.length === 0) {
    diags.error(span, 'empty character literal', "write a space as ' ' or '*s'");
    return 0;
  }
  if (values.length > 1) {
    diags.error(
      span,
      'a character literal holds exactly one character',
      `for several characters use a string: "${tok.image.slice(1, -1)}"`,
    );
  }
  return values[0]!;
}

function decodeReal(file: SourceFile, diags: Diagnostics, tok: IToken): RealValue {
  const image = tok.image;
  const span = spanOf(file, tok.startOffset, tok.startOffset + image.length);
  const m = /^([0-9]+)\.([0-9]*)(?:([Ee])([+-]?)([0-9]+))?$/.exec(image)!;
  const [, whole, frac, e, sign, exp] = m;
  let fixed = `${whole}.${frac || '0'}`;
  if (e !== undefined) fixed += `E${sign || '+'}${exp}`;
  if (!frac) {
    diags.error(span, 'a real number needs digits after the point', `write ${fixed}`);
  } else if (e === 'e') {
    diags.error(span, 'the exponent of a real number is written with a capital E', `write ${fixed}`);
  } else if (e !== undefined && !sign) {
    diags.error(span, 'the exponent of a real number needs a sign', `write ${fixed}`);
  }
  return { text: fixed, value: Number(fixed) };
}

function decodeLiteral(file: SourceFile, diags: Diagnostics, tok: IToken): void {
  switch (tok.tokenType) {
    case T.DecimalLiteral:
      tok.payload = BigInt(tok.image);
      break;
    case T.HexLiteral: {
      const digits = tok.image.slice(1);
      if (/[a-f]/.test(digits)) {
        diags.error(
          spanOf(file, tok.startOffset, tok.startOffset + tok.image.length),
          `hex digits must be upper case: write #${digits.toUpperCase()}`,
        );
      }
      tok.payload = BigInt(`0x${digits}`);
      break;
    }
    case T.RealLiteral:
      tok.payload = decodeReal(file, diags, tok);
      break;
    case T.ByteLiteral:
      tok.payload = decodeByte(file, diags, tok);
      break;
    case T.StringLiteral:
      tok.payload = decodeString(file, diags, tok);
      break;
    case T.Name:
      if (tok.image.includes('_')) {
        diags.error(
          spanOf(file, tok.startOffset, tok.startOffset + tok.image.length),
          `\`_\` is not allowed in occam names`,
          `names are letters, digits and dots: write ${tok.image.replace(/_/g, '.')}`,
        );
      }
      break;
  }
}

// ---------------------------------------------------------------------------------------------------- layout

interface Level {
  /** Indentation of the lines at this level. */
  readonly col: number;
  /** Whether an INDENT was emitted when the level opened (levels opened by a bad line are silent). */
  readonly emitted: boolean;
  /**
   * A level opened inside parentheses by a value process in an expression (`x := (VALOF` or `(INT y:`): the
   * parenthesis depth its `(` opened, and the column of the statement it is part of. Its lines are laid out from
   * the column of the token after the `(`, and the `)` that closes it ends it.
   */
  readonly paren?: { readonly depth: number; readonly stmtCol: number };
}

function synthetic(type: TokenType, offset: number, line: number, col: number): IToken {
  return createTokenInstance(type, '', offset, offset, line, line, col, col);
}

/**
 * The layout pass over the preprocessor's tokens (the tokens of every file it brought in): NL, INDENT and
 * OUTDENT from indentation, continuation lines joined.
 */
export function layout(main: SourceFile, diags: Diagnostics, tokens: IToken[]): IToken[] {
  const out: IToken[] = [];
  const badLines = new Set<number>();
  badLayoutLines.set(out, badLines);
  const stack: Level[] = [{ col: 0, emitted: false }];
  let prevLast: IToken | null = null;
  let stmtCol = 0;
  // Parentheses open at this point, across lines.
  let depth = 0;

  const endOf = (t: IToken): number => t.startOffset + t.image.length;
  const nlAfter = (t: IToken): IToken => {
    const off = endOf(t);
    const p = fileOf(t, main).position(off);
    const nl = synthetic(T.NL, off, p.line, p.col);
    const origin = originOf(t);
    if (origin) setOrigin(nl, origin);
    return nl;
  };

  let i = 0;
  while (i < tokens.length) {
    // One physical line: the tokens of one file that start on the line the previous one ends on (strings may span
    // lines).
    const first = tokens[i]!;
    const file = fileOf(first, main);
    const text = file.text;
    const firstPos = file.position(first.startOffset);
    let lineEnd = firstPos.line;
    let j = i;
    for (; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (fileOf(t, main) !== file) break;
      const s = j === i ? firstPos : file.position(t.startOffset);
      if (s.line > lineEnd) break;
      const e = t.image.length > 0 ? file.position(endOf(t) - 1) : s;
      t.startLine = s.line;
      t.startColumn = s.col;
      t.endLine = e.line;
      t.endColumn = e.col;
      t.endOffset = endOf(t) - 1;
      if (e.line > lineEnd) lineEnd = e.line;
    }

    const own = indentation(text, first.startOffset);
    const tabs = own.tabs;
    const col = own.col + (originOf(first)?.base ?? 0);
    // A line after a continuation token continues the statement only if it is indented at least as far as the
    // statement. One indented less starts a new line: the parser then reports the unfinished statement (with a
    // hint about continuations), which also reads right when the statement was simply left unfinished.
    const closing = first.tokenType === T.RParen ? parenLevel(stack, depth) : -1;
    if (closing >= 0) {
      // `)` on its own line ends a value process in an expression; the statement around it goes on.
      if (prevLast !== null) out.push(nlAfter(prevLast));
      stmtCol = closeParenLevel(stack, closing, first, firstPos, out);
    } else if (prevLast !== null && CONTINUATION.has(prevLast.tokenType) && col >= stmtCol) {
      // continuation: no layout tokens
    } else {
      if (prevLast !== null) out.push(nlAfter(prevLast));
      const top = stack[stack.length - 1]!;
      const at = (): IToken => marked(synthetic(T.INDENT, first.startOffset, firstPos.line, firstPos.col), first);
      if (col > top.col) {
        const rise = col - top.col;
        if (rise === 2) {
          stack.push({ col, emitted: true });
          out.push(at());
        } else {
          reportRise(file, diags, first, rise, tabs);
          badLines.add(lineKey({ file, line: firstPos.line }));
          // A big jump most likely meant "one level in"; a one-space wobble most likely meant "same level".
          const opens = rise > 2;
          stack.push({ col, emitted: opens });
          if (opens) out.push(at());
        }
      } else if (col < top.col) {
        while (stack.length > 1 && stack[stack.length - 1]!.col > col) {
          const level = stack.pop()!;
          if (level.emitted)
            out.push(marked(synthetic(T.OUTDENT, first.startOffset, firstPos.line, firstPos.col), first));
        }
        const now = stack[stack.length - 1]!;
        if (now.col !== col) {
          badLines.add(lineKey({ file, line: firstPos.line }));
          diags.error(
            spanOf(file, first.startOffset, endOf(first)),
            `this line's indentation (${col} spaces) does not line up with any enclosing line`,
            withTabs(
              `lines at the same level start in the same column; the enclosing level here is indented ${now.col} spaces`,
              tabs,
            ),
          );
          stack.push({ col, emitted: false });
        }
      }
      stmtCol = col;
    }

    // The `(`s opened on this line and not closed on it: the innermost may start a value process in an expression.
    const openedStack: { depth: number; next: IToken | undefined }[] = [];
    for (let k = i; k < j; k++) {
      const t = tokens[k]!;
      if (t.tokenType === T.LParen) {
        depth++;
        openedStack.push({ depth, next: k + 1 < j ? tokens[k + 1] : undefined });
      } else if (t.tokenType === T.RParen) {
        const at = k > i ? parenLevel(stack, depth) : -1;
        if (at >= 0) {
          // `RESULT x)`: the value process ends before the `)`.
          out.push(nlAfter(tokens[k - 1]!));
          const p = file.position(t.startOffset);
          stmtCol = closeParenLevel(stack, at, t, p, out);
        }
        openedStack.pop();
        depth = Math.max(0, depth - 1);
      }
      out.push(t);
      const resumes = t.tokenType === T.StringLiteral ? stringResumes.get(t) : undefined;
      for (const r of resumes ?? []) {
        const rc = indentation(text, r).col + (originOf(t)?.base ?? 0);
        if (rc < stmtCol) {
          diags.error(
            spanOf(file, r, r + 1),
            'a string continuation line must be indented at least as far as the start of the statement',
            `indent this line to column ${stmtCol + 1} or more`,
          );
        }
      }
    }
    prevLast = tokens[j - 1]!;
    const opened = openedStack[openedStack.length - 1];
    if (opened?.next && (prevLast.tokenType === T.VALOF || prevLast.tokenType === T.Colon)) {
      const c = columnOf(text, opened.next.startOffset) + (originOf(opened.next)?.base ?? 0);
      stack.push({ col: c, emitted: false, paren: { depth: opened.depth, stmtCol } });
      stmtCol = c;
    }
    i = j;
  }

  if (prevLast !== null) {
    const nl = nlAfter(prevLast);
    out.push(nl);
    for (let k = stack.length - 1; k > 0; k--) {
      if (stack[k]!.emitted) out.push(marked(synthetic(T.OUTDENT, nl.startOffset, nl.startLine!, nl.startColumn!), nl));
    }
  }
  return out;
}

/** The index in `stack` of the level a `)` closing parenthesis depth `depth` ends, or -1. */
function parenLevel(stack: readonly Level[], depth: number): number {
  for (let k = stack.length - 1; k > 0; k--) {
    const p = stack[k]!.paren;
    if (p) return p.depth === depth ? k : -1;
  }
  return -1;
}

/** End the levels from `at` up (OUTDENT for each that was opened with INDENT); returns the statement's column. */
function closeParenLevel(
  stack: Level[],
  at: number,
  tok: IToken,
  pos: { line: number; col: number },
  out: IToken[],
): number {
  const stmtCol = stack[at]!.paren!.stmtCol;
  while (stack.length > at) {
    const level = stack.pop()!;
    if (level.emitted) out.push(marked(synthetic(T.OUTDENT, tok.startOffset, pos.line, pos.col), tok));
  }
  return stmtCol;
}

/** The column of `offset` in its line, counting a tab as a move to the next multiple of 8. */
function columnOf(text: string, offset: number): number {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let col = 0;
  for (let k = start; k < offset; k++) col = text[k] === '\t' ? (Math.floor(col / 8) + 1) * 8 : col + 1;
  return col;
}

/** Give a synthetic token the origin of the real token it stands next to. */
function marked(tok: IToken, like: IToken): IToken {
  const origin = originOf(like);
  if (origin) setOrigin(tok, origin);
  return tok;
}

/** The indentation of the line containing `offset`, counting a tab as a move to the next multiple of 8. */
function indentation(text: string, offset: number): { col: number; tabs: boolean } {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let col = 0;
  let tabs = false;
  for (let k = start; k < offset; k++) {
    const c = text[k];
    if (c === '\t') {
      col = (Math.floor(col / 8) + 1) * 8;
      tabs = true;
    } else if (c === ' ' || c === '\f') col++;
    else break;
  }
  return { col, tabs };
}

function withTabs(hint: string, tabs: boolean): string {
  return tabs
    ? `${hint}; this line's indentation contains tabs, which count as moving to the next multiple of 8 columns`
    : hint;
}

function reportRise(file: SourceFile, diags: Diagnostics, first: IToken, rise: number, tabs: boolean): void {
  const span = spanOf(file, first.startOffset, first.startOffset + first.image.length);
  const startsWithOperator =
    CONTINUATION.has(first.tokenType) && first.tokenType !== T.IS && first.tokenType !== T.SIZE;
  let hint: string;
  if (startsWithOperator) {
    hint = 'to continue the line above, break it after the operator, not before: end the line above with the operator';
  } else if (rise > 2) {
    hint =
      'indent by exactly 2 spaces; if this line continues the one above, end that line with an operator, `,`, `;`, `:=` or IS';
  } else {
    hint = 'occam indents in steps of exactly 2 spaces';
  }
  diags.error(
    span,
    `this line is indented ${rise} ${rise === 1 ? 'space' : 'spaces'} more than the line above; each level is 2 spaces`,
    withTabs(hint, tabs),
  );
}
