// Token definitions for the occam lexer (chevrotain). The lexer in lexer.ts runs these patterns, decodes literal
// values and then inserts the synthetic layout tokens NL / INDENT / OUTDENT, which have no pattern of their own.
//
// Order matters: chevrotain tries patterns in the order of `lexerTokens` and takes the first that matches, so every
// symbol comes before any shorter symbol it begins with, and longer keywords come before the keywords they begin
// with (INT16 before INT). Every keyword names `Name` as its longer alternative, so `SEQ2` and `INT.size` are names.

import { createToken, Lexer, type CustomPatternMatcherReturn, type TokenType } from './chevrotain-runtime.js';

// ---------------------------------------------------------------------------------------------------- categories

/** Every token except OUTDENT and EOF: what can start a line the parser has to report and skip. */
export const AnyToken = createToken({ name: 'AnyToken', pattern: Lexer.NA });
/** Operators that can sit between two operands. */
export const DyadicOp = createToken({ name: 'DyadicOp', pattern: Lexer.NA });
/** Operators that can precede a single operand. */
export const MonadicOp = createToken({ name: 'MonadicOp', pattern: Lexer.NA });
/** BOOL BYTE INT INT16 INT32 INT64 REAL32 REAL64. */
export const PrimType = createToken({ name: 'PrimType', pattern: Lexer.NA });
/** Every reserved word. */
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA });
/** Decimal and hex integer literals. */
export const IntegerLiteral = createToken({ name: 'IntegerLiteral', pattern: Lexer.NA });

// ---------------------------------------------------------------------------------------------------- layout

export const NL = createToken({ name: 'NL', pattern: Lexer.NA, categories: [AnyToken] });
export const INDENT = createToken({ name: 'INDENT', pattern: Lexer.NA, categories: [AnyToken] });
export const OUTDENT = createToken({ name: 'OUTDENT', pattern: Lexer.NA });
/** Stands, in the main file's tokens, for a bundled library parsed once (library-cache.ts): it carries the parsed
 * definitions, and the parser puts them where the #INCLUDE stood. */
export const Preparsed = createToken({ name: 'Preparsed', pattern: Lexer.NA, categories: [AnyToken] });

// ---------------------------------------------------------------------------------------------------- skipped text

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

/** `--` to the end of the line. Comes before `-` so that `x--1` is `x` plus a comment. */
export const Comment = createToken({ name: 'Comment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });

// ---------------------------------------------------------------------------------------------------- names

export const Name = createToken({ name: 'Name', pattern: /[A-Za-z][A-Za-z0-9._]*/, categories: [AnyToken] });
/** `.WSSIZE`, `.STATIC`, `.VSPTR`: the special names of ASM code (anywhere else, a syntax error). */
export const DotName = createToken({ name: 'DotName', pattern: /\.[A-Za-z][A-Za-z0-9._]*/, categories: [AnyToken] });

// ---------------------------------------------------------------------------------------------------- literals

/** The byte each `*x` escape of a string or character literal stands for (`*#hh` is read separately). */
export const STRING_ESCAPES: Readonly<Record<string, number>> = {
  c: 13,
  C: 13,
  n: 10,
  N: 10,
  t: 9,
  T: 9,
  s: 32,
  S: 32,
  "'": 39,
  '"': 34,
  '*': 42,
};

/** The words a directive line (`#INCLUDE`, `#IF`, ...) can start with; the preprocessor reads the same set. */
export const DIRECTIVE_WORDS: ReadonlySet<string> = new Set([
  'INCLUDE',
  'USE',
  'DEFINE',
  'UNDEF',
  'IF',
  'ELIF',
  'ELSE',
  'ENDIF',
  'RELAX',
  'ERROR',
  'WARNING',
  'PRAGMA',
  'COMMENT',
  'OPTION',
]);

/**
 * A preprocessor directive line (`#INCLUDE "x"`), as one token covering the rest of the line. Only recognised when
 * the `#` is the first thing on its line, which is how `#DEFINE` is told apart from the hex literal `#DEF`.
 */
export const Directive = createToken({
  name: 'Directive',
  pattern: {
    exec: (text: string, offset: number): CustomPatternMatcherReturn | null => {
      if (text.charCodeAt(offset) !== 35 /* # */) return null;
      for (let i = offset - 1; i >= 0; i--) {
        const c = text.charCodeAt(i);
        if (c === 10 || c === 13) break;
        if (c !== 32 && c !== 9) return null;
      }
      let end = offset + 1;
      while (end < text.length && /[A-Z]/.test(text[end]!)) end++;
      if (!DIRECTIVE_WORDS.has(text.slice(offset + 1, end))) return null;
      if (end < text.length && /[A-Za-z0-9.]/.test(text[end]!)) return null;
      while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
      return [text.slice(offset, end)];
    },
  },
  line_breaks: false,
  start_chars_hint: ['#'],
  categories: [AnyToken],
});

/**
 * `"..."`. The pattern only finds where the string ends; lexer.ts decodes the escapes and reports bad ones. A `*` at
 * the end of a line continues the string on the next non-comment line, after that line's indentation and a `*`.
 * An unterminated string ends at the end of its line (lexer.ts reports it).
 */
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: { exec: matchString },
  line_breaks: true,
  start_chars_hint: ['"'],
  categories: [AnyToken],
});

/** `'c'` or `'*n'`; a malformed one (empty, unterminated, several characters) still lexes so it can be reported. */
export const ByteLiteral = createToken({
  name: 'ByteLiteral',
  pattern: /'(?:[^'\n\r*]|\*#[0-9A-Za-z]{0,2}|\*[^\n\r])*'?/,
  categories: [AnyToken],
});

/**
 * `digits.digits[E±digits]`. The pattern also accepts `1.` and a sign-less or lower-case exponent so that lexer.ts
 * can say what is wrong with them instead of reporting a stray `.`.
 */
export const RealLiteral = createToken({
  name: 'RealLiteral',
  pattern: /[0-9]+\.[0-9]*(?:[Ee][+-]?[0-9]+)?/,
  categories: [AnyToken],
});

/** `#` + hex digits. Lower-case digits lex too, so that lexer.ts can report them clearly. */
export const HexLiteral = createToken({
  name: 'HexLiteral',
  pattern: /#[0-9A-Fa-f]+/,
  categories: [IntegerLiteral, AnyToken],
});

export const DecimalLiteral = createToken({
  name: 'DecimalLiteral',
  pattern: /[0-9]+/,
  categories: [IntegerLiteral, AnyToken],
});

// ---------------------------------------------------------------------------------------------------- keywords

const keywordsByName = new Map<string, TokenType>();

function kw(word: string, ...categories: TokenType[]): TokenType {
  const t = createToken({
    name: word,
    pattern: word,
    longer_alt: Name,
    categories: [Keyword, AnyToken, ...categories],
  });
  keywordsByName.set(word, t);
  return t;
}

// occam 2.1
export const AFTER = kw('AFTER', DyadicOp);
export const ALT = kw('ALT');
export const AND = kw('AND', DyadicOp);
export const ANY = kw('ANY');
export const AT = kw('AT');
export const BITAND = kw('BITAND', DyadicOp);
export const BITNOT = kw('BITNOT', MonadicOp);
export const BITOR = kw('BITOR', DyadicOp);
export const BOOL = kw('BOOL', PrimType);
export const BYTE = kw('BYTE', PrimType);
export const BYTESIN = kw('BYTESIN');
export const CASE = kw('CASE');
export const CHAN = kw('CHAN');
export const DATA = kw('DATA');
export const ELSE = kw('ELSE');
export const FALSE = kw('FALSE');
export const FOR = kw('FOR');
export const FROM = kw('FROM');
export const FUNCTION = kw('FUNCTION');
export const IF = kw('IF');
export const INLINE = kw('INLINE');
export const INT = kw('INT', PrimType);
export const INT16 = kw('INT16', PrimType);
export const INT32 = kw('INT32', PrimType);
export const INT64 = kw('INT64', PrimType);
export const IS = kw('IS');
export const MINUS = kw('MINUS', DyadicOp, MonadicOp);
export const MOSTNEG = kw('MOSTNEG');
export const MOSTPOS = kw('MOSTPOS');
export const NOT = kw('NOT', MonadicOp);
export const OF = kw('OF');
export const OFFSETOF = kw('OFFSETOF');
export const OR = kw('OR', DyadicOp);
export const PACKED = kw('PACKED');
export const PAR = kw('PAR');
export const PLACE = kw('PLACE');
export const PLACED = kw('PLACED');
export const PLUS = kw('PLUS', DyadicOp);
export const PORT = kw('PORT');
export const PRI = kw('PRI');
export const PROC = kw('PROC');
export const PROCESSOR = kw('PROCESSOR');
export const PROTOCOL = kw('PROTOCOL');
export const REAL32 = kw('REAL32', PrimType);
export const REAL64 = kw('REAL64', PrimType);
export const RECORD = kw('RECORD');
export const REM = kw('REM', DyadicOp);
export const RESHAPES = kw('RESHAPES');
export const RESULT = kw('RESULT');
export const RETYPES = kw('RETYPES');
export const ROUND = kw('ROUND');
export const SEQ = kw('SEQ');
export const SIZE = kw('SIZE');
export const SKIP = kw('SKIP');
export const STOP = kw('STOP');
export const TIMER = kw('TIMER');
export const TIMES = kw('TIMES', DyadicOp);
export const TRUE = kw('TRUE');
export const TRUNC = kw('TRUNC');
export const TYPE = kw('TYPE');
export const VAL = kw('VAL');
export const VALOF = kw('VALOF');
export const WHILE = kw('WHILE');
// Reserved by the Inmos toolset.
export const ASM = kw('ASM');
export const GUY = kw('GUY');
// occam-π / KRoC words seen in teaching code. Reserving them all (as KRoC does) means a program that uses one as a
// name gets a clear "reserved word" message rather than a confusing parse error somewhere later.
export const INITIAL = kw('INITIAL');
export const STEP = kw('STEP');
export const REC = kw('REC');
export const RECURSIVE = kw('RECURSIVE');
export const SHARED = kw('SHARED');
export const CLAIM = kw('CLAIM');
export const FORK = kw('FORK');
export const FORKING = kw('FORKING');
export const MOBILE = kw('MOBILE');
export const CLONE = kw('CLONE');
export const DEFINED = kw('DEFINED');
export const EXTENDS = kw('EXTENDS');
export const BARRIER = kw('BARRIER');
export const SYNC = kw('SYNC');
export const RESIGN = kw('RESIGN');
export const SUSPEND = kw('SUSPEND');
export const IMPLEMENTS = kw('IMPLEMENTS');
export const IN = kw('IN');
export const WORKSPACE = kw('WORKSPACE');
export const VECSPACE = kw('VECSPACE');

/** The token type of a reserved word, if `word` is one. */
export function keywordType(word: string): TokenType | undefined {
  return keywordsByName.get(word);
}

// ---------------------------------------------------------------------------------------------------- symbols

function sym(name: string, text: string, ...categories: TokenType[]): TokenType {
  return createToken({ name, pattern: text, label: `\`${text}\``, categories: [AnyToken, ...categories] });
}

/**
 * The occam-pi symbols that have no built-in meaning and exist to name user-defined operators
 * (`INT FUNCTION "@@" (VAL INT a, b) IS ...:`), dyadic or monadic.
 */
export const USER_OPERATORS = [
  '!!',
  '$$',
  '%%',
  '%>',
  '&&',
  '&>',
  '++',
  '**',
  '<%',
  '<&',
  '<@',
  '<]',
  '==',
  '@@',
  '@>',
  '[>',
  '%',
  '@',
  '^',
];
const userOperatorTokens = USER_OPERATORS.map((text, i) => sym(`UserOperator${i}`, text, DyadicOp, MonadicOp));

export const CountedSep = sym('CountedSep', '::');
export const Assign = sym('Assign', ':=');
export const Colon = sym('Colon', ':');
export const NotEqual = sym('NotEqual', '<>', DyadicOp);
export const LessEqual = sym('LessEqual', '<=', DyadicOp);
export const ShiftLeft = sym('ShiftLeft', '<<', DyadicOp);
export const Less = sym('Less', '<', DyadicOp);
export const GreaterEqual = sym('GreaterEqual', '>=', DyadicOp);
export const ShiftRight = sym('ShiftRight', '>>', DyadicOp);
export const Xor = sym('Xor', '><', DyadicOp);
export const Greater = sym('Greater', '>', DyadicOp);
export const BitAndSym = sym('BitAndSym', '/\\', DyadicOp);
export const Divide = sym('Divide', '/', DyadicOp);
export const BitOrSym = sym('BitOrSym', '\\/', DyadicOp);
export const Remainder = sym('Remainder', '\\', DyadicOp);
export const DoubleQuery = sym('DoubleQuery', '??', DyadicOp, MonadicOp);
export const Query = sym('Query', '?');
export const Bang = sym('Bang', '!');
export const Minus = sym('Minus', '-', DyadicOp, MonadicOp);
export const Plus = sym('Plus', '+', DyadicOp);
export const Times = sym('Times', '*', DyadicOp);
export const Equal = sym('Equal', '=', DyadicOp);
export const BitNotSym = sym('BitNotSym', '~', MonadicOp);
export const Ampersand = sym('Ampersand', '&');
export const LParen = sym('LParen', '(');
export const RParen = sym('RParen', ')');
export const LBracket = sym('LBracket', '[');
export const RBracket = sym('RBracket', ']');
export const Comma = sym('Comma', ',');
export const Semicolon = sym('Semicolon', ';');
export const Bar = sym('Bar', '|');

// ---------------------------------------------------------------------------------------------------- vocabulary

const keywordTokens = [...keywordsByName.values()].sort((a, b) => b.name.length - a.name.length);

/** The lexer's patterns, in matching order. */
export const lexerTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Directive,
  StringLiteral,
  ByteLiteral,
  RealLiteral,
  HexLiteral,
  DecimalLiteral,
  ...keywordTokens,
  Name,
  DotName,
  ...userOperatorTokens,
  CountedSep,
  Assign,
  Colon,
  NotEqual,
  LessEqual,
  ShiftLeft,
  Less,
  GreaterEqual,
  ShiftRight,
  Xor,
  Greater,
  BitAndSym,
  Divide,
  BitOrSym,
  Remainder,
  DoubleQuery,
  Query,
  Bang,
  Minus,
  Plus,
  Times,
  Equal,
  BitNotSym,
  Ampersand,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Semicolon,
  Bar,
];

/** Everything the parser can see: the lexer's tokens, the layout tokens and the categories. */
export const allTokens: TokenType[] = [
  ...lexerTokens,
  NL,
  INDENT,
  OUTDENT,
  Preparsed,
  AnyToken,
  DyadicOp,
  MonadicOp,
  PrimType,
  Keyword,
  IntegerLiteral,
];

/** Whether a token type is a reserved word. */
export function isKeywordType(t: TokenType): boolean {
  return keywordsByName.get(t.name) === t;
}

// ---------------------------------------------------------------------------------------------------- strings

function isLineBreak(c: number): boolean {
  return c === 10 || c === 13;
}

/** Skip a line break (`\n`, `\r\n` or `\r`) at `i`, returning the index after it. */
function skipLineBreak(text: string, i: number): number {
  if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) return i + 2;
  return i + 1;
}

/**
 * If a `*` at `star` is a string-continuation star (only blanks follow it on its line), return the index just after
 * the `*` that resumes the string on a later line, skipping blank and comment-only lines; -1 otherwise.
 */
export function continuationResume(text: string, star: number): number {
  let i = star + 1;
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  if (i < text.length && !isLineBreak(text.charCodeAt(i))) return -1;
  while (i < text.length) {
    i = skipLineBreak(text, i);
    while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
    if (text.charCodeAt(i) === 42 /* * */) return i + 1;
    if (text.startsWith('--', i)) {
      while (i < text.length && !isLineBreak(text.charCodeAt(i))) i++;
      continue;
    }
    if (i < text.length && isLineBreak(text.charCodeAt(i))) continue;
    return -1;
  }
  return -1;
}

function matchString(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (text.charCodeAt(offset) !== 34 /* " */) return null;
  let i = offset + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34) return [text.slice(offset, i + 1)];
    if (isLineBreak(c)) break;
    if (c === 42 /* * */) {
      const resume = continuationResume(text, i);
      if (resume >= 0) {
        i = resume;
        continue;
      }
      const next = text.charCodeAt(i + 1);
      if (i + 1 >= text.length || isLineBreak(next)) {
        i++;
        break;
      }
      i += 2;
      continue;
    }
    i++;
  }
  return [text.slice(offset, i)];
}
