// `run --stats`: the figures of a run, readable at any mesh size. A small mesh gets a line per core and per link; a
// large one gets totals, the busiest cores and links, and a text heat map of the cores, with the full lists only
// when asked for (`--stats-full`). `--json --stats` puts the same figures in the JSON result.

import type { RunResult } from '../emulator/machine.js';
import { linkBandwidth, type Profile } from '../emulator/profiles.js';
import type { CoreStats } from '../emulator/machine.js';

/** Up to this many cores, --stats lists every core and link. */
export const FULL_LIST_CORES = 16;
/** How many of the busiest cores and links a summary names. */
const BUSIEST = 5;
/** The widest heat map; a wider mesh is shown with several cores per character (the busiest of them). */
const MAP_WIDTH = 32;
/** Shades of the heat map, from idle to always busy. */
const SHADES = ' .:-=+*#%@';

/** Emulated time in the unit that suits it: microseconds, milliseconds or seconds. */
export function emulatedTime(seconds: number): string {
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(1)} us`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(3)} ms`;
  return `${seconds.toFixed(3)} s`;
}

export function formatStats(result: RunResult, profile: Profile, full = false): string {
  const cycles = result.cycles;
  const pct = (n: number): string => (cycles > 0 ? ((100 * n) / cycles).toFixed(1) : '0.0');
  const coreLine = (c: CoreStats): string =>
    `core (${c.x}, ${c.y}): ${c.instructions} instructions, ${pct(c.busyCycles)}% busy, ${c.state}`;
  const linkLine = (l: RunResult['links'][number]): string =>
    `link (${l.from.x}, ${l.from.y}) -> (${l.to.x}, ${l.to.y}): ${l.bytes} bytes, ${pct(l.busyCycles)}% busy`;
  const lines = [
    `profile: ${profile.name} (${result.clockHz / 1e6} MHz, links ${(linkBandwidth(profile) / 1e6).toFixed(2)} MB/s one way)`,
    `cycles: ${cycles}`,
    `emulated time: ${emulatedTime(cycles / result.clockHz)}`,
    `instructions: ${result.instructions}`,
  ];
  if (full || result.cores.length <= FULL_LIST_CORES) {
    lines.push(...result.cores.map(coreLine), ...result.links.map(linkLine));
    return lines.join('\n') + '\n';
  }
  const states = new Map<string, number>();
  for (const c of result.cores) states.set(c.state, (states.get(c.state) ?? 0) + 1);
  const bytes = result.links.reduce((n, l) => n + l.bytes, 0);
  lines.push(`cores: ${result.cores.length} (${[...states].map(([s, n]) => `${n} ${s}`).join(', ')})`);
  lines.push(`links: ${result.links.length} carried traffic, ${bytes} bytes in all`);
  lines.push('busiest cores:');
  lines.push(...busiest(result.cores, (c) => c.busyCycles).map((c) => `  ${coreLine(c)}`));
  if (result.links.length > 0) {
    lines.push('busiest links:');
    lines.push(...busiest(result.links, (l) => l.busyCycles).map((l) => `  ${linkLine(l)}`));
  }
  lines.push(...heatMap(result), '(every core and link: --stats-full)');
  return lines.join('\n') + '\n';
}

function busiest<T>(items: readonly T[], key: (t: T) => number): T[] {
  return [...items].sort((a, b) => key(b) - key(a)).slice(0, BUSIEST);
}

/** One character per core (or per block of cores), shaded by the share of cycles it was busy. */
function heatMap(result: RunResult): string[] {
  const width = 1 + Math.max(...result.cores.map((c) => c.x));
  const height = 1 + Math.max(...result.cores.map((c) => c.y));
  const step = Math.ceil(width / MAP_WIDTH);
  const cols = Math.ceil(width / step);
  const rows = Math.ceil(height / step);
  const share: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(-1));
  for (const c of result.cores) {
    const row = share[Math.floor(c.y / step)]!;
    const col = Math.floor(c.x / step);
    const s = result.cycles > 0 ? c.busyCycles / result.cycles : 0;
    row[col] = Math.max(row[col]!, s);
  }
  const shade = (s: number): string =>
    s < 0 ? ' ' : SHADES[Math.min(SHADES.length - 1, Math.ceil(s * (SHADES.length - 1)))]!;
  const per = step === 1 ? 'one character per core' : `one character per ${step}x${step} cores, the busiest of them`;
  return [
    `busy share of each core (${per}; '${SHADES[1]}' least busy .. '${SHADES[SHADES.length - 1]}' always busy), row y = 0 first:`,
    ...share.map((row) => `  |${row.map(shade).join('')}|`),
  ];
}

/** The figures of --stats as JSON, for `--json --stats` (the per-core and per-link figures are in the result). */
export function statsJson(result: RunResult, profile: Profile): object {
  return {
    profile: profile.name,
    clockHz: result.clockHz,
    linkBytesPerSecond: linkBandwidth(profile),
    cycles: result.cycles,
    emulatedSeconds: result.cycles / result.clockHz,
    instructions: result.instructions,
  };
}
