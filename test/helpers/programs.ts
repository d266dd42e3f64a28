// The `.occ` test programs and what their comments say they must do (docs/testing.md): finding them, reading
// their expectations, and checking what a run wrote to standard error against them exactly, so that an error or
// warning nobody listed fails the test.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every `.occ` file under `dir`, in name order, folders included. */
export function findPrograms(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findPrograms(path));
    else if (name.endsWith('.occ')) found.push(path);
  }
  return found;
}

export type Severity = 'error' | 'warning' | 'run-time error' | 'note';

/** `-- error: message` written on the line it is about. */
export interface LineExpectation {
  readonly line: number;
  readonly severity: Severity;
  readonly message: string;
}

export interface Expectations {
  /** `-- expect:` lines: standard output, line by line. */
  readonly stdout: string[];
  /** `-- expect-exit:` (default 0). */
  exit: number;
  /** `-- expect-error:` texts, each to be found in standard error. */
  readonly errors: string[];
  /** `-- error:`, `-- warning:`, `-- run-time error:`, `-- note:` on the line they are about. */
  readonly onLine: LineExpectation[];
  /** `-- stdin:` lines, each with its newline. */
  stdin: string;
  /** `-- args:` options for `occmesh run`. */
  readonly args: string[];
}

const DIRECTIVE = /--\s*(expect|expect-exit|expect-error|stdin|args):\s?(.*)$/;
const ON_LINE = /--\s*(error|warning|run-time error|note):\s*(.*?)\s*$/;

export function expectationsOf(text: string): Expectations {
  const e: Expectations = { stdout: [], exit: 0, errors: [], onLine: [], stdin: '', args: [] };
  text.split(/\r?\n/).forEach((line, i) => {
    const m = DIRECTIVE.exec(line);
    if (!m) {
      const at = ON_LINE.exec(line);
      if (at) e.onLine.push({ line: i + 1, severity: at[1] as Severity, message: at[2]! });
      return;
    }
    const value = m[2]!.replace(/\r$/, '');
    switch (m[1]) {
      case 'expect':
        e.stdout.push(value);
        break;
      case 'expect-exit':
        e.exit = Number(value.trim());
        break;
      case 'expect-error':
        e.errors.push(value.trim());
        break;
      case 'stdin':
        e.stdin += value + '\n';
        break;
      case 'args':
        e.args.push(
          ...value
            .trim()
            .split(/\s+/)
            .filter((a) => a !== ''),
        );
        break;
    }
  });
  return e;
}

/** A line of standard error that reports a problem: a located diagnostic, a deadlock or a stop by occmesh. */
interface Report {
  readonly text: string;
  /** For a located diagnostic: where and what. */
  readonly located?: {
    readonly file: string;
    readonly line: number;
    readonly severity: Severity;
    readonly message: string;
  };
}

const LOCATED = /^\s*(\S+?):(\d+):(\d+): (error|warning|run-time error|note): (.*)$/;

function reportsIn(stderr: string): Report[] {
  const reports: Report[] = [];
  for (const text of stderr.split('\n')) {
    const m = LOCATED.exec(text);
    if (m) {
      reports.push({ text, located: { file: m[1]!, line: Number(m[2]), severity: m[4] as Severity, message: m[5]! } });
    } else if (/^(deadlock|occmesh):/.test(text) || /internal (compiler |emulator )?error/.test(text)) {
      reports.push({ text });
    }
  }
  return reports;
}

/**
 * What does not agree between a run's standard error and a program's expectations, as sentences (none when it
 * agrees): an `-- expect-error:` text that is not there, a line expectation no diagnostic on that line matches,
 * and any error, warning, run-time error, deadlock or stop that no expectation lists. Notes need not be listed.
 * `path` is the program's path as given to occmesh, which is how diagnostics in it name it.
 */
export function stderrMismatches(stderr: string, path: string, want: Expectations): string[] {
  const problems: string[] = [];
  const reports = reportsIn(stderr);
  const listed = new Set<Report>();
  for (const text of want.errors) {
    if (!stderr.includes(text)) problems.push(`expected on standard error: ${text}`);
    for (const r of reports) if (r.text.includes(text)) listed.add(r);
  }
  for (const e of want.onLine) {
    const matches = reports.filter(
      (r) =>
        r.located &&
        r.located.file === path &&
        r.located.line === e.line &&
        r.located.severity === e.severity &&
        r.located.message === e.message,
    );
    if (matches.length === 0) problems.push(`expected on line ${e.line}: ${e.severity}: ${e.message}`);
    for (const r of matches) listed.add(r);
  }
  for (const r of reports) {
    if (listed.has(r) || r.located?.severity === 'note') continue;
    problems.push(`not listed in the program's expectations: ${r.text.trim()}`);
  }
  return problems;
}
