// `occmesh run --trace FILE.json`: the run as Chrome / Perfetto JSON trace events (the "Trace Event Format"),
// which ui.perfetto.dev and chrome://tracing open. docs/traces.md says what every track means.
//
// One process (pid) per core, sorted row by row; one thread (tid) per occam process; a complete slice (ph "X")
// for each stretch a process runs or waits; a flow arrow (ph "s" / "f") for each message; counters (ph "C") for
// the processes ready on each core and the traffic on each link direction. Timestamps are emulated microseconds
// at the profile's clock; each slice carries its cycles in args. Events are written as the run goes: a slice when
// it ends, the two ends of an arrow each right after the slice it belongs to, so the file is streamed and both
// viewers find each arrow's slice when they read it.

import type { Image } from '../emulator/image.js';
import type { TextOutput } from './output.js';
import type {
  CoreStateName,
  FlowEnd,
  TimelineSink,
  TraceFlow,
  TracePacket,
  TraceSlice,
  TraceThread,
} from './timeline.js';

/**
 * The one category of slices and arrows: the Chrome trace engine binds an arrow's end to the slice with the same
 * timestamp, thread and category, and joins the two ends of an arrow by category, name and id.
 */
const CATEGORY = 'occam';

/** Cycles over which a link's utilisation counter is averaged. */
export const UTILISATION_CYCLES = 1000;

export interface CycleWindow {
  readonly from: number;
  readonly to: number;
}

interface PendingFlow {
  readonly flow: TraceFlow;
  /** Timestamp of the slice each end binds to: undefined until it is written, null if it has none. */
  sTs: number | null | undefined;
  fTs: number | null | undefined;
}

interface LinkCounter {
  readonly pid: number;
  readonly name: string;
  /** Cycle at which the last packet leaves the link; its zero is written when the next one starts later. */
  pendingZero: number;
  bucket: number;
  busy: number;
}

export class PerfettoWriter implements TimelineSink {
  private first = true;
  private readonly cyclesPerMicrosecond: number;
  private readonly width: number;
  /** Per thread: the index of the last slice written. */
  private readonly written = new Map<TraceThread, number>();
  /** Per thread: the arrow ends waiting for their slice to end. */
  private readonly waiting = new Map<
    TraceThread,
    { slice: number; notBefore?: number; flow: PendingFlow; end: 's' | 'f' }[]
  >();
  private readonly links = new Map<string, LinkCounter>();
  private readonly coreXY: readonly { x: number; y: number }[];
  /** Each thread's number in the order they appear, for its timestamp offset (see `sliceTs`). */
  private readonly seq = new Map<TraceThread, number>();
  private readonly quotes = new Map<string, string>();
  private readonly readyOf: { cycle: number; count: number; written: number }[] = [];

  constructor(
    private readonly out: TextOutput,
    private readonly image: Image,
    clockHz: number,
    private readonly window: CycleWindow = { from: 0, to: Infinity },
  ) {
    this.cyclesPerMicrosecond = clockHz / 1e6;
    this.width = image.mesh.width;
    this.coreXY = image.cores.map((c) => ({ x: c.x, y: c.y }));
    out.write('{"traceEvents":[\n');
    for (const c of image.cores) {
      const pid = this.pidOf(c.x, c.y);
      this.event({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: `core (${c.x}, ${c.y})` } });
      this.event({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
    }
  }

  thread(t: TraceThread): void {
    this.seq.set(t, this.seq.size);
    const pid = this.pidOfCore(t.core);
    this.event({ name: 'thread_name', ph: 'M', pid, tid: t.tid, args: { name: t.name } });
    this.event({ name: 'thread_sort_index', ph: 'M', pid, tid: t.tid, args: { sort_index: t.tid } });
  }

  slice(s: TraceSlice): void {
    const w = this.window;
    // A wait that takes no time has no slice: viewers would draw it nested in the next one. The arrow ends that
    // belong to it move on to the next slice, which starts at the same cycle.
    const skip = s.kind === 'wait' && s.end === s.start;
    if (skip) {
      for (const e of this.waiting.get(s.thread) ?? []) if (e.slice === s.index) e.slice++;
    }
    if (!skip && s.start <= w.to && s.end >= w.from) {
      const start = Math.max(s.start, w.from);
      const end = Math.min(s.end, w.to);
      // Built by hand rather than with JSON.stringify: slices are most of the file, and this is several times faster.
      // Every string in it goes through `quoted` (JSON.stringify, cached).
      const a = s.args;
      const args =
        (a.file !== undefined ? `"file":${this.quoted(a.file)},` : '') +
        (a.line !== undefined ? `"line":${a.line},` : '') +
        (a.channel !== undefined ? `"channel":${this.quoted(a.channel)},` : '') +
        `"cycle":${s.start},"cycles":${s.end - s.start}`;
      const ts = this.sliceTs(start, s.thread);
      const dur = Math.round(((end - start) / this.cyclesPerMicrosecond) * 1e6) / 1e6;
      this.raw(
        `{"name":${this.quoted(s.name)},"cat":"${CATEGORY}","ph":"X","pid":${this.pidOfCore(s.thread.core)},"tid":${s.thread.tid},` +
          `"ts":${ts},"dur":${dur},"args":{${args}}}`,
      );
    }
    this.written.set(s.thread, s.index);
    const later = this.waiting.get(s.thread);
    if (later) {
      const inside = s.start <= w.to && s.end >= w.from;
      const ts = inside ? this.sliceTs(Math.max(s.start, w.from), s.thread) : null;
      const rest = later.filter((e) => {
        if (e.slice > s.index) return true;
        if (e.slice === s.index && e.notBefore !== undefined && s.start < e.notBefore) {
          e.slice++; // the receiver's end moves on to a slice that does not begin before the sender's
          return true;
        }
        // An end whose slice is outside the window (or was passed over) has nothing to bind to: no arrow.
        const at = e.slice === s.index ? ts : null;
        if (e.end === 's') e.flow.sTs = at;
        else e.flow.fTs = at;
        this.flowReady(e.flow);
        return false;
      });
      if (rest.length > 0) this.waiting.set(s.thread, rest);
      else this.waiting.delete(s.thread);
    }
  }

  flow(f: TraceFlow): void {
    const w = this.window;
    if (f.from.cycle < w.from || f.from.cycle > w.to || f.to.cycle < w.from || f.to.cycle > w.to) return;
    const p: PendingFlow = { flow: f, sTs: undefined, fTs: undefined };
    // The sender's slice may be over already (a message on the mesh is taken after the sender's slice ended).
    const done = this.written.get(f.from.thread);
    if (done !== undefined && done >= f.from.slice && f.from.start !== undefined) {
      p.sTs = this.sliceTs(Math.max(f.from.start, w.from), f.from.thread);
    } else this.await(f.from, p, 's');
    this.await(f.to, p, 'f');
  }

  ready(core: number, cycle: number, count: number): void {
    // The count often changes several times in one cycle (a process queued and started): only its value at the
    // end of each cycle is written.
    let r = this.readyOf[core];
    if (!r) this.readyOf[core] = r = { cycle, count, written: 0 };
    if (cycle !== r.cycle) this.writeReady(core, r);
    r.cycle = cycle;
    r.count = count;
  }

  private writeReady(core: number, r: { cycle: number; count: number; written: number }): void {
    if (r.count === r.written) return;
    r.written = r.count;
    if (r.cycle < this.window.from || r.cycle > this.window.to) return;
    this.raw(
      `{"name":"ready","ph":"C","pid":${this.pidOfCore(core)},"ts":${this.us(r.cycle)},"args":{"processes":${r.count}}}`,
    );
  }

  coreState(_core: number, _cycle: number, _state: CoreStateName): void {}

  packet(p: TracePacket): void {
    const key = `${p.from.x},${p.from.y},${p.direction}`;
    let l = this.links.get(key);
    if (!l) {
      l = {
        pid: this.pidOf(p.from.x, p.from.y),
        name: `link ${p.direction} to (${p.to.x}, ${p.to.y})`,
        pendingZero: -1,
        bucket: -1,
        busy: 0,
      };
      this.links.set(key, l);
    }
    if (l.pendingZero >= 0 && l.pendingZero < p.cycle) this.linkBytes(l, l.pendingZero, 0);
    this.linkBytes(l, p.cycle, p.bytes);
    l.pendingZero = p.end;
    // Utilisation: the share of each UTILISATION_CYCLES bucket the link is busy.
    let s = p.cycle;
    while (s < p.end) {
      const b = Math.floor(s / UTILISATION_CYCLES);
      if (b !== l.bucket) this.moveBucket(l, b);
      const e = Math.min(p.end, (b + 1) * UTILISATION_CYCLES);
      l.busy += e - s;
      s = e;
    }
  }

  end(cycles: number): void {
    this.readyOf.forEach((r, core) => this.writeReady(core, r));
    for (const l of this.links.values()) {
      if (l.pendingZero >= 0) this.linkBytes(l, l.pendingZero, 0);
      this.moveBucket(l, l.bucket + 1);
    }
    this.waiting.clear();
    const other = { generator: 'occmesh', cycles, clockHz: this.cyclesPerMicrosecond * 1e6, cores: this.coreXY.length };
    this.out.write(`\n],"displayTimeUnit":"ns","otherData":${JSON.stringify(other)}}\n`);
    this.out.close();
  }

  // ------------------------------------------------------------------------------------------ helpers

  private await(end: FlowEnd, flow: PendingFlow, which: 's' | 'f'): void {
    const list = this.waiting.get(end.thread) ?? [];
    list.push({
      slice: end.slice,
      ...(end.notBefore !== undefined ? { notBefore: end.notBefore } : {}),
      flow,
      end: which,
    });
    this.waiting.set(end.thread, list);
  }

  /**
   * Both of an arrow's slices have been written: write its start, then its end. Both come after the slices they
   * belong to, and the start before the end, as readers that bind arrows in file order need.
   */
  private flowReady(p: PendingFlow): void {
    if (p.sTs === undefined || p.fTs === undefined) return;
    if (p.sTs === null || p.fTs === null) return;
    const f = p.flow;
    const args = `{"channel":${this.quoted(f.channel)},"bytes":${f.bytes},"sent":${f.from.cycle},"taken":${f.to.cycle}}`;
    const head = `{"name":"message","cat":"${CATEGORY}","ph":`;
    const from = f.from.thread;
    const to = f.to.thread;
    this.raw(
      `${head}"s","bp":"e","id":${f.id},"pid":${this.pidOfCore(from.core)},"tid":${from.tid},"ts":${p.sTs},"args":${args}}`,
    );
    this.raw(
      `${head}"f","bp":"e","id":${f.id},"pid":${this.pidOfCore(to.core)},"tid":${to.tid},"ts":${p.fTs},"args":${args}}`,
    );
  }

  private linkBytes(l: LinkCounter, cycle: number, bytes: number): void {
    if (cycle < this.window.from || cycle > this.window.to) return;
    this.raw(
      `{"name":${this.quoted(l.name)},"ph":"C","pid":${l.pid},"ts":${this.us(cycle)},"args":{"bytes in flight":${bytes}}}`,
    );
  }

  /** Write the utilisation of the bucket the link was in, and a zero for the quiet bucket after it if any. */
  private moveBucket(l: LinkCounter, to: number): void {
    const W = UTILISATION_CYCLES;
    if (l.bucket >= 0) this.utilisation(l, l.bucket * W, (100 * l.busy) / W);
    if (to > l.bucket + 1) this.utilisation(l, (l.bucket + 1) * W, 0);
    l.bucket = to;
    l.busy = 0;
  }

  private utilisation(l: LinkCounter, cycle: number, percent: number): void {
    if (cycle < this.window.from || cycle > this.window.to) return;
    const name = this.quoted(`${l.name} utilisation`);
    this.raw(
      `{"name":${name},"ph":"C","pid":${l.pid},"ts":${this.us(cycle)},"args":{"%":${Math.round(percent * 10) / 10}}}`,
    );
  }

  private event(e: object): void {
    this.raw(JSON.stringify(e));
  }

  private raw(json: string): void {
    this.out.write((this.first ? '' : ',\n') + json);
    this.first = false;
  }

  /** A string as JSON, cached: slice names and file names repeat. */
  private quoted(text: string): string {
    let q = this.quotes.get(text);
    if (q === undefined) {
      q = JSON.stringify(text);
      if (this.quotes.size < 100_000) this.quotes.set(text, q);
    }
    return q;
  }

  /**
   * A slice's timestamp: its cycle in microseconds, plus 1 to 499 picoseconds by its thread's number (under half
   * a nanosecond, less than a cycle of any profile). The offset keeps slices of different threads from starting at
   * exactly the same instant, since the Chrome trace engine tells the two ends of an arrow apart by timestamp; it
   * is never 0, so a viewer that rounds to whole nanoseconds rounds every slice of a thread the same way.
   */
  private sliceTs(cycle: number, t: TraceThread): number {
    return Math.round((cycle / this.cyclesPerMicrosecond) * 1e6 + 1 + ((this.seq.get(t) ?? 0) % 499)) / 1e6;
  }

  private us(cycle: number): number {
    return Math.round((cycle / this.cyclesPerMicrosecond) * 1000) / 1000;
  }

  private pidOf(x: number, y: number): number {
    return y * this.width + x + 1;
  }

  private pidOfCore(i: number): number {
    const c = this.coreXY[i]!;
    return this.pidOf(c.x, c.y);
  }
}
