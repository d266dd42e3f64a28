// The preprocessor (KRoC occ21's; docs/language.md, Preprocessor): directive lines, conditional compilation, #DEFINE'd
// names, `##NAME` substitution, and #INCLUDE / #USE.
//
// It works on the lines of each file before the layout pass. Directive lines and lines in a branch that is not
// compiled are blanked out (replaced by spaces, so every offset, line and column of the file stays where it was),
// the rest is lexed as usual, and the tokens of an included file are spliced in where its directive stood. Every
// token of an included file records its file and the column of the directive (see origin.ts): the layout pass
// lays the file out relative to that column, and every diagnostic names the included file and its own line.

import { isUsagePragma } from './pragmas.js';
import { createTokenInstance, type IToken } from './chevrotain-runtime.js';
import { bundledFile } from './library.js';
import { lexRaw } from './lexer.js';
import { setOrigin } from './origin.js';
import { SourceFile, spanOf, type Diagnostics, type Span } from './source.js';
import * as T from './tokens.js';

/** The value of a preprocessor name: a number, a string, or none (defined, as by `#DEFINE NAME`). */
export type PPValue =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'none' };

/** Reads the file at a path; null when there is no such file. It may throw an error with code EISDIR for a folder. */
export type FileLoader = (path: string) => string | null;

export interface PreprocessOptions {
  /**
   * Reads the files #INCLUDE and #USE name. Without one, only the bundled library (`course.module`, ...) can be
   * included.
   */
  readonly loader?: FileLoader;
  /** The files of the compilation, main file first; every file read is appended (its id is its index). */
  readonly files?: SourceFile[];
  /** Names defined before the first line, in addition to the predefined ones. */
  readonly defines?: ReadonlyMap<string, PPValue>;
}

/** Directives that do not change the program; they are dropped with a warning. */
const IGNORED = new Set(['PRAGMA', 'COMMENT', 'OPTION']);

/** How deep #INCLUDEs may nest: far beyond any real program, and a guard against runaway generated includes. */
const MAX_DEPTH = 64;

const int = (n: number): PPValue => ({ kind: 'int', value: BigInt(n) });
const str = (s: string): PPValue => ({ kind: 'string', value: s });

/** The names every compilation starts with, as occ21 predefines them for a 32-bit target. */
export const PREDEFINED: ReadonlyMap<string, PPValue> = new Map<string, PPValue>([
  ['TARGET.BITS.PER.WORD', int(32)],
  ['TARGET.BYTES.PER.WORD', int(4)],
  ['TARGET.CPU', str('T800')],
  ['TARGET.OS', str('occmesh')],
  ['TARGET.VENDOR', str('occmesh')],
  ['TARGET.CANONICAL', str('t800-occmesh-occmesh')],
  ['TARGET.HAS.FPU', { kind: 'none' }],
  ['VERSION', str('occmesh')],
  ['OCCAM2.5', { kind: 'none' }],
  ['PROTOCOL.CASE.INPUT', { kind: 'none' }],
  // occ21 defines it when extended input (`??`) is on, as occbuild has it.
  ['EXTENDED.RENDEZVOUS', { kind: 'none' }],
]);

/** Names whose value depends on where they are used. */
const POSITIONAL = new Set(['FILE', 'LINE']);

// ---------------------------------------------------------------------------------------------------- driver

/**
 * Preprocess `main` and every file it includes into one token stream (without layout tokens). Never throws: every
 * problem is a diagnostic at the directive or name concerned.
 */
export function preprocess(main: SourceFile, diags: Diagnostics, options: PreprocessOptions = {}): IToken[] {
  const files = options.files ?? [main];
  if (!files.includes(main)) files.unshift(main);
  const pp = new Preprocessor(main, diags, files, options.loader);
  for (const [name, value] of options.defines ?? []) pp.defines.set(name, value);
  return pp.file(main, 0, [main.path]);
}

/** One open #IF: whether its current branch is being compiled, and what has been seen so far. */
interface Conditional {
  readonly span: Span;
  /** Whether the lines around the #IF are compiled. */
  readonly outer: boolean;
  /** Whether some branch of this #IF has been chosen already. */
  taken: boolean;
  /** Whether the current branch is compiled. */
  active: boolean;
  /** Whether #ELSE has been seen. */
  sawElse: boolean;
  /** Columns that #RELAX has moved the current branch's lines to the left. */
  relax: number;
}

/** A piece of a directive line: a name, a number, a string or a symbol. */
interface Piece {
  readonly kind: 'name' | 'int' | 'string' | 'sym' | 'end';
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly int?: bigint;
  readonly bytes?: number[];
}

type Cond =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'defined'; readonly name: Piece }
  | { readonly kind: 'not'; readonly operand: Cond }
  | { readonly kind: 'and' | 'or'; readonly operands: Cond[] }
  | { readonly kind: 'compare'; readonly op: string; readonly left: Piece; readonly right: Piece };

/** Tokens spliced into a file's tokens before offset `at`: an included file's, or a `##NAME`'s value (`own`). */
interface Insert {
  readonly at: number;
  readonly tokens: IToken[];
  readonly own: boolean;
}

/** Thrown inside directive parsing after the error is reported; caught at the directive. */
class DirectiveError extends Error {}

class Preprocessor {
  readonly defines = new Map<string, PPValue>(PREDEFINED);
  /** Files brought in by #USE, which are read once per compilation. */
  private readonly used = new Set<string>();
  /** Files already read, by path, so a file included twice is one entry in the file table. */
  private readonly byPath = new Map<string, SourceFile>();

  constructor(
    private readonly main: SourceFile,
    private readonly diags: Diagnostics,
    private readonly files: SourceFile[],
    private readonly loader: FileLoader | undefined,
  ) {
    for (const f of files) this.byPath.set(f.path, f);
  }

  /** The tokens of one file, laid out `base` columns to the right; `chain` is the include chain ending here. */
  file(file: SourceFile, base: number, chain: readonly string[]): IToken[] {
    const text = file.text;
    const masked: string[] = [];
    /** Tokens to splice in, by the offset they go before. */
    const inserts: Insert[] = [];
    /** Columns to add to each line's indentation (#RELAX, and the include base), by 0-based line. */
    const shifts: number[] = [];
    const stack: Conditional[] = [];
    const active = (): boolean => stack.length === 0 || stack[stack.length - 1]!.active;
    const relax = (): number => stack.reduce((n, c) => n + c.relax, 0);

    let lineNo = 0;
    for (let start = 0; start <= text.length; lineNo++) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end);
      const blank = (): void => {
        masked.push(line.replace(/[^\r]/g, ' '));
      };
      const m = /^([ \t]*)#([A-Z]+)(?![A-Za-z0-9.])/.exec(line);
      if (m && T.DIRECTIVE_WORDS.has(m[2]!)) {
        blank();
        const at = start + m[1]!.length;
        const word = m[2]!;
        const wordSpan = spanOf(file, at, at + word.length + 1);
        const restStart = at + word.length + 1;
        const rest = text.slice(restStart, end).replace(/\r$/, '');
        try {
          this.directive(file, stack, active, word, wordSpan, rest, restStart, lineNo + 1, () => {
            const col = indentation(line) + base - relax();
            const included = this.include(file, word, rest, restStart, col, chain);
            if (included.length > 0) inserts.push({ at: start, tokens: included, own: false });
          });
        } catch (e) {
          if (!(e instanceof DirectiveError)) throw e;
        }
      } else if (!active()) {
        blank();
      } else {
        masked.push(this.substitute(file, line, start, inserts, lineNo + 1));
      }
      shifts.push(base - relax());
      if (end >= text.length) break;
      start = end + 1;
    }
    for (const c of stack) {
      this.diags.error(
        c.span,
        'this #IF has no matching #ENDIF',
        'end the conditional lines with #ENDIF, in the same file',
      );
    }

    const raw = lexRaw(file, this.diags, masked.join('\n'));
    const origin = (tok: IToken): void => {
      const shift = shifts[file.position(tok.startOffset).line - 1] ?? base;
      if (file !== this.main || shift !== 0) setOrigin(tok, { file, base: shift });
    };
    const out: IToken[] = [];
    let k = 0;
    inserts.sort((a, b) => a.at - b.at);
    for (const tok of raw) {
      for (; k < inserts.length && inserts[k]!.at <= tok.startOffset; k++) {
        for (const t of inserts[k]!.tokens) {
          if (inserts[k]!.own) origin(t);
          out.push(t);
        }
      }
      origin(tok);
      out.push(tok);
    }
    for (; k < inserts.length; k++) {
      for (const t of inserts[k]!.tokens) {
        if (inserts[k]!.own) origin(t);
        out.push(t);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ directives

  private directive(
    file: SourceFile,
    stack: Conditional[],
    active: () => boolean,
    word: string,
    wordSpan: Span,
    rest: string,
    restStart: number,
    line: number,
    include: () => void,
  ): void {
    const top = stack[stack.length - 1];
    switch (word) {
      case 'IF': {
        const outer = active();
        const c: Conditional = { span: wordSpan, outer, taken: false, active: false, sawElse: false, relax: 0 };
        stack.push(c);
        if (outer) {
          c.active = this.condition(file, rest, restStart, line, word);
          c.taken = c.active;
        }
        return;
      }
      case 'ELIF': {
        if (!top) this.fail(wordSpan, '#ELIF without a matching #IF', 'start the conditional lines with #IF');
        if (top.sawElse)
          this.fail(wordSpan, '#ELIF after #ELSE', 'the #ELSE branch must come last, just before #ENDIF');
        top.relax = 0;
        if (top.outer && !top.taken) {
          top.active = this.condition(file, rest, restStart, line, word);
          top.taken = top.active;
        } else top.active = false;
        return;
      }
      case 'ELSE':
        if (!top) this.fail(wordSpan, '#ELSE without a matching #IF', 'start the conditional lines with #IF');
        if (top.sawElse) this.fail(wordSpan, 'a second #ELSE for the same #IF', 'an #IF has at most one #ELSE');
        top.sawElse = true;
        top.relax = 0;
        top.active = top.outer && !top.taken;
        top.taken = true;
        this.nothingAfter(file, rest, restStart, word);
        return;
      case 'ENDIF':
        if (!top)
          this.fail(wordSpan, '#ENDIF without a matching #IF', 'remove it, or start the conditional lines with #IF');
        stack.pop();
        this.nothingAfter(file, rest, restStart, word);
        return;
    }
    if (!active()) return;
    switch (word) {
      case 'INCLUDE':
      case 'USE':
        include();
        return;
      case 'DEFINE': {
        const p = pieces(file, this.diags, rest, restStart);
        const name = p[0]!;
        if (name.kind !== 'name')
          this.fail(spanAt(file, name), '#DEFINE needs a name', 'for example: #DEFINE DEBUG or #DEFINE SIZE 10');
        let value: PPValue = { kind: 'none' };
        const v = p[1]!;
        if (v.kind === 'int') value = { kind: 'int', value: v.int! };
        else if (v.kind === 'string') value = { kind: 'string', value: String.fromCharCode(...v.bytes!) };
        else if (v.kind !== 'end') {
          this.fail(
            spanAt(file, v),
            `the value of #DEFINE ${name.text} must be a number or a string`,
            `for example: #DEFINE ${name.text} 10`,
          );
        }
        if (v.kind !== 'end' && p[2]!.kind !== 'end') {
          this.fail(spanAt(file, p[2]!), `unexpected ${describe(p[2]!)} after the value of #DEFINE ${name.text}`);
        }
        if (this.defines.has(name.text) || POSITIONAL.has(name.text)) {
          this.fail(
            spanAt(file, name),
            `${name.text} is already defined`,
            `to change its value, #UNDEF ${name.text} first`,
          );
        }
        this.defines.set(name.text, value);
        return;
      }
      case 'UNDEF': {
        const p = pieces(file, this.diags, rest, restStart);
        if (p[0]!.kind !== 'name')
          this.fail(spanAt(file, p[0]!), '#UNDEF needs the name to forget', 'for example: #UNDEF DEBUG');
        if (p[1]!.kind !== 'end')
          this.fail(spanAt(file, p[1]!), `unexpected ${describe(p[1]!)} after #UNDEF ${p[0]!.text}`);
        this.defines.delete(p[0]!.text);
        return;
      }
      case 'RELAX': {
        if (!top) this.fail(wordSpan, '#RELAX is only allowed between #IF and #ENDIF');
        this.nothingAfter(file, rest, restStart, word);
        top.relax += 2;
        return;
      }
      case 'ERROR':
        this.diags.error(wordSpan, rest.trim() === '' ? '#ERROR' : rest.trim());
        return;
      case 'WARNING':
        this.diags.warning(wordSpan, rest.trim() === '' ? '#WARNING' : rest.trim());
        return;
    }
    // #PRAGMA SHARED and PERMITALIASES are read by the usage checker (pragmas.ts).
    if (word === 'PRAGMA' && isUsagePragma(rest)) return;
    if (IGNORED.has(word)) this.diags.warning(wordSpan, `#${word} is ignored`);
  }

  private fail(span: Span, message: string, hint?: string): never {
    this.diags.error(span, message, hint);
    throw new DirectiveError(message);
  }

  private nothingAfter(file: SourceFile, rest: string, restStart: number, word: string): void {
    const p = pieces(file, this.diags, rest, restStart);
    if (p[0]!.kind !== 'end')
      this.fail(
        spanAt(file, p[0]!),
        `unexpected ${describe(p[0]!)} after #${word}`,
        `#${word} stands alone on its line`,
      );
  }

  /** FILE and LINE: the file's path and the directive's line. */
  private positional(file: SourceFile): (name: string, line: number) => PPValue | undefined {
    return (name, line) => (name === 'FILE' ? str(file.path) : name === 'LINE' ? int(line) : undefined);
  }

  // ------------------------------------------------------------------------------------------ conditions

  /** The value of a #IF or #ELIF condition; false after reporting a problem with it. */
  private condition(file: SourceFile, rest: string, restStart: number, line: number, word: string): boolean {
    try {
      return this.conditionOrThrow(file, rest, restStart, line, word);
    } catch (e) {
      if (e instanceof DirectiveError) return false;
      throw e;
    }
  }

  private conditionOrThrow(file: SourceFile, rest: string, restStart: number, line: number, word: string): boolean {
    const p = pieces(file, this.diags, rest, restStart);
    let i = 0;
    const peek = (): Piece => p[i]!;
    const next = (): Piece => p[Math.min(i++, p.length - 1)]!;
    const expectSym = (s: string, what: string): void => {
      const t = next();
      if (t.kind !== 'sym' || t.text !== s)
        this.fail(spanAt(file, t), `expected \`${s}\` ${what}, found ${describe(t)}`);
    };
    const value = (): Piece => {
      const t = next();
      if (t.kind === 'name' || t.kind === 'int' || t.kind === 'string') return t;
      return this.fail(spanAt(file, t), `expected a name, a number or a string, found ${describe(t)}`);
    };
    const operand = (): Cond => {
      const t = peek();
      if (t.kind === 'name' && t.text === 'NOT') {
        next();
        return { kind: 'not', operand: operand() };
      }
      if (t.kind === 'sym' && t.text === '(') {
        next();
        const c = cond();
        expectSym(')', 'to close the bracket');
        return c;
      }
      if (t.kind === 'name' && (t.text === 'TRUE' || t.text === 'FALSE')) {
        next();
        return { kind: 'const', value: t.text === 'TRUE' };
      }
      if (t.kind === 'name' && t.text === 'DEFINED') {
        next();
        expectSym('(', 'after DEFINED');
        const name = next();
        if (name.kind !== 'name')
          this.fail(spanAt(file, name), `expected a name in DEFINED ( ), found ${describe(name)}`);
        expectSym(')', 'after the name');
        return { kind: 'defined', name };
      }
      const left = value();
      const op = next();
      if (op.kind !== 'sym' || !['=', '<>', '<', '<=', '>', '>='].includes(op.text)) {
        this.fail(
          spanAt(file, op.kind === 'end' ? left : op),
          op.kind === 'end'
            ? `\`${left.text}\` is not a condition`
            : `expected a comparison after \`${left.text}\`, found ${describe(op)}`,
          'a condition is TRUE, FALSE, DEFINED (NAME), NOT, AND, OR, or a comparison such as TARGET.BITS.PER.WORD = 32',
        );
      }
      return { kind: 'compare', op: op.text, left, right: value() };
    };
    const cond = (): Cond => {
      const first = operand();
      const t = peek();
      if (t.kind !== 'name' || (t.text !== 'AND' && t.text !== 'OR')) return first;
      const op = t.text;
      const operands = [first];
      while (peek().kind === 'name' && (peek().text === 'AND' || peek().text === 'OR')) {
        const o = next();
        if (o.text !== op) {
          this.fail(
            spanAt(file, o),
            `${op} and ${o.text} are mixed without brackets`,
            'occam has no operator precedence: bracket one of them, e.g. (a AND b) OR c',
          );
        }
        operands.push(operand());
      }
      return { kind: op === 'AND' ? 'and' : 'or', operands };
    };
    const first = peek();
    if (first.kind === 'end')
      this.fail(spanAt(file, first), `#${word} needs a condition`, 'for example: #IF DEFINED (DEBUG)');
    const c = cond();
    const after = peek();
    if (after.kind !== 'end') this.fail(spanAt(file, after), `unexpected ${describe(after)} after the condition`);
    return this.evaluate(file, c, line);
  }

  /** Evaluate lazily, left to right, so `DEFINED (X) AND (X = 1)` is fine when X is not defined. */
  private evaluate(file: SourceFile, c: Cond, line: number): boolean {
    switch (c.kind) {
      case 'const':
        return c.value;
      case 'defined':
        return this.defines.has(c.name.text) || POSITIONAL.has(c.name.text);
      case 'not':
        return !this.evaluate(file, c.operand, line);
      case 'and':
        return c.operands.every((o) => this.evaluate(file, o, line));
      case 'or':
        return c.operands.some((o) => this.evaluate(file, o, line));
      case 'compare': {
        const l = this.valueOf(file, c.left, line);
        const r = this.valueOf(file, c.right, line);
        if (l.kind !== r.kind) {
          this.fail(
            spanAt(file, c.left),
            `cannot compare ${l.kind === 'int' ? 'a number' : 'a string'} with ${r.kind === 'int' ? 'a number' : 'a string'}`,
          );
        }
        const order = l.value < r.value ? -1 : l.value > r.value ? 1 : 0;
        switch (c.op) {
          case '=':
            return order === 0;
          case '<>':
            return order !== 0;
          case '<':
            return order < 0;
          case '<=':
            return order <= 0;
          case '>':
            return order > 0;
          default:
            return order >= 0;
        }
      }
    }
  }

  private valueOf(
    file: SourceFile,
    p: Piece,
    line: number,
  ): { kind: 'int'; value: bigint } | { kind: 'string'; value: string } {
    if (p.kind === 'int') return { kind: 'int', value: p.int! };
    if (p.kind === 'string') return { kind: 'string', value: String.fromCharCode(...p.bytes!) };
    const v = this.positional(file)(p.text, line) ?? this.defines.get(p.text);
    if (v === undefined) {
      this.fail(spanAt(file, p), `${p.text} is not defined`, `test whether it is with DEFINED (${p.text}) first`);
    }
    if (v.kind === 'none') this.fail(spanAt(file, p), `${p.text} is defined but has no value to compare`);
    return v;
  }

  // ------------------------------------------------------------------------------------------ ##NAME

  /** The line with each `##NAME` outside strings and comments blanked, and a literal token queued in its place. */
  private substitute(file: SourceFile, line: string, start: number, inserts: Insert[], lineNo: number): string {
    if (!line.includes('##')) return line;
    let out = '';
    let i = 0;
    let quote = '';
    while (i < line.length) {
      const c = line[i]!;
      if (quote) {
        if (c === '*') {
          out += line.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (c === quote) quote = '';
        out += c;
        i++;
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      if (c === '-' && line[i + 1] === '-') return out + line.slice(i);
      const m = c === '#' && line[i + 1] === '#' ? /^##([A-Za-z][A-Za-z0-9.]*)/.exec(line.slice(i)) : null;
      if (!m) {
        out += c;
        i++;
        continue;
      }
      const name = m[1]!;
      const at = start + i;
      const span = spanOf(file, at, at + m[0].length);
      const value = this.positional(file)(name, lineNo) ?? this.defines.get(name);
      if (value === undefined) {
        this.diags.error(span, `${name} is not defined`, `define it with #DEFINE ${name} value before this line`);
      } else if (value.kind === 'none') {
        this.diags.error(span, `${name} is defined but has no value to substitute`, `give it one: #DEFINE ${name} 1`);
      }
      // After an error the name stands for 0, so that the parser has an operand and says nothing more.
      const v: PPValue = value === undefined || value.kind === 'none' ? int(0) : value;
      const pos = file.position(at);
      const type = v.kind === 'string' ? T.StringLiteral : T.DecimalLiteral;
      const tok = createTokenInstance(
        type,
        m[0],
        at,
        at + m[0].length - 1,
        pos.line,
        pos.line,
        pos.col,
        pos.col + m[0].length - 1,
      );
      tok.payload =
        v.kind === 'string'
          ? Uint8Array.from(v.value, (ch) => ch.charCodeAt(0) & 255)
          : v.kind === 'int'
            ? v.value
            : 0n;
      inserts.push({ at, tokens: [tok], own: true });
      out += ' '.repeat(m[0].length);
      i += m[0].length;
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ files

  /** The tokens of the file a #INCLUDE or #USE names, laid out at column `col`; empty after an error. */
  private include(
    from: SourceFile,
    word: string,
    rest: string,
    restStart: number,
    col: number,
    chain: readonly string[],
  ): IToken[] {
    const lead = rest.length - rest.trimStart().length;
    if (rest[lead] !== '"') {
      const text = rest.trim();
      const span = spanOf(from, restStart + lead, restStart + lead + Math.max(1, text.length));
      this.fail(
        span,
        `#${word} needs a file name in double quotes`,
        `for example: #${word} "${word === 'USE' ? 'course.lib' : text || 'course.module'}"`,
      );
    }
    const p = pieces(from, this.diags, rest, restStart);
    const name = p[0]!;
    if (p[1]!.kind !== 'end') this.fail(spanAt(from, p[1]!), `#${word} takes one file name; remove what follows it`);
    const target = String.fromCharCode(...name.bytes!);
    const span = spanAt(from, name);
    if (target === '') this.fail(span, `#${word} needs a file name`);

    const path = joinPath(dirOf(from.path), target);
    // #USE names a library, which KRoC finds on its library path (a `course.lib` beside the program would be a
    // compiled KRoC library, not occam), so the bundled one comes first; #INCLUDE reads the folder first.
    let found = word === 'USE' ? bundledFile(target) : null;
    const folders: string[] = [];
    if (found === null) {
      const text = this.read(path, folders);
      found = text !== null ? { path, text } : bundledFile(target);
    }
    if (found === null && folders.length > 0) {
      this.fail(
        span,
        `"${target}" is a directory, not a file`,
        `#${word} names an occam source file, such as "${word === 'USE' ? 'course.lib' : 'course.module'}"`,
      );
    }
    if (found === null) {
      this.fail(
        span,
        `cannot find the file "${target}"`,
        `it was looked for at ${path}; an included file's name is relative to the folder of the file that includes it`,
      );
    }
    // A file may be entered a second time inside itself: a guard (#IF NOT (DEFINED (NAME)) ... #DEFINE NAME) then
    // skips its body, so the cycle ends there. A third time means nothing stopped it.
    if (chain.filter((p) => p === found.path).length >= 2) {
      const cycle = [...chain.slice(chain.lastIndexOf(found.path)), found.path].map(baseName).join(' -> ');
      this.fail(
        span,
        `"${target}" includes itself: ${cycle}`,
        'remove one of these #INCLUDEs, or guard the file: #IF NOT (DEFINED (NAME)), #DEFINE NAME on the next line, and #ENDIF at its end',
      );
    }
    if (chain.length >= MAX_DEPTH) this.fail(span, `#INCLUDEs are nested more than ${MAX_DEPTH} deep`);
    if (word === 'USE') {
      // A library is compiled into the program once, however many times it is named.
      if (this.used.has(found.path)) return [];
      this.used.add(found.path);
    }
    let file = this.byPath.get(found.path);
    if (!file) {
      file = new SourceFile(this.files.length, found.path, found.text);
      this.files.push(file);
      this.byPath.set(found.path, file);
    }
    return this.file(file, col, [...chain, found.path]);
  }

  /** The text of `path`, or null; `folders` collects a path that named a folder (the loader throws EISDIR). */
  private read(path: string, folders?: string[]): string | null {
    if (!this.loader) return null;
    try {
      return this.loader(path);
    } catch (e) {
      if ((e as { code?: string }).code === 'EISDIR') folders?.push(path);
      return null;
    }
  }
}

// ---------------------------------------------------------------------------------------------------- helpers

function indentation(line: string): number {
  let col = 0;
  for (const c of line) {
    if (c === ' ') col++;
    else if (c === '\t') col = (Math.floor(col / 8) + 1) * 8;
    else break;
  }
  return col;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `dir` + `rel`, with `.` and `..` steps folded; an absolute `rel` stands alone. */
function joinPath(dir: string, rel: string): string {
  const full = rel.startsWith('/') ? rel : dir + rel;
  const absolute = full.startsWith('/');
  const parts: string[] = [];
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part === '..' && absolute) continue;
    else parts.push(part);
  }
  return (absolute ? '/' : '') + parts.join('/');
}

function spanAt(file: SourceFile, p: Piece): Span {
  return spanOf(file, p.start, Math.max(p.end, p.start + 1));
}

function describe(p: Piece): string {
  switch (p.kind) {
    case 'end':
      return 'the end of the line';
    case 'string':
      return 'a string';
    case 'int':
      return `the number ${p.text}`;
    default:
      return `\`${p.text}\``;
  }
}

/**
 * Split the rest of a directive line into pieces, ending with an 'end' piece. A `--` comment ends the line.
 * Reports and abandons the directive on a character that cannot start a piece.
 */
function pieces(file: SourceFile, diags: Diagnostics, rest: string, restStart: number): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  const bad = (at: number, len: number, message: string, hint?: string): never => {
    diags.error(spanOf(file, restStart + at, restStart + at + len), message, hint);
    throw new DirectiveError(message);
  };
  while (i < rest.length) {
    const c = rest[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '-' && rest[i + 1] === '-') break;
    const start = i;
    let m: RegExpExecArray | null;
    if ((m = /^[A-Za-z][A-Za-z0-9.]*/.exec(rest.slice(i)))) {
      i += m[0].length;
      out.push({ kind: 'name', text: m[0], start: restStart + start, end: restStart + i });
    } else if ((m = /^-?(?:[0-9]+|#[0-9A-F]+)/.exec(rest.slice(i)))) {
      i += m[0].length;
      const digits = m[0].replace(/^-/, '');
      const magnitude = digits.startsWith('#') ? BigInt('0x' + digits.slice(1)) : BigInt(digits);
      const value = m[0].startsWith('-') ? -magnitude : magnitude;
      out.push({ kind: 'int', text: m[0], start: restStart + start, end: restStart + i, int: value });
    } else if (c === '"') {
      const bytes: number[] = [];
      i++;
      for (;;) {
        if (i >= rest.length)
          bad(start, rest.length - start, 'this string is not closed', 'add `"` at the end of the string');
        const ch = rest[i]!;
        if (ch === '"') {
          i++;
          break;
        }
        if (ch === '*') {
          const e = rest[i + 1] ?? '';
          if (e in T.STRING_ESCAPES) {
            bytes.push(T.STRING_ESCAPES[e]!);
            i += 2;
          } else if (e === '#' && /^[0-9A-F]{2}$/.test(rest.slice(i + 2, i + 4))) {
            bytes.push(parseInt(rest.slice(i + 2, i + 4), 16));
            i += 4;
          } else bad(i, 2, `unknown escape \`*${e}\``, 'escapes are *c *n *t *s *\' *" ** and *#hh');
          continue;
        }
        bytes.push(ch.charCodeAt(0) & 255);
        i++;
      }
      out.push({ kind: 'string', text: rest.slice(start, i), start: restStart + start, end: restStart + i, bytes });
    } else if ((m = /^(?:<>|<=|>=|[()=<>])/.exec(rest.slice(i)))) {
      i += m[0].length;
      out.push({ kind: 'sym', text: m[0], start: restStart + start, end: restStart + i });
    } else {
      bad(i, 1, `unexpected character \`${c}\` in a directive`);
    }
  }
  const endAt = restStart + rest.replace(/\s+$/, '').length;
  out.push({ kind: 'end', text: '', start: endAt, end: endAt });
  out.push({ kind: 'end', text: '', start: endAt, end: endAt });
  out.push({ kind: 'end', text: '', start: endAt, end: endAt });
  return out;
}
