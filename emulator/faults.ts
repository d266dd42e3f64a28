// Faults injected into a run, deterministically: lost and corrupted messages, failed links, crashed cores
// (docs/machine.md, "Faults"). Everything random comes from one seeded generator (`Random`), drawn in the
// network's event order, so the same program, options and seed give the same faults, bit for bit.
//
// The network asks `Faults.arrival` once per message on a mesh channel, when its last byte reaches the receiving
// core: the message is delivered, delivered with one bit flipped, or lost. The machine asks `nextCrash` where its
// clock should stop to crash a core. A run without faults has no Faults object at all.

import type { Coord } from './events.js';

/** A directed link between neighbouring cores. */
export interface LinkRef {
  readonly from: Coord;
  readonly to: Coord;
}

/** One rule of a fault specification (`--faults`). */
export type FaultRule =
  /** Every message (or every message routed over `link`) is lost with probability p. */
  | { readonly kind: 'loss'; readonly p: number; readonly link?: LinkRef }
  /** Every message (or every message routed over `link`) has one random bit of one random byte flipped, with probability p. */
  | { readonly kind: 'corrupt'; readonly p: number; readonly link?: LinkRef }
  /** The link fails at `cycle`: every message routed over it that arrives from then on is lost. */
  | { readonly kind: 'down'; readonly link: LinkRef; readonly cycle: number }
  /** The core halts at `cycle`: its processes stop where they are. */
  | { readonly kind: 'crash'; readonly core: Coord; readonly cycle: number };

export type FaultSpec = readonly FaultRule[];

/** A fault that happened in a run. `channel` is set when a message was affected (the channel's name). */
export interface FaultRecord {
  readonly kind: FaultRule['kind'];
  readonly cycle: number;
  /** The link the fault is on (for a loss or corruption everywhere: the channel's two ends). */
  readonly link?: LinkRef;
  /** The crashed core. */
  readonly core?: Coord;
  /** The mesh channel whose message was lost or corrupted. */
  readonly channel?: string;
  /** For a corruption: which byte of the message and which bit of it. */
  readonly byte?: number;
  readonly bit?: number;
}

/**
 * A small seeded pseudo-random generator (a 32-bit state stepped by a Weyl sequence and scrambled by
 * multiply-xorshift rounds). A class with one number of state, so the debugger's snapshots copy it.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.imul(seed | 0, 0x2545f491) ^ 0x6b43a9b5) | 0;
  }

  /** The next 32-bit unsigned value. */
  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** A number in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** A whole number in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }
}

/** The seed of a core's own generator (ALT choices), from the run's seed and the core's position. */
export function coreSeed(seed: number, x: number, y: number): number {
  return (Math.imul(seed | 0, 0x01000193) ^ Math.imul(x + 1, 0x27d4eb2d) ^ Math.imul(y + 1, 0x165667b1)) | 0;
}

/** What happens to a message when it arrives. */
export const DELIVER = -1;
export const LOSE = -2;

interface LinkRule {
  readonly link: number;
  readonly p: number;
}

/** The fault model of one run: the rules, indexed by link id, and every fault injected so far. */
export class Faults {
  readonly injected: FaultRecord[] = [];
  private readonly random: Random;
  private readonly lossAll: number;
  private readonly corruptAll: number;
  private readonly lossOn: LinkRule[] = [];
  private readonly corruptOn: LinkRule[] = [];
  /** Cycle from which each directed link is down (Infinity: never). */
  private readonly downAt = new Map<number, number>();
  /** Crashes in cycle order; `crashed` counts those done. */
  private readonly crashes: { core: Coord; cycle: number }[];
  private crashed = 0;

  constructor(
    spec: FaultSpec,
    seed: number,
    private readonly width: number,
  ) {
    this.random = new Random(seed);
    let loss = 0;
    let corrupt = 0;
    for (const r of spec) {
      if (r.kind === 'loss' || r.kind === 'corrupt') {
        if (!r.link) {
          if (r.kind === 'loss') loss = combine(loss, r.p);
          else corrupt = combine(corrupt, r.p);
        } else (r.kind === 'loss' ? this.lossOn : this.corruptOn).push({ link: this.linkId(r.link), p: r.p });
      } else if (r.kind === 'down') {
        const id = this.linkId(r.link);
        this.downAt.set(id, Math.min(this.downAt.get(id) ?? Infinity, r.cycle));
      }
    }
    this.lossAll = loss;
    this.corruptAll = corrupt;
    this.crashes = spec
      .filter((r): r is Extract<FaultRule, { kind: 'crash' }> => r.kind === 'crash')
      .map((r) => ({ core: r.core, cycle: r.cycle }))
      .sort((a, b) => a.cycle - b.cycle);
  }

  /** The network's id of a directed link between neighbours (network.ts: node * 4 + direction N, E, S, W). */
  private linkId(l: LinkRef): number {
    const dx = l.to.x - l.from.x;
    const dy = l.to.y - l.from.y;
    const d = dy < 0 ? 0 : dx > 0 ? 1 : dy > 0 ? 2 : 3;
    return (l.from.y * this.width + l.from.x) * 4 + d;
  }

  private linkRef(id: number): LinkRef {
    const node = id >> 2;
    const d = id & 3;
    const x = node % this.width;
    const y = Math.floor(node / this.width);
    return { from: { x, y }, to: { x: x + [0, 1, 0, -1][d]!, y: y + [-1, 0, 1, 0][d]! } };
  }

  /**
   * A message of `bytes` bytes on channel `name`, routed over `path`, reaches its receiver at `cycle`. Returns
   * LOSE, DELIVER, or the bit to flip (byte * 8 + bit). `dead` is the crashed core at either end, if any.
   */
  arrival(
    name: string,
    from: Coord,
    to: Coord,
    path: Int32Array,
    bytes: number,
    cycle: number,
    dead: Coord | null,
  ): number {
    if (dead) {
      this.injected.push({ kind: 'crash', cycle, core: dead, channel: name });
      return LOSE;
    }
    if (this.downAt.size > 0) {
      for (const id of path) {
        if ((this.downAt.get(id) ?? Infinity) <= cycle) {
          this.injected.push({ kind: 'down', cycle, link: this.linkRef(id), channel: name });
          return LOSE;
        }
      }
    }
    if (this.lossAll > 0 && this.random.float() < this.lossAll) {
      this.injected.push({ kind: 'loss', cycle, link: { from, to }, channel: name });
      return LOSE;
    }
    for (const r of this.lossOn) {
      if (path.includes(r.link) && this.random.float() < r.p) {
        this.injected.push({ kind: 'loss', cycle, link: this.linkRef(r.link), channel: name });
        return LOSE;
      }
    }
    if (bytes === 0) return DELIVER;
    let on: LinkRef | null = null;
    if (this.corruptAll > 0 && this.random.float() < this.corruptAll) on = { from, to };
    else {
      for (const r of this.corruptOn) {
        if (path.includes(r.link) && this.random.float() < r.p) {
          on = this.linkRef(r.link);
          break;
        }
      }
    }
    if (!on) return DELIVER;
    const byte = this.random.below(bytes);
    const bit = this.random.below(8);
    this.injected.push({ kind: 'corrupt', cycle, link: on, channel: name, byte, bit });
    return byte * 8 + bit;
  }

  /** Cycle of the next crash not yet done; Infinity when none is left. */
  get nextCrash(): number {
    return this.crashed < this.crashes.length ? this.crashes[this.crashed]!.cycle : Infinity;
  }

  /** The cores to crash at or before `cycle` (recorded as done). */
  takeCrashes(cycle: number): { core: Coord; cycle: number }[] {
    const out: { core: Coord; cycle: number }[] = [];
    while (this.crashed < this.crashes.length && this.crashes[this.crashed]!.cycle <= cycle) {
      const c = this.crashes[this.crashed++]!;
      this.injected.push({ kind: 'crash', cycle: c.cycle, core: c.core });
      out.push(c);
    }
    return out;
  }

  /** The links that fail at or before `cycle`, for reports and the debugger. */
  downLinks(cycle: number): (LinkRef & { cycle: number })[] {
    const out: (LinkRef & { cycle: number })[] = [];
    for (const [id, at] of this.downAt) if (at <= cycle) out.push({ ...this.linkRef(id), cycle: at });
    return out;
  }

  /** Every fault so far, the failures of links included, in cycle order. */
  report(cycle: number): FaultRecord[] {
    const all: FaultRecord[] = [
      ...this.injected,
      ...this.downLinks(cycle).map((l) => ({
        kind: 'down' as const,
        cycle: l.cycle,
        link: { from: l.from, to: l.to },
      })),
    ];
    return all.sort((a, b) => a.cycle - b.cycle);
  }
}

/** Two independent chances of the same thing: the chance that either happens. */
function combine(p: number, q: number): number {
  return 1 - (1 - p) * (1 - q);
}

/**
 * What is wrong with a specification on a given machine: a link or core outside the mesh, or a crash of a core
 * that runs nothing. Null when it fits.
 */
export function faultsProblem(
  spec: FaultSpec,
  mesh: { width: number; height: number },
  cores: readonly Coord[],
): string | null {
  const inside = (c: Coord): boolean => c.x >= 0 && c.y >= 0 && c.x < mesh.width && c.y < mesh.height;
  const show = (c: Coord): string => `${c.x},${c.y}`;
  for (const r of spec) {
    if (r.kind === 'crash') {
      if (!cores.some((c) => c.x === r.core.x && c.y === r.core.y)) {
        return `crash=${show(r.core)}: the program runs nothing on core (${r.core.x}, ${r.core.y})`;
      }
    } else if (r.link && (!inside(r.link.from) || !inside(r.link.to))) {
      return `${r.kind}: the link ${show(r.link.from)}-${show(r.link.to)} is outside the ${mesh.width}x${mesh.height} mesh`;
    }
  }
  return null;
}
