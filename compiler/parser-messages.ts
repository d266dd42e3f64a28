// The parser's words: how tokens and rules are named in syntax errors ("expected X, found Y"), the message
// provider chevrotain builds its errors with, and the messages for a line that cannot start anything where it
// stands. Keeping them here leaves parser.ts with the grammar.

import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from './chevrotain-runtime.js';
import { NOT_YET, type Ctx, type LineKind } from './parser-lines.js';
import * as T from './tokens.js';

/** How a kind of token is named in messages ("expected X"). */
export function describeType(t: TokenType): string {
  switch (t) {
    case T.NL:
      return 'the end of the line';
    case T.INDENT:
      return 'an indented line';
    case T.OUTDENT:
      return 'the end of the indented block';
    case EOF:
      return 'the end of the file';
    case T.Name:
      return 'a name';
    case T.IntegerLiteral:
    case T.DecimalLiteral:
    case T.HexLiteral:
      return 'an integer';
    case T.RealLiteral:
      return 'a real number';
    case T.ByteLiteral:
      return 'a character literal';
    case T.StringLiteral:
      return 'a string';
    case T.PrimType:
      return 'a type';
    case T.DyadicOp:
      return 'an operator';
    case T.MonadicOp:
      return 'an operator';
    case T.Directive:
      return 'a directive';
  }
  if (T.isKeywordType(t)) return t.name;
  return t.LABEL ?? t.name;
}

/** How a particular token is named in messages ("found X"). */
export function describeToken(tok: IToken | undefined): string {
  if (!tok) return 'the end of the file';
  switch (tok.tokenType) {
    case T.NL:
      return 'the end of the line';
    case T.INDENT:
      return 'a line indented further than the one above';
    case T.OUTDENT:
      return 'the end of the indented block';
    case EOF:
      return 'the end of the file';
    case T.Name:
      return `the name \`${tok.image}\``;
    case T.StringLiteral:
      return 'a string';
    case T.Directive:
      return `\`${tok.image.split(/\s/)[0]}\``;
  }
  return `\`${tok.image}\``;
}

const RULE_DESCRIPTIONS: Record<string, string> = {
  valSpec: 'IS',
  inputProc: '`?`',
  inputTail: 'AFTER or the variables to input into',
  functionDef: 'IS or the end of the line after the FUNCTION header',
  guard: 'an ALT guard: an input (c ? x), a timeout (t ? AFTER e) or SKIP',
  expression: 'an expression',
  operand: 'an operand (a name, a literal or a parenthesised expression)',
  specifier: 'a type',
  baseType: 'a type',
  dataType: 'a data type',
  protocol: 'a channel protocol (a type)',
  formal: 'a parameter, like VAL INT n or CHAN INT c?',
  typedSpec: 'a declaration',
  specification: 'a declaration, an abbreviation or a PROC definition',
  primitive: 'SKIP or STOP',
  parProc: 'PAR or PRI PAR',
  direction: '`?` or `!`',
};

/** ERR_MSG strings carry an optional hint after a newline. */
export function msg(message: string, hint?: string): string {
  return hint ? `${message}\n${hint}` : message;
}

export const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${describeType(expected)}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, customUserDescription, ruleName }) {
    const what = customUserDescription ?? RULE_DESCRIPTIONS[ruleName] ?? 'something else';
    return `expected ${what}, found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ actual, customUserDescription, ruleName }) {
    const what = customUserDescription ?? RULE_DESCRIPTIONS[ruleName] ?? 'something else';
    return `expected ${what}, found ${describeToken(actual[0])}`;
  },
};

/** A message and its optional hint. */
export interface Message {
  readonly message: string;
  readonly hint?: string;
}

function m(message: string, hint?: string): Message {
  return { message, hint };
}

/**
 * The message for a line that cannot start anything where it stands (`ctx`), judged from its first token and its
 * classification. `lineText` is the line's source text, asked for only when the message quotes it.
 */
export function junkMessage(tok: IToken, ctx: Ctx, kind: LineKind, lineText: () => string): Message {
  const tt = tok.tokenType;
  if (tt === T.INDENT) {
    return m(
      'this line is indented further than the line above, but that line does not start a block',
      'indent it the same as the line above; to continue the line above instead, end it with an operator, `,`, `;`, `:=` or IS',
    );
  }
  if (tt === T.Directive) {
    const word = tok.image.split(/\s/)[0];
    return m(`the directive ${word} is not supported yet`);
  }
  const notYet = NOT_YET.get(tt);
  if (notYet) return m(`${notYet} is not supported yet`);
  if (ctx === 'alternative') {
    return m(
      `expected an ALT guard, found ${describeToken(tok)}`,
      'a guard is an input (c ? x), a timeout (t ? AFTER e) or SKIP, optionally after `condition &`, with its process indented under it',
    );
  }
  if (ctx === 'option') {
    if (kind === 'process') {
      return m(
        'expected a CASE option: each line directly under CASE is a value (or ELSE) with its process indented under it',
      );
    }
    return m(`expected a CASE option (values or ELSE), found ${describeToken(tok)}`);
  }
  if (ctx === 'choice') {
    if (kind === 'process') {
      return m(
        'expected a condition: each line directly under IF is a condition with its process indented under it',
        'write the condition (for example TRUE) on this line and indent the process under it',
      );
    }
    return m(`expected an IF choice (a condition), found ${describeToken(tok)}`);
  }
  if (tt === T.Name) {
    return m(
      `\`${lineText()}\` is not a process or a declaration`,
      'a process is an assignment (x := e), an input (c ? x), an output (c ! e), a PROC call (p (args)) or a construct such as SEQ',
    );
  }
  if (tt === T.Colon && ctx === 'block') {
    return m('unexpected `:`', 'the `:` that ends a PROC goes on its own line, in the same column as the word PROC');
  }
  const what = ctx === 'top' ? 'a declaration or a PROC definition' : 'a process or a declaration';
  return m(`expected ${what}, found ${describeToken(tok)}`);
}
