// The network: the physical links between neighbouring cores, the routers, and the virtual channels (mesh
// channels) they carry. docs/machine.md ("The network") describes the model; in short:
//
// - every core has four links, N, E, S, W; each direction of a link is a separate wire (a directed link here);
// - a mesh channel is a virtual channel with a fixed route, X first then Y (dimension-order routing);
// - a message is cut into packets of `packetBytes`; a packet occupies a link for `byteTicks` per byte, and a router
//   passes it on to the next link `hopTicks` after it started on the previous one (cut-through);
// - each link takes turns between the channels that have packets waiting for it (round robin, one packet per
//   turn), so channels sharing a link each get an equal share of it;
// - the message is sent as soon as the sender outputs; the receiver takes it when it has arrived and the receiving
//   process inputs; then an acknowledgement travels back (`hopTicks + ackTicks` per hop) and only its arrival
//   reschedules the sender: communication stays synchronous end to end.
//
// Time is in ticks (profiles.ts). Events are kept in a heap ordered by (time, sequence number), so a run is
// deterministic.

import type { Core } from './core.js';
import type { MeshChannelInfo } from './image.js';
import { EventBus, type Coord } from './events.js';
import { TICKS_PER_CYCLE, type Profile } from './profiles.js';
import { DELIVER, LOSE, type Faults } from './faults.js';

const EV_PACKET = 0;
const EV_LINK_FREE = 1;
const EV_ARRIVE = 2;
const EV_ACK = 3;

/** Directions of a core's links, in link-number order. */
export const DIRECTIONS = ['N', 'E', 'S', 'W'] as const;
const DX = [0, 1, 0, -1];
const DY = [-1, 0, 1, 0];

interface NetEvent {
  t: number;
  seq: number;
  kind: number;
  vc: Vc | null;
  hop: number;
  packet: number;
  link: number;
}

interface Packet {
  vc: Vc;
  hop: number;
  index: number;
  /** Tick at which it became ready for its link (to tell how long it has waited). */
  since: number;
}

/** The packets waiting for one link: a queue per channel, served in turn. */
interface LinkQueue {
  turns: Vc[];
  waiting: Map<Vc, Packet[]>;
}

interface Vc {
  readonly index: number;
  readonly info: MeshChannelInfo;
  /** Directed link ids from sender to receiver. */
  readonly path: Int32Array;
  readonly from: Core | null;
  readonly to: Core | null;
  /** A message is in the network or waiting for its receiver. */
  sending: boolean;
  senderW: number;
  src: number;
  bytes: number;
  packets: number;
  /** Every byte of the current message has reached the receiving core. */
  arrived: boolean;
  receiverWaiting: boolean;
  /** An ALT on the receiving core has enabled this channel. */
  alting: boolean;
  altW: number;
  receiverW: number;
  dst: number;
  receiverBytes: number;
  messages: number;
  /** Bytes of the current message that have started on the last link of the route (or all, on one core). */
  delivered: number;
  /** A fault (faults.ts) flips this bit of the current message when the receiver takes it (byte * 8 + bit); -1: none. */
  flip: number;
  /** An extended input has taken the message and holds back its acknowledgement until `xend`. */
  held: boolean;
}

export interface LinkStats {
  from: Coord;
  to: Coord;
  direction: (typeof DIRECTIONS)[number];
  bytes: number;
  busyCycles: number;
}

/** A process waiting on a mesh channel, for deadlock reports. */
export interface MeshWait {
  channel: number;
  direction: 'input' | 'output';
  /** The message has reached the receiver, which has not input it. */
  arrived: boolean;
}

export interface NetworkHost {
  /** A message for a host device on core (0, 0). */
  write(device: 'screen' | 'error', bytes: Uint8Array): void;
  /** A core has a process to run again. */
  woke(core: Core): void;
}

export class Network {
  readonly width: number;
  readonly height: number;
  private readonly vcs: Vc[];
  private readonly freeAt: Float64Array;
  private readonly linkBytes: Float64Array;
  private readonly linkBusy: Float64Array;
  private readonly queues = new Map<number, LinkQueue>();
  private heap: NetEvent[] = [];
  private seq = 0;
  /** Cycle of the last event handled: when the network last did something. */
  lastCycle = 0;
  /** The faults injected into this run (emulator/faults.ts); null, and never looked at further, without faults. */
  faults: Faults | null = null;

  constructor(
    mesh: { width: number; height: number },
    channels: readonly MeshChannelInfo[],
    coreAt: (x: number, y: number) => Core | null,
    readonly profile: Profile,
    private readonly host: NetworkHost,
    private readonly events: EventBus,
  ) {
    this.width = mesh.width;
    this.height = mesh.height;
    const links = mesh.width * mesh.height * 4;
    this.freeAt = new Float64Array(links);
    this.linkBytes = new Float64Array(links);
    this.linkBusy = new Float64Array(links);
    this.vcs = channels.map((info, index) => ({
      index,
      info,
      path: this.route(info.from, info.to),
      from: coreAt(info.from.x, info.from.y),
      to: info.host ? null : coreAt(info.to.x, info.to.y),
      sending: false,
      senderW: 0,
      src: 0,
      bytes: 0,
      packets: 0,
      arrived: false,
      receiverWaiting: false,
      alting: false,
      altW: 0,
      receiverW: 0,
      dst: 0,
      receiverBytes: 0,
      messages: 0,
      delivered: 0,
      flip: -1,
      held: false,
    }));
  }

  /** Dimension-order route: along X to the destination column, then along Y. */
  route(from: Coord, to: Coord): Int32Array {
    const links: number[] = [];
    let { x, y } = from;
    const step = (d: number): void => {
      links.push((y * this.width + x) * 4 + d);
      x += DX[d]!;
      y += DY[d]!;
    };
    while (x !== to.x) step(x < to.x ? 1 : 3);
    while (y !== to.y) step(y < to.y ? 2 : 0);
    return Int32Array.from(links);
  }

  get channelCount(): number {
    return this.vcs.length;
  }

  /** Hops from sender to receiver of channel k. */
  hops(k: number): number {
    return this.vcs[k]!.path.length;
  }

  // ------------------------------------------------------------------------------------------ the cores' side

  /**
   * The current process of `core` outputs `n` bytes at `src` on channel k. It always waits (for the
   * acknowledgement). Returns an error message if the channel does not leave this core this way.
   */
  output(core: Core, k: number, wdesc: number, src: number, n: number, cycle: number): string | null {
    const vc = this.vcs[k];
    if (!vc || vc.from !== core) return 'output on a mesh channel this core does not send on';
    if (vc.sending) return 'two processes output on the same mesh channel at once';
    vc.sending = true;
    vc.senderW = wdesc;
    vc.src = src;
    vc.bytes = n;
    vc.packets = Math.max(1, Math.ceil(n / this.profile.packetBytes));
    vc.arrived = false;
    vc.delivered = vc.path.length === 0 ? n : 0;
    const t = cycle * TICKS_PER_CYCLE;
    if (this.events.active) {
      this.events.emit({
        kind: 'sent',
        cycle,
        channel: k,
        from: vc.info.from,
        to: vc.info.to,
        bytes: n,
        sender: wdesc & ~3,
      });
    }
    // A channel between two processes on one core never leaves the core's router.
    if (vc.path.length === 0) this.push(t, EV_ARRIVE, vc, 0, 0, -1);
    else this.push(t, EV_PACKET, vc, 0, 0, -1);
    return null;
  }

  /**
   * The current process of `core` inputs `n` bytes into `dst` from channel k. Returns true if the message had
   * arrived and was taken, false if the process must wait, or an error message.
   */
  input(core: Core, k: number, wdesc: number, dst: number, n: number, cycle: number): boolean | string {
    const vc = this.vcs[k];
    if (!vc || vc.to !== core) return 'input from a mesh channel this core does not receive on';
    if (vc.receiverWaiting) return 'two processes input from the same mesh channel at once';
    vc.receiverW = wdesc;
    vc.dst = dst;
    vc.receiverBytes = n;
    if (vc.sending && vc.arrived) {
      this.take(vc, cycle * TICKS_PER_CYCLE);
      return true;
    }
    vc.receiverWaiting = true;
    return false;
  }

  /**
   * Extended input (`xin`): the message has arrived (`xable` waited for it); copy it into `dst` but hold back the
   * acknowledgement, so the sender waits until `releaseHeld`. Returns an error message, or null.
   */
  inputHeld(core: Core, k: number, wdesc: number, dst: number, n: number, cycle: number): string | null {
    const vc = this.vcs[k];
    if (!vc || vc.to !== core) return 'input from a mesh channel this core does not receive on';
    if (!vc.sending || !vc.arrived) return 'extended input with no message waiting (xin before xable)';
    vc.receiverW = wdesc;
    vc.dst = dst;
    vc.receiverBytes = n;
    this.take(vc, cycle * TICKS_PER_CYCLE, false);
    return null;
  }

  /** `xend` on a mesh channel: the acknowledgement held back by `inputHeld` goes back to the sender now. */
  releaseHeld(core: Core, k: number, cycle: number): string | null {
    const vc = this.vcs[k];
    if (!vc || vc.to !== core) return 'input from a mesh channel this core does not receive on';
    if (!vc.held) return 'extended input with no message held (xend before xin)';
    vc.held = false;
    this.push(
      cycle * TICKS_PER_CYCLE + vc.path.length * (this.profile.hopTicks + this.profile.ackTicks),
      EV_ACK,
      vc,
      0,
      0,
      -1,
    );
    return null;
  }

  /**
   * An ALT guard on channel k: enabling (returns whether a message is there, and otherwise asks to be told when
   * one arrives) or disabling (withdraws that, and returns whether a message is there).
   */
  altGuard(core: Core, k: number, wdesc: number, enabling: boolean): boolean | string {
    const vc = this.vcs[k];
    if (!vc || vc.to !== core) return 'input from a mesh channel this core does not receive on';
    const ready = vc.sending && vc.arrived;
    if (enabling) {
      if (!ready) {
        vc.alting = true;
        vc.altW = wdesc;
      }
    } else if (vc.alting && vc.altW === wdesc) vc.alting = false;
    return ready;
  }

  // ------------------------------------------------------------------------------------------ the machine's side

  /** Cycle of the next network event; Infinity when nothing is in flight. */
  nextCycle(): number {
    const top = this.heap[0];
    return top ? Math.ceil(top.t / TICKS_PER_CYCLE) : Infinity;
  }

  get idle(): boolean {
    return this.heap.length === 0;
  }

  /** Handle every event up to and including cycle `cycle`. */
  advance(cycle: number): void {
    const limit = cycle * TICKS_PER_CYCLE;
    while (this.heap.length > 0 && this.heap[0]!.t <= limit) {
      const e = this.pop();
      this.lastCycle = Math.ceil(e.t / TICKS_PER_CYCLE);
      switch (e.kind) {
        case EV_PACKET:
          this.packetReady(e.t, e.vc!, e.hop, e.packet);
          break;
        case EV_LINK_FREE:
          this.linkFree(e.t, e.link);
          break;
        case EV_ARRIVE:
          this.arrive(e.t, e.vc!);
          break;
        case EV_ACK:
          this.ack(e.t, e.vc!);
          break;
      }
    }
  }

  /** What a process waits for on the mesh, if it waits on a mesh channel. */
  waitOf(core: Core, wptr: number): MeshWait | null {
    for (const vc of this.vcs) {
      if (vc.from === core && vc.sending && (vc.senderW & ~3) === wptr) {
        return { channel: vc.index, direction: 'output', arrived: vc.arrived };
      }
      if (vc.to === core && vc.receiverWaiting && (vc.receiverW & ~3) === wptr) {
        return { channel: vc.index, direction: 'input', arrived: false };
      }
    }
    return null;
  }

  /** Links with packets waiting for them (stalled): since which cycle the oldest has waited. */
  stalls(): { from: Coord; to: Coord; since: number; packets: number }[] {
    const out: { from: Coord; to: Coord; since: number; packets: number }[] = [];
    for (const [link, q] of this.queues) {
      if (q.turns.length === 0) continue;
      let since = Infinity;
      let packets = 0;
      for (const list of q.waiting.values()) {
        packets += list.length;
        if (list[0] && list[0].since < since) since = list[0].since;
      }
      out.push({ ...this.linkEnds(link), since: Math.floor(since / TICKS_PER_CYCLE), packets });
    }
    return out;
  }

  /**
   * Messages in the network or waiting for their receiver: channel, bytes, bytes not yet on the route's last link
   * (`left`), and whether they have arrived.
   */
  inFlight(): { channel: number; from: Coord; to: Coord; bytes: number; left: number; arrived: boolean }[] {
    const out: { channel: number; from: Coord; to: Coord; bytes: number; left: number; arrived: boolean }[] = [];
    for (const vc of this.vcs) {
      if (vc.sending) {
        const left = vc.arrived ? 0 : Math.max(0, vc.bytes - vc.delivered);
        out.push({ channel: vc.index, from: vc.info.from, to: vc.info.to, bytes: vc.bytes, left, arrived: vc.arrived });
      }
    }
    return out;
  }

  /** The route of mesh channel k, as the directed links it crosses. */
  routeOf(k: number): { from: Coord; to: Coord }[] {
    const vc = this.vcs[k];
    return vc ? [...vc.path].map((l) => this.linkEnds(l)) : [];
  }

  private linkEnds(link: number): { from: Coord; to: Coord } {
    const node = link >> 2;
    const d = link & 3;
    const x = node % this.width;
    const y = Math.floor(node / this.width);
    return { from: { x, y }, to: { x: x + DX[d]!, y: y + DY[d]! } };
  }

  /** Figures for every link that carried anything. */
  linkStats(): LinkStats[] {
    const out: LinkStats[] = [];
    for (let id = 0; id < this.linkBytes.length; id++) {
      if (this.linkBytes[id] === 0) continue;
      const node = id >> 2;
      const d = id & 3;
      const x = node % this.width;
      const y = Math.floor(node / this.width);
      out.push({
        from: { x, y },
        to: { x: x + DX[d]!, y: y + DY[d]! },
        direction: DIRECTIONS[d]!,
        bytes: this.linkBytes[id]!,
        busyCycles: Math.round(this.linkBusy[id]! / TICKS_PER_CYCLE),
      });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ the model

  private packetReady(t: number, vc: Vc, hop: number, index: number): void {
    const link = vc.path[hop]!;
    const p: Packet = { vc, hop, index, since: t };
    let q = this.queues.get(link);
    if (this.freeAt[link]! <= t && (!q || q.turns.length === 0)) {
      this.startPacket(t, link, p);
      return;
    }
    if (!q) {
      q = { turns: [], waiting: new Map() };
      this.queues.set(link, q);
    }
    // The link's free event may already have been handled: a core that runs behind the network's clock (it was
    // busy, or woken late in a window) can send a packet stamped earlier. Ask for another one.
    this.push(Math.max(t, this.freeAt[link]!), EV_LINK_FREE, null, 0, 0, link);
    const mine = q.waiting.get(vc);
    if (mine && mine.length > 0) mine.push(p);
    else {
      q.waiting.set(vc, [p]);
      q.turns.push(vc);
    }
  }

  private linkFree(t: number, link: number): void {
    const q = this.queues.get(link);
    if (!q || q.turns.length === 0 || this.freeAt[link]! > t) return;
    const vc = q.turns.shift()!;
    const mine = q.waiting.get(vc)!;
    const p = mine.shift()!;
    if (mine.length > 0) q.turns.push(vc);
    else q.waiting.delete(vc);
    this.startPacket(t, link, p);
  }

  private startPacket(t: number, link: number, p: Packet): void {
    const vc = p.vc;
    const pb = this.profile.packetBytes;
    const size = Math.max(0, Math.min(pb, vc.bytes - p.index * pb));
    const busy = Math.max(1, size) * this.profile.byteTicks;
    const done = t + busy;
    this.freeAt[link] = done;
    this.linkBytes[link]! += size;
    this.linkBusy[link]! += busy;
    this.push(done, EV_LINK_FREE, null, 0, 0, link);
    if (this.events.active) {
      const node = link >> 2;
      const d = link & 3;
      const x = node % this.width;
      const y = Math.floor(node / this.width);
      this.events.emit({
        kind: 'link',
        cycle: Math.floor(t / TICKS_PER_CYCLE),
        from: { x, y },
        to: { x: x + DX[d]!, y: y + DY[d]! },
        channel: vc.index,
        bytes: size,
        busyCycles: busy / TICKS_PER_CYCLE,
      });
    }
    // The next packet of the message may queue for the first link once this one has started on it.
    if (p.hop === 0 && p.index + 1 < vc.packets) this.push(t, EV_PACKET, vc, 0, p.index + 1, -1);
    if (p.hop + 1 === vc.path.length) vc.delivered += size;
    if (p.hop + 1 < vc.path.length) this.push(t + this.profile.hopTicks, EV_PACKET, vc, p.hop + 1, p.index, -1);
    else if (p.index + 1 === vc.packets) this.push(done, EV_ARRIVE, vc, 0, 0, -1);
  }

  private arrive(t: number, vc: Vc): void {
    if (this.faults !== null && this.faulty(t, vc)) return;
    vc.arrived = true;
    if (vc.info.host) {
      const from = vc.from!;
      const s = ((vc.src ^ 0x80000000) >>> 0) as number;
      this.host.write(vc.info.host, from.mem8.slice(s, s + vc.bytes));
      this.take(vc, t);
      return;
    }
    if (vc.alting) {
      vc.alting = false;
      vc.to!.altReady(vc.altW, Math.ceil(t / TICKS_PER_CYCLE));
      this.host.woke(vc.to!);
      return;
    }
    if (vc.receiverWaiting) {
      vc.receiverWaiting = false;
      this.take(vc, t);
      vc.to!.wake(vc.receiverW, Math.ceil(t / TICKS_PER_CYCLE));
      this.host.woke(vc.to!);
    }
  }

  /**
   * Ask the fault model what becomes of a message on arrival. A lost message is never seen by the receiver, but
   * its sender is acknowledged after the normal delivery time, as if it had been taken at once (docs/machine.md,
   * "Faults"). Channels to the host's devices and channels inside one core do not fail.
   */
  private faulty(t: number, vc: Vc): boolean {
    if (vc.info.host || vc.path.length === 0) return false;
    const from = vc.from!;
    const to = vc.to!;
    const dead = from.isCrashed ? vc.info.from : to.isCrashed ? vc.info.to : null;
    const cycle = Math.ceil(t / TICKS_PER_CYCLE);
    const fate = this.faults!.arrival(vc.info.name, vc.info.from, vc.info.to, vc.path, vc.bytes, cycle, dead);
    if (fate === DELIVER) return false;
    if (fate !== LOSE) {
      vc.flip = fate;
      return false;
    }
    if (this.events.active)
      this.events.emit({ kind: 'lost', cycle, channel: vc.index, from: vc.info.from, to: vc.info.to, bytes: vc.bytes });
    this.push(t + vc.path.length * (this.profile.hopTicks + this.profile.ackTicks), EV_ACK, vc, 0, 0, -1);
    return true;
  }

  /**
   * A core has crashed at `cycle`: the messages that had reached it and that it had not input are lost, and their
   * senders are acknowledged as for any lost message.
   */
  crashed(core: Core, cycle: number): void {
    for (const vc of this.vcs) {
      if (vc.to !== core || !vc.sending || !vc.arrived) continue;
      vc.arrived = false;
      this.faults?.injected.push({ kind: 'crash', cycle, core: vc.info.to, channel: vc.info.name });
      const t = cycle * TICKS_PER_CYCLE;
      if (this.events.active)
        this.events.emit({
          kind: 'lost',
          cycle,
          channel: vc.index,
          from: vc.info.from,
          to: vc.info.to,
          bytes: vc.bytes,
        });
      this.push(t + vc.path.length * (this.profile.hopTicks + this.profile.ackTicks), EV_ACK, vc, 0, 0, -1);
    }
  }

  /**
   * The receiver takes the message: copy it, and send the acknowledgement back to the sender (unless `ack` is false:
   * an extended input holds it until `releaseHeld`).
   */
  private take(vc: Vc, t: number, ack = true): void {
    const n = Math.min(vc.bytes, vc.info.host ? vc.bytes : vc.receiverBytes);
    if (vc.to && n > 0) {
      const s = (vc.src ^ 0x80000000) >>> 0;
      const d = (vc.dst ^ 0x80000000) >>> 0;
      vc.to.mem8.set(vc.from!.mem8.subarray(s, s + n), d);
      if (vc.flip >= 0) {
        if (vc.flip >> 3 < n) vc.to.mem8[d + (vc.flip >> 3)]! ^= 1 << (vc.flip & 7);
        vc.flip = -1;
      }
    }
    vc.arrived = false;
    vc.messages++;
    if (this.events.active) {
      // The message's first word (or its bytes, if shorter), for the debugger's "a channel carries VALUE" stops.
      const s = (vc.src ^ 0x80000000) >>> 0;
      const m8 = vc.from!.mem8;
      let value = 0;
      for (let i = Math.min(4, vc.bytes) - 1; i >= 0; i--) value = (value << 8) | m8[s + i]!;
      this.events.emit({
        kind: 'received',
        cycle: Math.ceil(t / TICKS_PER_CYCLE),
        channel: vc.index,
        from: vc.info.from,
        to: vc.info.to,
        bytes: n,
        value: value | 0,
        ...(vc.info.host ? {} : { receiver: vc.receiverW & ~3 }),
      });
    }
    if (ack) this.push(t + vc.path.length * (this.profile.hopTicks + this.profile.ackTicks), EV_ACK, vc, 0, 0, -1);
    else vc.held = true;
  }

  private ack(t: number, vc: Vc): void {
    vc.sending = false;
    const from = vc.from!;
    from.wake(vc.senderW, Math.ceil(t / TICKS_PER_CYCLE));
    this.host.woke(from);
  }

  // ------------------------------------------------------------------------------------------ the event heap

  private push(t: number, kind: number, vc: Vc | null, hop: number, packet: number, link: number): void {
    const h = this.heap;
    const e: NetEvent = { t, seq: this.seq++, kind, vc, hop, packet, link };
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): NetEvent {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: NetEvent, b: NetEvent): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
