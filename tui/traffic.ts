// Recent traffic on every link, from the machine's event stream: how busy each directed link has been in each
// stretch of emulated time, so the mesh view can light a link by its recent use and the links pane can draw a
// sparkline. Totals (bytes moved, busy cycles) come from the network itself; this keeps only the recent past.

import type { MachineEvent } from '../emulator/events.js';

/** Emulated cycles per bucket of history. */
export const BUCKET_CYCLES = 2048;
/** Buckets kept per link. */
export const BUCKETS = 48;

interface History {
  /** Busy cycles per bucket, a ring indexed by bucket number modulo BUCKETS. */
  readonly busy: Float64Array;
  /** The newest bucket number written. */
  newest: number;
}

export class Traffic {
  private readonly links = new Map<number, History>();

  constructor(private readonly width: number) {}

  /** The directed link from core (x, y) in direction d. */
  id(x: number, y: number, d: number): number {
    return (y * this.width + x) * 4 + d;
  }

  observe(e: MachineEvent): void {
    if (e.kind !== 'link') return;
    const dx = e.to.x - e.from.x;
    const dy = e.to.y - e.from.y;
    const d = dy < 0 ? 0 : dx > 0 ? 1 : dy > 0 ? 2 : 3;
    const id = this.id(e.from.x, e.from.y, d);
    let h = this.links.get(id);
    if (!h) this.links.set(id, (h = { busy: new Float64Array(BUCKETS), newest: -1 }));
    // Spread the busy time over the buckets it covers.
    let t = e.cycle;
    let left = e.busyCycles;
    while (left > 0) {
      const b = Math.floor(t / BUCKET_CYCLES);
      const room = (b + 1) * BUCKET_CYCLES - t;
      const here = Math.min(room, left);
      this.touch(h, b);
      h.busy[b % BUCKETS]! += here;
      t += here;
      left -= here;
    }
  }

  private touch(h: History, b: number): void {
    if (b <= h.newest) return;
    // Clear the buckets skipped since the newest one.
    for (let k = Math.max(h.newest + 1, b - BUCKETS + 1); k <= b; k++) h.busy[k % BUCKETS] = 0;
    h.newest = b;
  }

  /** Share of the last two buckets before `cycle` that the link was busy (0..1). */
  recent(id: number, cycle: number): number {
    const h = this.links.get(id);
    if (!h) return 0;
    const b = Math.floor(cycle / BUCKET_CYCLES);
    let busy = 0;
    for (let k = b - 1; k <= b; k++)
      if (k >= 0 && k <= h.newest && k > h.newest - BUCKETS) busy += h.busy[k % BUCKETS]!;
    const span = BUCKET_CYCLES + (cycle - b * BUCKET_CYCLES);
    return Math.min(1, busy / Math.max(1, span));
  }

  /** Utilisation of each of the last `n` buckets up to `cycle`, oldest first. */
  history(id: number, cycle: number, n: number): number[] {
    const h = this.links.get(id);
    const b = Math.floor(cycle / BUCKET_CYCLES);
    const out: number[] = [];
    for (let k = b - n + 1; k <= b; k++) {
      const v = h && k >= 0 && k <= h.newest && k > h.newest - BUCKETS ? h.busy[k % BUCKETS]! : 0;
      out.push(Math.min(1, v / BUCKET_CYCLES));
    }
    return out;
  }

  /** A copy of the recent past, kept with a snapshot so that stepping back restores it too. */
  save(): Map<number, { busy: Float64Array; newest: number }> {
    const copy = new Map<number, { busy: Float64Array; newest: number }>();
    for (const [k, h] of this.links) copy.set(k, { busy: h.busy.slice(), newest: h.newest });
    return copy;
  }

  restore(saved: Map<number, { busy: Float64Array; newest: number }>): void {
    this.links.clear();
    for (const [k, h] of saved) this.links.set(k, { busy: h.busy.slice(), newest: h.newest });
  }
}

const SPARKS = ' ▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[]): string {
  return values.map((v) => SPARKS[v <= 0 ? 0 : Math.max(1, Math.min(8, Math.round(v * 8)))]).join('');
}
