// Source files, spans and diagnostics. Every error occmesh reports about a program is a Diagnostic: a span in a
// file, a severity, a plain-English message and an optional hint, printed the way good compilers print them:
//
//   hello.occ:3:5: error: undeclared name `scrn`
//       scrn ! 'x'
//       ^^^^
//     hint: the screen channel is called `scr` here

export class SourceFile {
  private lineStarts: number[] | null = null;

  constructor(
    /** Index of this file in the compilation's file table (and the image's). */
    readonly id: number,
    /** The path as the user named it, used in messages. */
    readonly path: string,
    readonly text: string,
  ) {}

  /** 1-based line and column of a character offset. Columns count characters; a tab counts as one. */
  position(offset: number): { line: number; col: number } {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1];
    if (start === undefined) return '';
    const next = starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text[end - 1] === '\r') end--;
    return this.text.slice(start, end);
  }

  /** Character offset of a 1-based line and column. */
  offsetOf(line: number, col: number): number {
    const start = this.starts()[line - 1] ?? this.text.length;
    return Math.min(this.text.length, start + col - 1);
  }

  get lineCount(): number {
    return this.starts().length;
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const s = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) s.push(i + 1);
      this.lineStarts = s;
    }
    return this.lineStarts;
  }
}

/** A range of characters in one file. `line`/`col` (1-based) locate `start`. */
export interface Span {
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly col: number;
}

export function spanOf(file: SourceFile, start: number, end: number): Span {
  const { line, col } = file.position(start);
  return { file, start, end: Math.max(start, end), line, col };
}

/** The smallest span covering both. Both must be in the same file. */
export function joinSpans(a: Span, b: Span): Span {
  if (a.file !== b.file) return a;
  const first = a.start <= b.start ? a : b;
  return { file: a.file, start: first.start, end: Math.max(a.end, b.end), line: first.line, col: first.col };
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  readonly span: Span;
  readonly message: string;
  readonly hint?: string;
  /** Other places worth showing (e.g. "first used here"). */
  readonly related?: readonly { readonly span: Span; readonly message: string }[];
}

/** Raised to abandon a compilation once diagnostics have been collected. */
export class CompileError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
  }
}

/** Collects diagnostics for one compilation. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];

  error(span: Span, message: string, hint?: string, related?: Diagnostic['related']): void {
    this.list.push({ severity: 'error', span, message, hint, related });
  }

  warning(span: Span, message: string, hint?: string): void {
    this.list.push({ severity: 'warning', span, message, hint });
  }

  get errorCount(): number {
    return this.list.filter((d) => d.severity === 'error').length;
  }

  /** Throw CompileError if any error has been reported. */
  check(): void {
    if (this.errorCount > 0) throw new CompileError(this.sorted());
  }

  sorted(): Diagnostic[] {
    return [...this.list].sort((a, b) => a.span.file.id - b.span.file.id || a.span.start - b.span.start);
  }
}

/** `file:line:col: severity: message`, the source line, a caret under the span, and the hint. */
export function formatDiagnostic(d: Diagnostic): string {
  const out = [`${d.span.file.path}:${d.span.line}:${d.span.col}: ${d.severity}: ${visible(d.message)}`];
  out.push(...excerpt(d.span));
  for (const r of d.related ?? []) {
    out.push(`${r.span.file.path}:${r.span.line}:${r.span.col}: note: ${visible(r.message)}`);
    out.push(...excerpt(r.span));
  }
  if (d.hint) out.push(`  hint: ${visible(d.hint)}`);
  return out.join('\n');
}

/** Longest source line an excerpt shows whole; a longer one is cut to a window around the caret. */
export const EXCERPT_WIDTH = 120;

/**
 * The source line of a span with a caret line under it. Control bytes are shown escaped (`\x00`), so a binary
 * file cannot garble the terminal, and a line longer than EXCERPT_WIDTH is trimmed to the part around the caret,
 * with `...` where text was cut.
 */
export function excerpt(span: Span): string[] {
  const text = span.file.lineText(span.line);
  const lineEnd = span.file.position(span.start).line === span.line ? text.length - (span.col - 1) : 1;
  const width = Math.max(1, Math.min(span.end - span.start, lineEnd));
  const at = Math.min(span.col - 1, text.length);
  let from = 0;
  let to = text.length;
  if (shownWidth(text) > EXCERPT_WIDTH) {
    from = Math.max(0, at - Math.floor(EXCERPT_WIDTH / 3));
    to = Math.min(text.length, from + EXCERPT_WIDTH);
    while (to > at + 1 && shownWidth(text.slice(from, to)) > EXCERPT_WIDTH) to--;
  }
  const before = (from > 0 ? '...' : '') + visible(text.slice(from, at));
  const marked = visible(text.slice(at, Math.min(at + width, to))) || ' ';
  const line = before + visible(text.slice(at, to)) + (to < text.length ? '...' : '');
  const pad = before.replace(/[^\t]/g, ' ');
  return [`    ${line}`, `    ${pad}^${'~'.repeat(Math.max(0, marked.length - 1))}`];
}

/** Text with its control characters escaped (`\x1B`); tabs are kept. */
export function visible(text: string): string {
  return text.replace(
    // Control characters are exactly what this looks for.
    // eslint-disable-next-line no-control-regex
    /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function shownWidth(text: string): number {
  return visible(text).length;
}
