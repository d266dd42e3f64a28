// The occam parser: a chevrotain EmbeddedActionsParser that builds the AST of ast.ts directly from the token stream
// of lexer.ts (which has already turned indentation into NL / INDENT / OUTDENT).
//
// How lines are told apart: each line is classified once, by scanning its tokens up to the NL, and the
// alternatives of its rule are gated on the result (parser-lines.ts).
//
// How errors are reported. Plain-English messages come from parser-messages.ts (chevrotain's message provider and the
// messages for a line that fits nowhere), from ERR_MSG on individual CONSUMEs, and from diagnostics the parser records
// itself (no operator precedence, missing `:` after a PROC body, constructs not supported yet). Recovery is line-based:
// every line of a block is parsed inside a guard that, on a syntax error, skips the rest of that line (and anything
// indented under it) and carries on with the next line, so one bad line never hides errors further on. Chevrotain's
// single-token insertion (for `:`, `)` and `]`) and deletion stay enabled, so a missing `:` or `)` is reported without
// losing the line. Chevrotain's re-sync recovery is disabled: it can stop in the middle of a line and produce a cascade
// of confusing follow-on errors.

import {
  createTokenInstance,
  EmbeddedActionsParser,
  EOF,
  isRecognitionException,
  MismatchedTokenException,
  tokenMatcher,
  type IRecognitionException,
  type IToken,
  type ParserMethod,
  type TokenType,
} from './chevrotain-runtime.js';
import type * as A from './ast.js';
import { CONTINUATION, indentationErrorLines } from './lexer.js';
import { fileOf, lineKey } from './origin.js';
import {
  classifyIn,
  classifyLine,
  isLayout,
  scanLine,
  SPEC_STARTERS,
  type Ctx,
  type LineKind,
  type LineScan,
} from './parser-lines.js';
import { junkMessage, messageProvider, msg } from './parser-messages.js';
import { specsOf } from './preprocess.js';
import { Diagnostics, joinSpans, SourceFile, spanOf, type Span } from './source.js';
import * as T from './tokens.js';

// ---------------------------------------------------------------------------------------------------- public API

export interface ParseOptions {
  /**
   * Build AST nodes for constructs that later stages do not handle yet (reported as "not supported yet" while
   * off). Every construct the parser knows is now handled, so the option currently changes nothing.
   */
  readonly experimental?: boolean;
}

/**
 * Roughly how deep constructs may nest before the parser runs out of the host's stack (measured: nested SEQs,
 * parentheses and chains of operators all get past this many levels on Node's default stack).
 */
export const NESTING_LIMIT = 250;

/** Words a specification can start with, other than a type word or a type's name (see `valofAhead`). */
const SPEC_WORDS: ReadonlySet<TokenType> = new Set([
  T.VAL,
  T.LBracket,
  T.CHAN,
  T.TIMER,
  T.INITIAL,
  T.DATA,
  T.PROTOCOL,
  T.PROC,
  T.INLINE,
]);

/**
 * Parse the token stream of a source file (the preprocessor's tokens after the layout pass). Never throws: every
 * problem is added to `diags`.
 */
export function parseTokens(
  file: SourceFile,
  tokens: IToken[],
  diags: Diagnostics,
  options: ParseOptions = {},
): A.Program {
  const p = parserInstance();
  p.begin(file, tokens, options);
  let program: A.Program | undefined;
  let tooDeep = false;
  try {
    program = p.program();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      tooDeep = true;
      // The parser descends once per level of nesting, and the host's stack ends somewhere past a few hundred
      // levels: say so where the parser had got to, which is inside the deepest part.
      const reached = (p as unknown as { currIdx?: number }).currIdx ?? tokens.length - 1;
      const tok = tokens[Math.max(0, Math.min(tokens.length - 1, reached))];
      const at = tok ? tok.startOffset : 0;
      diags.error(
        spanOf(file, at, tok ? (tok.endOffset ?? tok.startOffset) + 1 : at),
        `nesting too deep: occmesh parses constructs nested up to about ${NESTING_LIMIT} levels deep (processes inside processes, parentheses, operators)`,
        'move the innermost part into a PROC or FUNCTION of its own, or name part of the expression with an abbreviation',
      );
    } else {
      // Only a bug in the parser can get here; report it as a diagnostic rather than crash the compiler.
      const last = tokens[tokens.length - 1];
      const at = last ? last.startOffset : 0;
      diags.error(spanOf(file, at, at), `internal error in the parser: ${(e as Error).message}`);
    }
  }
  // After running out of stack, what the parser recorded on the way down says nothing more.
  p.finish(tooDeep ? new Diagnostics() : diags);
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

/** Whether a token can start the operand of a conversion written with a type's name (`MYINT j`). `ENROLL` is not
 * a keyword but ends a PAR's replicator (`PAR i = 0 FOR n ENROLL b`), so it never starts an operand. */
function startsConversionOperand(t: IToken): boolean {
  return (
    (t.tokenType === T.Name && t.image !== 'ENROLL') ||
    t.tokenType === T.ROUND ||
    t.tokenType === T.TRUNC ||
    tokenMatcher(t, T.IntegerLiteral) ||
    t.tokenType === T.RealLiteral ||
    t.tokenType === T.ByteLiteral ||
    t.tokenType === T.StringLiteral ||
    t.tokenType === T.TRUE ||
    t.tokenType === T.FALSE
  );
}

/** The first part of an expression: an operand, or a form that cannot be the left operand of a dyadic operator. */
interface Head {
  readonly expr: A.Expr;
  /** Whether it may be followed by a dyadic operator (an operand) or not (monadic, SIZE, conversion, MOSTPOS). */
  readonly isOperand: boolean;
}

type InputTail =
  | { readonly kind: 'after'; readonly after: A.Expr }
  | { readonly kind: 'items'; readonly items: A.Expr[] }
  /** `? CASE` (variants indented under the line), or `? CASE tag; x` (tag given). */
  | { readonly kind: 'case'; readonly kw: IToken; readonly tag: IToken | null; readonly items: A.Expr[] };

type OptionItem =
  Item | { readonly kind: 'option'; readonly values: A.Expr[] | null; readonly body: A.Process; readonly span: Span };

type AltItem =
  | Item
  | {
      readonly kind: 'alternative';
      readonly guard: A.Guard;
      readonly body: A.Process;
      readonly after?: A.Process;
      readonly span: Span;
    }
  | { readonly kind: 'alt'; readonly process: A.AltProcess };

interface ValueProcess {
  readonly span: Span;
  readonly specs: A.Spec[];
  readonly body: A.Process | null;
  readonly results: A.Expr[];
}

interface RawFormal {
  readonly isVal: boolean;
  readonly isResult: boolean;
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
  /** Each token's position in `tokens`, made when an error first needs it (most parses never do). */
  private index: Map<IToken, number> | null = null;
  private tokens: IToken[] = [];
  private options: ParseOptions = {};

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

  begin(file: SourceFile, tokens: IToken[], options: ParseOptions): void {
    this.file = file;
    this.options = options;
    this.extras = [];
    this.tokens = tokens;
    this.index = null;
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
      const prev = (e as { previousToken?: IToken }).previousToken;
      if (e.token.tokenType === T.NL && prev && CONTINUATION.has(prev.tokenType) && !hint) {
        hint =
          `a line ending with \`${prev.image}\` continues on the next line, which must be indented at least as far ` +
          'as the start of this statement';
      }
      if (message!.startsWith('`:` missing at the end of the declaration') && e.token.tokenType === T.LBracket) {
        hint = this.cStyleArrayHint(e.token, prev) ?? hint;
      }
      all.push({ span: this.tokenSpan(e.token), message: message!, hint });
    }
    // One error per position (a recovered error and the rule that gave up on it can both point at one token), and
    // none on a line whose indentation is already reported.
    for (const d of all) {
      if (seen.has(d.span.start) || quiet.has(lineKey(d.span))) continue;
      seen.add(d.span.start);
      diags.error(d.span, d.message, d.hint);
    }
    this.input = [];
    this.tokens = [];
    this.index = null;
    this.extras = [];
    this.file = PLACEHOLDER_FILE;
    this.options = {};
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** The position of `tok` in the token stream, or undefined for a token that is not in it (EOF, say). */
  private indexOf(tok: IToken): number | undefined {
    if (!this.index) {
      const index = new Map<IToken, number>();
      this.tokens.forEach((t, i) => index.set(t, i));
      this.index = index;
    }
    return this.index.get(tok);
  }

  /** `INT a[100]:` written the C way: the hint shows occam's `[100]INT a:`. */
  private cStyleArrayHint(bracket: IToken, name: IToken | undefined): string | undefined {
    const at = this.indexOf(bracket);
    if (at === undefined || !name || name.tokenType !== T.Name) return undefined;
    // The type is before the names: `BYTE a, b[3]:` walks back over `a,`.
    let t = at - 2;
    while (t > 1 && this.tokens[t]!.tokenType === T.Comma && this.tokens[t - 1]!.tokenType === T.Name) t -= 2;
    const type = this.tokens[t];
    const size: string[] = [];
    for (let i = at + 1; i < this.tokens.length && this.tokens[i]!.tokenType !== T.RBracket; i++) {
      if (this.tokens[i]!.tokenType === T.NL || size.length > 8) return undefined;
      size.push(this.tokens[i]!.image);
    }
    const typeText = type && /^[A-Z][A-Z0-9]*$/.test(type.image) ? type.image : 'INT';
    return `in occam the size comes before the type: write [${size.join(' ')}]${typeText} ${name.image}:`;
  }

  // chevrotain's RULE takes any implementation; its own typings say `any` here too.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private rule<F extends (...args: any[]) => any>(name: string, impl: F) {
    return this.RULE(name, impl, { resyncEnabled: false });
  }

  /** The span of a token; the end-of-file token gets the end of the last real token. */
  private tokenSpan(tok: IToken): Span {
    if (Number.isNaN(tok.startOffset) || tok.tokenType === EOF) {
      const last = this.tokens[this.tokens.length - 1];
      const at = last ? last.startOffset + last.image.length : this.file.text.length;
      return spanOf(last ? fileOf(last, this.file) : this.file, at, at);
    }
    return spanOf(fileOf(tok, this.file), tok.startOffset, tok.startOffset + Math.max(tok.image.length, 1));
  }

  private tokSpan(tok: IToken): Span {
    return spanOf(fileOf(tok, this.file), tok.startOffset, tok.startOffset + tok.image.length);
  }

  private fromTo(first: Span, last: Span): Span {
    return joinSpans(first, last);
  }

  private error(span: Span, message: string, hint?: string): void {
    if (this.RECORDING_PHASE) return;
    this.extras.push({ span, message, hint });
  }

  /** Report `what is not supported yet` at `tok` and abandon the current line. */
  private notYet(tok: IToken, what: string): never {
    if (this.RECORDING_PHASE) return undefined as never;
    this.error(this.tokSpan(tok), `${what} is not supported yet`);
    throw notYetException(`${what} is not supported yet`, tok, this.LA(0));
  }

  /**
   * Whether the tokens from LA(k) spell an array type: bracket groups `[...]` followed by a primitive type or a
   * name (an expression never has a name straight after `]`).
   */
  private arrayTypeAhead(k: number): boolean {
    let i = k;
    let groups = 0;
    while (this.LA(i).tokenType === T.LBracket) {
      let depth = 0;
      do {
        const t = this.LA(i).tokenType;
        if (t === EOF || t === T.NL) return false;
        if (t === T.LBracket) depth++;
        else if (t === T.RBracket) depth--;
        i++;
      } while (depth > 0);
      groups++;
    }
    const next = this.LA(i).tokenType;
    return groups > 0 && (tokenMatcher(this.LA(i), T.PrimType) || next === T.Name);
  }

  /** Source text of a span with runs of blanks collapsed, for quoting in messages. */
  private text(span: Span): string {
    return span.file.text.slice(span.start, span.end).replace(/\s+/g, ' ');
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
    const from = this.indexOf(start) ?? 0;
    const now = this.LA(1);
    const to = now.tokenType === EOF ? this.tokens.length : (this.indexOf(now) ?? from);
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
    if (depth > 0) this.skipClosingColon();
  }

  /** A lone `:` line right after a skipped block closes the definition that was skipped: skip it too. */
  private skipClosingColon(): void {
    if (this.LA(1).tokenType === T.Colon && this.LA(2).tokenType === T.NL) {
      this.SKIP_TOKEN();
      this.SKIP_TOKEN();
    }
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
    if (this.LA(1).tokenType === T.INDENT) {
      this.skipBlock();
      this.skipClosingColon();
    }
  }

  /** Skip an INDENT ... OUTDENT block; `depth` 1 when its INDENT has been consumed already. */
  private skipBlock(depth = 0): void {
    for (;;) {
      const tt = this.LA(1).tokenType;
      if (tt === EOF) return;
      this.SKIP_TOKEN();
      if (tt === T.INDENT) depth++;
      else if (tt === T.OUTDENT && --depth === 0) return;
    }
  }

  /** What the current line contains (lookahead up to its NL). */
  private scanLine(): LineScan {
    return scanLine((k) => this.LA(k));
  }

  /** Classify a line in a block of processes (or at the top level). */
  private classifyLine(): LineKind {
    return classifyLine((k) => this.LA(k));
  }

  /** Classify a line in the body of an IF, a CASE or an ALT. */
  private classifyIn(ctx: 'choice' | 'option' | 'alternative'): LineKind {
    return classifyIn((k) => this.LA(k), ctx);
  }

  // ------------------------------------------------------------------------------------------ blocks

  /** A sequence of specifications (the top level of a file). */
  program = this.rule('program', (): A.Program => {
    const items: Item[] = [];
    this.MANY(() => {
      this.OR({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          {
            // A bundled library parsed once (library-cache.ts): its definitions stand where its #INCLUDE did.
            GATE: () => this.LA(1).tokenType === T.Preparsed,
            ALT: () => {
              const tok = this.CONSUME(T.Preparsed);
              this.CONSUME(T.NL);
              this.ACTION(() => {
                for (const spec of specsOf(tok)) items.push({ kind: 'spec', spec });
              });
            },
          },
          {
            ALT: () => {
              items.push(this.guarded(() => this.SUBRULE(this.item, { ARGS: ['top'] }), { kind: 'error' }));
            },
          },
        ],
      });
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
        { ALT: () => proc(this.SUBRULE(this.claimProc)) },
        { ALT: () => proc(this.SUBRULE(this.forkingProc)) },
        { ALT: () => proc(this.SUBRULE(this.forkProc)) },
        { ALT: () => proc(this.SUBRULE(this.syncProc)) },
        { ALT: () => proc(this.SUBRULE(this.asmProc)) },
        { ALT: () => proc(this.SUBRULE(this.placedParProc)) },
        { ALT: () => proc(this.SUBRULE(this.processorClause)) },
        { ALT: () => proc(this.SUBRULE(this.caseProc)) },
        {
          GATE: () => this.LA(1).tokenType !== T.PRI || this.LA(2).tokenType === T.ALT,
          ALT: () => proc(this.SUBRULE(this.altProc)),
        },
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
      // A line never starts with NL; should recovery ever leave one behind, it is dropped quietly.
      if (tok.tokenType === T.NL) return;
      this.reportJunk(tok, ctx, kind);
      if (tok.tokenType === T.INDENT) this.skipBlock(1);
      else this.skipLine();
    });
    return { kind: 'error' };
  });

  private reportJunk(tok: IToken, ctx: Ctx, kind: LineKind): void {
    const lineText = (): string => this.text(spanOf(fileOf(tok, this.file), tok.startOffset, this.nextLayoutToken()));
    const { message, hint } = junkMessage(tok, ctx, kind, lineText);
    this.error(this.tokenSpan(tok), message, hint);
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
        // Keep the specifications: the next entry most likely uses them, and dropping them would only add
        // "undeclared" errors to the one already reported.
        hadError = true;
      } else if (pending.length > 0) {
        out.push({
          kind: 'scope',
          span: this.fromTo(pending[0]!.span, it.process.span),
          specs: pending,
          body: it.process,
        });
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
        this.error(
          owner,
          `${what} needs a process indented under it`,
          'indent the process 2 spaces further than this line',
        );
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
    const isFunction = this.scanLine().func;
    return this.OR<A.Spec>({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => isFunction, ALT: () => this.SUBRULE(this.functionDef) },
        {
          GATE: () =>
            (this.LA(1).tokenType === T.CHAN && this.LA(2).tokenType === T.TYPE) ||
            ((this.LA(1).tokenType === T.REC || this.LA(1).tokenType === T.RECURSIVE) &&
              this.LA(2).tokenType === T.CHAN),
          ALT: () => this.SUBRULE(this.chanTypeDef),
        },
        { ALT: () => this.SUBRULE(this.protocolDef) },
        { ALT: () => this.SUBRULE(this.valSpec) },
        { ALT: () => this.SUBRULE(this.dataSpec) },
        { ALT: () => this.SUBRULE(this.procDef) },
        { ALT: () => this.SUBRULE(this.typedSpec) },
      ],
    });
  });

  /** `VAL [T] x IS e:` */
  valSpec = this.rule('valSpec', (): A.Spec => {
    const val = this.CONSUME(T.VAL);
    // Chevrotain's lookahead for an OPTION looks only inside it, so `VAL x IS` would take `x` for a type name.
    const type = this.OPTION({
      GATE: () => this.LA(1).tokenType !== T.Name || this.LA(2).tokenType === T.Name,
      DEF: () => this.SUBRULE(this.specifier),
    });
    const name = this.CONSUME(T.Name, {
      ERR_MSG: msg('expected the name being defined', 'write VAL INT name IS value:'),
    });
    const how = this.OR([
      { ALT: () => this.CONSUME(T.IS) },
      { ALT: () => this.CONSUME(T.RETYPES) },
      { ALT: () => this.CONSUME(T.RESHAPES) },
    ]);
    const value = this.SUBRULE(this.expression);
    const colon = this.CONSUME(T.Colon, {
      ERR_MSG: msg('`:` missing at the end of the abbreviation', 'end it with `:`, as in VAL INT n IS 5:'),
    });
    this.CONSUME(T.NL);
    return this.ACTION((): A.Spec => {
      const span = this.fromTo(this.tokSpan(val), this.tokSpan(colon));
      if (how.tokenType === T.IS) return { kind: 'val', span, type: type ?? null, name: this.ident(name), value };
      if (!type) {
        this.error(
          this.tokSpan(how),
          `${how.image} needs the new type before the name`,
          `write VAL [4]BYTE b ${how.image} x:`,
        );
      }
      return {
        kind: 'retypes',
        span,
        isVal: true,
        reshape: how.tokenType === T.RESHAPES,
        type: type ?? { kind: 'prim', span, name: 'INT' },
        name: this.ident(name),
        target: value,
      };
    });
  });

  /** `INITIAL T x IS e:`, `RESULT T x IS v:`, `DATA TYPE N IS T:` and `PLACE x IN WORKSPACE:`. */
  dataSpec = this.rule('dataSpec', (): A.Spec => {
    return this.OR<A.Spec>([
      {
        ALT: () => {
          const kw = this.OR2([{ ALT: () => this.CONSUME(T.INITIAL) }, { ALT: () => this.CONSUME(T.RESULT) }]);
          const type = this.SUBRULE(this.specifier);
          const name = this.CONSUME(T.Name, { ERR_MSG: msg('expected the name being defined after its type') });
          this.CONSUME(T.IS);
          const value = this.SUBRULE(this.actual);
          const colon = this.CONSUME(T.Colon, { ERR_MSG: msg('`:` missing at the end of the abbreviation') });
          this.CONSUME(T.NL);
          return this.ACTION((): A.Spec => {
            const span = this.fromTo(this.tokSpan(kw), this.tokSpan(colon));
            if (kw.tokenType === T.INITIAL) return { kind: 'initial', span, type, name: this.ident(name), value };
            return { kind: 'abbrev', span, type, name: this.ident(name), target: value, isResult: true };
          });
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(T.DATA);
          this.CONSUME(T.TYPE, { ERR_MSG: msg('expected TYPE after DATA', 'write DATA TYPE NAME IS INT:') });
          const name = this.CONSUME2(T.Name, { ERR_MSG: msg('expected the name of the new type') });
          const type = this.OR3<A.TypeNode>([
            { GATE: () => this.LA(1).tokenType === T.NL, ALT: () => this.SUBRULE(this.recordType) },
            {
              ALT: () => {
                this.CONSUME2(T.IS, {
                  ERR_MSG: msg('expected IS after the name of the new type', 'write DATA TYPE NAME IS INT:'),
                });
                return this.SUBRULE(this.dataType);
              },
            },
          ]);
          const colon = this.CONSUME2(T.Colon, { ERR_MSG: msg('`:` missing at the end of the DATA TYPE definition') });
          this.CONSUME2(T.NL);
          return this.ACTION((): A.Spec => ({
            kind: 'datatype',
            span: this.fromTo(this.tokSpan(kw), this.tokSpan(colon)),
            name: this.ident(name),
            type,
          }));
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(T.PLACE);
          const name = this.CONSUME3(T.Name, { ERR_MSG: msg('expected the name of the variable after PLACE') });
          const at = this.OR4([
            {
              ALT: () => {
                this.CONSUME(T.IN);
                this.OR5([{ ALT: () => this.CONSUME(T.WORKSPACE) }, { ALT: () => this.CONSUME(T.VECSPACE) }]);
                return null;
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.AT);
                return this.SUBRULE(this.expression);
              },
            },
          ]);
          const colon = this.CONSUME3(T.Colon, { ERR_MSG: msg('`:` missing at the end of the PLACE line') });
          this.CONSUME3(T.NL);
          return this.ACTION((): A.Spec => ({
            kind: 'place',
            span: this.fromTo(this.tokSpan(kw), this.tokSpan(colon)),
            name: this.ident(name),
            at,
          }));
        },
      },
    ]);
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
          const first = this.CONSUME2(T.Name, {
            ERR_MSG: msg('expected a name after the type', 'a declaration is a type and names, like INT a, b:'),
          });
          const decorator = this.OPTION(() => this.SUBRULE(this.direction));
          const names: IToken[] = [first];
          let retype: 'retype' | 'reshape' | null = null;
          const target = this.OPTION2(() =>
            this.OR2<A.Expr>([
              {
                ALT: () => {
                  this.CONSUME2(T.IS);
                  return this.SUBRULE2(this.actual);
                },
              },
              {
                ALT: () => {
                  const how = this.OR3([
                    { ALT: () => this.CONSUME(T.RETYPES) },
                    { ALT: () => this.CONSUME(T.RESHAPES) },
                  ]);
                  const e = this.SUBRULE3(this.actual);
                  return this.ACTION((): A.Expr => {
                    retype = how.tokenType === T.RESHAPES ? 'reshape' : 'retype';
                    return e;
                  });
                },
              },
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
            if (decorator && (target === undefined || retype)) {
              this.error(
                this.tokSpan(decorator),
                `a direction decorator goes on a channel abbreviation or parameter, not on a ${retype ? 'RETYPES' : 'declaration'}`,
                target === undefined ? `declare the channel as ${this.text(type.span)} ${first.image}:` : undefined,
              );
            }
            if (target !== undefined) {
              if (names.length > 1) this.error(this.tokSpan(names[1]!), 'an abbreviation defines only one name');
              if (retype) {
                return {
                  kind: 'retypes',
                  span,
                  isVal: false,
                  reshape: retype === 'reshape',
                  type,
                  name: this.ident(first),
                  target,
                };
              }
              const direction = decorator ? (decorator.image as '?' | '!') : undefined;
              return {
                kind: 'abbrev',
                span,
                type,
                name: this.ident(first),
                target,
                ...(direction ? { direction } : {}),
              };
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
    // `MOBILE []T` is occam-π's dynamic MOBILE array, sized when it is allocated (reported by the checker).
    if (type.mobile) return;
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
        { ALT: () => this.CONSUME(T.REC) },
        { ALT: () => this.CONSUME(T.RECURSIVE) },
      ]),
    );
    const recursive = start !== undefined && start.tokenType !== T.INLINE;
    const kw = this.CONSUME(T.PROC);
    const name = this.CONSUME(T.Name, { ERR_MSG: msg('expected the name of the PROC after PROC') });
    this.CONSUME(T.LParen, {
      ERR_MSG: msg('expected `(` after the PROC name', 'a PROC with no parameters is written PROC name ()'),
    });
    const raw = this.SUBRULE(this.formalList);
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
        ...(recursive ? { recursive } : {}),
      };
    });
  });

  /** The formal parameters after `(`, and the `)`. */
  formalList = this.rule('formalList', (): RawFormal[] => {
    const raw: RawFormal[] = [];
    this.OPTION(() => {
      raw.push(this.SUBRULE(this.formal));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        raw.push(this.SUBRULE2(this.formal));
      });
    });
    this.CONSUME(T.RParen, { ERR_MSG: msg('expected `,` or `)` in the parameter list') });
    return raw;
  });

  /** A formal parameter; one without a type (`b` in `VAL INT a, b`) shares the previous one's. */
  formal = this.rule('formal', (): RawFormal => {
    // `N? x` (an end of a CHAN TYPE, then the name) and `x?` (a name sharing the type before it) start alike.
    const typed =
      this.LA(1).tokenType !== T.Name ||
      (this.LA(2).tokenType !== T.Query && this.LA(2).tokenType !== T.Bang) ||
      this.LA(3).tokenType === T.Name;
    return this.OR<RawFormal>({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => typed,
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
              isResult: mode?.tokenType === T.RESULT,
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
              isResult: false,
              type: null,
              name,
              direction: dir ? (dir.image as '?' | '!') : null,
              span: this.fromTo(this.tokSpan(name), this.tokSpan(dir ?? name)),
            }));
          },
        },
      ],
    });
  });

  direction = this.rule('direction', (): IToken => {
    return this.OR([{ ALT: () => this.CONSUME(T.Query) }, { ALT: () => this.CONSUME(T.Bang) }]);
  });

  private formals(raw: readonly RawFormal[]): A.Formal[] {
    const out: A.Formal[] = [];
    let prev: { isVal: boolean; isResult: boolean; type: A.TypeNode } | null = null;
    for (const f of raw) {
      let isVal = f.isVal;
      let isResult = f.isResult;
      let type = f.type;
      if (type === null) {
        if (prev === null) {
          const n = f.name.image;
          this.error(
            f.span,
            `the parameter ${n} needs a type`,
            `write its type before it, like INT ${n} or CHAN INT ${n}?`,
          );
          type = { kind: 'named', span: f.span, name: '?' };
        } else {
          isVal = prev.isVal;
          isResult = prev.isResult;
          type = prev.type;
        }
      }
      prev = { isVal, isResult, type };
      out.push({ isVal, isResult, type, name: this.ident(f.name), direction: f.direction, span: f.span });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ types

  /** `{[size]} base`, where sizes may be omitted (`[]INT`) in parameters and abbreviations. */
  specifier = this.rule('specifier', (): A.TypeNode => {
    const mobile = this.OPTION9(() => this.CONSUME(T.MOBILE));
    const dims: Dim[] = [];
    this.MANY(() => {
      const open = this.CONSUME(T.LBracket);
      const size = this.OPTION(() => this.SUBRULE(this.expression));
      this.CONSUME(T.RBracket);
      dims.push({ open, size: size ?? null });
    });
    const base = this.SUBRULE(this.baseType);
    return this.ACTION(() => this.mobile(mobile, this.wrapDims(dims, base)));
  });

  /** `MOBILE T`: the type marked mobile, its span from the keyword. */
  private mobile(kw: IToken | undefined, t: A.TypeNode): A.TypeNode {
    return kw ? { ...t, span: this.fromTo(this.tokSpan(kw), t.span), mobile: true } : t;
  }

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
          const t = this.CONSUME(T.BARRIER);
          return this.ACTION(() => ({ kind: 'barrier', span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Name);
          const end = this.OPTION4(() => this.SUBRULE(this.direction));
          return this.ACTION((): A.TypeNode => this.namedOrEnd(t, end, null));
        },
      },
      { ALT: () => this.notYet(this.CONSUME(T.PORT), 'PORT') },
      {
        ALT: () => {
          const kw = this.CONSUME(T.SHARED);
          return this.OR3<A.TypeNode>([
            {
              // `SHARED N!`: a shared end of a CHAN TYPE.
              ALT: () => {
                const t = this.CONSUME2(T.Name);
                const end = this.SUBRULE2(this.direction);
                return this.ACTION((): A.TypeNode => this.namedOrEnd(t, end, kw));
              },
            },
            {
              ALT: () => {
                const end = this.OPTION2(() =>
                  this.OR2([{ ALT: () => this.CONSUME(T.Query) }, { ALT: () => this.CONSUME(T.Bang) }]),
                );
                this.CONSUME2(T.CHAN);
                this.OPTION3(() => this.CONSUME2(T.OF));
                const protocol = this.SUBRULE2(this.protocol);
                return this.ACTION((): A.TypeNode => ({
                  kind: 'chan',
                  span: this.fromTo(this.tokSpan(kw), protocol.span),
                  protocol,
                  shared: end ? (end.image as '?' | '!') : 'both',
                }));
              },
            },
          ]);
        },
      },
    ]);
  });

  /** A type name `N`, or `N?` / `N!` (after `SHARED` when `shared` is its token): an end of a CHAN TYPE. */
  private namedOrEnd(t: IToken, end: IToken | undefined, shared: IToken | null): A.TypeNode {
    if (!end) return { kind: 'named', span: this.tokSpan(t), name: t.image };
    return {
      kind: 'end',
      span: this.fromTo(this.tokSpan(shared ?? t), this.tokSpan(end)),
      name: t.image,
      end: end.image as '?' | '!',
      ...(shared ? { shared: true } : {}),
    };
  }

  private primType(t: IToken): A.TypeNode {
    return this.ACTION(() => ({ kind: 'prim', span: this.tokSpan(t), name: t.image as A.PrimName }));
  }

  protocol = this.rule('protocol', (): A.ProtocolNode => {
    return this.OR<A.ProtocolNode>([
      {
        ALT: () => {
          const t = this.CONSUME(T.ANY);
          return this.ACTION((): A.ProtocolNode => ({ kind: 'any', span: this.tokSpan(t) }));
        },
      },
      {
        ALT: () => {
          const items = this.SUBRULE(this.protocolItems);
          return this.ACTION((): A.ProtocolNode => {
            const first = items[0]!;
            if (items.length > 1 || first.kind === 'counted') {
              return { kind: 'sequential', span: this.fromTo(first.span, items[items.length - 1]!.span), items };
            }
            const type = first.type;
            return type.kind === 'named'
              ? { kind: 'named', span: type.span, name: type.name }
              : { kind: 'simple', span: type.span, type };
          });
        },
      },
    ]);
  });

  /** `T1; T2::[]T3; ...`: the items of a sequential protocol (one item is a simple protocol). */
  protocolItems = this.rule('protocolItems', (): A.ProtocolItemNode[] => {
    const items: A.ProtocolItemNode[] = [this.SUBRULE(this.protocolItem)];
    this.MANY(() => {
      this.CONSUME(T.Semicolon);
      items.push(this.SUBRULE2(this.protocolItem));
    });
    return items;
  });

  protocolItem = this.rule('protocolItem', (): A.ProtocolItemNode => {
    const type = this.OR<A.TypeNode>([
      {
        // `CHAN N! c:`, `tag; N?`: a channel carries an end of a CHAN TYPE.
        GATE: () => this.LA(2).tokenType === T.Query || this.LA(2).tokenType === T.Bang,
        ALT: () => {
          const t = this.CONSUME(T.Name);
          const end = this.SUBRULE(this.direction);
          return this.ACTION((): A.TypeNode => this.namedOrEnd(t, end, null));
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(T.SHARED);
          const t = this.CONSUME2(T.Name);
          const end = this.SUBRULE2(this.direction);
          return this.ACTION((): A.TypeNode => this.namedOrEnd(t, end, kw));
        },
      },
      { ALT: () => this.SUBRULE(this.dataType) },
    ]);
    const elem = this.OPTION(() => {
      this.CONSUME(T.CountedSep);
      return this.SUBRULE2(this.dataType);
    });
    return this.ACTION((): A.ProtocolItemNode =>
      elem
        ? { kind: 'counted', span: this.fromTo(type.span, elem.span), count: type, elem }
        : { kind: 'data', span: type.span, type },
    );
  });

  /** `PROTOCOL P IS items:`, or `PROTOCOL P` with `CASE` and its tagged variants indented under it, then `:`. */
  protocolDef = this.rule('protocolDef', (): A.Spec => {
    const kw = this.CONSUME(T.PROTOCOL);
    const name = this.CONSUME(T.Name, { ERR_MSG: msg('expected the name of the PROTOCOL after PROTOCOL') });
    return this.OR<A.Spec>([
      {
        ALT: () => {
          this.CONSUME(T.IS);
          // Items, or ANY: `PROTOCOL P IS ANY:` names the untyped protocol of CHAN OF ANY.
          const body = this.SUBRULE(this.protocol);
          const colon = this.CONSUME(T.Colon, { ERR_MSG: msg('`:` missing at the end of the PROTOCOL definition') });
          this.CONSUME(T.NL);
          return this.ACTION((): A.Spec => {
            return {
              kind: 'protocol',
              span: this.fromTo(this.tokSpan(kw), this.tokSpan(colon)),
              name: this.ident(name),
              body,
              variants: null,
            };
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.NL);
          this.CONSUME(T.INDENT, { ERR_MSG: msg('expected `IS` or an indented `CASE` after the PROTOCOL name') });
          this.CONSUME(T.CASE, { ERR_MSG: msg('expected CASE: a variant protocol lists its tags under CASE') });
          this.CONSUME3(T.NL);
          const variants: A.VariantNode[] = [];
          this.OPTION(() => {
            this.CONSUME2(T.INDENT);
            this.MANY(() => {
              const v = this.guarded(() => this.SUBRULE(this.variantDef), null);
              if (v) variants.push(v);
            });
            this.CONSUME(T.OUTDENT);
          });
          this.CONSUME2(T.OUTDENT);
          const colon = this.CONSUME2(T.Colon, {
            ERR_MSG: msg(
              '`:` missing at the end of the PROTOCOL definition',
              'put `:` on a line of its own, in the same column as PROTOCOL',
            ),
          });
          this.CONSUME4(T.NL);
          return this.ACTION((): A.Spec => ({
            kind: 'protocol',
            span: this.fromTo(this.tokSpan(kw), this.tokSpan(colon)),
            name: this.ident(name),
            body: null,
            variants,
          }));
        },
      },
    ]);
  });

  /** `tag` or `tag; T1; T2` in a variant protocol. */
  variantDef = this.rule('variantDef', (): A.VariantNode => {
    const tag = this.CONSUME(T.Name, {
      ERR_MSG: msg('expected a tag name', 'each line under CASE is a tag, optionally followed by `;` and types'),
    });
    const items = this.OPTION(() => {
      this.CONSUME(T.Semicolon);
      return this.SUBRULE(this.protocolItems);
    });
    this.CONSUME(T.NL);
    return this.ACTION((): A.VariantNode => {
      const list = items ?? [];
      const span = list.length > 0 ? this.fromTo(this.tokSpan(tag), list[list.length - 1]!.span) : this.tokSpan(tag);
      return { span, tag: this.ident(tag), items: list };
    });
  });

  /** occam-π `CHAN TYPE N`, `MOBILE RECORD` and its channel fields indented under it, then `:` (or `CHAN TYPE N:`). */
  chanTypeDef = this.rule('chanTypeDef', (): A.Spec => {
    // `RECURSIVE CHAN TYPE` (KRoC's spelling for one whose fields carry its own ends) means the same here.
    const rec = this.OPTION5(() =>
      this.OR5([{ ALT: () => this.CONSUME(T.REC) }, { ALT: () => this.CONSUME(T.RECURSIVE) }]),
    );
    const chan = this.CONSUME(T.CHAN);
    const kw = rec ?? chan;
    this.CONSUME(T.TYPE);
    const name = this.CONSUME(T.Name, { ERR_MSG: msg('expected the name of the CHAN TYPE after CHAN TYPE') });
    return this.OR<A.Spec>([
      {
        ALT: () => {
          const colon = this.CONSUME(T.Colon);
          this.CONSUME(T.NL);
          return this.ACTION((): A.Spec => ({
            kind: 'chantype',
            span: this.fromTo(this.tokSpan(kw), this.tokSpan(colon)),
            name: this.ident(name),
            fields: null,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.NL);
          this.CONSUME(T.INDENT, {
            ERR_MSG: msg('expected an indented MOBILE RECORD after the name of the CHAN TYPE'),
          });
          this.CONSUME(T.MOBILE, {
            ERR_MSG: msg('expected MOBILE RECORD', 'a CHAN TYPE lists its channels under MOBILE RECORD'),
          });
          this.CONSUME(T.RECORD, {
            ERR_MSG: msg('expected RECORD after MOBILE', 'a CHAN TYPE lists its channels under MOBILE RECORD'),
          });
          this.CONSUME3(T.NL);
          const fields: A.ChanTypeFieldNode[] = [];
          this.OPTION(() => {
            this.CONSUME2(T.INDENT);
            this.MANY(() => {
              const f = this.guarded(() => this.SUBRULE(this.chanTypeField), null);
              if (f) fields.push(f);
            });
            this.CONSUME(T.OUTDENT);
          });
          this.CONSUME2(T.OUTDENT);
          const colon = this.CONSUME2(T.Colon, {
            ERR_MSG: msg(
              '`:` missing at the end of the CHAN TYPE definition',
              'put `:` on a line of its own, in the same column as CHAN TYPE',
            ),
          });
          this.CONSUME4(T.NL);
          return this.ACTION((): A.Spec => ({
            kind: 'chantype',
            span: this.fromTo(this.tokSpan(kw), this.tokSpan(colon)),
            name: this.ident(name),
            fields,
          }));
        },
      },
    ]);
  });

  /** One line of channels in a CHAN TYPE: `CHAN INT req?, more?:`. */
  chanTypeField = this.rule('chanTypeField', (): A.ChanTypeFieldNode => {
    const type = this.SUBRULE(this.specifier);
    const names: { name: A.Ident; dir: '?' | '!' | null }[] = [];
    const one = (): void => {
      const n = this.CONSUME(T.Name, { ERR_MSG: msg('expected a field name after its type') });
      const d = this.OPTION(() => this.SUBRULE(this.direction));
      this.ACTION(() => names.push({ name: this.ident(n), dir: d ? (d.image as '?' | '!') : null }));
    };
    one();
    this.MANY(() => {
      this.CONSUME(T.Comma);
      const n = this.CONSUME2(T.Name);
      const d = this.OPTION2(() => this.SUBRULE2(this.direction));
      this.ACTION(() => names.push({ name: this.ident(n), dir: d ? (d.image as '?' | '!') : null }));
    });
    const colon = this.CONSUME(T.Colon, {
      ERR_MSG: msg('`:` missing at the end of the field declaration', 'write CHAN INT req?:'),
    });
    this.CONSUME(T.NL);
    return this.ACTION((): A.ChanTypeFieldNode => ({
      span: this.fromTo(type.span, this.tokSpan(colon)),
      type,
      names,
    }));
  });

  /** The body of `DATA TYPE N` on the lines under it: `[PACKED] RECORD` with its fields indented under that. */
  recordType = this.rule('recordType', (): A.TypeNode => {
    this.CONSUME(T.NL);
    this.CONSUME(T.INDENT, { ERR_MSG: msg('expected `IS` or an indented RECORD after the name of the new type') });
    const mobile = this.OPTION3(() => this.CONSUME(T.MOBILE));
    const packed = this.OPTION(() => this.CONSUME(T.PACKED));
    const kw = this.CONSUME(T.RECORD, {
      ERR_MSG: msg('expected RECORD', 'a record type lists its fields under RECORD, like INT x, y:'),
    });
    this.CONSUME2(T.NL);
    const fields: A.RecordFieldNode[] = [];
    this.OPTION2(() => {
      this.CONSUME2(T.INDENT);
      this.MANY(() => {
        const f = this.guarded(() => this.SUBRULE(this.recordField), null);
        if (f) fields.push(f);
      });
      this.CONSUME(T.OUTDENT);
    });
    this.CONSUME2(T.OUTDENT);
    return this.ACTION((): A.TypeNode => ({
      kind: 'record',
      span: this.tokSpan(mobile ?? packed ?? kw),
      packed: packed !== undefined,
      fields,
      ...(mobile ? { mobile: true } : {}),
    }));
  });

  /** One line of fields in a RECORD: `T a, b:`. */
  recordField = this.rule('recordField', (): A.RecordFieldNode => {
    const type = this.SUBRULE(this.specifier);
    const names: IToken[] = [this.CONSUME(T.Name, { ERR_MSG: msg('expected a field name after its type') })];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      names.push(this.CONSUME2(T.Name));
    });
    const colon = this.CONSUME(T.Colon, {
      ERR_MSG: msg('`:` missing at the end of the field declaration', 'write INT x, y:'),
    });
    this.CONSUME(T.NL);
    return this.ACTION((): A.RecordFieldNode => ({
      span: this.fromTo(type.span, this.tokSpan(colon)),
      type,
      names: names.map((n) => this.ident(n)),
    }));
  });

  /** A data type: `{[size]} (primitive | name)`. */
  dataType = this.rule('dataType', (): A.TypeNode => {
    const mobile = this.OPTION9(() => this.CONSUME(T.MOBILE));
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
    return this.ACTION(() => this.mobile(mobile, this.wrapDims(dims, base)));
  });

  // ------------------------------------------------------------------------------------------ processes

  primitive = this.rule('primitive', (): A.Process => {
    const t = this.OR([{ ALT: () => this.CONSUME(T.SKIP) }, { ALT: () => this.CONSUME(T.STOP) }]);
    this.CONSUME(T.NL);
    return this.ACTION(() => ({ kind: t.tokenType === T.SKIP ? 'skip' : 'stop', span: this.tokSpan(t) }));
  });

  replicator = this.rule('replicator', (): A.Replicator => {
    const index = this.CONSUME(T.Name);
    this.CONSUME(T.Equal, {
      ERR_MSG: msg('expected `=` in the replicator', 'a replicator is written like i = 0 FOR n'),
    });
    const base = this.SUBRULE(this.expression);
    this.CONSUME(T.FOR, { ERR_MSG: msg('expected FOR in the replicator', 'a replicator is written like i = 0 FOR n') });
    const count = this.SUBRULE2(this.expression);
    const step = this.OPTION(() => {
      this.CONSUME(T.STEP);
      return this.SUBRULE3(this.expression);
    });
    return this.ACTION(() => ({
      span: this.fromTo(this.tokSpan(index), (step ?? count).span),
      index: this.ident(index),
      base,
      count,
      ...(step ? { step } : {}),
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
    const enroll: A.Expr[] = [];
    this.OPTION3({
      GATE: () => this.LA(1).tokenType === T.Name && this.LA(1).image === 'ENROLL',
      DEF: () => {
        this.CONSUME(T.Name);
        enroll.push(this.SUBRULE(this.expression));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          enroll.push(this.SUBRULE2(this.expression));
        });
      },
    });
    this.CONSUME(T.NL);
    const items = this.SUBRULE(this.body);
    return this.ACTION((): A.Process => {
      const first = pri ?? kw;
      const body = this.constructBody(items, repl ?? null, this.tokSpan(first), pri ? 'PRI PAR' : 'PAR');
      return {
        kind: 'par',
        span: this.spanWithBody(first, body),
        pri: pri !== undefined,
        repl: repl ?? null,
        body,
        ...(enroll.length > 0 ? { enroll } : {}),
      };
    });
  });

  /** `PLACED PAR [replicator]` with PROCESSOR clauses (or nested PLACED PARs) indented under it. */
  placedParProc = this.rule('placedParProc', (): A.Process => {
    const kw = this.CONSUME(T.PLACED);
    this.CONSUME(T.PAR, { ERR_MSG: msg('expected PAR after PLACED', 'write PLACED PAR') });
    const repl = this.OPTION(() => this.SUBRULE(this.replicator));
    this.CONSUME(T.NL);
    const items = this.SUBRULE(this.body);
    return this.ACTION((): A.Process => {
      const branches = this.constructBody(items, repl ?? null, this.tokSpan(kw), 'PLACED PAR');
      return { kind: 'placed', span: this.spanWithBody(kw, branches), repl: repl ?? null, branches };
    });
  });

  /** `PROCESSOR x, y` with the process that runs there indented under it. */
  processorClause = this.rule('processorClause', (): A.Process => {
    const kw = this.CONSUME(T.PROCESSOR);
    const x = this.SUBRULE(this.expression);
    this.CONSUME(T.Comma, { ERR_MSG: msg('expected `,` between the coordinates', 'write PROCESSOR x, y') });
    const y = this.SUBRULE2(this.expression);
    this.CONSUME(T.NL);
    const items = this.SUBRULE(this.body);
    return this.ACTION((): A.Process => {
      const body = this.single(items, this.fromTo(this.tokSpan(kw), y.span), 'PROCESSOR');
      return { kind: 'processor', span: this.fromTo(this.tokSpan(kw), body.span), x, y, body };
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

  /** occam-π `CLAIM c!` (or `c?`) with the process that uses the claimed end under it. */
  claimProc = this.rule('claimProc', (): A.Process => {
    const kw = this.CONSUME(T.CLAIM);
    const channel = this.SUBRULE(this.actual);
    this.CONSUME(T.NL);
    const items = this.SUBRULE(this.body);
    return this.ACTION((): A.Process => {
      const body = this.single(items, this.fromTo(this.tokSpan(kw), channel.span), 'CLAIM');
      return { kind: 'claim', span: this.fromTo(this.tokSpan(kw), body.span), channel, body };
    });
  });

  /** occam-π `FORKING` with the process that may FORK under it. */
  forkingProc = this.rule('forkingProc', (): A.Process => {
    const kw = this.CONSUME(T.FORKING);
    this.CONSUME(T.NL);
    const items = this.SUBRULE(this.body);
    return this.ACTION((): A.Process => {
      const body = this.single(items, this.tokSpan(kw), 'FORKING');
      return { kind: 'forking', span: this.fromTo(this.tokSpan(kw), body.span), body };
    });
  });

  /** `ASM` or `GUY` with its lines of Transputer code indented under it (compiler/checker/asm.ts). */
  asmProc = this.rule('asmProc', (): A.Process => {
    const kw = this.OR([{ ALT: () => this.CONSUME(T.ASM) }, { ALT: () => this.CONSUME(T.GUY) }]);
    this.CONSUME(T.NL);
    const lines: A.AsmLine[] = [];
    this.OPTION(() => {
      this.CONSUME(T.INDENT);
      this.MANY(() => {
        const l = this.guarded(() => this.SUBRULE(this.asmLine), null);
        this.ACTION(() => {
          if (l) lines.push(l);
        });
      });
      this.CONSUME(T.OUTDENT);
    });
    return this.ACTION((): A.Process => {
      const last = lines[lines.length - 1];
      const span = last ? this.fromTo(this.tokSpan(kw), last.span) : this.tokSpan(kw);
      return { kind: 'asm', span, guy: kw.tokenType === T.GUY, lines };
    });
  });

  /** A line of ASM code: `:label`, or an instruction (any word) with operands separated by commas. */
  asmLine = this.rule('asmLine', (): A.AsmLine => {
    return this.OR<A.AsmLine>({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            const c = this.CONSUME(T.Colon);
            const n = this.CONSUME(T.Name, { ERR_MSG: msg('expected the name of a label after `:`') });
            this.CONSUME(T.NL);
            return this.ACTION((): A.AsmLine => ({
              kind: 'label',
              span: this.fromTo(this.tokSpan(c), this.tokSpan(n)),
              name: n.image,
            }));
          },
        },
        {
          GATE: () => !isLayout(this.LA(1).tokenType),
          ALT: () => {
            const op = this.CONSUME(T.AnyToken);
            const operands: A.AsmOperand[] = [];
            this.OPTION({
              GATE: () => !isLayout(this.LA(1).tokenType),
              DEF: () => {
                operands.push(this.SUBRULE(this.asmOperand));
                this.MANY(() => {
                  this.CONSUME(T.Comma);
                  operands.push(this.SUBRULE2(this.asmOperand));
                });
              },
            });
            this.CONSUME2(T.NL);
            return this.ACTION((): A.AsmLine => {
              const last = operands[operands.length - 1];
              const span = last ? this.fromTo(this.tokSpan(op), last.span) : this.tokSpan(op);
              return { kind: 'op', span, op: op.image.toUpperCase(), operands };
            });
          },
        },
      ],
    });
  });

  /** An operand of ASM code: a label, a label difference, a special name, ADDRESSOF e, or an expression. */
  asmOperand = this.rule('asmOperand', (): A.AsmOperand => {
    return this.OR<A.AsmOperand>({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            const c = this.CONSUME(T.Colon);
            const n = this.CONSUME(T.Name);
            const from = this.OPTION(() => {
              this.CONSUME(T.Minus);
              this.CONSUME2(T.Colon);
              return this.CONSUME2(T.Name);
            });
            return this.ACTION((): A.AsmOperand => {
              const span = this.fromTo(this.tokSpan(c), this.tokSpan(from ?? n));
              return from
                ? { kind: 'labeldiff', span, to: n.image, from: from.image }
                : { kind: 'label', span, name: n.image };
            });
          },
        },
        {
          ALT: () => {
            const d = this.CONSUME(T.DotName);
            return this.ACTION((): A.AsmOperand => ({
              kind: 'special',
              span: this.tokSpan(d),
              name: d.image,
              negate: false,
            }));
          },
        },
        {
          GATE: () => this.LA(2).tokenType === T.DotName,
          ALT: () => {
            const m = this.CONSUME3(T.Minus);
            const d = this.CONSUME2(T.DotName);
            return this.ACTION((): A.AsmOperand => ({
              kind: 'special',
              span: this.fromTo(this.tokSpan(m), this.tokSpan(d)),
              name: d.image,
              negate: true,
            }));
          },
        },
        {
          GATE: () => this.LA(1).image === 'ADDRESSOF',
          ALT: () => {
            const a = this.CONSUME3(T.Name);
            const e = this.SUBRULE(this.expression);
            return this.ACTION((): A.AsmOperand => ({
              kind: 'address',
              span: this.fromTo(this.tokSpan(a), e.span),
              expr: e,
            }));
          },
        },
        {
          ALT: () => {
            const e = this.SUBRULE2(this.expression);
            return this.ACTION((): A.AsmOperand => ({ kind: 'expr', span: e.span, expr: e }));
          },
        },
      ],
    });
  });

  /** occam-π `SYNC b`. */
  syncProc = this.rule('syncProc', (): A.Process => {
    const kw = this.CONSUME(T.SYNC);
    const barrier = this.SUBRULE(this.expression);
    this.CONSUME(T.NL);
    return this.ACTION((): A.Process => ({ kind: 'sync', span: this.fromTo(this.tokSpan(kw), barrier.span), barrier }));
  });

  /** occam-π `FORK p (...)`. */
  forkProc = this.rule('forkProc', (): A.Process => {
    const kw = this.CONSUME(T.FORK);
    const call = this.SUBRULE(this.call);
    return this.ACTION((): A.Process => ({
      kind: 'fork',
      span: this.fromTo(this.tokSpan(kw), call.span),
      call: call as Extract<A.Process, { kind: 'pcall' }>,
    }));
  });

  ifProc = this.rule('ifProc', (): A.IfProcess => {
    const kw = this.CONSUME(T.IF);
    const repl = this.OPTION(() => this.SUBRULE(this.replicator));
    this.CONSUME(T.NL);
    const { items, present } = this.entryLines(this.choiceItem);
    return this.ACTION((): A.IfProcess => {
      const choices = this.choices(items);
      const head = this.tokSpan(kw);
      if (repl && present && choices.length !== 1 && !items.some((i) => i.kind === 'error')) {
        this.error(
          choices.length === 0 ? head : choices[1]!.span,
          choices.length === 0
            ? 'the replicated IF needs a choice indented under it'
            : 'a replicated IF has exactly one choice under it',
          choices.length === 0
            ? undefined
            : 'to try several conditions for each value, nest an IF inside the replicated one',
        );
      } else if (repl && !present) {
        this.error(head, 'the replicated IF needs a choice indented under it');
      }
      return { kind: 'if', span: this.spanWithBody(kw, choices), repl: repl ?? null, choices };
    });
  });

  /**
   * The lines indented under an IF, a CASE or an ALT, each parsed by `line` (choiceItem, caseItem or altItem)
   * inside the line guard, and whether there was an indented block at all. Used once per rule, with the
   * grammar's occurrence index 9, so it never clashes with the rule's own OPTION, MANY, CONSUME and SUBRULE.
   */
  private entryLines<I extends { readonly kind: string }>(
    line: ParserMethod<[], I>,
  ): { items: (I | Item)[]; present: boolean } {
    const items: (I | Item)[] = [];
    const present = this.OPTION9(() => {
      this.CONSUME9(T.INDENT);
      this.MANY9(() => {
        items.push(this.guarded<I | Item>(() => this.SUBRULE9(line), { kind: 'error' }));
      });
      this.CONSUME9(T.OUTDENT);
      return true;
    });
    return { items, present: present === true };
  }

  /**
   * The entries of an IF, a CASE or an ALT from the lines under it. The specifications in front of an entry (a
   * choice, an option, an alternative, or a nested IF or ALT: `isEntry`) are its scope; `make` builds the entry,
   * given them and a function that widens a span to start at the first of them. Lines already reported are
   * skipped, but their specifications are kept: the next entry most likely uses them, and dropping them would
   * only add "undeclared" errors to the one already reported. A specification with no entry after it is an error
   * (`follower` names what should have followed).
   */
  private entries<I extends { readonly kind: string }, E>(
    items: readonly (Item | I)[],
    isEntry: (it: Item | I) => it is I,
    make: (it: I, specs: A.Spec[], widen: (span: Span) => Span) => E,
    follower: { readonly what: string; readonly noun: string },
  ): E[] {
    const out: E[] = [];
    let pending: A.Spec[] = [];
    let hadError = false;
    for (const it of items) {
      if (it.kind === 'spec') pending.push((it as Extract<Item, { kind: 'spec' }>).spec);
      else if (it.kind === 'error') hadError = true;
      else if (isEntry(it)) {
        const specs = pending;
        out.push(make(it, specs, (span) => (specs.length > 0 ? this.fromTo(specs[0]!.span, span) : span)));
        pending = [];
      }
    }
    if (pending.length > 0 && !hadError) {
      this.error(
        pending[0]!.span,
        `this declaration is not followed by ${follower.what}`,
        `a declaration covers only the ${follower.noun} after it`,
      );
    }
    return out;
  }

  /** IF choices: a nested IF cannot take declarations yet. */
  private choices(items: readonly ChoiceItem[]): (A.Choice | A.IfProcess)[] {
    return this.entries(
      items,
      (it): it is Extract<ChoiceItem, { kind: 'choice' | 'if' }> => it.kind === 'choice' || it.kind === 'if',
      (it, specs, widen): A.Choice | A.IfProcess => {
        if (it.kind === 'choice') return { span: widen(it.span), specs, guard: it.guard, body: it.body };
        if (specs.length > 0) {
          this.error(
            specs[0]!.span,
            'a declaration in front of a nested IF is not supported yet',
            'move it in front of the outer IF',
          );
        }
        return it.process;
      },
      { what: 'an IF choice', noun: 'choice' },
    );
  }

  /** CASE options. */
  private caseOptions(items: readonly OptionItem[]): A.CaseOption[] {
    return this.entries(
      items,
      (it): it is Extract<OptionItem, { kind: 'option' }> => it.kind === 'option',
      (it, specs, widen): A.CaseOption => ({ span: widen(it.span), specs, values: it.values, body: it.body }),
      { what: 'a CASE option', noun: 'option' },
    );
  }

  /** ALT alternatives: the specifications in front of a nested ALT are its own. */
  private alternatives(items: readonly AltItem[]): (A.Alternative | A.AltProcess)[] {
    return this.entries(
      items,
      (it): it is Extract<AltItem, { kind: 'alternative' | 'alt' }> => it.kind === 'alternative' || it.kind === 'alt',
      (it, specs, widen): A.Alternative | A.AltProcess => {
        if (it.kind === 'alternative')
          return {
            span: widen(it.span),
            specs,
            guard: it.guard,
            body: it.body,
            ...(it.after ? { after: it.after } : {}),
          };
        return specs.length > 0 ? { ...it.process, span: widen(it.process.span), specs } : it.process;
      },
      { what: 'an ALT guard', noun: 'guard' },
    );
  }

  /** One line under an IF: a specification, a nested IF, or a condition with its process indented under it. */
  choiceItem = this.rule('choiceItem', (): ChoiceItem => {
    const kind = this.classifyIn('choice');
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
      // One FUNCTION call or VALOF may give several results: `a, b := f (x)` is checked against its definition later.
      const many =
        values.length === 1 &&
        (values[0]!.kind === 'call' || values[0]!.kind === 'valof' || values[0]!.kind === 'mobile');
      if (targets.length !== values.length && !many) {
        this.error(
          this.fromTo(targets[0]!.span, values[values.length - 1]!.span),
          `${targets.length} ${targets.length === 1 ? 'variable is' : 'variables are'} assigned ` +
            `${values.length} ${values.length === 1 ? 'value' : 'values'}`,
          'a multiple assignment needs one value per variable',
        );
      }
      return { kind: 'assign', span: this.fromTo(targets[0]!.span, values[values.length - 1]!.span), targets, values };
    });
  });

  /** `c ? x; y`, the timer delay `t ? AFTER e`, or the extended input `c ?? x` with its processes under it. */
  inputProc = this.rule('inputProc', (): A.Process => {
    const channel = this.SUBRULE(this.operand);
    const ext = this.OR([
      { ALT: () => (this.CONSUME(T.Query), false) },
      { ALT: () => (this.CONSUME(T.DoubleQuery), true) },
    ]);
    const tail = this.SUBRULE(this.inputTail);
    this.CONSUME(T.NL);
    const variants = this.OPTION2({
      GATE: () => tail.kind === 'case' && tail.tag === null,
      DEF: () => this.SUBRULE(this.variantBlock),
    });
    const items = this.OPTION3({
      GATE: () => ext && !(tail.kind === 'case' && tail.tag === null),
      DEF: () => this.SUBRULE(this.body),
    });
    return this.ACTION((): A.Process => {
      if (tail.kind === 'case') {
        let vs = this.variantsOf(tail, variants ?? null);
        if (ext && tail.tag && vs.length === 1) {
          const head = vs[0]!.span;
          const x = this.extended(
            items ?? null,
            head,
            `the extended input \`${this.text(this.fromTo(channel.span, head))}\``,
          );
          vs = [{ ...vs[0]!, span: this.fromTo(head, x.after.span), body: x.during, after: x.after }];
        }
        this.checkVariantAfters(vs, ext);
        const last = vs[vs.length - 1];
        return {
          kind: 'caseinput',
          span: this.fromTo(channel.span, last ? last.span : this.tokSpan(tail.kw)),
          channel,
          variants: vs,
          ...(ext ? { extended: true } : {}),
        };
      }
      if (tail.kind === 'after') {
        if (ext) this.error(channel.span, '`??` is an extended input from a channel', 'a timer is read with `?`');
        return { kind: 'delay', span: this.fromTo(channel.span, tail.after.span), timer: channel, after: tail.after };
      }
      const last = tail.items[tail.items.length - 1] ?? channel;
      const head = this.fromTo(channel.span, last.span);
      if (ext) {
        const x = this.extended(items ?? null, head, `the extended input \`${this.text(head)}\``);
        return {
          kind: 'input',
          span: this.fromTo(head, x.after.span),
          channel,
          items: tail.items,
          extended: { during: x.during, after: x.after },
        };
      }
      return { kind: 'input', span: head, channel, items: tail.items };
    });
  });

  /**
   * The processes indented under an extended input (as occ21 reads them): the during-process, and an optional
   * after-process at the same indentation (SKIP when there is none).
   */
  private extended(
    items: readonly Item[] | null,
    owner: Span,
    what: string,
    hint = 'the process indented under `c ?? x` runs while the outputter waits; a second one runs after it is released',
  ): A.Extended & { readonly two: boolean } {
    const ps = items ? this.processes(items) : [];
    if (ps.length === 0) {
      if (!items || !items.some((i) => i.kind !== 'process'))
        this.error(owner, `${what} needs a process indented under it`, hint);
      return { during: { kind: 'skip', span: owner }, after: { kind: 'skip', span: owner }, two: false };
    }
    if (ps.length > 2) {
      this.error(
        ps[2]!.span,
        `at most two processes can be indented under ${what}`,
        'the first runs during the rendezvous, the second after it; put more under SEQ or PAR',
      );
    }
    return { during: ps[0]!, after: ps[1] ?? { kind: 'skip', span: ps[0]!.span }, two: ps.length > 1 };
  }

  /** Only the variants of an extended `?? CASE` may have a second (after-) process. */
  private checkVariantAfters(vs: readonly A.VariantInput[], ext: boolean): void {
    if (ext) return;
    for (const v of vs) {
      if (v.after) {
        this.error(
          v.after.span,
          `only one process can be indented under the variant \`${v.tag.name}\``,
          'to run several processes, put them under SEQ or PAR',
        );
      }
    }
  }

  /** What follows `?`: `AFTER e`, or the items `x; y`. */
  inputTail = this.rule('inputTail', (): InputTail => {
    return this.OR<InputTail>([
      {
        ALT: () => {
          this.CONSUME(T.AFTER);
          const after = this.SUBRULE(this.expression);
          return { kind: 'after', after };
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(T.CASE);
          const tag = this.OPTION3(() => this.CONSUME(T.Name));
          const items: A.Expr[] = [];
          this.MANY2(() => {
            this.CONSUME2(T.Semicolon);
            items.push(this.SUBRULE3(this.inputItem));
          });
          return { kind: 'case', kw, tag: tag ?? null, items };
        },
      },
      {
        ALT: () => {
          const items: A.Expr[] = [this.SUBRULE(this.inputItem)];
          this.MANY(() => {
            this.CONSUME(T.Semicolon);
            items.push(this.SUBRULE2(this.inputItem));
          });
          return { kind: 'items', items };
        },
      },
    ]);
  });

  /** An item of an output: an expression, or a counted array `n::buf`. */
  outputItem = this.rule('outputItem', (): A.Expr => {
    const e = this.SUBRULE(this.expression);
    const array = this.OPTION(() => {
      this.CONSUME(T.CountedSep);
      return this.SUBRULE2(this.expression);
    });
    return this.ACTION((): A.Expr =>
      array ? { kind: 'counted', span: this.fromTo(e.span, array.span), count: e, array } : e,
    );
  });

  /** An item of an input: a variable, or a counted array `n::buf`. */
  inputItem = this.rule('inputItem', (): A.Expr => {
    const e = this.SUBRULE(this.operand);
    const array = this.OPTION(() => {
      this.CONSUME(T.CountedSep);
      return this.SUBRULE2(this.operand);
    });
    return this.ACTION((): A.Expr =>
      array ? { kind: 'counted', span: this.fromTo(e.span, array.span), count: e, array } : e,
    );
  });

  /** The variants indented under `c ? CASE`: specifications, and `tag; x; y` lines with their processes. */
  variantBlock = this.rule('variantBlock', (): A.VariantInput[] => {
    const out: A.VariantInput[] = [];
    let pending: A.Spec[] = [];
    this.CONSUME(T.INDENT);
    this.MANY(() => {
      const it = this.guarded(() => this.SUBRULE(this.variantLine), null);
      this.ACTION(() => {
        if (!it) return;
        if ('kind' in it) pending.push(it);
        else {
          const span = pending.length > 0 ? this.fromTo(pending[0]!.span, it.span) : it.span;
          out.push({ ...it, span, specs: pending });
          pending = [];
        }
      });
    });
    this.CONSUME(T.OUTDENT);
    this.ACTION(() => {
      if (pending.length > 0)
        this.error(
          pending[0]!.span,
          'this declaration is not followed by a variant',
          'a declaration covers only the variant after it',
        );
    });
    return out;
  });

  variantLine = this.rule('variantLine', (): A.Spec | Omit<A.VariantInput, 'specs'> => {
    const s = this.scanLine();
    const isSpec = s.is || s.last === T.Colon || SPEC_STARTERS.has(s.first) || tokenMatcher(this.LA(1), T.PrimType);
    return this.OR<A.Spec | Omit<A.VariantInput, 'specs'>>({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => isSpec, ALT: () => this.SUBRULE(this.specification) },
        {
          ALT: () => {
            const tag = this.CONSUME(T.Name, {
              ERR_MSG: msg(
                'expected a tag of the protocol',
                'each variant is a tag, then `;` and the variables to input',
              ),
            });
            const items: A.Expr[] = [];
            this.MANY(() => {
              this.CONSUME(T.Semicolon);
              items.push(this.SUBRULE(this.inputItem));
            });
            this.CONSUME(T.NL);
            const body = this.SUBRULE(this.body);
            return this.ACTION(() => {
              const head =
                items.length > 0 ? this.fromTo(this.tokSpan(tag), items[items.length - 1]!.span) : this.tokSpan(tag);
              // A second process is an extended variant's after-process (checkVariantAfters rejects it elsewhere).
              const x = this.extended(
                body,
                head,
                `the variant \`${this.text(head)}\``,
                'indent the process 2 spaces further than this line',
              );
              const two = x.two;
              return {
                span: this.fromTo(head, (two ? x.after : x.during).span),
                tag: this.ident(tag),
                items,
                body: x.during,
                ...(two ? { after: x.after } : {}),
              };
            });
          },
        },
      ],
    });
  });

  /** The variants of a `? CASE` input: the block under it, or the one given on the line (which then does nothing more). */
  private variantsOf(tail: Extract<InputTail, { kind: 'case' }>, block: A.VariantInput[] | null): A.VariantInput[] {
    if (tail.tag) {
      const head =
        tail.items.length > 0
          ? this.fromTo(this.tokSpan(tail.tag), tail.items[tail.items.length - 1]!.span)
          : this.tokSpan(tail.tag);
      return [
        { span: head, specs: [], tag: this.ident(tail.tag), items: tail.items, body: { kind: 'skip', span: head } },
      ];
    }
    if (tail.items.length > 0) this.error(tail.items[0]!.span, 'expected a tag after `? CASE`');
    // No variants under `c ? CASE` is allowed, as in KRoC: whatever tag arrives is not listed, a run-time error.
    return block ?? [];
  }

  /** `c ! e; f` */
  outputProc = this.rule('outputProc', (): A.Process => {
    const channel = this.SUBRULE(this.operand);
    this.CONSUME(T.Bang);
    const items: A.Expr[] = [this.SUBRULE(this.outputItem)];
    this.MANY(() => {
      this.CONSUME(T.Semicolon);
      items.push(this.SUBRULE2(this.outputItem));
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
      ERR_MSG: msg(
        'expected `(` after the PROC name',
        `a PROC call needs parentheses, even with no parameters: ${name.image} ()`,
      ),
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
      dir
        ? {
            kind: 'direction',
            span: this.fromTo(e.span, this.tokSpan(dir)),
            channel: e,
            direction: dir.image as '?' | '!',
          }
        : e,
    );
  });

  // ------------------------------------------------------------------------------------------ CASE, ALT, FUNCTION

  /** `CASE selector` with options indented under it. */
  caseProc = this.rule('caseProc', (): A.Process => {
    const kw = this.CONSUME(T.CASE);
    const selector = this.SUBRULE(this.expression);
    this.CONSUME(T.NL);
    const { items } = this.entryLines(this.caseItem);
    return this.ACTION((): A.Process => {
      const options = this.caseOptions(items);
      return { kind: 'case', span: this.spanWithBody(kw, options), selector, options };
    });
  });

  /** One line under a CASE: a specification, `ELSE`, or option values, each with its process indented under it. */
  caseItem = this.rule('caseItem', (): OptionItem => {
    const kind = this.classifyIn('option');
    return this.OR<OptionItem>({
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
            const kw = this.CONSUME(T.ELSE);
            this.CONSUME(T.NL);
            const items = this.SUBRULE(this.body);
            return this.ACTION((): OptionItem => {
              const body = this.single(items, this.tokSpan(kw), 'ELSE');
              return { kind: 'option', values: null, body, span: this.fromTo(this.tokSpan(kw), body.span) };
            });
          },
        },
        {
          GATE: () => kind === 'guard',
          ALT: () => {
            const values: A.Expr[] = [this.SUBRULE(this.expression)];
            this.MANY(() => {
              this.CONSUME(T.Comma);
              values.push(this.SUBRULE2(this.expression));
            });
            this.CONSUME2(T.NL);
            const items = this.SUBRULE2(this.body);
            return this.ACTION((): OptionItem => {
              const head = this.fromTo(values[0]!.span, values[values.length - 1]!.span);
              const body = this.single(items, head, `the CASE option \`${this.text(head)}\``);
              return { kind: 'option', values, body, span: this.fromTo(head, body.span) };
            });
          },
        },
        { ALT: () => this.SUBRULE(this.junk, { ARGS: ['option', kind] }) },
      ],
    });
  });

  /** `ALT` / `PRI ALT`, possibly replicated, with alternatives indented under it. */
  altProc = this.rule('altProc', (): A.AltProcess => {
    const pri = this.OPTION(() => this.CONSUME(T.PRI));
    const kw = this.CONSUME(T.ALT);
    const repl = this.OPTION2(() => this.SUBRULE(this.replicator));
    this.CONSUME(T.NL);
    const { items, present } = this.entryLines(this.altItem);
    return this.ACTION((): A.AltProcess => {
      const first = pri ?? kw;
      const alternatives = this.alternatives(items);
      const what = pri ? 'PRI ALT' : 'ALT';
      if (repl && alternatives.length !== 1 && !items.some((i) => i.kind === 'error')) {
        this.error(
          alternatives.length === 0 ? this.tokSpan(first) : alternatives[1]!.span,
          alternatives.length === 0
            ? `the replicated ${what} needs an alternative indented under it`
            : `a replicated ${what} has exactly one alternative under it`,
          alternatives.length === 0
            ? undefined
            : `to wait for several things for each value, nest an ${what} inside the replicated one`,
        );
      } else if (repl && !present) {
        this.error(this.tokSpan(first), `the replicated ${what} needs an alternative indented under it`);
      }
      return {
        kind: 'alt',
        span: this.spanWithBody(first, alternatives),
        pri: pri !== undefined,
        repl: repl ?? null,
        alternatives,
      };
    });
  });

  /** One line under an ALT: a specification, a nested ALT, or a guard with its process indented under it. */
  altItem = this.rule('altItem', (): AltItem => {
    const kind = this.classifyIn('alternative');
    return this.OR<AltItem>({
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
          GATE: () => kind === 'alt',
          ALT: () => {
            const p = this.SUBRULE(this.altProc);
            return this.ACTION(() => ({ kind: 'alt', process: p }));
          },
        },
        {
          GATE: () => kind === 'guard',
          ALT: () => {
            const g = this.SUBRULE(this.guard);
            this.CONSUME(T.NL);
            const block = g.kind === 'case' && g.variants.length === 0;
            const variants = this.OPTION({ GATE: () => block, DEF: () => this.SUBRULE(this.variantBlock) });
            const items = this.OPTION2({ GATE: () => !block, DEF: () => this.SUBRULE(this.body) });
            return this.ACTION((): AltItem => {
              let guard = g;
              if (g.kind === 'case' && block) {
                // An ALT guard `c ? CASE` with no variants under it is allowed, as in KRoC: when the channel is
                // chosen, whatever tag arrives is not listed, which is a run-time error (STOP).
                guard = { ...g, variants: variants ?? [] };
                this.checkVariantAfters(guard.variants, g.extended === true);
                const last = guard.variants[guard.variants.length - 1];
                const body: A.Process = { kind: 'skip', span: last ? last.span : g.span };
                return { kind: 'alternative', guard, body, span: this.fromTo(g.span, body.span) };
              }
              const what = `the guard \`${this.text(guard.span)}\``;
              if ((g.kind === 'input' || g.kind === 'case') && g.extended) {
                // `c ?? x` (or `c ?? CASE tag; x`) then the during-process and, at its indentation, the after-process.
                const x = this.extended(items ?? null, guard.span, what);
                const span = this.fromTo(guard.span, x.after.span);
                if (g.kind === 'case' && g.variants.length === 1) {
                  const v = g.variants[0]!;
                  guard = { ...g, variants: [{ ...v, body: x.during, after: x.after }] };
                  return { kind: 'alternative', guard, body: { kind: 'skip', span: guard.span }, span };
                }
                return { kind: 'alternative', guard, body: x.during, after: x.after, span };
              }
              const body = this.single(items ?? null, guard.span, what);
              return { kind: 'alternative', guard, body, span: this.fromTo(guard.span, body.span) };
            });
          },
        },
        { ALT: () => this.SUBRULE(this.junk, { ARGS: ['alternative', kind] }) },
      ],
    });
  });

  /** `[cond &] c ? x`, `[cond &] t ? AFTER e` or `[cond &] SKIP`. */
  guard = this.rule('guard', (): A.Guard => {
    const hasCondition = this.scanLine().amp;
    const cond = this.OPTION({
      GATE: () => hasCondition,
      DEF: () => {
        const e = this.SUBRULE(this.expression);
        this.CONSUME(T.Ampersand);
        return e;
      },
    });
    return this.OR<A.Guard>([
      {
        ALT: () => {
          const kw = this.CONSUME(T.SKIP);
          return this.ACTION((): A.Guard => ({
            kind: 'skip',
            span: cond ? this.fromTo(cond.span, this.tokSpan(kw)) : this.tokSpan(kw),
            cond: cond ?? null,
          }));
        },
      },
      {
        ALT: () => {
          const channel = this.SUBRULE(this.operand);
          const ext = this.OR2({
            DEF: [{ ALT: () => (this.CONSUME(T.Query), false) }, { ALT: () => (this.CONSUME(T.DoubleQuery), true) }],
            ERR_MSG: '`?` after the channel: an ALT guard is an input, a timeout or SKIP',
          });
          const tail = this.SUBRULE(this.inputTail);
          return this.ACTION((): A.Guard => {
            const start = cond ? cond.span : channel.span;
            const x = ext ? { extended: true } : {};
            if (tail.kind === 'case') {
              // Without a tag on the line, the variants are the block under the guard (filled in by altItem).
              const variants = tail.tag ? this.variantsOf(tail, null) : [];
              const end = variants.length > 0 ? variants[0]!.span : this.tokSpan(tail.kw);
              return { kind: 'case', span: this.fromTo(start, end), cond: cond ?? null, channel, variants, ...x };
            }
            if (ext && tail.kind === 'after')
              this.error(channel.span, '`??` is an extended input from a channel', 'a timer is read with `?`');
            if (tail.kind === 'after') {
              return {
                kind: 'timeout',
                span: this.fromTo(start, tail.after.span),
                cond: cond ?? null,
                timer: channel,
                after: tail.after,
              };
            }
            const last = tail.items[tail.items.length - 1] ?? channel;
            return {
              kind: 'input',
              span: this.fromTo(start, last.span),
              cond: cond ?? null,
              channel,
              items: tail.items,
              ...x,
            };
          });
        },
      },
    ]);
  });

  /** `INT FUNCTION f (formals)` with a value process, or `... IS e:`. */
  functionDef = this.rule('functionDef', (): A.FunctionDef => {
    const resultTypes: A.TypeNode[] = [this.SUBRULE(this.dataType)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      resultTypes.push(this.SUBRULE2(this.dataType));
    });
    const qualifier = this.OPTION(() =>
      this.OR2([
        { ALT: () => this.CONSUME(T.INLINE) },
        { ALT: () => this.CONSUME(T.REC) },
        { ALT: () => this.CONSUME(T.RECURSIVE) },
      ]),
    );
    const rec = qualifier !== undefined && qualifier.tokenType !== T.INLINE;
    this.CONSUME(T.FUNCTION);
    // A user-defined operator is named by its symbol in quotes: `INT FUNCTION "+" (VAL INT a, b)`.
    const name = this.OR3([
      { ALT: () => this.CONSUME(T.Name, { ERR_MSG: msg('expected the name of the FUNCTION after FUNCTION') }) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
    ]);
    this.CONSUME(T.LParen, {
      ERR_MSG: msg('expected `(` after the FUNCTION name', 'a FUNCTION with no parameters is written f ()'),
    });
    const raw = this.SUBRULE(this.formalList);
    return this.OR<A.FunctionDef>([
      {
        ALT: () => {
          this.CONSUME(T.IS);
          const results = this.SUBRULE(this.expressionList);
          const colon = this.CONSUME(T.Colon, { ERR_MSG: msg('`:` missing at the end of the FUNCTION definition') });
          this.CONSUME(T.NL);
          return this.ACTION((): A.FunctionDef => ({
            kind: 'function',
            span: this.fromTo(resultTypes[0]!.span, this.tokenSpan(colon)),
            resultTypes,
            ...(rec ? { recursive: true } : {}),
            name: this.ident(name),
            formals: this.formals(raw),
            specs: [],
            body: null,
            results,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.NL);
          const value = this.OPTION2(() => {
            this.CONSUME(T.INDENT);
            const v = this.SUBRULE(this.valueProcess);
            this.CONSUME(T.OUTDENT);
            return v;
          });
          const colon = this.OPTION3(() => {
            const c = this.CONSUME2(T.Colon);
            this.CONSUME3(T.NL);
            return c;
          });
          return this.ACTION((): A.FunctionDef => {
            const head = this.fromTo(resultTypes[0]!.span, this.tokSpan(name));
            if (!value) {
              this.error(
                head,
                `FUNCTION ${name.image} needs a body indented under it`,
                'the body is VALOF, the process under it, and a RESULT line',
              );
            }
            if (!colon) {
              this.error(
                this.tokSpan(name),
                `the definition of FUNCTION ${name.image} is not closed by \`:\``,
                'after the body, put `:` on a line of its own, in the same column as the start of the definition',
              );
            }
            return {
              kind: 'function',
              span: this.fromTo(head, colon ? this.tokSpan(colon) : (value?.span ?? head)),
              resultTypes,
              ...(rec ? { recursive: true } : {}),
              name: this.ident(name),
              formals: this.formals(raw),
              specs: value?.specs ?? [],
              body: value?.body ?? null,
              results: value?.results ?? [],
            };
          });
        },
      },
    ]);
  });

  /** Specifications, then `VALOF` with a process and a `RESULT` line indented under it. */
  valueProcess = this.rule('valueProcess', (): ValueProcess => {
    const specItems: Item[] = [];
    this.MANY({
      GATE: () => this.LA(1).tokenType !== T.VALOF,
      DEF: () => {
        specItems.push(this.guarded(() => this.SUBRULE(this.item), { kind: 'error' }));
      },
    });
    const valof = this.OPTION(() => {
      const kw = this.CONSUME(T.VALOF);
      this.CONSUME(T.NL);
      const items: Item[] = [];
      // undefined: nothing indented under VALOF; null: no RESULT line.
      const tail = this.OPTION2(() => {
        this.CONSUME(T.INDENT);
        this.MANY2({
          GATE: () => this.LA(1).tokenType !== T.RESULT,
          DEF: () => {
            items.push(this.guarded(() => this.SUBRULE2(this.item), { kind: 'error' }));
          },
        });
        const result = this.OPTION3(() => {
          this.CONSUME(T.RESULT);
          const values = this.SUBRULE(this.expressionList);
          this.CONSUME2(T.NL);
          return values;
        });
        this.CONSUME(T.OUTDENT, { ERR_MSG: msg('the RESULT line must be the last line under VALOF') });
        return result ?? null;
      });
      return { kw, items, tail };
    });
    return this.ACTION((): ValueProcess => {
      const specs: A.Spec[] = [];
      const before: A.Process[] = [];
      for (const it of specItems) {
        if (it.kind === 'spec') specs.push(it.spec);
        else if (it.kind === 'process') before.push(it.process);
      }
      if (!valof) {
        const at = before[0]?.span ?? specs[0]?.span ?? this.tokenSpan(this.LA(1));
        this.error(
          at,
          'expected VALOF',
          'a FUNCTION body is its declarations, then VALOF with its process and a RESULT line indented under it',
        );
        const span = specs[0]?.span ?? at;
        return { span, specs, body: before[0] ?? null, results: [] };
      }
      for (const p of before) {
        this.error(p.span, 'only declarations can come before VALOF', 'put the process under VALOF');
      }
      const head = this.tokSpan(valof.kw);
      const processes = this.processes(valof.items);
      if (processes.length > 1) {
        this.error(
          processes[1]!.span,
          'only one process can be indented under VALOF',
          'to run several processes, put them under SEQ',
        );
      }
      if (valof.tail === undefined) this.error(head, 'VALOF needs a process and a RESULT line indented under it');
      else if (valof.tail === null) {
        this.error(
          head,
          'VALOF needs a RESULT line',
          'put RESULT and the values after the process, in the same column as the process',
        );
      } else if (processes.length === 0 && !valof.items.some((i) => i.kind === 'error')) {
        this.error(head, 'VALOF needs a process before its RESULT line', 'write SKIP if there is nothing to do');
      }
      const results = valof.tail ?? [];
      const body = processes[0] ?? null;
      const last = results.length > 0 ? results[results.length - 1]!.span : (body?.span ?? head);
      return { span: this.fromTo(specs[0]?.span ?? head, last), specs, body, results };
    });
  });

  expressionList = this.rule('expressionList', (): A.Expr[] => {
    const values: A.Expr[] = [this.SUBRULE(this.expression)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      values.push(this.SUBRULE2(this.expression));
    });
    return values;
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
            expr: {
              kind: 'monadic',
              span: this.fromTo(this.tokSpan(op), operand.span),
              op: op.image as A.MonadicOp,
              operand,
            },
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
        // `SIZE [n]INT`: the size of an array type, told from a table or segment by what follows its brackets.
        GATE: () => this.LA(1).tokenType === T.SIZE && this.arrayTypeAhead(2),
        ALT: () => {
          const kw = this.CONSUME2(T.SIZE);
          const target = this.SUBRULE2(this.dataType);
          return this.ACTION(() => ({
            isOperand: false,
            expr: { kind: 'sizeof', span: this.fromTo(this.tokSpan(kw), target.span), target },
          }));
        },
      },
      {
        ALT: () => {
          // occam-π `CLONE x`: a copy of a MOBILE's value, where assigning x itself would move it.
          const kw = this.CONSUME(T.CLONE);
          const e = this.SUBRULE7(this.operand);
          return this.ACTION(() => ({
            isOperand: false,
            expr: { ...e, span: this.fromTo(this.tokSpan(kw), e.span), clone: true },
          }));
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(T.SIZE);
          const named = this.SUBRULE2(this.operand);
          // `SIZE in?`: the size of a channel array parameter written with its direction.
          const dir = this.OPTION3(() => this.SUBRULE(this.direction));
          return this.ACTION(() => {
            const operand: A.Expr = dir
              ? {
                  kind: 'direction',
                  span: this.fromTo(named.span, this.tokSpan(dir)),
                  channel: named,
                  direction: dir.image as '?' | '!',
                }
              : named;
            return {
              isOperand: false,
              expr: { kind: 'size', span: this.fromTo(this.tokSpan(kw), operand.span), operand },
            };
          });
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
        // `MYINT j`, `MYBOOL TRUE`, `MYREAL ROUND x`: a conversion to a DATA TYPE. A name followed by the start of
        // another operand can be nothing else (`MYINT (j)` parses as a call, which the checker turns into one).
        GATE: () => this.LA(1).tokenType === T.Name && startsConversionOperand(this.LA(2)),
        ALT: () => {
          const type = this.CONSUME(T.Name);
          const mode = this.OPTION2(() =>
            this.OR4([{ ALT: () => this.CONSUME2(T.ROUND) }, { ALT: () => this.CONSUME2(T.TRUNC) }]),
          );
          const operand = this.SUBRULE6(this.operand);
          return this.ACTION(() => ({
            isOperand: false,
            expr: {
              kind: 'conversion',
              span: this.fromTo(this.tokSpan(type), operand.span),
              target: { kind: 'named', span: this.tokSpan(type), name: type.image },
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

  /** `(a, b)`: held as a table until combine() finds it compared with another list. */
  private readonly lists = new WeakSet<A.Expr>();

  private listInParentheses(span: Span, elems: A.Expr[]): A.Expr {
    const list: A.Expr = { kind: 'table', span, elems };
    this.lists.add(list);
    return list;
  }

  /**
   * `(a, b) = (e, f)` is `(a = e) AND (b = f)`, and `(a, b) <> (e, f)` is `(a <> e) AND (b <> f)`, as in KRoC.
   * Null when neither side is a list; a list anywhere else is reported.
   */
  private compareLists(head: Head, rest: readonly { op: IToken; right: A.Expr }[]): A.Expr | null {
    const listed = [head.expr, ...rest.map((r) => r.right)].filter((e) => this.lists.has(e));
    if (listed.length === 0) return null;
    const op = rest[0]?.op.image;
    const left = head.expr;
    const right = rest[0]?.right;
    const lengths = (a: A.Expr, b: A.Expr) =>
      a.kind === 'table' && b.kind === 'table' ? a.elems.length === b.elems.length : false;
    if (
      rest.length !== 1 ||
      (op !== '=' && op !== '<>') ||
      !right ||
      !this.lists.has(left) ||
      !this.lists.has(right) ||
      !lengths(left, right)
    ) {
      this.error(
        listed[0]!.span,
        'a list of expressions in parentheses can only be compared, with = or <>, with another list as long',
        'write (a, b) = (c, d)',
      );
      return head.expr;
    }
    const l = (left as Extract<A.Expr, { kind: 'table' }>).elems;
    const r = (right as Extract<A.Expr, { kind: 'table' }>).elems;
    let e: A.Expr | null = null;
    l.forEach((x, i) => {
      const y = r[i]!;
      const cmp: A.Expr = {
        kind: 'dyadic',
        span: this.fromTo(x.span, y.span),
        op: op as A.DyadicOp,
        left: x,
        right: y,
      };
      e =
        e === null ? cmp : { kind: 'dyadic', span: this.fromTo(left.span, right.span), op: 'AND', left: e, right: cmp };
    });
    return e!;
  }

  /**
   * Build `head op1 right1 op2 right2 ...`. occam has no precedence: only a chain of one repeated AND or OR is
   * legal without parentheses. Anything else is reported, and grouped from the left so checking can carry on.
   */
  private combine(head: Head, rest: readonly { op: IToken; right: A.Expr }[]): A.Expr {
    const compared = this.compareLists(head, rest);
    if (compared) return compared;
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
          const t = this.CONSUME(T.RealLiteral);
          const decoration = this.OPTION6(() => this.SUBRULE6(this.decoration));
          return this.ACTION((): A.Expr => ({
            kind: 'real',
            span: this.decorated(t, decoration),
            text: (t.payload as { text: string }).text,
            decoration: decoration ?? null,
          }));
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
          const kw = this.CONSUME(T.MOBILE);
          const t = this.CONSUME4(T.Name, { ERR_MSG: msg('expected the name of a CHAN TYPE after MOBILE') });
          return this.ACTION((): A.Expr => ({
            kind: 'mobile',
            span: this.fromTo(this.tokSpan(kw), this.tokSpan(t)),
            target: this.ident(t),
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
          const decoration = this.OPTION4(() => this.SUBRULE4(this.decoration));
          return this.ACTION((): A.Expr => ({
            kind: 'string',
            span: this.decorated(t, decoration),
            bytes: t.payload as Uint8Array,
            ...(decoration ? { decoration } : {}),
          }));
        },
      },
      {
        // `(VALOF ... RESULT e)`, with specifications before VALOF, laid out on the lines under the `(`.
        GATE: () => this.valofAhead(),
        IGNORE_AMBIGUITIES: true,
        ALT: () => {
          const open = this.CONSUME4(T.LParen);
          const v = this.SUBRULE(this.valueProcess);
          const close = this.CONSUME3(T.RParen, {
            ERR_MSG: msg('expected `)` to close the VALOF', 'put `)` after the RESULT line'),
          });
          return this.ACTION((): A.Expr => ({
            kind: 'valof',
            span: this.fromTo(this.tokSpan(open), this.tokenSpan(close)),
            specs: v.specs,
            body: v.body,
            results: v.results,
          }));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME2(T.LParen);
          const inner = this.SUBRULE(this.expression);
          const more: A.Expr[] = [];
          this.MANY3(() => {
            this.CONSUME4(T.Comma);
            more.push(this.SUBRULE5(this.expression));
          });
          const close = this.CONSUME(T.RParen, { ERR_MSG: msg('expected `)` to close the parenthesis') });
          // The parentheses belong to the operand's span, so that messages quote them.
          return this.ACTION((): A.Expr => {
            const span = this.fromTo(this.tokSpan(open), this.tokenSpan(close));
            if (more.length === 0) return { ...inner, span };
            return this.listInParentheses(span, [inner, ...more]);
          });
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
      { ALT: () => this.SUBRULE(this.bracketOperand) },
      { ALT: () => this.SUBRULE(this.bytesIn) },
      { ALT: () => this.SUBRULE(this.offsetOf) },
    ]);
    this.MANY2(() => {
      this.CONSUME2(T.LBracket);
      const index = this.SUBRULE4(this.expression);
      const close = this.CONSUME(T.RBracket, { ERR_MSG: msg('expected `]` to close the subscript') });
      e = this.ACTION((): A.Expr => ({
        kind: 'subscript',
        span: this.fromTo(e.span, this.tokenSpan(close)),
        base: e,
        index,
      }));
    });
    return e;
  });

  /** `[a FROM i FOR n]`, `[a FROM i]`, `[a FOR n]`, a table `[e1, e2]` or a constructor `[i = b FOR n | e]`. */
  bracketOperand = this.rule('bracketOperand', (): A.Expr => {
    const open = this.CONSUME(T.LBracket);
    return this.OR<A.Expr>([
      {
        GATE: () => this.LA(1).tokenType === T.Name && this.LA(2).tokenType === T.Equal,
        ALT: () => {
          const index = this.CONSUME(T.Name);
          this.CONSUME(T.Equal);
          const base = this.SUBRULE(this.expression);
          this.CONSUME(T.FOR, { ERR_MSG: msg('expected FOR in the array constructor', 'write [i = 0 FOR n | value]') });
          const count = this.SUBRULE2(this.expression);
          const step = this.OPTION(() => {
            this.CONSUME(T.STEP);
            return this.SUBRULE8(this.expression);
          });
          this.CONSUME(T.Bar, { ERR_MSG: msg('expected `|` in the array constructor', 'write [i = 0 FOR n | value]') });
          const value = this.SUBRULE3(this.expression);
          const close = this.CONSUME(T.RBracket, { ERR_MSG: msg('expected `]` to close the array constructor') });
          return this.ACTION((): A.Expr => ({
            kind: 'constructor',
            span: this.fromTo(this.tokSpan(open), this.tokenSpan(close)),
            index: this.ident(index),
            base,
            count,
            ...(step ? { step } : {}),
            value,
          }));
        },
      },
      {
        ALT: () => {
          const first = this.SUBRULE(this.actual);
          return this.OR2<A.Expr>([
            {
              ALT: () => {
                this.CONSUME(T.FROM);
                const start = this.SUBRULE4(this.expression);
                const count = this.OPTION2(() => {
                  this.CONSUME2(T.FOR);
                  return this.SUBRULE5(this.expression);
                });
                const close = this.CONSUME2(T.RBracket, { ERR_MSG: msg('expected `]` to close the segment') });
                return this.ACTION((): A.Expr => ({
                  kind: 'slice',
                  span: this.fromTo(this.tokSpan(open), this.tokenSpan(close)),
                  base: first,
                  start,
                  count: count ?? null,
                }));
              },
            },
            {
              ALT: () => {
                this.CONSUME3(T.FOR);
                const count = this.SUBRULE6(this.expression);
                const close = this.CONSUME3(T.RBracket, { ERR_MSG: msg('expected `]` to close the segment') });
                return this.ACTION((): A.Expr => ({
                  kind: 'slice',
                  span: this.fromTo(this.tokSpan(open), this.tokenSpan(close)),
                  base: first,
                  start: null,
                  count,
                }));
              },
            },
            {
              ALT: () => {
                const elems: A.Expr[] = [first];
                this.MANY(() => {
                  this.CONSUME(T.Comma);
                  elems.push(this.SUBRULE7(this.expression));
                });
                const close = this.CONSUME4(T.RBracket, { ERR_MSG: msg('expected `,` or `]` in the table') });
                const decoration = this.OPTION3(() => this.SUBRULE(this.decoration));
                return this.ACTION((): A.Expr => ({
                  kind: 'table',
                  span: this.fromTo(
                    this.tokSpan(open),
                    decoration ? (this.decorationEnds.get(decoration) ?? decoration.span) : this.tokenSpan(close),
                  ),
                  elems,
                  ...(decoration ? { decoration } : {}),
                }));
              },
            },
          ]);
        },
      },
    ]);
  });

  /**
   * `BYTESIN (T)` or `BYTESIN (e)`. What looks like a type (dimensions, then a primitive type or a lone name) is
   * parsed as one; the checker reads a lone name that is not a type as a variable.
   */
  bytesIn = this.rule('bytesIn', (): A.Expr => {
    const kw = this.CONSUME(T.BYTESIN);
    this.CONSUME(T.LParen, { ERR_MSG: msg('expected `(` after BYTESIN', 'write BYTESIN (INT) or BYTESIN (x)') });
    const what = this.OR<{ target: A.TypeNode | null; operand: A.Expr | null }>([
      {
        GATE: () => this.typeAhead(),
        ALT: () => {
          const target = this.SUBRULE(this.specifier);
          return { target, operand: null };
        },
      },
      {
        ALT: () => {
          const operand = this.SUBRULE(this.expression);
          return { target: null, operand };
        },
      },
    ]);
    const close = this.CONSUME(T.RParen, { ERR_MSG: msg('expected `)` to close BYTESIN (...)') });
    return this.ACTION((): A.Expr => ({
      kind: 'bytesin',
      span: this.fromTo(this.tokSpan(kw), this.tokenSpan(close)),
      ...what,
    }));
  });

  /** Whether `(` and a value process follow: VALOF, or a specification (a line ending `:` inside the parenthesis). */
  private valofAhead(): boolean {
    if (this.LA(1).tokenType !== T.LParen) return false;
    const first = this.LA(2);
    if (first.tokenType === T.VALOF) return true;
    // Only a specification's first words need the scan to the end of the line.
    const starts =
      tokenMatcher(first, T.PrimType) ||
      SPEC_WORDS.has(first.tokenType) ||
      // A type's name, then a name, FUNCTION or `,` (`MYINT x:`, `MYINT FUNCTION f () IS ...:`, `MYINT, INT FUNCTION`).
      (first.tokenType === T.Name &&
        (this.LA(3).tokenType === T.Name ||
          this.LA(3).tokenType === T.FUNCTION ||
          this.LA(3).tokenType === T.INLINE ||
          this.LA(3).tokenType === T.Comma));
    if (!starts) return false;
    let level = 0;
    for (let k = 2; ; k++) {
      const t = this.LA(k).tokenType;
      if (t === T.LParen || t === T.LBracket) level++;
      else if (t === T.RParen || t === T.RBracket) {
        if (level-- === 0) return false;
      } else if (t === T.NL || t === EOF) return level === 0 && this.LA(k - 1).tokenType === T.Colon;
    }
  }

  /** Whether the tokens from LA(1) are a type followed by `)`: `[n]...` dimensions, then a type word or a name. */
  private typeAhead(): boolean {
    let k = 1;
    for (;;) {
      const t = this.LA(k).tokenType;
      if (t !== T.LBracket) break;
      // Skip to the matching `]`.
      let level = 0;
      for (;;) {
        const u = this.LA(k).tokenType;
        if (u === T.LBracket) level++;
        else if (u === T.RBracket && --level === 0) break;
        else if (u === T.NL || u === EOF) return false;
        k++;
      }
      k++;
    }
    const base = this.LA(k);
    if (tokenMatcher(base, T.PrimType) || base.tokenType === T.CHAN || base.tokenType === T.TIMER) return true;
    return base.tokenType === T.Name && this.LA(k + 1).tokenType === T.RParen;
  }

  /** `OFFSETOF (T, field)`: the byte offset of a field in a RECORD type. */
  offsetOf = this.rule('offsetOf', (): A.Expr => {
    const kw = this.CONSUME(T.OFFSETOF);
    this.CONSUME(T.LParen, { ERR_MSG: msg('expected `(` after OFFSETOF', 'write OFFSETOF (POINT, x)') });
    const type = this.SUBRULE(this.dataType);
    this.CONSUME(T.Comma, { ERR_MSG: msg('expected `,` and a field name', 'write OFFSETOF (POINT, x)') });
    const field = this.CONSUME(T.Name, { ERR_MSG: msg('expected the name of a field') });
    const close = this.CONSUME(T.RParen, { ERR_MSG: msg('expected `)` to close OFFSETOF (...)') });
    return this.ACTION((): A.Expr => ({
      kind: 'offsetof',
      span: this.fromTo(this.tokSpan(kw), this.tokenSpan(close)),
      target: type,
      field: this.ident(field),
    }));
  });

  /** `(T)` after a literal. */
  decoration = this.rule('decoration', (): A.TypeNode => {
    this.CONSUME(T.LParen);
    const t = this.SUBRULE(this.dataType);
    const close = this.CONSUME(T.RParen, { ERR_MSG: msg('expected `)` after the type of the literal') });
    this.ACTION(() => this.decorationEnds.set(t, this.tokenSpan(close)));
    return t;
  });

  /** The closing parenthesis of each literal decoration, so a decorated literal's span includes it. */
  private readonly decorationEnds = new WeakMap<A.TypeNode, Span>();

  private decorated(t: IToken, decoration: A.TypeNode | undefined): Span {
    if (!decoration) return this.tokSpan(t);
    return this.fromTo(this.tokSpan(t), this.decorationEnds.get(decoration) ?? decoration.span);
  }

  private ident(t: IToken): A.Ident {
    return { span: this.tokSpan(t), name: t.image };
  }
}
