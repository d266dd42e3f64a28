// The command line's side of fault injection: reading `--faults SPEC` and `--seed N`, and the faults a run
// injected in words (`--stats`) and in JSON (`--json`). The model itself is emulator/faults.ts.

import { InvalidArgumentError } from 'commander';
import type { Coord } from '../emulator/events.js';
import type { FaultRecord, FaultRule, FaultSpec, LinkRef } from '../emulator/faults.js';

const EXPECTED =
  "expected rules joined by ';': loss=P, corrupt=P (either may end @X,Y-X2,Y2 for one link direction), " +
  'down=X,Y-X2,Y2@CYCLE, crash=X,Y@CYCLE; P is a probability from 0 to 1, e.g. "loss=0.2;crash=1,0@50000"';

/** Parse a fault specification; throws InvalidArgumentError (a usage error) saying what was expected. */
export function parseFaults(text: string): FaultSpec {
  const rules: FaultRule[] = [];
  const parts = text.split(';').map((s) => s.trim());
  if (parts.every((p) => p === '')) throw new InvalidArgumentError(`no fault given; ${EXPECTED}`);
  for (const part of parts) {
    if (part === '') continue;
    rules.push(parseRule(part));
  }
  return rules;
}

function parseRule(part: string): FaultRule {
  const m = /^([a-z]+)=(.*)$/.exec(part);
  if (!m) throw new InvalidArgumentError(`\`${part}\` is not a rule; ${EXPECTED}`);
  const kind = m[1]!;
  const value = m[2]!;
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`\`${part}\`: ${why}; ${EXPECTED}`);
  };
  switch (kind) {
    case 'loss':
    case 'corrupt': {
      const [p, on, ...rest] = value.split('@');
      if (rest.length > 0) bad('more than one @');
      const prob = probability(p!) ?? bad('P must be a probability from 0 to 1, like 0.2');
      if (on === undefined) return { kind, p: prob };
      return {
        kind,
        p: prob,
        link: link(on) ?? bad('expected a link X,Y-X2,Y2 between neighbouring cores, like 0,0-1,0'),
      };
    }
    case 'down': {
      const [on, at, ...rest] = value.split('@');
      if (at === undefined || rest.length > 0) bad('expected down=X,Y-X2,Y2@CYCLE');
      return {
        kind,
        link: link(on!) ?? bad('expected a link X,Y-X2,Y2 between neighbouring cores, like 0,0-1,0'),
        cycle: cycleOf(at!) ?? bad('CYCLE must be a whole number'),
      };
    }
    case 'crash': {
      const [where, at, ...rest] = value.split('@');
      if (at === undefined || rest.length > 0) bad('expected crash=X,Y@CYCLE');
      return {
        kind,
        core: coord(where!) ?? bad('expected a core X,Y, like 1,0'),
        cycle: cycleOf(at!) ?? bad('CYCLE must be a whole number'),
      };
    }
    default:
      return bad(`there is no fault called \`${kind}\``);
  }
}

function probability(s: string): number | null {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) return null;
  const p = Number(s);
  return p >= 0 && p <= 1 ? p : null;
}

function cycleOf(s: string): number | null {
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

function coord(s: string): Coord | null {
  const m = /^(\d+),(\d+)$/.exec(s.trim());
  return m ? { x: Number(m[1]), y: Number(m[2]) } : null;
}

function link(s: string): LinkRef | null {
  const ends = s.split('-');
  if (ends.length !== 2) return null;
  const from = coord(ends[0]!);
  const to = coord(ends[1]!);
  if (!from || !to || Math.abs(from.x - to.x) + Math.abs(from.y - to.y) !== 1) return null;
  return { from, to };
}

/** `--seed N`: a whole number from 0 to 2^32 - 1. */
export function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new InvalidArgumentError('expected a whole number from 0 to 4294967295');
  }
  return n;
}

const at = (c: Coord): string => `(${c.x}, ${c.y})`;

/** Where a fault happened, in words: a link, a core. */
function place(f: FaultRecord): string {
  if (f.core) return `core ${at(f.core)}`;
  if (f.link) return `${at(f.link.from)} -> ${at(f.link.to)}`;
  return '';
}

/** One line per fault, after a summary line: for `--stats`. */
export function formatFaults(faults: readonly FaultRecord[], seed: number): string {
  const counts = new Map<string, number>();
  for (const f of faults) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const summary = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  const lines = [`faults (seed ${seed}): ${faults.length} injected${summary ? ` (${summary})` : ''}`];
  for (const f of faults) {
    const what =
      f.kind === 'crash' && !f.channel
        ? 'core crashed'
        : f.kind === 'down' && !f.channel
          ? 'link failed'
          : f.kind === 'corrupt'
            ? `message on ${f.channel} corrupted (byte ${f.byte}, bit ${f.bit})`
            : `message on ${f.channel} lost`;
    lines.push(`  cycle ${f.cycle}: ${f.kind} ${place(f)}: ${what}`);
  }
  return lines.join('\n') + '\n';
}

/** The faults as plain JSON values. */
export function faultsJson(faults: readonly FaultRecord[]): object[] {
  return faults.map((f) => ({
    kind: f.kind,
    cycle: f.cycle,
    ...(f.link ? { link: { from: [f.link.from.x, f.link.from.y], to: [f.link.to.x, f.link.to.y] } } : {}),
    ...(f.core ? { core: [f.core.x, f.core.y] } : {}),
    ...(f.channel !== undefined ? { channel: f.channel } : {}),
    ...(f.byte !== undefined ? { byte: f.byte, bit: f.bit } : {}),
  }));
}
