// The occam parser: a chevrotain EmbeddedActionsParser that builds the AST of ast.ts directly from the token stream
// of lexer.ts (which has already turned indentation into NL / INDENT / OUTDENT).
//
// How lines are told apart. Many occam lines start with a name (`x := 1`, `c ! x`, `c ? x`, `p (x)`, `POINT p:`,
// `a IS b:`), and the deciding token can be arbitrarily far along the line (`a[i][j] := 0`). Rather than
// backtracking, the parser classifies each line once by scanning its tokens up to the NL (`scanLine`), and gates the
// alternatives of a line on that classification; chevrotain's own lookahead then only has to check the first token.
//
// How errors are reported. Plain-English messages come from the error message provider below, from ERR_MSG on
// individual CONSUMEs, and from diagnostics the parser records itself (no operator precedence, missing `:` after a
// PROC body, constructs not supported yet). Recovery is line-based: every line of a block is parsed inside a guard
// that, on a syntax error, skips the rest of that line (and anything indented under it) and carries on with the next
// line, so one bad line never hides errors further on. Chevrotain's single-token insertion (for `:`, `)` and `]`) and
// deletion stay enabled, so a missing `:` or `)` is reported without losing the line. Chevrotain's re-sync recovery is
// disabled: it can stop in the middle of a line and produce a cascade of confusing follow-on errors.

import {
  createTokenInstance,
  EmbeddedActionsParser,
  EOF,
  isRecognitionException,
  MismatchedTokenException,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from './chevrotain-runtime.js';
import type * as A from './ast.js';
import { indentationErrorLines, lex } from './lexer.js';
import { joinSpans, SourceFile, spanOf, type Diagnostics, type Severity, type Span } from './source.js';
import * as T from './tokens.js';

// ---------------------------------------------------------------------------------------------------- public API

/** Lex and parse a source file. Never throws: every problem is added to `diags`. */
export function parse(file: SourceFile, diags: Diagnostics): A.Program {
  return parseTokens(file, lex(file, diags), diags);
}

/** Parse tokens produced by `lex`. */
export function parseTokens(file: SourceFile, tokens: IToken[], diags: Diagnostics): A.Program {
  const p = parserInstance();
  p.begin(file, tokens);
  let program: A.Program | undefined;
  try {
    program = p.program();
  } catch (e) {
    // Only a bug in the parser can get here; report it as a diagnostic rather than crash the compiler.
    const last = tokens[tokens.length - 1];
    const at = last ? last.startOffset : 0;
    diags.error(spanOf(file, at, at), `internal error in the parser: ${(e as Error).message}`);
  }
  p.finish(diags);
  return program ?? { span: spanOf(file, 0, file.text.length), specs: [] };
}

/** Build a parser with chevrotain's grammar validations on; throws if the grammar has a definition error. */
export function checkGrammar(): void {
  new OccamParser(true);
}

let instance: OccamParser | null = null;

function parserInstance(): OccamParser {
  instance ??= new OccamParser();
  return instance;
}

// ---------------------------------------------------------------------------------------------------- messages

/** How a kind of token is named in messages ("expected X"). */
function describeType(t: TokenType): string {
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
function describeToken(tok: IToken | undefined): string {
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
function msg(message: string, hint?: string): string {
  return hint ? `${message}\n${hint}` : message;
}

const messageProvider: IParserErrorMessageProvider = {
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

// ---------------------------------------------------------------------------------------------------- line classes

type Ctx = 'top' | 'block' | 'choice';

/** What a line is, judged from its tokens before parsing it. */
type LineKind =
  | 'spec' // a specification (declaration, abbreviation, PROC definition)
  | 'function' // a FUNCTION definition
  | 'assign'
  | 'input'
  | 'output'
  | 'call'
  | 'if' // (in an IF) a nested IF
  | 'guard' // (in an IF) a boolean guard
  | 'process' // (in an IF) a process where a guard should be
  | 'other';

interface LineScan {
  first: TokenType;
  second: TokenType;
  last: TokenType | null;
  assign: boolean;
  query: boolean;
  bang: boolean;
  is: boolean;
  func: boolean;
}

const SPEC_STARTERS = new Set<TokenType>([
  T.VAL, T.PROC, T.INLINE, T.REC, T.RECURSIVE, T.CHAN, T.TIMER, T.PORT, T.SHARED, T.DATA, T.PROTOCOL, T.INITIAL,
  T.PLACE,
]);

function isLayout(t: TokenType): boolean {
  return t === T.NL || t === T.INDENT || t === T.OUTDENT || t === EOF;
}

/** Words that start constructs the parser does not handle yet, and how to name them in the message. */
const NOT_YET: ReadonlyMap<TokenType, string> = new Map([
  [T.CASE, 'CASE'],
  [T.ALT, 'ALT'],
  [T.DATA, 'DATA TYPE'],
  [T.PROTOCOL, 'PROTOCOL'],
  [T.PLACE, 'PLACE'],
  [T.PLACED, 'PLACED PAR'],
  [T.PROCESSOR, 'PROCESSOR'],
  [T.INITIAL, 'INITIAL'],
  [T.RESULT, 'RESULT abbreviation'],
  [T.CLAIM, 'CLAIM'],
  [T.FORK, 'FORK'],
  [T.FORKING, 'FORKING'],
  [T.MOBILE, 'MOBILE'],
  [T.BARRIER, 'BARRIER'],
  [T.SYNC, 'SYNC'],
  [T.RESIGN, 'RESIGN'],
  [T.SUSPEND, 'SUSPEND'],
  [T.SHARED, 'SHARED'],
  [T.VALOF, 'VALOF'],
]);

// ---------------------------------------------------------------------------------------------------- AST helpers

type Item =
  | { readonly kind: 'spec'; readonly spec: A.Spec }
  | { readonly kind: 'process'; readonly process: A.Process }
  /** A line that was reported and skipped. */
  | { readonly kind: 'error' };

type ChoiceItem =
  | Item
  | { readonly kind: 'choice'; readonly guard: A.Expr; readonly body: A.Process; readonly span: Span }
  | { readonly kind: 'if'; readonly process: A.IfProcess };

/** The first part of an expression: an operand, or a form that cannot be the left operand of a dyadic operator. */
interface Head {
  readonly expr: A.Expr;
  /** Whether it may be followed by a dyadic operator (an operand) or not (monadic, SIZE, conversion, MOSTPOS). */
  readonly isOperand: boolean;
}

interface RawFormal {
  readonly isVal: boolean;
  readonly type: A.TypeNode | null;
  readonly name: IToken;
  readonly direction: '?' | '!' | null;
  readonly span: Span;
}

interface Dim {
  readonly size: A.Expr | null;
  readonly open: IToken;
}

interface Extra {
  readonly severity: Severity;
  readonly span: Span;
  readonly message: string;
  readonly hint?: string;
}

/** Thrown (after recording a diagnostic) to abandon a line that uses something not supported yet. */
function notYetException(message: string, token: IToken, previous: IToken): IRecognitionException {
  return new MismatchedTokenException(message, token, previous) as unknown as IRecognitionException;
}

const PLACEHOLDER_FILE = new SourceFile(-1, '<none>', '');

// ---------------------------------------------------------------------------------------------------- the parser

class OccamParser extends EmbeddedActionsParser {
  private file: SourceFile = PLACEHOLDER_FILE;
  private extras: Extra[] = [];
  private index = new Map<IToken, number>();
  private tokens: IToken[] = [];

  /**
   * `validate` runs chevrotain's grammar checks (ambiguities, left recursion, ...). They cost start-up time and
   * can only fail when the grammar itself is changed, so the compiler skips them and a test runs them.
   */
  constructor(validate = false) {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 2,
      errorMessageProvider: messageProvider,
      skipValidations: !validate,
    });
    // Re-sync inside repetitions skips tokens to wherever the repetition can continue, often mid-line; the
    // line-based recovery in `guarded` does better for occam.
    (this as unknown as { attemptInRepetitionRecovery: () => void }).attemptInRepetitionRecovery = () => {};
    this.performSelfAnalysis();
  }

  begin(file: SourceFile, tokens: IToken[]): void {
    this.file = file;
    this.extras = [];
    this.tokens = tokens;
    this.index = new Map();
    tokens.forEach((t, i) => this.index.set(t, i));
    this.input = tokens;
  }

  /** Move the errors of the last parse into `diags`. */
  finish(diags: Diagnostics): void {
    const seen = new Set<number>();
    const quiet = indentationErrorLines(this.tokens);
    const all: Extra[] = [...this.extras];
    for (const e of this.errors) {
      let [message, hint] = e.message.split('\n');
      if (e.name === 'MismatchedTokenException' && tokenMatcher(e.token, T.Keyword) && /\bname\b/.test(message!)) {
        message = `${e.token.image} is a reserved word, so it cannot be used as a name`;
        hint = 'choose another name (keywords are upper case, so a lower-case name never clashes)';
      }
      all.push({ severity: 'error', span: this.tokenSpan(e.token), message: message!, hint });
    }
    for (const d of all) {
      if (d.severity === 'error') {
        if (seen.has(d.span.start) || quiet.has(d.span.line)) continue;
        seen.add(d.span.start);
        diags.error(d.span, d.message, d.hint);
      } else diags.warning(d.span, d.message, d.hint);
    }
    this.input = [];
    this.tokens = [];
    this.index = new Map();
    this.extras = [];
    this.file = PLACEHOLDER_FILE;
  }

  // ------------------------------------------------------------------------------------------ helpers

  private rule<F extends (...args: any[]) => any>(name: string, impl: F) {
    return this.RULE(name, impl, { resyncEnabled: false });
  }

  /** The span of a token; the end-of-file token gets the end of the last real token. */
  private tokenSpan(tok: IToken): Span {
    if (Number.isNaN(tok.startOffset) || tok.tokenType === EOF) {
      const last = this.tokens[this.tokens.length - 1];
      const at = last ? last.startOffset + last.image.length : this.file.text.length;
      return spanOf(this.file, at, at);
    }
    return spanOf(this.file, tok.startOffset, tok.startOffset + Math.max(tok.image.length, 1));
  }

  private tokSpan(tok: IToken): Span {
    return spanOf(this.file, tok.startOffset, tok.startOffset + tok.image.length);
  }

  private fromTo(first: Span, last: Span): Span {
    return joinSpans(first, last);
  }

  private error(span: Span, message: string, hint?: string): void {
    if (this.RECORDING_PHASE) return;
    this.extras.push({ severity: 'error', span, message, hint });
  }

  private warning(span: Span, message: string, hint?: string): void {
    if (this.RECORDING_PHASE) return;
    this.extras.push({ severity: 'warning', span, message, hint });
  }

  /** Report `what is not supported yet` at `tok` and abandon the current line. */
  private notYet(tok: IToken, what: string): never {
    if (this.RECORDING_PHASE) return undefined as never;
    this.error(this.tokSpan(tok), `${what} is not supported yet`);
    throw notYetException(`${what} is not supported yet`, tok, this.LA(0));
  }

  /** Source text of a span with runs of blanks collapsed, for quoting in messages. */
  private text(span: Span): string {
    return this.file.text.slice(span.start, span.end).replace(/\s+/g, ' ');
  }

  /** A token for single-token insertion, placed just after the previous token so messages point somewhere real. */
  protected override getTokenToInsert(tokType: TokenType): IToken {
    const prev = this.LA(0);
    const at = Number.isNaN(prev.startOffset) ? 0 : prev.startOffset + prev.image.length;
    const tok = createTokenInstance(tokType, '', at, at, prev.startLine ?? 0, prev.endLine ?? 0, 0, 0);
    tok.isInsertedInRecovery = true;
    return tok;
  }

  protected override canTokenTypeBeInsertedInRecovery(tokType: TokenType): boolean {
    return tokType === T.Colon || tokType === T.RParen || tokType === T.RBracket;
  }

  protected override canTokenTypeBeDeletedInRecovery(): boolean {
    return !isLayout(this.LA(1).tokenType);
  }

  /**
   * Parse one line (and what is indented under it) with `parse`; on a syntax error skip what is left of the line
   * and its indented block, so that parsing resumes at the next line of the same block.
   */
  private guarded<R>(parse: () => R, fallback: R): R {
    const start = this.LA(1);
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof Error) || !isRecognitionException(e)) throw e;
      this.recoverLine(start);
      return fallback;
    }
  }

  private recoverLine(start: IToken): void {
    if (this.RECORDING_PHASE) return;
    const from = this.index.get(start) ?? 0;
    const now = this.LA(1);
    const to = now.tokenType === EOF ? this.tokens.length : (this.index.get(now) ?? from);
    // Blocks the failed line opened and did not close.
    let depth = 0;
    for (let k = from; k < to; k++) {
      const tt = this.tokens[k]!.tokenType;
      if (tt === T.INDENT) depth++;
      else if (tt === T.OUTDENT) depth--;
    }
    const prev = this.LA(0).tokenType;
    if (to > from && depth === 0 && (prev === T.NL || prev === T.OUTDENT)) return; // already at a line start
    this.skipLine(depth);
  }

  /**
   * Skip to the start of the next line at the current level: past the NL ending this line and past any block
   * indented under it. `depth` counts blocks already opened (whose OUTDENTs must be skipped too).
   */
  private skipLine(depth = 0): void {
    for (;;) {
      const tt = this.LA(1).tokenType;
      if (tt === EOF) return;
      if (tt === T.OUTDENT) {
        if (depth === 0) return;
        depth--;
        this.SKIP_TOKEN();
        if (depth === 0) return;
        continue;
      }
      if (tt === T.INDENT) depth++;
      this.SKIP_TOKEN();
      if (tt === T.NL && depth === 0) break;
    }
    if (this.LA(1).tokenType === T.INDENT) this.skipBlock();
  }

  /** Skip an INDENT ... OUTDENT block. */
  private skipBlock(): void {
    let depth = 0;
    for (;;) {
      const tt = this.LA(1).tokenType;
      if (tt === EOF) return;
      this.SKIP_TOKEN();
      if (tt === T.INDENT) depth++;
      else if (tt === T.OUTDENT && --depth === 0) return;
    }
  }

  /** Scan the current line up to its NL (brackets nest) and note what it contains at bracket depth 0. */
  private scanLine(): LineScan {
    const scan: LineScan = {
      first: this.LA(1).tokenType,
      second: this.LA(2).tokenType,
      last: null,
      assign: false,
      query: false,
      bang: false,
      is: false,
      func: false,
    };
    let depth = 0;
    for (let k = 1; ; k++) {
      const tt = this.LA(k).tokenType;
      if (isLayout(tt)) break;
      scan.last = tt;
      if (tt === T.LParen || tt === T.LBracket) depth++;
      else if (tt === T.RParen || tt === T.RBracket) depth = Math.max(0, depth - 1);
      else if (depth === 0) {
        if (tt === T.Assign) scan.assign = true;
        else if (tt === T.Query || tt === T.DoubleQuery) scan.query = true;
        else if (tt === T.Bang) scan.bang = true;
        else if (tt === T.IS || tt === T.RETYPES || tt === T.RESHAPES) scan.is = true;
        else if (tt === T.FUNCTION) scan.func = true;
      }
    }
    return scan;
  }

  /** Classify a line in a block of processes (or at the top level). */
  private classifyLine(): LineKind {
    const s = this.scanLine();
    if (s.func) return 'function';
    if (s.first === T.VAL || s.first === T.PROC || s.first === T.INLINE || s.first === T.REC || s.first === T.RECURSIVE) return 'spec';
    if (s.first === T.CHAN || s.first === T.TIMER || s.first === T.PORT || tokenMatcher(this.LA(1), T.PrimType)) return 'spec';
    if (s.first === T.Name || s.first === T.LBracket) {
      if (s.is) return 'spec';
      if (s.assign) return 'assign';
      if (s.query) return 'input';
      if (s.bang) return 'output';
      if (s.first === T.Name && (s.second === T.LParen || isLayout(s.second))) return 'call';
      if (s.last === T.Colon || s.first === T.LBracket || s.second === T.Name) return 'spec';
    }
    return 'other';
  }

  /** Classify a line in the body of an IF. */
  private classifyChoice(): LineKind {
    const s = this.scanLine();
    if (s.first === T.IF) return 'if';
    if (NOT_YET.has(s.first)) return 'other';
    if (s.func) return 'function';
    if (s.is || s.last === T.Colon || SPEC_STARTERS.has(s.first)) return 'spec';
    if (s.assign || s.query || s.bang) return 'process';
    return 'guard';
  }

  // ------------------------------------------------------------------------------------------ blocks

  /** A sequence of specifications (the top level of a file). */
  program = this.rule('program', (): A.Program => {
    const items: Item[] = [];
    this.MANY(() => {
      items.push(this.guarded(() => this.SUBRULE(this.item, { ARGS: ['top'] }), { kind: 'error' }));
    });
    return this.ACTION(() => {
      const specs: A.Spec[] = [];
      for (const it of items) {
        if (it.kind === 'spec') specs.push(it.spec);
        else if (it.kind === 'process') {
          this.error(
            it.process.span,
            'a process cannot appear at the top level of a file',
            'put it in the body of a PROC; the last PROC in the file is the program',
          );
        }
      }
      return { span: spanOf(this.file, 0, this.file.text.length), specs };
    });
  });

  /** One line (with anything indented under it) in a block of processes or at the top level. */
  item = this.rule('item', (ctx: Ctx = 'block'): Item => {
    const kind = this.classifyLine();
    const proc = (p: A.Process): Item => ({ kind: 'process', process: p });
    return this.OR<Item>({
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => kind === 'spec',
          ALT: () => {
            const spec = this.SUBRULE(this.specification);
            return this.ACTION(() => ({ kind: 'spec', spec }));
          },
        },
        { ALT: () => proc(this.SUBRULE(this.primitive)) },
        { ALT: () => proc(this.SUBRULE(this.seqProc)) },
        {
          GATE: () => this.LA(1).tokenType !== T.PRI || this.LA(2).tokenType === T.PAR,
          ALT: () => proc(this.SUBRULE(this.parProc)),
        },
        { ALT: () => proc(this.SUBRULE(this.ifProc)) },
        { ALT: () => proc(this.SUBRULE(this.whileProc)) },
        { GATE: () => kind === 'assign', ALT: () => proc(this.SUBRULE(this.assignment)) },
        { GATE: () => kind === 'input', ALT: () => proc(this.SUBRULE(this.inputProc)) },
        { GATE: () => kind === 'output', ALT: () => proc(this.SUBRULE(this.outputProc)) },
        { GATE: () => kind === 'call', ALT: () => proc(this.SUBRULE(this.call)) },
        { ALT: () => this.SUBRULE(this.junk, { ARGS: [ctx, kind] }) },
      ],
    });
  });

  /** A line that cannot start anything here: report it and skip it with its indented block. */
  junk = this.rule('junk', (ctx: Ctx = 'block', kind: LineKind = 'other'): Item => {
    const tok = this.CONSUME(T.AnyToken);
    this.ACTION(() => {
      this.reportJunk(tok, ctx, kind);
      if (tok.tokenType === T.INDENT) {
        this.skipBlockAfterIndent();
      } else if (tok.tokenType !== T.NL) {
        this.skipLine();
      }
    });
    return { kind: 'error' };
  });

  private skipBlockAfterIndent(): void {
    let depth = 1;
    for (;;) {
      const tt = this.LA(1).tokenType;
      if (tt === EOF) return;
      this.SKIP_TOKEN();
      if (tt === T.INDENT) depth++;
      else if (tt === T.OUTDENT && --depth === 0) return;
    }
  }

  private reportJunk(tok: IToken, ctx: Ctx, kind: LineKind): void {
    const span = this.tokenSpan(tok);
    const tt = tok.tokenType;
    if (tt === T.INDENT) {
      if (tok.payload === 'reported') return;
      this.error(
        span,
        'this line is indented further than the line above, but that line does not start a block',
        'indent it the same as the line above; to continue the line above instead, end it with an operator, `,`, `;`, `:=` or IS',
      );
      return;
    }
    if (tt === T.Directive) {
      const word = tok.image.split(/\s/)[0];
      this.error(span, `the directive ${word} is not supported yet`);
      return;
    }
    if (kind === 'function') {
      this.error(span, 'FUNCTION definitions are not supported yet');
      return;
    }
    if (tt === T.PRI && this.LA(1).tokenType === T.ALT) {
      this.error(span, 'PRI ALT is not supported yet');
      return;
    }
    const notYet = NOT_YET.get(tt);
    if (notYet) {
      this.error(span, `${notYet} is not supported yet`);
      return;
    }
    if (ctx === 'choice') {
      if (kind === 'process') {
        this.error(
          span,
          'expected a condition: each line directly under IF is a condition with its process indented under it',
          'write the condition (for example TRUE) on this line and indent the process under it',
        );
      } else {
        this.error(span, `expected an IF choice (a condition), found ${describeToken(tok)}`);
      }
      return;
    }
    if (tt === T.Name) {
      const lineEnd = this.nextLayoutToken();
      const text = this.text(spanOf(this.file, tok.startOffset, lineEnd));
      this.error(
        span,
        `\`${text}\` is not a process or a declaration`,
        'a process is an assignment (x := e), an input (c ? x), an output (c ! e), a PROC call (p (args)) or a construct such as SEQ',
      );
      return;
    }
    if (tt === T.Colon && ctx === 'block') {
      this.error(span, 'unexpected `:`', 'the `:` that ends a PROC goes on its own line, in the same column as the word PROC');
      return;
    }
    const what = ctx === 'top' ? 'a declaration or a PROC definition' : 'a process or a declaration';
    this.error(span, `expected ${what}, found ${describeToken(tok)}`);
  }

  /** The start offset of the next layout token (the end of the current line). */
  private nextLayoutToken(): number {
    for (let k = 1; ; k++) {
      const t = this.LA(k);
      if (isLayout(t.tokenType)) {
        const prev = this.LA(k - 1);
        return prev.startOffset + prev.image.length;
      }
    }
  }

  /** An optional block of lines indented under the current line. Null when there is none. */
  body = this.rule('body', (): Item[] | null => {
    const items: Item[] = [];
    const present = this.OPTION(() => {
      this.CONSUME(T.INDENT);
      this.MANY(() => {
        items.push(this.guarded(() => this.SUBRULE(this.item), { kind: 'error' }));
      });
      this.CONSUME(T.OUTDENT);
      return true;
    });
    return present ? items : null;
  });

  /** Processes from the lines of a block: specifications are gathered into a scope around the process after them. */
  private processes(items: readonly Item[]): A.Process[] {
    const out: A.Process[] = [];
    let pending: A.Spec[] = [];
    let hadError = false;
    for (const it of items) {
      if (it.kind === 'spec') pending.push(it.spec);
      else if (it.kind === 'error') {
        hadError = true;
        pending = [];
      } else if (pending.length > 0) {
        out.push({ kind: 'scope', span: this.fromTo(pending[0]!.span, it.process.span), specs: pending, body: it.process });
        pending = [];
      } else out.push(it.process);
    }
    if (pending.length > 0 && !hadError) {
      this.error(
        pending[0]!.span,
        'this declaration is not followed by a process',
        'a declaration covers only the process that follows it, at the same indentation',
      );
    }
    return out;
  }

  /**
   * The single process indented under a line (a WHILE body, a PROC body, ...). `what` names the owner in messages.
   * Returns SKIP after reporting an error if there is none.
   */
  private single(items: readonly Item[] | null, owner: Span, what: string): A.Process {
    const ps = items ? this.processes(items) : [];
    if (ps.length === 0) {
      if (!items || !items.some((i) => i.kind !== 'process')) {
        this.error(owner, `${what} needs a process indented under it`, 'indent the process 2 spaces further than this line');
      }
      return { kind: 'skip', span: owner };
    }
    if (ps.length > 1) {
      this.error(
        ps[1]!.span,
        `only one process can be indented under ${what}`,
        'to run several processes, put them under SEQ or PAR',
      );
    }
    return ps[0]!;
  }

  // ------------------------------------------------------------------------------------------ specifications

  specification = this.rule('specification', (): A.Spec => {
    return this.OR<A.Spec>([
      { ALT: () => this.SUBRULE(this.valSpec) },
      { ALT: () => this.SUBRULE(this.procDef) },
      { ALT: () => this.SUBRULE(this.typedSpec) },
    ]);
  });

  /** `VAL [T] x IS e:` */
  valSpec = this.rule('valSpec', (): A.Spec => {
    const val = this.CONSUME(T.VAL);
    // Chevrotain's lookahead for an OPTION looks only inside it, so `VAL x IS` would take `x` for a type name.
    const type = this.OPTION({
      GATE: () => this.LA(1).tokenType !== T.Name || this.LA(2).tokenType === T.Name,
      DEF: () => this.SUBRULE(this.specifier),
    });
    const name = this.CONSUME(T.Name, { ERR_MSG: msg('expected the name being defined', 'write VAL INT name IS value:') });
    this.OR([
      { ALT: () => this.CONSUME(T.IS) },
      { ALT: () => this.notYet(this.CONSUME(T.RETYPES), 'RETYPES') },
      { ALT: () => this.notYet(this.CONSUME(T.RESHAPES), 'RESHAPES') },
    ]);
    const value = this.SUBRULE(this.expression);
    const colon = this.CONSUME(T.Colon, { ERR_MSG: msg('`:` missing at the end of the abbreviation', 'end it with `:`, as in VAL INT n IS 5:') });
    this.CONSUME(T.NL);
    return this.ACTION(() => ({
      kind: 'val',
      span: this.fromTo(this.tokSpan(val), this.tokSpan(colon)),
      type: type ?? null,
      name: this.ident(name),
      value,
    }));
  });

  /** Declarations `T a, b:` and abbreviations `[T] x IS element:`. */
  typedSpec = this.rule('typedSpec', (): A.Spec => {
    return this.OR<A.Spec>([
      {
        // `x IS element:` with no type
        ALT: () => {
          const name = this.CONSUME(T.Name);
          this.CONSUME(T.IS);
          const target = this.SUBRULE(this.actual);
          const colon = this.CONSUME(T.Colon, { ERR_MSG: msg('`:` missing at the end of the abbreviation') });
          this.CONSUME(T.NL);
          return this.ACTION(() => ({
            kind: 'abbrev',
            span: this.fromTo(this.tokSpan(name), this.tokSpan(colon)),
            type: null,
            name: this.ident(name),
            target,
          }));
        },
      },
      {
        ALT: () => {
          const type = this.SUBRULE(this.specifier);
          const first = this.CONSUME2(T.Name, { ERR_MSG: msg('expected a name after the type', 'a declaration is a type and names, like INT a, b:') });
          this.OPTION(() => {
            const d = this.SUBRULE(this.direction);
            this.ACTION(() => this.notYet(d, 'a direction decorator on a declared name'));
          });
          const names: IToken[] = [first];
          const target = this.OPTION2(() =>
            this.OR2<A.Expr>([
              {
                ALT: () => {
                  this.CONSUME2(T.IS);
                  return this.SUBRULE2(this.actual);
                },
              },
              { ALT: () => this.notYet(this.CONSUME(T.RETYPES), 'RETYPES') },
              { ALT: () => this.notYet(this.CONSUME(T.RESHAPES), 'RESHAPES') },
            ]),
          );
          this.MANY(() => {
            this.CONSUME(T.Comma);
            names.push(this.CONSUME3(T.Name));
          });
          const colon = this.CONSUME2(T.Colon, {
            ERR_MSG: target
              ? msg('`:` missing at the end of the abbreviation')
              : msg('`:` missing at the end of the declaration', 'a declaration ends with `:`, as in INT a, b:'),
          });
          this.CONSUME2(T.NL);
          return this.ACTION((): A.Spec => {
            const span = this.fromTo(type.span, this.tokSpan(colon));
            if (target !== undefined) {
              if (names.length > 1) this.error(this.tokSpan(names[1]!), 'an abbreviation defines only one name');
              return { kind: 'abbrev', span, type, name: this.ident(first), target };
            }
            this.checkDeclType(type);
            return { kind: 'decl', span, type, names: names.map((n) => this.ident(n)) };
          });
        },
      },
    ]);
  });

  /** An array declaration needs sizes (`[]` is only for parameters and abbreviations). */
  private checkDeclType(type: A.TypeNode): void {
    for (let t: A.TypeNode = type; t.kind === 'array'; t = t.elem) {
      if (t.size === null) {
        this.error(t.span, 'an array declaration needs a size', 'give the size in the brackets, like [10]INT a:');
        return;
      }
    }
  }

  /** `PROC name (formals)` with its body and closing `:`. */
  procDef = this.rule('procDef', (): A.ProcDef => {
    const start = this.OPTION(() =>
      this.OR([
        { ALT: () => this.CONSUME(T.INLINE) },
        { ALT: () => this.notYet(this.CONSUME(T.REC), 'REC PROC (recursion)') },
        { ALT: () => this.notYet(this.CONSUME(T.RECURSIVE), 'RECURSIVE PROC (recursion)') },
      ]),
    );
    const kw = this.CONSUME(T.PROC);
    const name = this.CONSUME(T.Name, { ERR_MSG: msg('expected the name of the PROC after PROC') });
    this.CONSUME(T.LParen, {
      ERR_MSG: msg('expected `(` after the PROC name', 'a PROC with no parameters is written PROC name ()'),
    });
    const raw: RawFormal[] = [];
    this.OPTION2(() => {
      raw.push(this.SUBRULE(this.formal));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        raw.push(this.SUBRULE2(this.formal));
      });
    });
    this.CONSUME(T.RParen, { ERR_MSG: msg('expected `,` or `)` in the parameter list') });
    this.CONSUME(T.NL);
    const items = this.SUBRULE(this.body);
    const colon = this.OPTION3(() => {
      const c = this.CONSUME(T.Colon);
      this.CONSUME2(T.NL);
      return c;
    });
    return this.ACTION((): A.ProcDef => {
      const head = this.tokSpan(start ?? kw);
      const body = this.single(items, this.fromTo(this.tokSpan(kw), this.tokSpan(name)), `PROC ${name.image}`);
      if (!colon) {
        this.error(
          this.tokSpan(name),
          `the definition of PROC ${name.image} is not closed by \`:\``,
          'after the body, put `:` on a line of its own, in the same column as the word PROC',
        );
      }
      return {
        kind: 'proc',
        span: this.fromTo(head, colon ? this.tokSpan(colon) : body.span),
        name: this.ident(name),
        formals: this.formals(raw),
        body,
      };
    });
  });

  /** A formal parameter; one without a type (`b` in `VAL INT a, b`) shares the previous one's. */
  formal = this.rule('formal', (): RawFormal => {
    return this.OR<RawFormal>([
      {
        ALT: () => {
          const mode = this.OPTION(() =>
            this.OR2([
              { ALT: () => this.CONSUME(T.VAL) },
              // A RESULT parameter is passed by reference like a plain one; the "must be assigned" rule is not checked.
              { ALT: () => this.CONSUME(T.RESULT) },
            ]),
          );
          const type = this.SUBRULE(this.specifier);
          const name = this.CONSUME(T.Name, { ERR_MSG: msg('expected the parameter name after its type') });
          const dir = this.OPTION2(() => this.SUBRULE(this.direction));
          return this.ACTION(() => ({
            isVal: mode?.tokenType === T.VAL,
            type,
            name,
            direction: dir ? (dir.image as '?' | '!') : null,
            span: this.fromTo(mode ? this.tokSpan(mode) : type.span, this.tokSpan(dir ?? name)),
          }));
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME2(T.Name);
          const dir = this.OPTION3(() => this.SUBRULE2(this.direction));
          return this.ACTION(() => ({
            isVal: false,
            type: null,
            name,
            direction: dir ? (dir.image as '?' | '!') : null,
            span: this.fromTo(this.tokSpan(name), this.tokSpan(dir ?? name)),
          }));
        },
      },
    ]);
  });

  direction = this.rule('direction', (): IToken => {
    return this.OR([{ ALT: () => this.CONSUME(T.Query) }, { ALT: () => this.CONSUME(T.Bang) }]);
  });

  private formals(raw: readonly RawFormal[]): A.Formal[] {
    const out: A.Formal[] = [];
    let prev: { isVal: boolean; type: A.TypeNode } | null = null;
    for (const f of raw) {
      let isVal = f.isVal;
      let type = f.type;
      if (type === null) {
        if (prev === null) {
          this.error(f.span, `the parameter ${f.name.image} needs a type`, `write its type before it, like INT ${f.name.image} or CHAN INT ${f.name.image}?`);
          type = { kind: 'named', span: f.span, name: '?' };
        } else {
          isVal = prev.isVal;
          type = prev.type;
        }
      }
      prev = { isVal, type };
      out.push({ isVal, type, name: this.ident(f.name), direction: f.direction, span: f.span });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ types

  /** `{[size]} base`, where sizes may be omitted (`[]INT`) in parameters and abbreviations. */
  specifier = this.rule('specifier', (): A.TypeNode => {
    const dims: Dim[] = [];
    this.MANY(() => {
      const open = this.CONSUME(T.LBracket);
      const size = this.OPTION(() => this.SUBRULE(this.expression));
      this.CONSUME(T.RBracket);
      dims.push({ open, size: size ?? null });
    });
    const base = this.SUBRULE(this.baseType);
    return this.ACTION(() => this.wrapDims(dims, base));
  });

  private wrapDims(dims: readonly Dim[], base: A.TypeNode): A.TypeNode {
    let t = base;
    for (let k = dims.length - 1; k >= 0; k--) {
      const d = dims[k]!;
      t = { kind: 'array', span: this.fromTo(this.tokSpan(d.open), base.span), size: d.size, elem: t };
    }
    return t;
  }

  baseType = this.rule('baseType', (): A.TypeNode => {
    return this.OR<A.TypeNode>([
      { ALT: () => this.primType(this.CONSUME(T.PrimType)) },
      {
        ALT: () => {
          const chan = this.CONSUME(T.CHAN);
          this.OPTION(() => this.CONSUME(T.OF));
          const protocol = this.SUBRULE(this.protocol);
          return this.ACTION(() => ({ kind: 'chan', span: this.fromTo(this.tokSpan(chan), protocol.span), protocol }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.TIMER);
          return this.ACTION(() => ({ kind: 'timer', span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Name);
          return this.ACTION(() => ({ kind: 'named', span: this.tokSpan(t), name: t.image }));
        },
      },
      { ALT: () => this.notYet(this.CONSUME(T.PORT), 'PORT') },
      { ALT: () => this.notYet(this.CONSUME(T.SHARED), 'SHARED') },
    ]);
  });

  private primType(t: IToken): A.TypeNode {
    return this.ACTION(() => ({ kind: 'prim', span: this.tokSpan(t), name: t.image as A.PrimName }));
  }

  protocol = this.rule('protocol', (): A.ProtocolNode => {
    return this.OR<A.ProtocolNode>([
      { ALT: () => this.notYet(this.CONSUME(T.ANY), 'CHAN OF ANY') },
      {
        ALT: () => {
          const type = this.SUBRULE(this.dataType);
          this.OPTION(() =>
            this.OR2([
              { ALT: () => this.notYet(this.CONSUME(T.Semicolon), 'a sequential protocol (`;`)') },
              { ALT: () => this.notYet(this.CONSUME(T.CountedSep), 'a counted array protocol (`::`)') },
            ]),
          );
          return this.ACTION((): A.ProtocolNode =>
            type.kind === 'named' ? { kind: 'named', span: type.span, name: type.name } : { kind: 'simple', span: type.span, type },
          );
        },
      },
    ]);
  });

  /** A data type: `{[size]} (primitive | name)`. */
  dataType = this.rule('dataType', (): A.TypeNode => {
    const dims: Dim[] = [];
    this.MANY(() => {
      const open = this.CONSUME(T.LBracket);
      const size = this.OPTION(() => this.SUBRULE(this.expression));
      this.CONSUME(T.RBracket);
      dims.push({ open, size: size ?? null });
    });
    const base = this.OR<A.TypeNode>([
      { ALT: () => this.primType(this.CONSUME(T.PrimType)) },
      {
        ALT: () => {
          const t = this.CONSUME(T.Name);
          return this.ACTION(() => ({ kind: 'named', span: this.tokSpan(t), name: t.image }));
        },
      },
    ]);
    return this.ACTION(() => this.wrapDims(dims, base));
  });

  // ------------------------------------------------------------------------------------------ processes

  primitive = this.rule('primitive', (): A.Process => {
    const t = this.OR([{ ALT: () => this.CONSUME(T.SKIP) }, { ALT: () => this.CONSUME(T.STOP) }]);
    this.CONSUME(T.NL);
    return this.ACTION(() => ({ kind: t.tokenType === T.SKIP ? 'skip' : 'stop', span: this.tokSpan(t) }));
  });

  replicator = this.rule('replicator', (): A.Replicator => {
    const index = this.CONSUME(T.Name);
    this.CONSUME(T.Equal, { ERR_MSG: msg('expected `=` in the replicator', 'a replicator is written like i = 0 FOR n') });
    const base = this.SUBRULE(this.expression);
    this.CONSUME(T.FOR, { ERR_MSG: msg('expected FOR in the replicator', 'a replicator is written like i = 0 FOR n') });
    const count = this.SUBRULE2(this.expression);
    this.OPTION(() => this.notYet(this.CONSUME(T.STEP), 'STEP in a replicator'));
    return this.ACTION(() => ({
      span: this.fromTo(this.tokSpan(index), count.span),
      index: this.ident(index),
      base,
      count,
    }));
  });

  /** The body of a construct that takes a list of processes, or a replicated one that takes one process. */
  private constructBody(items: Item[] | null, repl: A.Replicator | null, owner: Span, what: string): A.Process[] {
    if (repl) return [this.single(items, owner, `the replicated ${what}`)];
    return items ? this.processes(items) : [];
  }

  seqProc = this.rule('seqProc', (): A.Process => {
    const kw = this.CONSUME(T.SEQ);
    const repl = this.OPTION(() => this.SUBRULE(this.replicator));
    this.CONSUME(T.NL);
    const items = this.SUBRULE(this.body);
    return this.ACTION((): A.Process => {
      const body = this.constructBody(items, repl ?? null, this.tokSpan(kw), 'SEQ');
      return { kind: 'seq', span: this.spanWithBody(kw, body), repl: repl ?? null, body };
    });
  });

  parProc = this.rule('parProc', (): A.Process => {
    const pri = this.OPTION(() => this.CONSUME(T.PRI));
    const kw = this.CONSUME(T.PAR);
    const repl = this.OPTION2(() => this.SUBRULE(this.replicator));
    this.CONSUME(T.NL);
    const items = this.SUBRULE(this.body);
    return this.ACTION((): A.Process => {
      const first = pri ?? kw;
      const body = this.constructBody(items, repl ?? null, this.tokSpan(first), pri ? 'PRI PAR' : 'PAR');
      return { kind: 'par', span: this.spanWithBody(first, body), pri: pri !== undefined, repl: repl ?? null, body };
    });
  });

  private spanWithBody(first: IToken, body: readonly { span: Span }[]): Span {
    const head = this.tokSpan(first);
    const last = body[body.length - 1];
    return last ? this.fromTo(head, last.span) : head;
  }

  whileProc = this.rule('whileProc', (): A.Process => {
    const kw = this.CONSUME(T.WHILE);
    const cond = this.SUBRULE(this.expression);
    this.CONSUME(T.NL);
    const items = this.SUBRULE(this.body);
    return this.ACTION((): A.Process => {
      const body = this.single(items, this.fromTo(this.tokSpan(kw), cond.span), 'WHILE');
      return { kind: 'while', span: this.fromTo(this.tokSpan(kw), body.span), cond, body };
    });
  });

  ifProc = this.rule('ifProc', (): A.IfProcess => {
    const kw = this.CONSUME(T.IF);
    const repl = this.OPTION(() => this.SUBRULE(this.replicator));
    this.CONSUME(T.NL);
    const items: ChoiceItem[] = [];
    const present = this.OPTION2(() => {
      this.CONSUME(T.INDENT);
      this.MANY(() => {
        items.push(this.guarded(() => this.SUBRULE(this.choiceItem), { kind: 'error' }));
      });
      this.CONSUME(T.OUTDENT);
      return true;
    });
    return this.ACTION((): A.IfProcess => {
      const choices = this.choices(items);
      const head = this.tokSpan(kw);
      if (repl && present && choices.length !== 1 && !items.some((i) => i.kind === 'error')) {
        this.error(
          choices.length === 0 ? head : choices[1]!.span,
          choices.length === 0 ? 'the replicated IF needs a choice indented under it' : 'a replicated IF has exactly one choice under it',
          choices.length === 0 ? undefined : 'to try several conditions for each value, nest an IF inside the replicated one',
        );
      } else if (repl && !present) {
        this.error(head, 'the replicated IF needs a choice indented under it');
      }
      return { kind: 'if', span: this.spanWithBody(kw, choices), repl: repl ?? null, choices };
    });
  });

  private choices(items: readonly ChoiceItem[]): (A.Choice | A.IfProcess)[] {
    const out: (A.Choice | A.IfProcess)[] = [];
    let pending: A.Spec[] = [];
    let hadError = false;
    for (const it of items) {
      switch (it.kind) {
        case 'spec':
          pending.push(it.spec);
          break;
        case 'error':
          hadError = true;
          pending = [];
          break;
        case 'process':
          break;
        case 'choice': {
          const span = pending.length > 0 ? this.fromTo(pending[0]!.span, it.span) : it.span;
          out.push({ span, specs: pending, guard: it.guard, body: it.body });
          pending = [];
          break;
        }
        case 'if':
          if (pending.length > 0) {
            this.error(pending[0]!.span, 'a declaration in front of a nested IF is not supported yet', 'move it in front of the outer IF');
            pending = [];
          }
          out.push(it.process);
          break;
      }
    }
    if (pending.length > 0 && !hadError) {
      this.error(pending[0]!.span, 'this declaration is not followed by an IF choice', 'a declaration covers only the choice after it');
    }
    return out;
  }

  /** One line under an IF: a specification, a nested IF, or a condition with its process indented under it. */
  choiceItem = this.rule('choiceItem', (): ChoiceItem => {
    const kind = this.classifyChoice();
    return this.OR<ChoiceItem>({
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => kind === 'spec',
          ALT: () => {
            const spec = this.SUBRULE(this.specification);
            return this.ACTION(() => ({ kind: 'spec', spec }));
          },
        },
        {
          ALT: () => {
            const p = this.SUBRULE(this.ifProc);
            return this.ACTION(() => ({ kind: 'if', process: p }));
          },
        },
        {
          GATE: () => kind === 'guard',
          ALT: () => {
            const guard = this.SUBRULE(this.expression);
            this.CONSUME(T.NL);
            const items = this.SUBRULE(this.body);
            return this.ACTION((): ChoiceItem => {
              const body = this.single(items, guard.span, `the IF choice \`${this.text(guard.span)}\``);
              return { kind: 'choice', guard, body, span: this.fromTo(guard.span, body.span) };
            });
          },
        },
        { ALT: () => this.SUBRULE(this.junk, { ARGS: ['choice', kind] }) },
      ],
    });
  });

  /** `a, b := e, f` */
  assignment = this.rule('assignment', (): A.Process => {
    const targets: A.Expr[] = [this.SUBRULE(this.operand)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      targets.push(this.SUBRULE2(this.operand));
    });
    this.CONSUME(T.Assign, { ERR_MSG: msg('expected `:=` after the variables being assigned') });
    const values: A.Expr[] = [this.SUBRULE(this.expression)];
    this.MANY2(() => {
      this.CONSUME2(T.Comma);
      values.push(this.SUBRULE2(this.expression));
    });
    this.CONSUME(T.NL);
    return this.ACTION((): A.Process => {
      if (targets.length !== values.length) {
        this.error(
          this.fromTo(targets[0]!.span, values[values.length - 1]!.span),
          `${targets.length} ${targets.length === 1 ? 'variable is' : 'variables are'} assigned ${values.length} ${values.length === 1 ? 'value' : 'values'}`,
          'a multiple assignment needs one value per variable',
        );
      }
      return { kind: 'assign', span: this.fromTo(targets[0]!.span, values[values.length - 1]!.span), targets, values };
    });
  });

  /** `c ? x; y` */
  inputProc = this.rule('inputProc', (): A.Process => {
    const channel = this.SUBRULE(this.operand);
    this.OR([
      { ALT: () => this.CONSUME(T.Query) },
      { ALT: () => this.notYet(this.CONSUME(T.DoubleQuery), 'extended input `??`') },
    ]);
    const items: A.Expr[] = [];
    this.OR2([
      { ALT: () => this.notYet(this.CONSUME(T.AFTER), 'timer input `? AFTER`') },
      { ALT: () => this.notYet(this.CONSUME(T.CASE), 'variant input `? CASE`') },
      {
        ALT: () => {
          items.push(this.SUBRULE2(this.operand));
          this.OPTION(() => this.notYet(this.CONSUME(T.CountedSep), 'counted array input `::`'));
          this.MANY(() => {
            this.CONSUME(T.Semicolon);
            items.push(this.SUBRULE3(this.operand));
            this.OPTION2(() => this.notYet(this.CONSUME2(T.CountedSep), 'counted array input `::`'));
          });
        },
      },
    ]);
    this.CONSUME(T.NL);
    return this.ACTION((): A.Process => {
      const last = items[items.length - 1] ?? channel;
      return { kind: 'input', span: this.fromTo(channel.span, last.span), channel, items };
    });
  });

  /** `c ! e; f` */
  outputProc = this.rule('outputProc', (): A.Process => {
    const channel = this.SUBRULE(this.operand);
    this.CONSUME(T.Bang);
    const items: A.Expr[] = [this.SUBRULE(this.expression)];
    this.OPTION(() => this.notYet(this.CONSUME(T.CountedSep), 'counted array output `::`'));
    this.MANY(() => {
      this.CONSUME(T.Semicolon);
      items.push(this.SUBRULE2(this.expression));
      this.OPTION2(() => this.notYet(this.CONSUME2(T.CountedSep), 'counted array output `::`'));
    });
    this.CONSUME(T.NL);
    return this.ACTION((): A.Process => ({
      kind: 'output',
      span: this.fromTo(channel.span, items[items.length - 1]!.span),
      channel,
      items,
    }));
  });

  /** `p (a, b, c!)` */
  call = this.rule('call', (): A.Process => {
    const name = this.CONSUME(T.Name);
    this.CONSUME(T.LParen, {
      ERR_MSG: msg('expected `(` after the PROC name', `a PROC call needs parentheses, even with no parameters: ${name.image} ()`),
    });
    const args: A.Expr[] = [];
    this.OPTION(() => {
      args.push(this.SUBRULE(this.actual));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        args.push(this.SUBRULE2(this.actual));
      });
    });
    const close = this.CONSUME(T.RParen, { ERR_MSG: msg('expected `,` or `)` in the parameter list') });
    this.CONSUME(T.NL);
    return this.ACTION((): A.Process => ({
      kind: 'pcall',
      span: this.fromTo(this.tokSpan(name), this.tokenSpan(close)),
      callee: this.ident(name),
      args,
    }));
  });

  /** An actual parameter or abbreviated element: an expression, or a channel with a direction `c?` / `c!`. */
  actual = this.rule('actual', (): A.Expr => {
    const e = this.SUBRULE(this.expression);
    const dir = this.OPTION(() => this.SUBRULE(this.direction));
    return this.ACTION((): A.Expr =>
      dir ? { kind: 'direction', span: this.fromTo(e.span, this.tokSpan(dir)), channel: e, direction: dir.image as '?' | '!' } : e,
    );
  });

  // ------------------------------------------------------------------------------------------ expressions

  expression = this.rule('expression', (): A.Expr => {
    const head = this.OR<Head>([
      {
        ALT: () => {
          const op = this.CONSUME(T.MonadicOp);
          const operand = this.SUBRULE(this.operand);
          return this.ACTION(() => ({
            isOperand: false,
            expr: { kind: 'monadic', span: this.fromTo(this.tokSpan(op), operand.span), op: op.image as A.MonadicOp, operand },
          }));
        },
      },
      {
        ALT: () => {
          const kw = this.OR2([{ ALT: () => this.CONSUME(T.MOSTPOS) }, { ALT: () => this.CONSUME(T.MOSTNEG) }]);
          const target = this.SUBRULE(this.dataType);
          return this.ACTION(() => ({
            isOperand: false,
            expr: {
              kind: kw.tokenType === T.MOSTPOS ? 'mostpos' : 'mostneg',
              span: this.fromTo(this.tokSpan(kw), target.span),
              target,
            },
          }));
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(T.SIZE);
          const operand = this.SUBRULE2(this.operand);
          return this.ACTION(() => ({
            isOperand: false,
            expr: { kind: 'size', span: this.fromTo(this.tokSpan(kw), operand.span), operand },
          }));
        },
      },
      {
        ALT: () => {
          const type = this.CONSUME(T.PrimType);
          const mode = this.OPTION(() =>
            this.OR3([{ ALT: () => this.CONSUME(T.ROUND) }, { ALT: () => this.CONSUME(T.TRUNC) }]),
          );
          const operand = this.SUBRULE3(this.operand);
          return this.ACTION(() => ({
            isOperand: false,
            expr: {
              kind: 'conversion',
              span: this.fromTo(this.tokSpan(type), operand.span),
              target: this.primType(type),
              mode: mode ? (mode.image as 'ROUND' | 'TRUNC') : 'exact',
              operand,
            },
          }));
        },
      },
      {
        ALT: () => {
          const operand = this.SUBRULE4(this.operand);
          return { isOperand: true, expr: operand };
        },
      },
    ]);
    const rest: { op: IToken; right: A.Expr }[] = [];
    this.MANY(() => {
      const op = this.CONSUME(T.DyadicOp);
      const right = this.SUBRULE5(this.operand);
      rest.push({ op, right });
    });
    return this.ACTION(() => this.combine(head, rest));
  });

  /**
   * Build `head op1 right1 op2 right2 ...`. occam has no precedence: only a chain of one repeated AND or OR is
   * legal without parentheses. Anything else is reported, and grouped from the left so checking can carry on.
   */
  private combine(head: Head, rest: readonly { op: IToken; right: A.Expr }[]): A.Expr {
    if (rest.length === 0) return head.expr;
    const ops = rest.map((r) => r.op.image);
    const chain = ops.every((o) => o === ops[0]) && (ops[0] === 'AND' || ops[0] === 'OR');
    if (!head.isOperand || (rest.length > 1 && !chain)) {
      const whole = this.fromTo(head.expr.span, rest[rest.length - 1]!.right.span);
      const parts = [this.text(head.expr.span), ...rest.flatMap((r) => [r.op.image, this.text(r.right.span)])];
      let grouped = head.isOperand ? parts[0]! : `(${parts[0]})`;
      for (let k = 1; k < parts.length; k += 2) {
        const next = `${grouped} ${parts[k]} ${parts[k + 1]}`;
        grouped = k + 2 < parts.length ? `(${next})` : next;
      }
      const repeated = ops.every((o) => o === ops[0]) && head.isOperand;
      const hint =
        grouped.length <= 70
          ? `write ${grouped}`
          : 'add parentheses so that each operator has exactly two operands, like (a + b) * c';
      const message = !head.isOperand
        ? `occam has no operator precedence: \`${this.text(head.expr.span)}\` cannot be the left operand of \`${ops[0]}\` without parentheses`
        : repeated
          ? `occam has no operator precedence or associativity: \`${this.text(whole)}\` needs parentheses`
          : `occam has no operator precedence: \`${this.text(whole)}\` mixes operators without parentheses`;
      this.error(whole, message, hint);
    }
    let e = head.expr;
    for (const { op, right } of rest) {
      e = { kind: 'dyadic', span: this.fromTo(e.span, right.span), op: op.image as A.DyadicOp, left: e, right };
    }
    return e;
  }

  operand = this.rule('operand', (): A.Expr => {
    let e = this.OR<A.Expr>([
      {
        ALT: () => {
          const t = this.CONSUME(T.IntegerLiteral);
          const decoration = this.OPTION(() => this.SUBRULE(this.decoration));
          return this.ACTION((): A.Expr => ({
            kind: 'int',
            span: this.decorated(t, decoration),
            value: t.payload as bigint,
            decoration: decoration ?? null,
            hex: t.tokenType === T.HexLiteral,
          }));
        },
      },
      {
        ALT: () => {
          // Real literals lex (with their value decoded) but the AST has no node for them yet.
          const t = this.CONSUME(T.RealLiteral);
          return this.notYet(t, 'a real (REAL32/REAL64) literal');
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.ByteLiteral);
          const decoration = this.OPTION3(() => this.SUBRULE3(this.decoration));
          return this.ACTION((): A.Expr => ({
            kind: 'byte',
            span: this.decorated(t, decoration),
            value: t.payload as number,
            decoration: decoration ?? null,
          }));
        },
      },
      {
        ALT: () => {
          const t = this.OR2([{ ALT: () => this.CONSUME(T.TRUE) }, { ALT: () => this.CONSUME(T.FALSE) }]);
          return this.ACTION((): A.Expr => ({ kind: 'bool', span: this.tokSpan(t), value: t.tokenType === T.TRUE }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.StringLiteral);
          this.OPTION4(() => this.notYet(this.CONSUME(T.LParen), 'a decorated string or table'));
          return this.ACTION((): A.Expr => ({ kind: 'string', span: this.tokSpan(t), bytes: t.payload as Uint8Array }));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME2(T.LParen);
          const inner = this.SUBRULE(this.expression);
          const close = this.CONSUME(T.RParen, { ERR_MSG: msg('expected `)` to close the parenthesis') });
          // The parentheses belong to the operand's span, so that messages quote them.
          return this.ACTION((): A.Expr => ({ ...inner, span: this.fromTo(this.tokSpan(open), this.tokenSpan(close)) }));
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME(T.Name);
          this.CONSUME3(T.LParen);
          const args: A.Expr[] = [];
          this.OPTION5(() => {
            args.push(this.SUBRULE2(this.expression));
            this.MANY(() => {
              this.CONSUME(T.Comma);
              args.push(this.SUBRULE3(this.expression));
            });
          });
          const close = this.CONSUME2(T.RParen, { ERR_MSG: msg('expected `,` or `)` in the function call') });
          return this.ACTION((): A.Expr => ({
            kind: 'call',
            span: this.fromTo(this.tokSpan(name), this.tokenSpan(close)),
            callee: this.ident(name),
            args,
          }));
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME2(T.Name);
          return this.ACTION((): A.Expr => ({ kind: 'name', span: this.tokSpan(name), name: name.image }));
        },
      },
      { ALT: () => this.notYet(this.CONSUME(T.LBracket), 'an array table or segment `[...]`') },
      { ALT: () => this.notYet(this.CONSUME(T.BYTESIN), 'BYTESIN') },
      { ALT: () => this.notYet(this.CONSUME(T.OFFSETOF), 'OFFSETOF') },
      { ALT: () => this.notYet(this.CONSUME(T.VALOF), 'VALOF') },
    ]);
    this.MANY2(() => {
      this.CONSUME2(T.LBracket);
      const index = this.SUBRULE4(this.expression);
      const close = this.CONSUME(T.RBracket, { ERR_MSG: msg('expected `]` to close the subscript') });
      e = this.ACTION((): A.Expr => ({ kind: 'subscript', span: this.fromTo(e.span, this.tokenSpan(close)), base: e, index }));
    });
    return e;
  });

  /** `(T)` after a literal. */
  decoration = this.rule('decoration', (): A.TypeNode => {
    this.CONSUME(T.LParen);
    const t = this.SUBRULE(this.dataType);
    this.CONSUME(T.RParen, { ERR_MSG: msg('expected `)` after the type of the literal') });
    return t;
  });

  private decorated(t: IToken, decoration: A.TypeNode | undefined): Span {
    return decoration ? this.fromTo(this.tokSpan(t), decoration.span) : this.tokSpan(t);
  }

  private ident(t: IToken): A.Ident {
    return { span: this.tokSpan(t), name: t.image };
  }
}
