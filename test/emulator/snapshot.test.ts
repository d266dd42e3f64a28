// Whole-machine snapshots (emulator/snapshot.ts): what a restored machine is made of (copies, not the original's
// objects, with sharing kept and callbacks and the event bus shared), network traffic and timers in flight at the
// snapshot, keyboard input replayed from a tape, memory pages shared between successive snapshots, and a digest
// that changes with any part of the state.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadProgram, machineFor, Output, root, type Program } from './snapshot-harness.js';
import { machineDigest, PAGE_BYTES, restoreSnapshot, snapshotBytes, takeSnapshot } from '../../emulator/snapshot.js';
import { KeyboardTape } from '../../emulator/keyboard-tape.js';
import { Machine } from '../../emulator/machine.js';
import { Core } from '../../emulator/core.js';
import { Network } from '../../emulator/network.js';
import { NOT_PROCESS } from '../../emulator/isa.js';
import type { MachineEvent } from '../../emulator/events.js';

/** Every run here ends well before this; a run that does not is a failure, not a hang. */
const LIMIT = 5_000_000;

function program(path: string): Program {
  const p = loadProgram(join(root, path));
  if (!p) throw new Error(`${path} does not compile`);
  return p;
}

/** A private field, read or written by name. */
function field<T>(o: object, name: string): T {
  return (o as Record<string, T>)[name]!;
}

function setField(o: object, name: string, v: unknown): void {
  (o as Record<string, unknown>)[name] = v;
}

interface HeapEvent {
  t: number;
}

function heapOf(m: Machine): HeapEvent[] {
  return field<HeapEvent[]>(m.network!, 'heap');
}

/** Run in steps of `step` cycles until `when` holds (at most `limit` cycles). */
function runUntil(m: Machine, step: number, limit: number, when: () => boolean): boolean {
  for (let done = 0; done < limit; done += step) {
    if (m.run(step).status !== 'cycle-limit') return false;
    if (when()) return true;
  }
  return false;
}

/** Continue `a` and a restored copy of `s` to the end: the same output, result and final digest. */
function expectSameFuture(a: Machine, out: Output, snap: ReturnType<typeof takeSnapshot>): void {
  const tailA = out.fresh();
  const endA = a.run(LIMIT);
  const b = restoreSnapshot(snap);
  const tailB = out.fresh();
  const endB = b.run(LIMIT);
  expect(tailB).toEqual(tailA);
  expect(endB).toEqual(endA);
  expect(machineDigest(b)).toBe(machineDigest(a));
}

describe('a restored machine', () => {
  const heat = program('programs/mesh/heat_8x8.occ');

  it('is a copy: same classes, new objects, sharing inside the graph kept', () => {
    const out = new Output();
    const { machine: a } = machineFor(heat, out);
    a.run(20_000);
    const b = restoreSnapshot(takeSnapshot(a));
    expect(b !== a).toBe(true);
    expect(b).toBeInstanceOf(Machine);
    expect(b.network).toBeInstanceOf(Network);
    expect(b.network !== a.network).toBe(true);
    expect(b.cores).toHaveLength(a.cores.length);
    b.cores.forEach((c, i) => {
      expect(c).toBeInstanceOf(Core);
      expect(c !== a.cores[i]).toBe(true);
      expect(c.mem8.buffer).toBe(c.mem32.buffer);
      expect(c.mem8.buffer !== a.cores[i]!.mem8.buffer).toBe(true);
      expect(c.net).toBe(b.network);
    });
    // The network reaches the restored cores, and the network's host is the restored machine.
    const vcs = field<{ from: Core | null; to: Core | null }[]>(b.network!, 'vcs');
    const restored = new Set(b.cores);
    for (const vc of vcs) {
      if (vc.from) expect(restored.has(vc.from)).toBe(true);
      if (vc.to) expect(restored.has(vc.to)).toBe(true);
    }
    expect(field<{ machine: Machine }>(b.network!, 'host').machine).toBe(b);
    // The awake set holds the restored cores, in the original's order.
    const awakeA = [...field<Set<Core>>(a, 'awake')].map((c) => `${c.x},${c.y}`);
    const awakeB = [...field<Set<Core>>(b, 'awake')];
    for (const c of awakeB) expect(restored.has(c)).toBe(true);
    expect(awakeB.map((c) => `${c.x},${c.y}`)).toEqual(awakeA);
    expect(awakeA.length).toBeGreaterThan(1);
  });

  it('shares the event bus and the host callbacks', () => {
    const out = new Output();
    const { machine: a } = machineFor(heat, out);
    const seen: MachineEvent[] = [];
    a.subscribe((e) => seen.push(e));
    a.run(10_000);
    const b = restoreSnapshot(takeSnapshot(a));
    expect(b.events).toBe(a.events);
    expect(field(b, 'onScreen')).toBe(field(a, 'onScreen'));
    expect(field(b.cores[0]!, 'onScreen')).toBe(field(a.cores[0]!, 'onScreen'));
    const before = seen.length;
    const tail = out.fresh();
    b.run(LIMIT);
    expect(seen.length).toBeGreaterThan(before);
    expect(Buffer.from(tail.screen).toString('latin1')).toContain('0: 3561903');
  });

  it('copies fields the snapshot code has never heard of, and keeps frozen objects', () => {
    const out = new Output();
    const { machine: a } = machineFor(program('programs/hello.occ'), out);
    const core = a.cores[0]!;
    const constant = Object.freeze({ name: 'shared' });
    const extra = { list: [1, { n: 2 }], byCore: new Map<Core, string>([[core, 'self']]), constant, when: 3.5 };
    setField(core, 'extra', extra);
    const s = takeSnapshot(a);
    extra.list.push(99);
    const copy = field<typeof extra>(restoreSnapshot(s).cores[0]!, 'extra');
    expect(copy !== extra).toBe(true);
    expect(copy.list).toEqual([1, { n: 2 }]);
    expect(copy.constant).toBe(constant);
    expect(copy.when).toBe(3.5);
    const [key, value] = [...copy.byCore][0]!;
    expect(value).toBe('self');
    expect(key !== core).toBe(true);
    expect(field(key!, 'extra')).toBe(copy);
  });

  it('holds no functions but the host callbacks, which a copy may share', () => {
    // A snapshot keeps functions by reference. A closure over a core or the machine would make a restored copy act on
    // the original, so emulator state holds functions only as host callbacks (or methods that reach the machine
    // through a field, like the network's host). This lists every function a running mesh machine holds.
    const out = new Output();
    const { machine } = machineFor(heat, out);
    machine.run(20_000);
    const found: string[] = [];
    const seen = new Set<unknown>();
    const walk = (v: unknown, path: string): void => {
      if (typeof v === 'function') {
        found.push(path);
        return;
      }
      if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v) || v === machine.events) return;
      seen.add(v);
      if (v instanceof Map) {
        for (const [k, x] of v) {
          walk(k, `${path}.key`);
          walk(x, `${path}.value`);
        }
      } else if (v instanceof Set) for (const x of v) walk(x, `${path}.member`);
      else for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], `${path}.${k}`);
    };
    walk(machine, 'machine');
    const allowed =
      /^machine(\.cores\.\d+)?\.(onScreen|onError|stdin)$|^machine\.(cores\.\d+\.net|network)\.host\.(write|woke)$/;
    expect(
      found.filter((p) => !allowed.test(p)),
      'functions that are not host callbacks',
    ).toEqual([]);
    expect(found.some((p) => p.endsWith('.host.woke'))).toBe(true);
    expect(field<{ machine: Machine }>(machine.network!, 'host').machine).toBe(machine);
  });

  it('refuses state it cannot copy, saying what it is', () => {
    const { machine: a } = machineFor(program('programs/hello.occ'), new Output());
    setField(a.cores[0]!, 'cache', new WeakMap());
    expect(() => takeSnapshot(a)).toThrow('cannot copy a [object WeakMap] (at cores.0.cache)');
  });

  it('is not changed by the original or by other restored copies running on', () => {
    const out = new Output();
    const { machine: a } = machineFor(heat, out);
    a.run(50_000);
    const s = takeSnapshot(a);
    const at = machineDigest(a);
    a.run(LIMIT);
    restoreSnapshot(s).run(100_000);
    expect(machineDigest(restoreSnapshot(s))).toBe(at);
    expect(machineDigest(a)).not.toBe(at);
  });
});

describe('state in flight at the snapshot', () => {
  it('mesh: packets and messages on the way, processes waiting for them', () => {
    const out = new Output();
    const { machine: a } = machineFor(program('programs/mesh/heat_8x8.occ'), out);
    const sending = (m: Machine): number =>
      field<{ sending: boolean }[]>(m.network!, 'vcs').filter((vc) => vc.sending).length;
    // Several points with traffic in flight.
    for (const step of [3001, 17_003, 100_007]) {
      expect(runUntil(a, step, 10 * step, () => heapOf(a).length > 0 && sending(a) > 0)).toBe(true);
      const s = takeSnapshot(a);
      const b = restoreSnapshot(s);
      expect(heapOf(b).length).toBe(heapOf(a).length);
      expect(heapOf(b)[0] !== heapOf(a)[0]).toBe(true);
      expect(sending(b)).toBe(sending(a));
      expect(machineDigest(b)).toBe(machineDigest(a));
    }
    expectSameFuture(a, out, takeSnapshot(a));
  });

  it('timers: processes waiting in a timer queue', () => {
    const out = new Output();
    const { machine: a } = machineFor(program('test/programs/comm/timer_delay_order.occ'), out);
    const core = a.cores[0]!;
    expect(runUntil(a, 37, 1_000_000, () => core.tptr[0] !== NOT_PROCESS || core.tptr[1] !== NOT_PROCESS)).toBe(true);
    expect(core.nextTimerCycle).toBeLessThan(Infinity);
    expectSameFuture(a, out, takeSnapshot(a));
  });
});

describe('keyboard input', () => {
  const echo = program('test/programs/basics/keyboard_echo.occ');

  function runToFourthByte(stdin: () => number, tapeOf: () => number): { a: Machine; out: Output } {
    const out = new Output();
    const a = new Machine(echo.image, {
      stdin,
      onScreen: (b) => out.to.screen.push(...b),
      onError: (b) => out.to.error.push(...b),
    });
    expect(runUntil(a, 3, 100_000, () => tapeOf() >= 4)).toBe(true);
    return { a, out };
  }

  it('is replayed from the tape after a restore', () => {
    let next = 0;
    const tape = new KeyboardTape(() => (next < echo.stdin.length ? echo.stdin[next++]! : -1));
    const { a, out } = runToFourthByte(tape.source, () => tape.position);
    const at = tape.position;
    expect(at).toBeLessThan(echo.stdin.length);
    const s = takeSnapshot(a);
    const tailA = out.fresh();
    a.run(LIMIT);
    expect(tape.position).toBeGreaterThan(at);
    const b = restoreSnapshot(s);
    expect(tape.position).toBe(at);
    const tailB = out.fresh();
    b.run(LIMIT);
    expect(tailB).toEqual(tailA);
    expect(Buffer.from([...tailB.screen]).toString('latin1')).toMatch(/OCCAM\nE\n$/);
  });

  it('read from a plain function is not replayed (which is why the tape exists)', () => {
    let next = 0;
    const source = (): number => (next < echo.stdin.length ? echo.stdin[next++]! : -1);
    const { a, out } = runToFourthByte(source, () => next);
    const s = takeSnapshot(a);
    const tailA = out.fresh();
    a.run(LIMIT);
    const tailB = out.fresh();
    // The restored machine reads the end of input where the rest of the line was: it never sees the newline.
    expect(restoreSnapshot(s).run(LIMIT).status).toBe('cycle-limit');
    expect(tailB).not.toEqual(tailA);
  });

  it('tape: records what it hands out and winds back only over the recording', () => {
    const input = [7, 8, -1];
    let i = 0;
    const tape = new KeyboardTape(() => input[i++] ?? -1);
    expect(KeyboardTape.of(tape.source)).toBe(tape);
    expect(KeyboardTape.of(() => 0)).toBeUndefined();
    expect([tape.source(), tape.source()]).toEqual([7, 8]);
    tape.seek(1);
    expect([tape.source(), tape.source(), tape.source()]).toEqual([8, -1, -1]);
    expect(tape.length).toBe(4);
    expect(() => tape.seek(5)).toThrow(RangeError);
  });
});

describe('page sharing', () => {
  it('successive snapshots of a long single-core run share most pages', () => {
    const out = new Output();
    const { machine: a } = machineFor(program('programs/commstime.occ'), out);
    a.run(400_000);
    const s1 = takeSnapshot(a);
    const b1 = snapshotBytes(s1);
    expect(b1.ownPages).toBe(b1.totalPages);
    expect(b1.own).toBe(b1.total);
    // 64 KiB of memory, mostly zero: zero pages cost nothing.
    expect(b1.totalPages).toBeGreaterThan(0);
    expect(b1.totalPages).toBeLessThan(65536 / 2);
    a.run(400_000);
    const s2 = takeSnapshot(a, s1);
    const b2 = snapshotBytes(s2);
    expect(b2.totalPages).toBeGreaterThanOrEqual(b1.totalPages - PAGE_BYTES);
    expect(b2.ownPages).toBeLessThanOrEqual(b2.totalPages / 2);
    expect(b2.own).toBe(b2.ownPages + b2.graph);
    expect(b2.total).toBeGreaterThan(b2.totalPages + b2.graph);
    // Unchanged parts of the object graph (the FPU, output buffers, wait records) are shared too.
    expect(b2.graph).toBeLessThan(b1.graph);
    // Nothing ran: nothing new.
    expect(snapshotBytes(takeSnapshot(a, s2)).ownPages).toBe(0);
    // Shared pages restore correctly.
    const at = machineDigest(a);
    expect(machineDigest(restoreSnapshot(s2))).toBe(at);
    // A restored machine's snapshot shares with the snapshot it came from.
    const b = restoreSnapshot(s2);
    expect(snapshotBytes(takeSnapshot(b, s2)).ownPages).toBe(0);
    b.run(400_000);
    const s3 = takeSnapshot(b, s2);
    expect(snapshotBytes(s3).ownPages).toBeGreaterThan(0);
    expect(snapshotBytes(s3).ownPages).toBeLessThan(snapshotBytes(s3).totalPages);
    expectSameFuture(a, out, s2);
  });

  it('equal pages in one snapshot are stored once; every core with the same program costs one copy', () => {
    const out = new Output();
    const { machine: a } = machineFor(program('programs/mesh/heat_8x8.occ'), out);
    const b = snapshotBytes(takeSnapshot(a));
    // 64 cores of 64 KiB; almost all of it zero, and the code pages of the 63 nodes alike but for their constants.
    expect(b.totalPages).toBeLessThan((64 * 65536) / 4);
  });
});

describe('the digest', () => {
  const single = program('programs/sieve.occ');
  const mesh = program('programs/mesh/heat_8x8.occ');

  function base(p: Program, cycles: number): ReturnType<typeof takeSnapshot> {
    const { machine } = machineFor(p, new Output());
    machine.run(cycles);
    return takeSnapshot(machine);
  }

  it('is the same for machines in the same state, whatever their callbacks', () => {
    const a = new Machine(single.image, { onScreen: () => {} });
    const b = new Machine(single.image, { onScreen: () => {} });
    expect(machineDigest(a)).toBe(machineDigest(b));
    a.run(5000);
    expect(machineDigest(a)).not.toBe(machineDigest(b));
    b.run(5000);
    expect(machineDigest(a)).toBe(machineDigest(b));
    a.run(1);
    expect(machineDigest(a)).not.toBe(machineDigest(b));
  });

  it('changes with one memory byte, one register, a queue pointer, a wait record, the FPU, the clock', () => {
    const s = base(single, 20_000);
    const d = machineDigest(restoreSnapshot(s));
    const changes: [string, (m: Machine) => void][] = [
      ['a memory byte in a zero page', (m) => (m.cores[0]!.mem8[m.cores[0]!.memoryBytes - 40_000]! ^= 1)],
      ['a byte of code', (m) => (m.cores[0]!.mem8[0x80 + 3]! ^= 0x10)],
      ['register A', (m) => (m.cores[0]!.A ^= 1)],
      ['Wptr', (m) => (m.cores[0]!.Wptr += 4)],
      ['the Error flag', (m) => (m.cores[0]!.Error = !m.cores[0]!.Error)],
      ['a run queue pointer', (m) => (m.cores[0]!.fptr[1] = (m.cores[0]!.fptr[1]! + 4) | 0)],
      ['a timer queue pointer', (m) => (m.cores[0]!.tptr[0] = 0x80000100 | 0)],
      ['a wait record', (m) => (m.cores[0]!.waits[12345] = 1)],
      ['an FPU register', (m) => (m.cores[0]!.fpu.reg[2] = 0.5)],
      ['the instruction count', (m) => m.cores[0]!.instructions++],
      ['the machine clock', (m) => setField(m, 'now', field<number>(m, 'now') + 1)],
    ];
    for (const [what, change] of changes) {
      const m = restoreSnapshot(s);
      expect(machineDigest(m), `unchanged before: ${what}`).toBe(d);
      change(m);
      expect(machineDigest(m), what).not.toBe(d);
    }
  });

  it('changes with a packet in flight and with the order of the awake set', () => {
    const { machine } = machineFor(mesh, new Output());
    expect(runUntil(machine, 1001, 100_000, () => heapOf(machine).length > 1)).toBe(true);
    const s = takeSnapshot(machine);
    const d = machineDigest(machine);
    const m1 = restoreSnapshot(s);
    heapOf(m1)[0]!.t += 1;
    expect(machineDigest(m1)).not.toBe(d);
    const m2 = restoreSnapshot(s);
    const awake = field<Set<Core>>(m2, 'awake');
    expect(awake.size).toBeGreaterThan(1);
    const first = [...awake][0]!;
    awake.delete(first);
    awake.add(first);
    expect(machineDigest(m2)).not.toBe(d);
    const m3 = restoreSnapshot(s);
    field<Float64Array>(m3.network!, 'linkBytes')[5]! += 1;
    expect(machineDigest(m3)).not.toBe(d);
    expect(machineDigest(restoreSnapshot(s))).toBe(d);
  });
});
