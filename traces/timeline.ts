// Turns the machine's event stream (emulator/events.ts) into the story a trace tells: which occam process runs or
// waits on each core and for how long, which message went from which stretch of one process to which stretch of
// another, how many processes are ready on each core, what state each core is in, and which packet crosses which
// link. The trace writers (perfetto.ts, vcd.ts) listen to a Timeline instead of the raw events.
//
// An occam process is followed through its workspace pointer: the events give the Wptr a process is descheduled
// with, and the same Wptr when it runs again. A process started by `startp` is new the first time it runs. The
// process that starts a PAR runs its first branch itself; when that branch ends before the others, the process
// waits for them ("PAR end") and carries on after the last one, whichever branch that was.

import type { MachineEvent, Coord } from '../emulator/events.js';
import type { Machine, RunResult } from '../emulator/machine.js';
import { entryAt, MESH_CHANNEL_BASE, type CoreDebug, type Image } from '../emulator/image.js';

/** What a core is doing, as the VCD `state` vector encodes it. */
export const CORE_STATES = ['idle', 'running', 'blocked', 'finished', 'error'] as const;
export type CoreStateName = (typeof CORE_STATES)[number];

export interface TraceThread {
  /** Index of the core in the image's core list. */
  readonly core: number;
  /** Numbered from 1 on each core, in the order the processes first run. */
  readonly tid: number;
  /** The PROC and source line where the process started, e.g. `worker (line 12)`. */
  readonly name: string;
}

export interface SliceArgs {
  readonly file?: string;
  readonly line?: number;
  readonly channel?: string;
}

/** A stretch during which a process ran, or waited for one thing. */
export interface TraceSlice {
  readonly thread: TraceThread;
  /** Numbered from 0 in each thread, in time order. */
  readonly index: number;
  readonly kind: 'run' | 'wait';
  /** `running`, or what it waits on: `? c`, `! c`, `ALT`, `timer`, `PAR end`, `STOP`. */
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly args: SliceArgs;
}

/**
 * One end of a message: the slice of the process it belongs to, by its index in the thread (TraceSlice.index).
 * The sender's end is the slice it is in when it gives the message. The receiver's end is the first of its slices,
 * from the one it is in when it takes the message, that begins no earlier than the sender's (`notBefore`): for a
 * receiver that waited, the slice where it carries on. So an arrow never points back in time.
 */
export interface FlowEnd {
  readonly thread: TraceThread;
  readonly slice: number;
  /** The cycle of the send or receive itself. */
  readonly cycle: number;
  /** The start of the slice, when it is known (the sender's end). */
  readonly start?: number;
  /** For the receiver's end: the earliest start its slice may have. */
  readonly notBefore?: number;
}

export interface TraceFlow {
  /** Numbered from 1 in the order the messages are taken. */
  readonly id: number;
  readonly channel: string;
  readonly bytes: number;
  readonly from: FlowEnd;
  readonly to: FlowEnd;
}

export interface TracePacket {
  readonly from: Coord;
  readonly to: Coord;
  /** N, E, S or W: which of `from`'s links. */
  readonly direction: string;
  readonly cycle: number;
  /** Cycle the link is free again (rounded up). */
  readonly end: number;
  readonly bytes: number;
}

/** What a trace writer hears. Every method is optional. */
export interface TimelineSink {
  thread?(t: TraceThread): void;
  slice?(s: TraceSlice): void;
  flow?(f: TraceFlow): void;
  ready?(core: number, cycle: number, count: number): void;
  coreState?(core: number, cycle: number, state: CoreStateName): void;
  packet?(p: TracePacket): void;
  /** The run is over at `cycles`; every slice has been closed. */
  end?(cycles: number): void;
}

interface Thread extends TraceThread {
  /** Wptr the process first ran with. */
  readonly startW: number;
  open: { kind: 'run' | 'wait'; name: string; start: number; args: SliceArgs; index: number } | null;
  slices: number;
  done: boolean;
}

interface CoreTrack {
  readonly index: number;
  readonly x: number;
  readonly y: number;
  readonly debug: CoreDebug;
  running: Thread | null;
  /** Processes descheduled with this Wptr: waiting, or queued after a timeslice or an interrupt. */
  readonly byW: Map<number, Thread>;
  /** Processes waiting for the other branches of the PAR whose join block is the key. */
  readonly joins: Map<number, Thread>;
  /** Finished processes by start Wptr and name: a PAR in a loop starts the same branch there each time round. */
  readonly finished: Map<string, Thread>;
  ready: number;
  state: CoreStateName | null;
  nextTid: number;
  /** where() by code offset. */
  readonly places: Map<number, SliceArgs>;
}

interface SenderEnd extends FlowEnd {
  readonly start: number;
}

interface PendingSend {
  from: SenderEnd | null;
}

const WAIT_LABEL: Record<string, string> = { alt: 'ALT', timer: 'timer', endp: 'PAR end', stopped: 'STOP' };

/** Follows one Machine's events; call `finish` with the run's result to close every open slice. */
export class Timeline {
  private readonly cores: CoreTrack[];
  private readonly byPos = new Map<number, CoreTrack>();
  private readonly sinks: TimelineSink[];
  private readonly pending = new Map<number, PendingSend[]>();
  private readonly lastPacketEnd = new Map<string, number>();
  private flows = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly image: Image,
    private readonly machine: Machine,
    sinks: readonly TimelineSink[],
  ) {
    this.sinks = [...sinks];
    this.cores = image.cores.map((c, i) => ({
      index: i,
      x: c.x,
      y: c.y,
      debug: image.debug[i]!,
      running: null,
      byW: new Map(),
      joins: new Map(),
      finished: new Map(),
      ready: 0,
      state: null,
      nextTid: 1,
      places: new Map(),
    }));
    for (const c of this.cores) this.byPos.set(c.y * image.mesh.width + c.x, c);
  }

  /** Start listening. Each core's boot process runs from cycle 0. */
  start(): void {
    for (const c of this.cores) {
      const core = this.machine.cores[c.index]!;
      const entry = this.image.cores[c.index]!.entry;
      const t = this.newThread(c, core.bootWptr, entry, this.bootName(c, entry));
      this.open(t, 'run', 'running', 0, this.where(c, entry));
      c.running = t;
      this.setState(c, 0, 'running');
    }
    this.unsubscribe = this.machine.subscribe((e) => this.event(e));
  }

  /** Stop listening and close every open slice at the end of the run. */
  finish(result: RunResult): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    const failed = result.error ? this.coreAt(result.error.core) : null;
    for (const c of this.cores) {
      const core = this.machine.cores[c.index]!;
      const end = c === failed && core.fault ? core.fault.cycle : Math.max(result.cycles, core.cycles);
      const threads = new Set<Thread>([...c.byW.values(), ...c.joins.values()]);
      if (c.running) threads.add(c.running);
      for (const t of threads) this.close(t, Math.max(end, t.open?.start ?? 0));
      if (c === failed) this.setState(c, end, 'error');
    }
    for (const s of this.sinks) s.end?.(result.cycles);
  }

  // ------------------------------------------------------------------------------------------ events

  private event(e: MachineEvent): void {
    switch (e.kind) {
      case 'scheduled': {
        const c = this.coreAt(e.core)!;
        let t = c.byW.get(e.wptr);
        if (t) c.byW.delete(e.wptr);
        else t = this.newThread(c, e.wptr, e.iptr ?? -1);
        if (c.running && c.running !== t) this.close(c.running, e.cycle);
        this.close(t, e.cycle);
        this.open(t, 'run', 'running', e.cycle, this.where(c, e.iptr ?? -1));
        c.running = t;
        this.setReady(c, e.cycle, c.ready - 1);
        this.setState(c, e.cycle, 'running');
        return;
      }
      case 'blocked': {
        const c = this.coreAt(e.core)!;
        const t = c.running ?? this.newThread(c, e.wptr, -1);
        const cycle = e.done ?? e.cycle;
        c.running = null;
        this.close(t, cycle);
        const iptr = e.iptr ?? -1;
        const at = this.where(c, iptr > 0 ? iptr - 1 : iptr);
        let name = WAIT_LABEL[e.waiting] ?? e.waiting;
        let args: SliceArgs = at;
        if (e.waiting === 'input' || e.waiting === 'output') {
          const chan = this.channelName(c, iptr, e.channel);
          name = `${e.waiting === 'input' ? '?' : '!'} ${chan}`;
          args = { ...at, channel: chan };
        }
        this.open(t, 'wait', name, cycle, args);
        c.byW.set(e.wptr, t);
        this.idleState(c, cycle);
        return;
      }
      case 'descheduled': {
        const c = this.coreAt(e.core)!;
        const t = c.running;
        c.running = null;
        if (t) {
          this.close(t, e.cycle);
          c.byW.set(e.wptr, t);
        }
        if (e.reason === 'interrupted') this.setReady(c, e.cycle, c.ready + 1);
        return;
      }
      case 'ready': {
        const c = this.coreAt(e.core)!;
        this.setReady(c, e.cycle, c.ready + 1);
        if (!c.running) this.setState(c, e.cycle, 'running');
        return;
      }
      case 'ended':
        this.ended(e);
        return;
      case 'message': {
        const c = this.coreAt(e.core)!;
        const from = c.byW.get(e.sender) ?? c.running;
        const to = c.byW.get(e.receiver) ?? c.running;
        if (!from || !to) return;
        const chan = this.localChannelName(c, e.channel, from, to);
        this.flow(chan, e.bytes, this.endOf(from, e.cycle), to, e.cycle);
        return;
      }
      case 'sent': {
        const c = this.coreAt(e.from);
        const t = c?.running;
        if (!t) return;
        const list = this.pending.get(e.channel) ?? [];
        list.push({ from: this.endOf(t, e.cycle) });
        this.pending.set(e.channel, list);
        return;
      }
      case 'received': {
        const list = this.pending.get(e.channel);
        const p = list?.shift();
        if (!p || e.receiver === undefined) return;
        const c = this.coreAt(e.to);
        if (!c) return;
        const t = c.byW.get(e.receiver) ?? c.running;
        if (!t) return;
        const name = this.image.channels?.[e.channel]?.name ?? `mesh channel ${e.channel}`;
        this.flow(name, e.bytes, p.from, t, e.cycle);
        return;
      }
      case 'link': {
        const dir = directionOf(e.from, e.to);
        const key = `${e.from.x},${e.from.y},${dir}`;
        const start = Math.max(e.cycle, this.lastPacketEnd.get(key) ?? 0);
        const end = Math.max(start + 1, Math.ceil(e.cycle + e.busyCycles));
        this.lastPacketEnd.set(key, end);
        const p: TracePacket = { from: e.from, to: e.to, direction: dir, cycle: start, end, bytes: e.bytes };
        for (const s of this.sinks) s.packet?.(p);
        return;
      }
    }
  }

  private ended(e: Extract<MachineEvent, { kind: 'ended' }>): void {
    const c = this.coreAt(e.core)!;
    const t = c.running;
    if (e.join === undefined) {
      // The boot process has finished: the core halts.
      c.running = null;
      if (t) this.finishThread(t, e.cycle);
      this.setState(c, e.cycle, 'finished');
      return;
    }
    if (!t) return;
    if (e.last) {
      const parent = c.joins.get(e.join);
      c.joins.delete(e.join);
      if (!parent || parent === t) return; // the process that started the PAR ran the last branch: it carries on
      this.finishThread(t, e.cycle);
      this.close(parent, e.cycle);
      this.open(parent, 'run', 'running', e.cycle, t.open?.args ?? {});
      c.running = parent;
      return;
    }
    c.running = null;
    if (e.wptr === t.startW) this.finishThread(t, e.cycle);
    else {
      this.close(t, e.cycle);
      this.open(t, 'wait', 'PAR end', e.cycle, {});
      c.joins.set(e.join, t);
    }
    this.idleState(c, e.cycle);
  }

  // ------------------------------------------------------------------------------------------ threads and slices

  /**
   * A core's boot process: for a placed program, the PROCESSOR it runs; otherwise the program's top-level PROC,
   * compiled just before the boot code.
   */
  private bootName(c: CoreTrack, entry: number): string {
    const placed = c.debug.placedAt;
    if (placed) return `PROCESSOR ${c.x}, ${c.y} (line ${placed.line})`;
    const top = c.debug.procs.find((p) => p.end === entry);
    return top ? `${top.name} (line ${top.line})` : 'boot';
  }

  /** What runs outside every PROC of a core: the body of its PROCESSOR, or the boot code. */
  private outsideProcs(c: CoreTrack): string {
    return c.debug.placedAt ? `PROCESSOR ${c.x}, ${c.y}` : 'boot';
  }

  private newThread(c: CoreTrack, wptr: number, iptr: number, given?: string): Thread {
    const at = this.where(c, iptr);
    const proc = iptr >= 0 ? c.debug.procs.find((p) => iptr >= p.offset && iptr < p.end) : undefined;
    const name = given ?? `${proc?.name ?? this.outsideProcs(c)}${at.line !== undefined ? ` (line ${at.line})` : ''}`;
    // The same branch started again in the same place (a PAR inside a loop) carries on in its old thread.
    const again = c.finished.get(`${wptr}:${name}`);
    if (again) {
      c.finished.delete(`${wptr}:${name}`);
      again.done = false;
      return again;
    }
    const t: Thread = { core: c.index, tid: c.nextTid++, name, startW: wptr, open: null, slices: 0, done: false };
    for (const s of this.sinks) s.thread?.(t);
    return t;
  }

  private finishThread(t: Thread, cycle: number): void {
    this.close(t, cycle);
    t.done = true;
    this.cores[t.core]!.finished.set(`${t.startW}:${t.name}`, t);
  }

  private open(t: Thread, kind: 'run' | 'wait', name: string, start: number, args: SliceArgs): void {
    t.open = { kind, name, start, args, index: t.slices++ };
  }

  private close(t: Thread, end: number): void {
    const o = t.open;
    if (!o) return;
    t.open = null;
    const s: TraceSlice = {
      thread: t,
      index: o.index,
      kind: o.kind,
      name: o.name,
      start: o.start,
      end: Math.max(end, o.start),
      args: o.args,
    };
    for (const sink of this.sinks) sink.slice?.(s);
  }

  /** The sender's end of a message: the slice `t` is in now (null if it is in none: then there is no arrow). */
  private endOf(t: Thread, cycle: number): SenderEnd | null {
    return t.open ? { thread: t, slice: t.open.index, cycle, start: t.open.start } : null;
  }

  /** The receiver's end: from its current slice on, the first that begins no earlier than the sender's. */
  private receiverEnd(t: Thread, cycle: number, from: SenderEnd): FlowEnd {
    return { thread: t, slice: t.open ? t.open.index : t.slices, cycle, notBefore: from.start };
  }

  private flow(
    channel: string,
    bytes: number,
    sender: SenderEnd | null,
    receiver: Thread | undefined | null,
    cycle: number,
  ): void {
    if (!sender || !receiver) return;
    const from: FlowEnd = sender;
    const to = this.receiverEnd(receiver, cycle, sender);
    const f: TraceFlow = { id: ++this.flows, channel, bytes, from, to };
    for (const s of this.sinks) s.flow?.(f);
  }

  // ------------------------------------------------------------------------------------------ counters and states

  private setReady(c: CoreTrack, cycle: number, n: number): void {
    const v = Math.max(0, n);
    if (v === c.ready) return;
    c.ready = v;
    for (const s of this.sinks) s.ready?.(c.index, cycle, v);
  }

  private idleState(c: CoreTrack, cycle: number): void {
    if (c.running || c.ready > 0) return;
    const core = this.machine.cores[c.index]!;
    this.setState(c, cycle, core.nextTimerCycle !== Infinity ? 'idle' : 'blocked');
  }

  private setState(c: CoreTrack, cycle: number, state: CoreStateName): void {
    if (c.state === state) return;
    c.state = state;
    for (const s of this.sinks) s.coreState?.(c.index, cycle, state);
  }

  // ------------------------------------------------------------------------------------------ source terms

  private coreAt(p: Coord): CoreTrack | undefined {
    return this.byPos.get(p.y * this.image.mesh.width + p.x);
  }

  /** The file and line of a code offset (cached: the same resume points come round again and again). */
  private where(c: CoreTrack, offset: number): SliceArgs {
    if (offset < 0) return {};
    let at = c.places.get(offset);
    if (at) return at;
    const e = entryAt(c.debug.lines, offset);
    const file = e ? this.image.files[e.file]?.path : undefined;
    at = !e ? {} : file !== undefined ? { file, line: e.line } : { line: e.line };
    c.places.set(offset, at);
    return at;
  }

  /** The channel a process blocked on: as written at the instruction, else the mesh channel's name, else its address. */
  private channelName(c: CoreTrack, iptr: number, address: number | undefined): string {
    const off = iptr > 0 ? iptr - 1 : -1;
    const site = c.debug.channels && off >= 0 ? entryAt(c.debug.channels, off) : undefined;
    if (site && site.offset === off) return site.name;
    if (address !== undefined) {
      const k = (address - MESH_CHANNEL_BASE) >>> 2;
      if (address >>> 0 >= MESH_CHANNEL_BASE >>> 0 && this.image.channels?.[k]) return this.image.channels[k]!.name;
      return `#${(address >>> 0).toString(16).toUpperCase()}`;
    }
    return 'channel';
  }

  /** A channel inside one core: named where the first of the two processes waits on it. */
  private localChannelName(c: CoreTrack, address: number, from: Thread, to: Thread): string {
    for (const t of [from, to]) {
      const ch = t.open?.kind === 'wait' ? t.open.args.channel : undefined;
      if (ch) return ch;
    }
    return `#${(address >>> 0).toString(16).toUpperCase()}`;
  }
}

function directionOf(from: Coord, to: Coord): string {
  if (to.x > from.x) return 'E';
  if (to.x < from.x) return 'W';
  return to.y > from.y ? 'S' : 'N';
}
