// The inputs the fuzzer feeds occmesh, made from a seed: mutations of real programs (tokens replaced, deleted or
// repeated, lines swapped, indentation changed, random bytes), and generated extremes (deep nesting, huge
// literals, huge programs). The same seed always gives the same inputs.

/** A small, fast, seedable generator (mulberry32). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** An integer in [1, n], log-uniform: as many draws below 10 as between 100 and 1,000, so the extremes are met
   * without every input being one (a 10⁶-input run still makes thousands of the largest). */
  size(n: number): number {
    return Math.min(n, Math.max(1, Math.floor(Math.exp(this.next() * Math.log(n + 1)))));
  }
}

/** The deepest SEQ nesting generated: its text grows with the square of the depth (each level is indented once
 * more), so 1,000 levels is already a 1 MB file, four times the parser's limit (`nesting too deep`). */
export const MAX_SEQ_DEPTH = 1_000;

export interface FuzzInput {
  /** How it was made, for the report. */
  readonly kind: string;
  readonly text: string;
}

export interface InputOptions {
  /** Deepest nesting generated (SEQ levels, parentheses, operator chains). */
  readonly maxDepth: number;
  /** Most PROCs in a generated huge program. */
  readonly maxProcs: number;
}

const TOKEN =
  /[A-Za-z][A-Za-z0-9.]*|#[0-9A-F]+|\d+(?:\.\d+)?(?:E[+-]?\d+)?|'(?:\*.|[^'])'|"(?:\*.|[^"])*"|:=|::|<>|<=|>=|<<|>>|\/\\|\\\/|><|[-+*/\\=<>!?:;,()[\]&~^@]|\s+|./g;

const KEYWORDS = [
  'SEQ',
  'PAR',
  'ALT',
  'IF',
  'WHILE',
  'CASE',
  'PROC',
  'INT',
  'BYTE',
  'BOOL',
  'CHAN',
  'VAL',
  'IS',
  'FOR',
  'SKIP',
  'STOP',
  'TRUE',
  'FALSE',
  'PLACED',
  'PROCESSOR',
  'FUNCTION',
  'VALOF',
  'RESULT',
  'PROTOCOL',
  'TIMER',
  'AFTER',
  'REAL32',
  'REAL64',
  'INT64',
  'INT16',
  'RETYPES',
  'SIZE',
  'MOSTNEG',
  'MOSTPOS',
  'PRI',
  '#INCLUDE',
  '#USE',
  '#IF',
  '#DEFINE',
  '#ENDIF',
];

const HUGE = [
  '99999999999999999999999999999',
  '#FFFFFFFFFFFFFFFFFFFFFFFF',
  '1.0E99999',
  '4294967296',
  '-2147483649',
  "'**'",
  '"' + 'x'.repeat(5000) + '"',
  '16777217',
  '0.0000000000000000000000000000000000000000000001',
];

/** One input from the corpus and the generator. */
export function makeInput(rng: Random, corpus: readonly string[], options: InputOptions): FuzzInput {
  const base = rng.pick(corpus);
  // A huge program costs as much as thirty other inputs, so one input in a hundred is one: a 10⁶-input run still
  // compiles ten thousand of them.
  if (rng.int(100) === 0) return { kind: 'huge program', text: hugeProgram(rng, options.maxProcs) };
  switch (rng.int(9)) {
    case 0:
    case 1:
    case 2:
      return { kind: 'token mutation', text: mutateTokens(rng, base, corpus) };
    case 3:
      return { kind: 'line shuffle', text: shuffleLines(rng, base) };
    case 4:
      return { kind: 'indentation', text: changeIndentation(rng, base) };
    case 5:
      return { kind: 'random bytes', text: randomBytes(rng, base) };
    case 6:
      return { kind: 'deep nesting', text: deepNesting(rng, options.maxDepth) };
    case 7:
      return { kind: 'huge literal', text: hugeLiteral(rng, base) };
    default:
      return {
        kind: 'several mutations',
        text: mutateTokens(rng, changeIndentation(rng, shuffleLines(rng, base)), corpus),
      };
  }
}

function tokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

function mutateTokens(rng: Random, text: string, corpus: readonly string[]): string {
  const toks = tokens(text);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n && toks.length > 0; k++) {
    const i = rng.int(toks.length);
    switch (rng.int(5)) {
      case 0:
        toks.splice(i, 1);
        break;
      case 1:
        toks.splice(i, 0, toks[i]!);
        break;
      case 2:
        toks[i] = rng.pick(KEYWORDS);
        break;
      case 3: {
        const other = tokens(rng.pick(corpus)).filter((t) => t.trim() !== '');
        if (other.length > 0) toks[i] = rng.pick(other);
        break;
      }
      default:
        toks.splice(i, 0, ' ', rng.pick(KEYWORDS), ' ');
    }
  }
  return toks.join('');
}

function shuffleLines(rng: Random, text: string): string {
  const lines = text.split('\n');
  if (lines.length < 2) return text;
  const a = rng.int(lines.length);
  const b = rng.int(lines.length);
  [lines[a], lines[b]] = [lines[b]!, lines[a]!];
  return lines.join('\n');
}

function changeIndentation(rng: Random, text: string): string {
  const lines = text.split('\n');
  const i = rng.int(lines.length);
  const line = lines[i]!;
  const change = rng.pick([-2, -1, 1, 2, 3, 8]);
  lines[i] = change > 0 ? ' '.repeat(change) + line : line.replace(new RegExp(`^ {0,${-change}}`), '');
  if (rng.int(4) === 0) lines[i] = lines[i]!.replace(/^ +/, (s) => '\t'.repeat(Math.max(1, s.length >> 1)));
  return lines.join('\n');
}

function randomBytes(rng: Random, text: string): string {
  const chars = text.split('');
  const n = 1 + rng.int(8);
  for (let k = 0; k < n; k++) chars.splice(rng.int(chars.length + 1), 0, String.fromCharCode(rng.int(256)));
  if (rng.int(10) === 0) {
    // Now and then a whole binary file.
    return Array.from({ length: 200 + rng.int(2000) }, () => String.fromCharCode(rng.int(256))).join('');
  }
  return chars.join('');
}

function deepNesting(rng: Random, maxDepth: number): string {
  const main = 'PROC main (CHAN BYTE kyb?, scr!, err!)\n';
  switch (rng.int(3)) {
    case 0: {
      // SEQ inside SEQ inside ...
      const depth = rng.size(Math.min(maxDepth, MAX_SEQ_DEPTH));
      let body = '';
      for (let d = 0; d < depth; d++) body += `${' '.repeat(2 + 2 * d)}SEQ\n`;
      body += `${' '.repeat(2 + 2 * depth)}SKIP\n`;
      return `${main}${body}:\n`;
    }
    case 1: {
      const depth = rng.size(maxDepth);
      return `${main}  INT x:\n  x := ${'('.repeat(depth)}1${')'.repeat(depth)}\n:\n`;
    }
    default: {
      // A right-nested chain of operators: 1 + (1 + (1 + ...)).
      const depth = rng.size(maxDepth);
      let e = '1';
      for (let d = 0; d < depth; d++) e = `1 + (${e})`;
      return `${main}  INT x:\n  x := ${e}\n:\n`;
    }
  }
}

function hugeLiteral(rng: Random, text: string): string {
  const toks = tokens(text);
  const numbers = toks.map((t, i) => (/^\d|^#|^'|^"/.test(t) ? i : -1)).filter((i) => i >= 0);
  if (numbers.length === 0) return text + rng.pick(HUGE);
  toks[rng.pick(numbers)] = rng.pick(HUGE);
  return toks.join('');
}

function hugeProgram(rng: Random, maxProcs: number): string {
  const n = rng.size(maxProcs);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(`PROC p${i} (VAL INT a, INT r)\n  SEQ\n    r := a\n    SEQ j = 0 FOR 3\n      r := r + j\n:`);
  }
  out.push('PROC main (CHAN BYTE kyb?, scr!, err!)\n  INT r:\n  SEQ');
  for (let i = 0; i < Math.min(n, 500); i++) out.push(`    p${i} (${i}, r)`);
  out.push('    scr ! BYTE (r /\\ 127)\n:');
  return out.join('\n') + '\n';
}
