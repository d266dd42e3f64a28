// The network: routing, link timing against each profile's figures (bandwidth, latency per hop, sharing a
// link), synchronous completion, determinism, the event stream, and channel instructions on mesh channels.

import { describe, it, expect } from 'vitest';
import { Machine } from '../../emulator/machine.js';
import {
  MESH_CHANNEL_BASE,
  type Image,
  type MeshChannelInfo,
  ImageError,
  validateImage,
} from '../../emulator/image.js';
import { linkBandwidth, PROFILES, TICKS_PER_CYCLE, type Profile } from '../../emulator/profiles.js';
import { Network } from '../../emulator/network.js';
import { EventBus, type MachineEvent } from '../../emulator/events.js';
import { assemble, I, label, type Item } from '../helpers/asm.js';

const chan = (k: number): number => (MESH_CHANNEL_BASE + 4 * k) | 0;

/** Output `n` bytes (from the bottom of the workspace area) on mesh channel k, `times` times, then halt. */
function sender(k: number, n: number, times = 1): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < times; i++) items.push(I('ldlp', -n / 4 - 8), I('ldc', chan(k)), I('ldc', n), I('out'));
  items.push(I('haltp'));
  return items;
}

function receiver(k: number, n: number, times = 1): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < times; i++) items.push(I('ldlp', -n / 4 - 8), I('ldc', chan(k)), I('ldc', n), I('in'));
  items.push(I('haltp'));
  return items;
}

interface Placed {
  x: number;
  y: number;
  items: Item[];
}

function meshImage(width: number, height: number, cores: Placed[], channels: MeshChannelInfo[]): Image {
  return {
    format: 'occmesh-image',
    version: 1,
    mesh: { width, height },
    cores: cores.map((c) => ({ x: c.x, y: c.y, code: assemble(c.items).code, entry: 0, workspaceWords: 8192 })),
    files: [],
    debug: cores.map(() => ({ lines: [], checks: [], procs: [], data: [] })),
    channels,
  };
}

function run(image: Image, profile: Profile) {
  const m = new Machine(image, { profile, memoryBytes: 1 << 17 });
  const r = m.run(1e9);
  return { m, r, finish: (x: number, y: number) => m.cores.find((c) => c.x === x && c.y === y)!.finishCycle };
}

const link = (fx: number, fy: number, tx: number, ty: number, name = 'c'): MeshChannelInfo => ({
  name,
  from: { x: fx, y: fy },
  to: { x: tx, y: ty },
});

describe('routing', () => {
  const net = new Network(
    { width: 4, height: 4 },
    [],
    () => null,
    PROFILES.t800,
    { write: () => {}, woke: () => {} },
    new EventBus(),
  );
  it('goes along X first, then along Y', () => {
    // (0, 0) -> (2, 1): east, east, south. Link id = node * 4 + direction (N 0, E 1, S 2, W 3).
    expect(Array.from(net.route({ x: 0, y: 0 }, { x: 2, y: 1 }))).toEqual([0 * 4 + 1, 1 * 4 + 1, 2 * 4 + 2]);
    // (3, 3) -> (1, 2): west, west, north.
    expect(Array.from(net.route({ x: 3, y: 3 }, { x: 1, y: 2 }))).toEqual([15 * 4 + 3, 14 * 4 + 3, 13 * 4 + 0]);
  });
});

for (const profile of [PROFILES.t800, PROFILES.epiphany]) {
  describe(`calibration: ${profile.name}`, () => {
    it('a bulk transfer between neighbours reaches the link bandwidth within 5%', () => {
      const n = 16384;
      const times = 4;
      const img = meshImage(
        2,
        1,
        [
          { x: 0, y: 0, items: sender(0, n, times) },
          { x: 1, y: 0, items: receiver(0, n, times) },
        ],
        [link(0, 0, 1, 0)],
      );
      const { r, finish } = run(img, profile);
      expect(r.status).toBe('finished');
      const seconds = finish(1, 0) / profile.clockHz;
      const measured = (n * times) / seconds;
      const theory = linkBandwidth(profile);
      expect(measured / theory).toBeGreaterThan(0.95);
      expect(measured / theory).toBeLessThanOrEqual(1);
      expect(r.links).toEqual([
        {
          from: { x: 0, y: 0 },
          to: { x: 1, y: 0 },
          direction: 'E',
          bytes: n * times,
          busyCycles: (n * times * profile.byteTicks) / TICKS_PER_CYCLE,
        },
      ]);
    });

    it('latency grows by the router latency per hop', () => {
      // The sender starts late, so the receiver is already waiting when the message arrives.
      const late: Item[] = Array.from({ length: 100 }, () => I('ldc', 0));
      const arrival = (d: number): number => {
        const img = meshImage(
          6,
          1,
          [
            { x: 0, y: 0, items: [...late, ...sender(0, 4)] },
            { x: d, y: 0, items: receiver(0, 4) },
          ],
          [link(0, 0, d, 0)],
        );
        const { finish } = run(img, profile);
        return finish(d, 0);
      };
      const perTwoHops = (2 * profile.hopTicks) / TICKS_PER_CYCLE;
      expect(arrival(3) - arrival(1)).toBe(perTwoHops);
      expect(arrival(5) - arrival(3)).toBe(perTwoHops);
    });

    it('two flows sharing a link each get about half of it', () => {
      const n = 16384;
      const alone = run(
        meshImage(
          4,
          1,
          [
            { x: 0, y: 0, items: sender(0, n) },
            { x: 2, y: 0, items: receiver(0, n) },
          ],
          [link(0, 0, 2, 0)],
        ),
        profile,
      );
      // (0, 0) -> (2, 0) and (1, 0) -> (3, 0) both cross the link (1, 0) -> (2, 0).
      const both = run(
        meshImage(
          4,
          1,
          [
            { x: 0, y: 0, items: sender(0, n) },
            { x: 1, y: 0, items: sender(1, n) },
            { x: 2, y: 0, items: receiver(0, n) },
            { x: 3, y: 0, items: receiver(1, n) },
          ],
          [link(0, 0, 2, 0, 'a'), link(1, 0, 3, 0, 'b')],
        ),
        profile,
      );
      const t1 = alone.finish(2, 0);
      for (const t of [both.finish(2, 0), both.finish(3, 0)]) {
        expect(t / t1).toBeGreaterThan(1.9);
        expect(t / t1).toBeLessThan(2.1);
      }
      const shared = both.r.links.find((l) => l.from.x === 1 && l.to.x === 2)!;
      expect(shared.bytes).toBe(2 * n);
    });

    it('the sender resumes only after the receiver has taken the whole message', () => {
      // The receiver first spends a long time computing, then inputs; the sender must still be waiting.
      const slow: Item[] = [];
      for (let i = 0; i < 200; i++) slow.push(I('ldc', 7), I('ldc', 3), I('div'));
      const img = meshImage(
        2,
        1,
        [
          { x: 0, y: 0, items: sender(0, 64) },
          { x: 1, y: 0, items: [...slow, I('ajw', -8), ...receiver(0, 64)] },
        ],
        [link(0, 0, 1, 0)],
      );
      const { r, finish } = run(img, profile);
      expect(r.status).toBe('finished');
      expect(finish(0, 0)).toBeGreaterThan(200 * 41);
      // The receiver takes the message at its `in` (which then costs 2w + 19 = 51 cycles) and halts (2 cycles).
      expect(finish(0, 0)).toBeGreaterThanOrEqual(finish(1, 0) - 53);
    });

    it('the same run twice gives identical cycles and link figures', () => {
      const img = meshImage(
        3,
        3,
        [
          { x: 0, y: 0, items: sender(0, 4096, 3) },
          { x: 2, y: 2, items: receiver(0, 4096, 3) },
        ],
        [link(0, 0, 2, 2)],
      );
      const a = run(img, profile).r;
      const b = run(img, profile).r;
      expect(b).toEqual(a);
    });
  });
}

describe('mesh channels', () => {
  it('moves the message bytes into the receiver memory', () => {
    const img = meshImage(
      2,
      1,
      [
        {
          x: 0,
          y: 0,
          items: [
            I('ldc', 0x01020304),
            I('stl', 0),
            I('ldlp', 0),
            I('ldc', chan(0)),
            I('ldc', 4),
            I('out'),
            I('haltp'),
          ],
        },
        { x: 1, y: 0, items: [I('ldlp', 3), I('ldc', chan(0)), I('ldc', 4), I('in'), I('haltp')] },
      ],
      [link(0, 0, 1, 0)],
    );
    const { m, r } = run(img, PROFILES.t800);
    expect(r.status).toBe('finished');
    const rx = m.cores[1]!;
    expect(rx.readWord(rx.Wptr + 12)).toBe(0x01020304);
  });

  it('outword travels like out', () => {
    const img = meshImage(
      2,
      1,
      [
        { x: 0, y: 0, items: [I('ldc', chan(0)), I('ldc', 99), I('outword'), I('haltp')] },
        { x: 1, y: 0, items: [I('ldlp', 3), I('ldc', chan(0)), I('ldc', 4), I('in'), I('haltp')] },
      ],
      [link(0, 0, 1, 0)],
    );
    const { m, r } = run(img, PROFILES.t800);
    expect(r.status).toBe('finished');
    expect(m.cores[1]!.readWord(m.cores[1]!.Wptr + 12)).toBe(99);
  });

  it('carries output to the host screen from another core', () => {
    const img = meshImage(
      2,
      2,
      [{ x: 1, y: 1, items: [I('ldc', chan(0)), I('ldc', 65), I('outbyte'), I('haltp')] }],
      [{ name: 'scr', from: { x: 1, y: 1 }, to: { x: 0, y: 0 }, host: 'screen' }],
    );
    const out: number[] = [];
    const m = new Machine(img, { onScreen: (b) => out.push(...b) });
    expect(m.run().status).toBe('finished');
    expect(out).toEqual([65]);
  });

  it('a channel instruction on a mesh channel the core does not use halts with an error', () => {
    const img = meshImage(
      2,
      1,
      [
        { x: 1, y: 0, items: [I('ldc', chan(0)), I('ldc', 1), I('outword'), I('haltp')] },
        { x: 0, y: 0, items: [I('haltp')] },
      ],
      [link(0, 0, 1, 0)],
    );
    const r = new Machine(img).run();
    expect(r.status).toBe('error');
    expect(r.error!.reason).toBe('output on a mesh channel this core does not send on');
  });

  it('reports the mesh channel a deadlocked process waits on', () => {
    const img = meshImage(
      2,
      1,
      [
        { x: 0, y: 0, items: sender(0, 4) },
        { x: 1, y: 0, items: [I('haltp')] },
      ],
      [link(0, 0, 1, 0)],
    );
    const r = new Machine(img).run();
    expect(r.status).toBe('deadlock');
    expect(r.blocked).toHaveLength(1);
    expect(r.blocked[0]!.waiting).toMatchObject({ kind: 'output', meshChannel: 0, delivered: true, channel: chan(0) });
  });
});

describe('the event stream', () => {
  it('reports processes, messages and link traffic to subscribers', () => {
    const img = meshImage(
      3,
      1,
      [
        { x: 0, y: 0, items: sender(0, 40) },
        { x: 2, y: 0, items: receiver(0, 40) },
      ],
      [link(0, 0, 2, 0)],
    );
    const m = new Machine(img);
    const events: MachineEvent[] = [];
    m.subscribe((e) => events.push(e));
    expect(m.run().status).toBe('finished');
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('blocked');
    expect(kinds).toContain('scheduled');
    expect(kinds.filter((k) => k === 'ended')).toHaveLength(2);
    expect(events.find((e) => e.kind === 'sent')).toMatchObject({
      channel: 0,
      bytes: 40,
      from: { x: 0, y: 0 },
      to: { x: 2, y: 0 },
    });
    expect(events.find((e) => e.kind === 'received')).toMatchObject({ channel: 0, bytes: 40 });
    // 40 bytes in packets of 32 and 8, over two links.
    const packets = events
      .filter((e) => e.kind === 'link')
      .map((e) => (e.kind === 'link' ? [e.from.x, e.to.x, e.bytes] : []));
    expect(packets).toEqual([
      [0, 1, 32],
      [1, 2, 32],
      [0, 1, 8],
      [1, 2, 8],
    ]);
  });

  it('costs nothing in the run when unsubscribed: the results are the same', () => {
    const img = meshImage(
      3,
      1,
      [
        { x: 0, y: 0, items: sender(0, 400) },
        { x: 2, y: 0, items: receiver(0, 400) },
      ],
      [link(0, 0, 2, 0)],
    );
    const quiet = new Machine(img).run();
    const m = new Machine(img);
    const off = m.subscribe(() => {});
    off();
    expect(m.events.active).toBe(false);
    expect(m.run()).toEqual(quiet);
  });
});

describe('image validation of mesh channels', () => {
  const base = meshImage(2, 1, [{ x: 0, y: 0, items: [I('haltp')] }], []);
  it('rejects a channel outside the mesh and a host device off core (0, 0)', () => {
    expect(() => validateImage({ ...base, channels: [link(0, 0, 2, 0)] })).toThrow(ImageError);
    expect(() => validateImage({ ...base, channels: [{ ...link(0, 0, 1, 0), from: { x: 0, y: -1 } }] })).toThrow(
      'mesh channel 0 is invalid',
    );
    expect(() => validateImage({ ...base, channels: [{ ...link(0, 0, 1, 0), host: 'screen' }] })).toThrow(
      'only core (0, 0) has host devices',
    );
    expect(() => validateImage({ ...base, channels: [link(1, 0, 0, 0)] })).not.toThrow();
  });
});

describe('ALT on mesh channels', () => {
  /** ALT over mesh channels 0 and 1; the selected branch inputs a word into W[5] and stores its number in W[7]. */
  const altOver: Item[] = [
    I('alt'),
    I('ldc', chan(0)),
    I('ldc', 1),
    I('enbc'),
    I('ldc', chan(1)),
    I('ldc', 1),
    I('enbc'),
    I('altwt'),
    I('ldc', chan(0)),
    I('ldc', 1),
    I('ldc', { to: 'L1', from: 'E' }),
    I('disc'),
    I('ldc', chan(1)),
    I('ldc', 1),
    I('ldc', { to: 'L2', from: 'E' }),
    I('disc'),
    I('altend'),
    label('E'),
    label('L1'),
    I('ldlp', 5),
    I('ldc', chan(0)),
    I('ldc', 4),
    I('in'),
    I('ldc', 1),
    I('stl', 7),
    I('haltp'),
    label('L2'),
    I('ldlp', 5),
    I('ldc', chan(1)),
    I('ldc', 4),
    I('in'),
    I('ldc', 2),
    I('stl', 7),
    I('haltp'),
  ];
  const late: Item[] = Array.from({ length: 50 }, () => I('ldc', 0));

  for (const [what, senderItems] of [
    ['arrives while the ALT waits', [...late, I('ldc', chan(1)), I('ldc', 42), I('outword'), I('haltp')]],
    ['arrived before the ALT starts', [I('ldc', chan(1)), I('ldc', 42), I('outword'), I('haltp')]],
  ] as const) {
    it(`selects the channel whose message ${what}`, () => {
      const img = meshImage(
        3,
        1,
        [
          { x: 0, y: 0, items: [I('haltp')] },
          { x: 1, y: 0, items: what.startsWith('arrived') ? [...late, ...late, ...altOver] : altOver },
          { x: 2, y: 0, items: [...senderItems] },
        ],
        [link(0, 0, 1, 0, 'a'), link(2, 0, 1, 0, 'b')],
      );
      const { m, r } = run(img, PROFILES.t800);
      expect(r.status).toBe('finished');
      const c = m.cores[1]!;
      expect(c.readWord(c.Wptr + 28)).toBe(2);
      expect(c.readWord(c.Wptr + 20)).toBe(42);
    });
  }
});

describe('a core behind the network clock', () => {
  it('a packet stamped before a link became free still gets the link', async () => {
    const { Core } = await import('../../emulator/core.js');
    const cores = [new Core({ x: 0, y: 0 }), new Core({ x: 1, y: 0 }), new Core({ x: 2, y: 0 })];
    const woke: number[] = [];
    const net = new Network(
      { width: 3, height: 1 },
      [link(2, 0, 0, 0, 'a'), link(1, 0, 0, 0, 'b')],
      (x) => cores[x] ?? null,
      PROFILES.t800,
      { write: () => {}, woke: (c) => woke.push(c.x) },
      new EventBus(),
    );
    const buf = (0x80000000 + 0x400) | 0;
    const w = (0x80000000 + 0x800) | 0;
    expect(net.output(cores[2]!, 0, w | 1, buf, 4, 0)).toBeNull();
    net.advance(100); // a crosses (1, 0) -> (0, 0) during cycles 2..46, and the network has handled all of it
    expect(net.input(cores[0]!, 1, (w - 64) | 1, buf, 4, 10)).toBe(false);
    expect(net.output(cores[1]!, 1, w | 1, buf, 4, 10)).toBeNull(); // stamped at cycle 10, behind the network
    net.advance(1000);
    expect(net.idle).toBe(true);
    expect(net.waitOf(cores[1]!, w)).toBeNull(); // b was delivered and acknowledged
    expect(woke).toContain(0);
    expect(woke).toContain(1);
  });
});
