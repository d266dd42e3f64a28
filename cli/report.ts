// Turning a run's outcome into words: run-time errors and deadlocks in source terms (file:line:col, the source
// line, a caret), using only the debug information in the image.

import { entryAt, type CoreDebug, type Image } from '../emulator/image.js';
import type { BlockedProcess, RunError, RunResult } from '../emulator/machine.js';
import { excerpt, SourceFile, type Span } from '../compiler/source.js';

/** Source files rebuilt from the image, so messages need nothing but the image. */
export class ImageSources {
  private readonly files: SourceFile[];

  constructor(private readonly image: Image) {
    this.files = image.files.map((f, i) => new SourceFile(i, f.path, f.text));
  }

  span(file: number, line: number, col: number, length = 1): Span | null {
    const f = this.files[file];
    if (!f || line < 1 || line > f.lineCount) return null;
    const start = f.offsetOf(line, col);
    return { file: f, start, end: start + Math.max(1, length), line, col };
  }

  debugOf(x: number, y: number): CoreDebug | null {
    const i = this.image.cores.findIndex((c) => c.x === x && c.y === y);
    return i < 0 ? null : this.image.debug[i]!;
  }
}

function located(span: Span | null, message: string): string[] {
  if (!span) return [message];
  return [`${span.file.path}:${span.line}:${span.col}: ${message}`, ...excerpt(span)];
}

/** `file:line:col: run-time error: what`, the line, a caret, and where it ran. */
export function formatRunError(sources: ImageSources, err: RunError): string {
  const dbg = sources.debugOf(err.core.x, err.core.y);
  const where = `on core (${err.core.x}, ${err.core.y})`;
  const check = dbg?.checks.find((c) => c.offset === err.offset);
  if (check) {
    const span = sources.span(check.file, check.line, check.col, check.length);
    return [...located(span, `run-time error: ${check.message}`), `  ${where}`].join('\n');
  }
  const line = dbg ? entryAt(dbg.lines, err.offset) : undefined;
  const span = line ? sources.span(line.file, line.line, line.col) : null;
  return [...located(span, `run-time error: ${err.reason}`), `  ${where}, instruction \`${err.instruction}\``].join('\n');
}

const WAITING: Record<BlockedProcess['waiting']['kind'], string> = {
  input: 'waiting to input from a channel',
  output: 'waiting to output to a channel',
  alt: 'waiting in an ALT',
  timer: 'waiting for a timer',
  stopped: 'stopped',
  endp: 'waiting for the other branches of a PAR',
};

/** The deadlock report: every blocked process with its source line and what it waits for. */
export function formatDeadlock(sources: ImageSources, result: RunResult): string {
  const out = [`deadlock: no process can proceed (after ${result.cycles} cycles)`];
  for (const p of result.blocked) {
    const dbg = sources.debugOf(p.core.x, p.core.y);
    // The saved Iptr points just after the instruction the process blocked on.
    const at = p.iptr > 0 ? p.iptr - 1 : p.iptr;
    const line = dbg && at >= 0 ? entryAt(dbg.lines, at) : undefined;
    const span = line ? sources.span(line.file, line.line, line.col) : null;
    const channel = p.waiting.channel !== undefined ? ` (channel word at #${(p.waiting.channel >>> 0).toString(16).toUpperCase()})` : '';
    const what = `process on core (${p.core.x}, ${p.core.y}) ${WAITING[p.waiting.kind]}${channel}`;
    out.push(...located(span, what).map((l) => `  ${l}`));
  }
  return out.join('\n');
}
