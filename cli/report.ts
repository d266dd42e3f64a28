// Turning a run's outcome into words: run-time errors and deadlocks in source terms (file:line:col, the source
// line, a caret), using only the debug information in the image.

import { entryAt, MEM_START, type CoreDebug, type Image } from '../emulator/image.js';
import type { BlockedProcess, Machine, RunError, RunResult } from '../emulator/machine.js';
import { excerpt, SourceFile, type Span } from '../compiler/source.js';
import type { DetailOf } from './blocked-detail.js';

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

  meshChannel(
    k: number,
  ): { name: string; from: { x: number; y: number }; to: { x: number; y: number }; host?: string } | null {
    return this.image.channels?.[k] ?? null;
  }
}

function located(span: Span | null, message: string): string[] {
  if (!span) return [message];
  return [`${span.file.path}:${span.line}:${span.col}: ${message}`, ...excerpt(span)];
}

/** `file:line:col: run-time error: what`, the line, a caret, and where it ran. */
export function formatRunError(sources: ImageSources, err: RunError, chain: readonly string[] = []): string {
  const dbg = sources.debugOf(err.core.x, err.core.y);
  const where = `on core (${err.core.x}, ${err.core.y})`;
  const check = dbg?.checks.find((c) => c.offset === err.offset);
  if (check) {
    const span = sources.span(check.file, check.line, check.col, check.length);
    return [...located(span, `run-time error: ${precise(check.message, err.reason)}`), ...chain, `  ${where}`].join(
      '\n',
    );
  }
  const line = dbg ? entryAt(dbg.lines, err.offset) : undefined;
  const span = line ? sources.span(line.file, line.line, line.col) : null;
  return [
    ...located(span, `run-time error: ${err.reason}`),
    ...chain,
    `  ${where}, instruction \`${err.instruction}\``,
  ].join('\n');
}

/**
 * A check's message names every error its instruction can raise (`division by zero or overflow in ...`); when the
 * machine says which one it was, name only that one.
 */
function precise(message: string, reason: string): string {
  const m = /^(.*?)(\w[\w ]*?) or ([\w ]+?)( in .*)?$/.exec(message);
  if (!m) return message;
  const [, lead, first, second, rest] = m;
  const said = reason === 'arithmetic overflow' ? 'overflow' : reason;
  if (said === first || said === second) return `${lead}${said}${rest ?? ''}`;
  return message;
}

/** Where each core that was still running is, as code offsets, for the cycle-limit message. */
export function runningAt(machine: Machine): { core: { x: number; y: number }; offset: number }[] {
  return machine.cores
    .filter((c) => c.state === 'running' && c.active)
    .map((c) => ({ core: { x: c.x, y: c.y }, offset: (c.Iptr - MEM_START) | 0 }));
}

/** Shown at most for this many running cores; the rest are counted. */
const RUNNING_SHOWN = 4;

/** The run stopped at --max-cycles: say so, and where the program was. */
export function formatCycleLimit(sources: ImageSources, cycles: number, running: ReturnType<typeof runningAt>): string {
  const out = [`occmesh: stopped at the cycle limit (${cycles} cycles); raise it with --max-cycles`];
  for (const r of running.slice(0, RUNNING_SHOWN)) {
    const dbg = sources.debugOf(r.core.x, r.core.y);
    const line = dbg ? entryAt(dbg.lines, r.offset) : undefined;
    const span = line ? sources.span(line.file, line.line, line.col) : null;
    out.push(...located(span, `core ${at(r.core)} was running here`).map((l) => `  ${l}`));
  }
  if (running.length > RUNNING_SHOWN) out.push(`  and ${running.length - RUNNING_SHOWN} more cores were running`);
  return out.join('\n');
}

const WAITING: Record<BlockedProcess['waiting']['kind'], string> = {
  input: 'waiting to input from a channel',
  output: 'waiting to output to a channel',
  alt: 'waiting in an ALT',
  timer: 'waiting for a timer',
  stopped: 'stopped',
  endp: 'waiting for the other branches of a PAR',
  claim: 'waiting to CLAIM a SHARED channel end that another process holds',
  sync: 'waiting at a BARRIER for the other processes enrolled on it',
};

interface Described {
  p: BlockedProcess;
  span: Span | null;
  /** What it waits for, in words. */
  what: string;
  /** The channel as written where it waits, if known. */
  channel: string | null;
  /** For a process waiting on a mesh channel: the core at the other end. */
  partner: { x: number; y: number } | null;
  line: number | null;
  /** The PROC calls it is in, as report lines. */
  chain: readonly string[];
  /** For a process waiting on a channel in its core's memory: the channel word's address. */
  word: number | null;
  /** The channel as the program declared it (`c[1]`), when known. */
  declared: string | null;
  /** The channel addresses its PROCs were passed (blocked-detail.ts). */
  held: readonly number[];
}

const at = (c: { x: number; y: number }): string => `(${c.x}, ${c.y})`;

function describe(sources: ImageSources, p: BlockedProcess, detailOf?: DetailOf): Described {
  const dbg = sources.debugOf(p.core.x, p.core.y);
  const detail = detailOf?.(p) ?? null;
  // The saved Iptr points just after the instruction the process blocked on; for a PAR waiting for its branches,
  // it is where the PAR continues, and the PAR itself is found in the code.
  const off = detail?.parOffset ?? (p.iptr > 0 ? p.iptr - 1 : p.iptr);
  const line = dbg && off >= 0 ? entryAt(dbg.lines, off) : undefined;
  const span = line ? sources.span(line.file, line.line, line.col) : null;
  const site = dbg?.channels && off >= 0 ? entryAt(dbg.channels, off) : undefined;
  // A site is recorded at its instruction's first byte: the one byte of `in`, or the prefix of `xable` (two bytes).
  const channel = site && off - site.offset >= 0 && off - site.offset <= 1 ? site.name : null;
  const k = p.waiting.meshChannel;
  const mesh = k !== undefined ? sources.meshChannel(k) : null;
  let what: string;
  let partner: { x: number; y: number } | null = null;
  const kind = p.waiting.kind;
  if ((kind === 'input' || kind === 'output') && (channel || mesh)) {
    const name = channel ?? mesh!.name;
    what = kind === 'input' ? `waiting to input from channel \`${name}\`` : `waiting to output on channel \`${name}\``;
    if (detail?.declared && detail.declared !== name) what += ` (\`${detail.declared}\`)`;
    if (mesh) {
      partner = kind === 'input' ? mesh.from : mesh.to;
      const alias = channel && channel !== mesh.name ? `mesh channel \`${mesh.name}\`` : 'a mesh channel';
      what += kind === 'input' ? ` (${alias} from core ${at(mesh.from)})` : ` (${alias} to core ${at(mesh.to)}`;
      if (kind === 'output') what += p.waiting.delivered ? ', which has the message but has not input it)' : ')';
    }
  } else if (kind === 'alt' && detail && detail.altChannels.length > 0) {
    what = `waiting in an ALT on ${detail.altChannels.map((c) => `\`${c}\``).join(', ')}`;
  } else if (kind === 'endp' && detail?.parOffset != null) {
    what = 'waiting at the end of this PAR for its other branches to finish';
  } else {
    const word =
      p.waiting.channel !== undefined
        ? ` (channel word at #${(p.waiting.channel >>> 0).toString(16).toUpperCase()})`
        : '';
    what = WAITING[kind] + word;
  }
  const word =
    (kind === 'input' || kind === 'output') && k === undefined && p.waiting.channel !== undefined
      ? p.waiting.channel
      : null;
  return {
    p,
    span,
    what,
    channel,
    partner,
    line: line ? line.line : null,
    chain: detail?.chain ?? [],
    word,
    declared: detail?.declared ?? null,
    held: detail?.heldChannels ?? [],
  };
}

/** The deadlock report: every blocked process with its source line and what it waits for, and the cycle of waits. */
export function formatDeadlock(sources: ImageSources, result: RunResult, detailOf?: DetailOf): string {
  const out = [`deadlock: no process can proceed (after ${result.cycles} cycles)`];
  const all = result.blocked.map((p) => describe(sources, p, detailOf));
  for (const d of all) {
    const what = `process on core ${at(d.p.core)} ${d.what}`;
    out.push(...located(d.span, what).map((l) => `  ${l}`), ...d.chain.map((l) => `  ${l}`));
  }
  const cycle = waitCycle(all);
  if (cycle) {
    out.push('  cycle of waits:');
    for (const d of cycle) {
      const where = d.span ? `${d.span.file.path}:${d.span.line}` : `core ${at(d.p.core)}`;
      if (d.partner) {
        const verb = d.p.waiting.kind === 'input' ? 'inputs from' : 'outputs to';
        out.push(
          `    core ${at(d.p.core)} (${where}) ${verb} core ${at(d.partner)} on \`${d.channel ?? '?'}\`, which waits for`,
        );
      } else {
        // Processes on one core: each is told apart by the channel it waits on.
        const verb = d.p.waiting.kind === 'input' ? 'inputs from' : 'outputs on';
        out.push(`    the process at ${where}${calledFrom(d)} ${verb} ${localName(d)}, which waits for`);
      }
    }
    const first = cycle[0]!;
    if (first.partner) out.push(`    core ${at(first.p.core)}`);
    else {
      const where = first.span ? `${first.span.file.path}:${first.span.line}` : `core ${at(first.p.core)}`;
      out.push(`    the process at ${where}${calledFrom(first)} waiting on ${localName(first)}`);
    }
  }
  return out.join('\n');
}

/** ` (called from f.occ:12)`: the innermost call site, which tells instances of one PROC apart. */
function calledFrom(d: Described): string {
  for (const l of d.chain) {
    const m = /called from (.*):(\d+):\d+/.exec(l);
    if (m) return ` (called from ${m[1]}:${m[2]})`;
  }
  return '';
}

/** A channel of a process on one core, by its declared name and the name where it waits (`c[1]` (`right`)). */
function localName(d: Described): string {
  const name = d.declared ?? d.channel ?? '?';
  return d.channel && d.declared && d.channel !== d.declared ? `\`${name}\` (\`${d.channel}\`)` : `\`${name}\``;
}

/**
 * The waits that close a loop: each process waiting on a mesh channel waits for the process at the other end,
 * when that core has exactly one blocked process; on one core, a process waiting on a channel in memory waits for
 * the one other blocked process whose PROCs were passed that channel. Null when there is no such loop.
 */
function waitCycle(all: Described[]): Described[] | null {
  const byCore = new Map<string, Described[]>();
  for (const d of all) {
    const key = at(d.p.core);
    byCore.set(key, [...(byCore.get(key) ?? []), d]);
  }
  const next = (d: Described): Described | null => {
    if (d.word !== null) {
      // On one core: the other blocked process on this core that was passed this channel.
      const holders = (byCore.get(at(d.p.core)) ?? []).filter(
        (o) => o !== d && o.word !== null && o.word !== d.word && o.held.includes(d.word!),
      );
      return holders.length === 1 ? holders[0]! : null;
    }
    if (!d.partner) return null;
    const there = byCore.get(at(d.partner)) ?? [];
    const waiting = there.filter((o) => o.partner);
    return waiting.length === 1 ? waiting[0]! : null;
  };
  for (const startAt of all) {
    const seen: Described[] = [];
    let cur: Described | null = startAt;
    while (cur && !seen.includes(cur)) {
      seen.push(cur);
      cur = next(cur);
    }
    if (cur) {
      const loop = seen.slice(seen.indexOf(cur));
      if (loop.length > 1) return loop;
    }
  }
  return null;
}

/** The deadlock as data for --json: the report text and each blocked process in source terms. */
export function deadlockJson(sources: ImageSources, result: RunResult, detailOf?: DetailOf): object {
  const all = result.blocked.map((p) => describe(sources, p, detailOf));
  const cycle = waitCycle(all);
  const entry = (d: Described) => ({
    core: [d.p.core.x, d.p.core.y],
    file: d.span?.file.path ?? null,
    line: d.span?.line ?? null,
    col: d.span?.col ?? null,
    waiting: d.p.waiting.kind,
    channel: d.channel,
    description: d.what,
  });
  return {
    report: formatDeadlock(sources, result, detailOf),
    blocked: all.map(entry),
    cycle: cycle ? cycle.map(entry) : null,
  };
}
