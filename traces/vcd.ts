// `occmesh run --vcd FILE.vcd`: the run as a Value Change Dump for GTKWave. Per core a `state` vector (0 idle,
// 1 running, 2 blocked, 3 finished, 4 error) and a `ready` count; per link direction that carried traffic a `busy`
// wire and a `bytes` vector (the bytes of the packet on it). One time unit is one emulated cycle.
//
// A VCD must list its changes in time order, and the cores run in batches (emulator/machine.ts), so the changes of
// different cores arrive out of order. They are kept in typed arrays (three numbers a change) and sorted when the
// run ends; then the file is written in chunks.

import type { Image } from '../emulator/image.js';
import type { TextOutput } from './output.js';
import type { CycleWindow } from './perfetto.js';
import { CORE_STATES, type CoreStateName, type TimelineSink, type TracePacket } from './timeline.js';

interface Signal {
  readonly id: string;
  readonly scope: readonly string[];
  readonly name: string;
  readonly width: number;
}

const READY_BITS = 16;
const BYTES_BITS = 16;

/** Growable columns of (time, signal, value). */
class Changes {
  time = new Float64Array(1024);
  signal = new Int32Array(1024);
  value = new Int32Array(1024);
  length = 0;

  push(t: number, s: number, v: number): void {
    if (this.length === this.time.length) {
      const n = this.length * 2;
      const time = new Float64Array(n);
      const signal = new Int32Array(n);
      const value = new Int32Array(n);
      time.set(this.time);
      signal.set(this.signal);
      value.set(this.value);
      this.time = time;
      this.signal = signal;
      this.value = value;
    }
    this.time[this.length] = t;
    this.signal[this.length] = s;
    this.value[this.length] = v;
    this.length++;
  }
}

export class VcdWriter implements TimelineSink {
  private readonly signals: Signal[] = [];
  private readonly changes = new Changes();
  private readonly stateOf: number[] = [];
  private readonly readyOf: number[] = [];
  private readonly links = new Map<string, { busy: number; bytes: number; pendingZero: number }>();

  constructor(
    private readonly out: TextOutput,
    private readonly image: Image,
    private readonly profileName: string,
    private readonly clockHz: number,
    private readonly window: CycleWindow = { from: 0, to: Infinity },
  ) {
    for (const c of image.cores) {
      const scope = ['mesh', `core_${c.x}_${c.y}`];
      this.stateOf.push(this.add(scope, 'state', 3));
      this.readyOf.push(this.add(scope, 'ready', READY_BITS));
    }
  }

  ready(core: number, cycle: number, count: number): void {
    this.changes.push(cycle, this.readyOf[core]!, Math.min(count, (1 << READY_BITS) - 1));
  }

  coreState(core: number, cycle: number, state: CoreStateName): void {
    this.changes.push(cycle, this.stateOf[core]!, CORE_STATES.indexOf(state));
  }

  packet(p: TracePacket): void {
    const key = `${p.from.x},${p.from.y},${p.direction}`;
    let l = this.links.get(key);
    if (!l) {
      const scope = ['mesh', `core_${p.from.x}_${p.from.y}`, `link_${p.direction}`];
      l = { busy: this.add(scope, 'busy', 1), bytes: this.add(scope, 'bytes', BYTES_BITS), pendingZero: -1 };
      this.links.set(key, l);
    }
    // The previous packet's end is written only if this one starts later, so back-to-back packets stay busy.
    if (l.pendingZero >= 0 && l.pendingZero < p.cycle) this.linkIdle(l, l.pendingZero);
    this.changes.push(p.cycle, l.busy, 1);
    this.changes.push(p.cycle, l.bytes, Math.min(p.bytes, (1 << BYTES_BITS) - 1));
    l.pendingZero = p.end;
  }

  end(cycles: number): void {
    for (const l of this.links.values()) if (l.pendingZero >= 0) this.linkIdle(l, l.pendingZero);
    this.write(cycles);
  }

  private linkIdle(l: { busy: number; bytes: number }, cycle: number): void {
    this.changes.push(cycle, l.busy, 0);
    this.changes.push(cycle, l.bytes, 0);
  }

  private add(scope: readonly string[], name: string, width: number): number {
    this.signals.push({ id: identifier(this.signals.length), scope, name, width });
    return this.signals.length - 1;
  }

  // ------------------------------------------------------------------------------------------ the file

  private write(cycles: number): void {
    const out = this.out;
    const ns = 1e9 / this.clockHz;
    out.write('$version occmesh $end\n');
    out.write(
      `$comment one time unit is one emulated cycle (${ns} ns at ${this.clockHz / 1e6} MHz, profile ${this.profileName}); ` +
        `run of ${cycles} cycles; core state: 0 idle, 1 running, 2 blocked, 3 finished, 4 error $end\n`,
    );
    out.write('$timescale 1 ns $end\n');
    this.writeScopes();
    out.write('$enddefinitions $end\n');

    const ch = this.changes;
    const n = ch.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const time = ch.time;
    order.sort((a, b) => time[a]! - time[b]! || a - b);

    const from = this.window.from;
    const to = this.window.to;
    const current = new Array<number>(this.signals.length).fill(0);
    let i = 0;
    // Values as they are at the window's start.
    while (i < n && time[order[i]!]! <= from) {
      const k = order[i]!;
      current[ch.signal[k]!] = ch.value[k]!;
      i++;
    }
    out.write(`#${from}\n$dumpvars\n`);
    for (let s = 0; s < this.signals.length; s++) out.write(this.valueText(s, current[s]!));
    out.write('$end\n');
    const last = new Map<number, number>();
    while (i < n) {
      const t = time[order[i]!]!;
      if (t > to) break;
      last.clear();
      while (i < n && time[order[i]!]! === t) {
        const k = order[i]!;
        last.set(ch.signal[k]!, ch.value[k]!);
        i++;
      }
      let text = '';
      for (const [s, v] of last) {
        if (current[s] === v) continue;
        current[s] = v;
        text += this.valueText(s, v);
      }
      if (text !== '') out.write(`#${t}\n${text}`);
    }
    const endTime = Math.min(to, Math.max(cycles, from));
    out.write(`#${endTime}\n`);
    out.close();
  }

  private writeScopes(): void {
    const out = this.out;
    const sorted = [...this.signals].sort((a, b) => compareScopes(a.scope, b.scope));
    let open: readonly string[] = [];
    for (const s of sorted) {
      let common = 0;
      while (common < open.length && common < s.scope.length && open[common] === s.scope[common]) common++;
      for (let k = open.length; k > common; k--) out.write('$upscope $end\n');
      for (let k = common; k < s.scope.length; k++) out.write(`$scope module ${s.scope[k]} $end\n`);
      open = s.scope;
      out.write(`$var ${s.width === 1 ? 'wire' : 'reg'} ${s.width} ${s.id} ${s.name} $end\n`);
    }
    for (let k = open.length; k > 0; k--) out.write('$upscope $end\n');
  }

  private valueText(s: number, v: number): string {
    const sig = this.signals[s]!;
    return sig.width === 1 ? `${v & 1}${sig.id}\n` : `b${(v >>> 0).toString(2)} ${sig.id}\n`;
  }
}

/** Scope order: cores row by row (as the image lists them), a core's own signals before its links. */
function compareScopes(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    return naturalKey(a[i]!) < naturalKey(b[i]!) ? -1 : 1;
  }
  return a.length - b.length;
}

function naturalKey(s: string): string {
  const m = /^core_(\d+)_(\d+)$/.exec(s);
  return m ? `core_${m[2]!.padStart(6, '0')}_${m[1]!.padStart(6, '0')}` : s;
}

/** VCD identifier codes: printable ASCII from '!' to '~', as a base-94 number. */
function identifier(n: number): string {
  let s = '';
  do {
    s += String.fromCharCode(33 + (n % 94));
    n = Math.floor(n / 94);
  } while (n > 0);
  return s;
}
