// How the parser tells occam's lines apart before parsing them. Many lines start with a name (`x := 1`, `c ! x`,
// `c ? x`, `p (x)`, `POINT p:`, `a IS b:`) and the deciding token can be arbitrarily far along the line
// (`a[i][j] := 0`), so rather than backtracking the parser scans each line once up to its NL and gates the
// alternatives of the line's rule on the result; chevrotain's own lookahead then only checks the first token.

import { EOF, tokenMatcher, type IToken, type TokenType } from './chevrotain-runtime.js';
import * as T from './tokens.js';

/** The parser's lookahead: LA(1) is the next token. */
export type Lookahead = (k: number) => IToken;

export type Ctx = 'top' | 'block' | 'choice' | 'option' | 'alternative';

/** What a line is, judged from its tokens before parsing it. */
export type LineKind =
  | 'spec' // a specification (declaration, abbreviation, PROC or FUNCTION definition)
  | 'assign'
  | 'input'
  | 'output'
  | 'call'
  | 'if' // (in an IF) a nested IF
  | 'alt' // (in an ALT) a nested ALT
  | 'else' // (in a CASE) the ELSE option
  | 'guard' // (in an IF, CASE or ALT) a condition, option values or ALT guard
  | 'process' // (in an IF, CASE or ALT) a process where a guard should be
  | 'other';

export interface LineScan {
  first: TokenType;
  second: TokenType;
  last: TokenType | null;
  assign: boolean;
  query: boolean;
  bang: boolean;
  is: boolean;
  func: boolean;
  amp: boolean;
}

export const SPEC_STARTERS = new Set<TokenType>([
  T.VAL,
  T.PROC,
  T.INLINE,
  T.REC,
  T.RECURSIVE,
  T.CHAN,
  T.TIMER,
  T.PORT,
  T.SHARED,
  T.DATA,
  T.PROTOCOL,
  T.INITIAL,
  T.PLACE,
  T.MOBILE,
]);

export function isLayout(t: TokenType): boolean {
  return t === T.NL || t === T.INDENT || t === T.OUTDENT || t === EOF;
}

/** Words that start constructs the parser does not handle yet, and how to name them in the message. */
export const NOT_YET: ReadonlyMap<TokenType, string> = new Map([
  [T.RESIGN, 'RESIGN'],
  [T.SUSPEND, 'SUSPEND'],
]);

/** Scan the current line up to its NL (brackets nest) and note what it contains at bracket depth 0. */
export function scanLine(LA: Lookahead): LineScan {
  const scan: LineScan = {
    first: LA(1).tokenType,
    second: LA(2).tokenType,
    last: null,
    assign: false,
    query: false,
    bang: false,
    is: false,
    func: false,
    amp: false,
  };
  let depth = 0;
  for (let k = 1; ; k++) {
    const tt = LA(k).tokenType;
    // Inside brackets a VALOF's lines (`(VALOF` ... `)`) continue the line.
    if (isLayout(tt) && (depth === 0 || tt === EOF)) break;
    if (isLayout(tt)) continue;
    scan.last = tt;
    if (tt === T.LParen || tt === T.LBracket) depth++;
    else if (tt === T.RParen || tt === T.RBracket) depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      if (tt === T.Assign) scan.assign = true;
      else if (tt === T.Query || tt === T.DoubleQuery) scan.query = true;
      else if (tt === T.Bang) scan.bang = true;
      else if (tt === T.IS || tt === T.RETYPES || tt === T.RESHAPES) scan.is = true;
      else if (tt === T.FUNCTION) scan.func = true;
      else if (tt === T.Ampersand) scan.amp = true;
    }
  }
  return scan;
}

/** Classify a line in a block of processes (or at the top level). */
export function classifyLine(LA: Lookahead): LineKind {
  const s = scanLine(LA);
  if (s.func) return 'spec';
  if (s.first === T.VAL || s.first === T.PROC || s.first === T.INLINE || s.first === T.REC || s.first === T.RECURSIVE)
    return 'spec';
  if (s.first === T.INITIAL || s.first === T.RESULT || s.first === T.DATA || s.first === T.PLACE) return 'spec';
  if (
    s.first === T.CHAN ||
    s.first === T.TIMER ||
    s.first === T.SHARED ||
    s.first === T.BARRIER ||
    s.first === T.MOBILE ||
    s.first === T.PORT ||
    s.first === T.PROTOCOL ||
    tokenMatcher(LA(1), T.PrimType)
  )
    return 'spec';
  if (s.first === T.Name || s.first === T.LBracket) {
    if (s.is) return 'spec';
    // `N! cli:` declares an end of a CHAN TYPE; an output never ends with `:`.
    if (s.last === T.Colon && (s.query || s.bang)) return 'spec';
    if (s.assign) return 'assign';
    if (s.query) return 'input';
    if (s.bang) return 'output';
    if (s.first === T.Name && (s.second === T.LParen || isLayout(s.second))) return 'call';
    if (s.last === T.Colon || s.first === T.LBracket || s.second === T.Name) return 'spec';
  }
  return 'other';
}

/** Classify a line in the body of an IF, a CASE or an ALT. */
export function classifyIn(LA: Lookahead, ctx: 'choice' | 'option' | 'alternative'): LineKind {
  const s = scanLine(LA);
  if (ctx === 'choice' && s.first === T.IF) return 'if';
  if (ctx === 'alternative' && (s.first === T.ALT || (s.first === T.PRI && s.second === T.ALT))) return 'alt';
  if (ctx === 'option' && s.first === T.ELSE) return 'else';
  if (NOT_YET.has(s.first)) return 'other';
  if (s.func || s.is || s.last === T.Colon || SPEC_STARTERS.has(s.first)) return 'spec';
  if (ctx === 'alternative') return s.query || s.amp || s.first === T.SKIP ? 'guard' : 'other';
  if (s.assign || s.query || s.bang) return 'process';
  return 'guard';
}
