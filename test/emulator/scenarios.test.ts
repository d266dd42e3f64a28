// Whole programs on one core: communication, PAR, ALT, timers, timeslicing and preemption.

import { describe, it, expect } from 'vitest';
import { MOST_NEG, NOT_PROCESS } from '../../emulator/isa.js';
import { HOST_SCREEN } from '../../emulator/image.js';
import { Core } from '../../emulator/core.js';
import { assemble, I, label, text, type Item } from '../helpers/asm.js';

const SCREEN = HOST_SCREEN;

/** Load a program that first claims a 32-word frame; W is the Wptr after that. */
function boot(items: Item[], memoryBytes = 16384) {
  const { code, labels } = assemble([I('ajw', -32), ...items]);
  const core = new Core({ memoryBytes });
  core.load(code, 0);
  return { core, labels, W: (core.bootWptr - 128) | 0 };
}

/** A two-branch PAR as occ21 lays it out: branch 1 in the parent's process at W-40, branch 2 at W-80. */
function par2(b1: Item[], b2: Item[], after: Item[]): Item[] {
  return [
    I('ldc', 2),
    I('stl', 1),
    I('ldc', { to: 'Join', from: 'M1' }),
    I('ldpi'),
    label('M1'),
    I('stl', 0),
    I('ldc', { to: 'B2', from: 'M2' }),
    I('ldlp', -20),
    I('startp'),
    label('M2'),
    I('ajw', -10),
    ...b1,
    I('ldlp', 10),
    I('endp'),
    label('B2'),
    ...b2,
    I('ldlp', 20),
    I('endp'),
    label('Join'),
    ...after,
  ];
}

// Parent slots: W[4] channel, W[5] variable, W[6] second channel, W[7] result.
const inX = (d: number): Item[] => [I('ldlp', 5 + d), I('ldlp', 4 + d), I('ldc', 4), I('in')];
const out42 = (d: number): Item[] => [I('ldlp', 4 + d), I('ldc', 42), I('outword')];

describe('soft channel communication', () => {
  for (const [title, b1, b2] of [
    ['inputter first', inX(10), out42(20)],
    ['outputter first', out42(10), inX(20)],
  ] as const) {
    it(`two processes rendezvous (${title})`, () => {
      const { core, W } = boot([I('mint'), I('stl', 4), ...par2([...b1], [...b2], [I('haltp')])]);
      {
        core.run(1e6);
        expect(core.fault).toBeNull();
        expect(core.state).toBe('finished');
      }
      expect(core.readWord(W + 20)).toBe(42);
      expect(core.readWord(W + 16)).toBe(NOT_PROCESS);
      expect(core.Wptr).toBe(W);
    });
  }

  it('a 100-word block travels intact', () => {
    const SRC = (MOST_NEG + 0x1000) | 0;
    const DST = (MOST_NEG + 0x2000) | 0;
    const body1: Item[] = [I('ldc', DST), I('ldlp', 4 + 10), I('ldc', 400), I('in')];
    const body2: Item[] = [I('ldc', SRC), I('ldlp', 4 + 20), I('ldc', 400), I('out'), I('ldtimer'), I('stl', 8 + 20)];
    const { core } = boot([I('mint'), I('stl', 4), ...par2(body1, body2, [I('haltp')])]);
    for (let i = 0; i < 100; i++) core.writeWord(SRC + 4 * i, i * 7);
    core.run(1e6);
    expect(core.state).toBe('finished');
    for (let i = 0; i < 100; i++) expect(core.readWord(DST + 4 * i)).toBe(i * 7);
    expect(core.readWord(DST + 400)).toBe(0);
  });
});

describe('PAR', () => {
  it('startp/endp: the last branch to finish continues as the parent', () => {
    // Three branches; each adds to a parent counter. The parent's code after the join sees all three.
    const branch = (d: number, v: number): Item[] => [I('ldl', 7 + d), I('adc', v), I('stl', 7 + d)];
    const { core, W } = boot([
      I('ldc', 0),
      I('stl', 7),
      I('ldc', 3),
      I('stl', 1),
      I('ldc', { to: 'Join', from: 'M1' }),
      I('ldpi'),
      label('M1'),
      I('stl', 0),
      I('ldc', { to: 'B2', from: 'M2' }),
      I('ldlp', -20),
      I('startp'),
      label('M2'),
      I('ldc', { to: 'B3', from: 'M3' }),
      I('ldlp', -30),
      I('startp'),
      label('M3'),
      I('ajw', -10),
      ...branch(10, 1),
      I('ldlp', 10),
      I('endp'),
      label('B2'),
      ...branch(20, 10),
      I('ldlp', 20),
      I('endp'),
      label('B3'),
      ...branch(30, 100),
      I('ldlp', 30),
      I('endp'),
      label('Join'),
      I('ldl', 7),
      I('stl', 8),
      I('haltp'),
    ]);
    {
      core.run(1e6);
      expect(core.fault).toBeNull();
      expect(core.state).toBe('finished');
    }
    expect(core.readWord(W + 32)).toBe(111);
    expect(core.readWord(W + 4)).toBe(0);
  });
});

/** ALT over channels at W[4] and W[6] (guards TRUE); the selected branch inputs into W[5] and sets W[7]. */
function altOver(d: number): Item[] {
  return [
    I('alt'),
    I('ldlp', 4 + d),
    I('ldc', 1),
    I('enbc'),
    I('ldlp', 6 + d),
    I('ldc', 1),
    I('enbc'),
    I('altwt'),
    I('ldlp', 4 + d),
    I('ldc', 1),
    I('ldc', { to: 'L1', from: 'E' }),
    I('disc'),
    I('ldlp', 6 + d),
    I('ldc', 1),
    I('ldc', { to: 'L2', from: 'E' }),
    I('disc'),
    I('altend'),
    label('E'),
    label('L1'),
    ...inX(d),
    I('ldc', 1),
    I('stl', 7 + d),
    I('j', 'Out'),
    label('L2'),
    I('ldlp', 5 + d),
    I('ldlp', 6 + d),
    I('ldc', 4),
    I('in'),
    I('ldc', 2),
    I('stl', 7 + d),
    label('Out'),
  ];
}

const out42on6 = (d: number): Item[] => [I('ldlp', 6 + d), I('ldc', 42), I('outword')];

describe('ALT', () => {
  it('selects a channel that becomes ready while the ALT waits', () => {
    const { core, W } = boot([
      I('mint'),
      I('stl', 4),
      I('mint'),
      I('stl', 6),
      ...par2(altOver(10), out42on6(20), [I('haltp')]),
    ]);
    {
      core.run(1e6);
      expect(core.fault).toBeNull();
      expect(core.state).toBe('finished');
    }
    expect(core.readWord(W + 28)).toBe(2);
    expect(core.readWord(W + 20)).toBe(42);
    // Both enabled channels are clean again.
    expect(core.readWord(W + 16)).toBe(NOT_PROCESS);
    expect(core.readWord(W + 24)).toBe(NOT_PROCESS);
  });

  it('selects a channel that is ready before the ALT starts (altwt does not wait)', () => {
    const { core, W } = boot([
      I('mint'),
      I('stl', 4),
      I('mint'),
      I('stl', 6),
      ...par2(out42on6(10), altOver(20), [I('haltp')]),
    ]);
    {
      core.run(1e6);
      expect(core.fault).toBeNull();
      expect(core.state).toBe('finished');
    }
    expect(core.readWord(W + 28)).toBe(2);
    expect(core.readWord(W + 20)).toBe(42);
  });

  it('a timer guard fires when no channel is ready, and the channel enable is undone', () => {
    const { core, W } = boot([
      I('mint'),
      I('stl', 4),
      I('ldtimer'),
      I('adc', 100),
      I('stl', 8),
      I('talt'),
      I('ldlp', 4),
      I('ldc', 1),
      I('enbc'),
      I('ldl', 8),
      I('ldc', 1),
      I('enbt'),
      I('taltwt'),
      I('ldlp', 4),
      I('ldc', 1),
      I('ldc', { to: 'L1', from: 'E' }),
      I('disc'),
      I('ldl', 8),
      I('ldc', 1),
      I('ldc', { to: 'L2', from: 'E' }),
      I('dist'),
      I('altend'),
      label('E'),
      label('L1'),
      I('ldc', 1),
      I('stl', 7),
      I('j', 'Out'),
      label('L2'),
      I('ldc', 2),
      I('stl', 7),
      label('Out'),
      I('ldtimer'),
      I('stl', 9),
      I('haltp'),
    ]);
    {
      core.run(1e6);
      expect(core.fault).toBeNull();
      expect(core.state).toBe('finished');
    }
    expect(core.readWord(W + 28)).toBe(2);
    expect(core.readWord(W + 16)).toBe(NOT_PROCESS);
    const t = core.readWord(W + 32);
    const woke = core.readWord(W + 36);
    expect(woke - t).toBeGreaterThan(0);
    expect(woke - t).toBeLessThan(10);
    // Waiting cost nothing: the core was idle most of the time.
    expect(core.busyCycles).toBeLessThan(1000);
    expect(core.cycles).toBeGreaterThan(100 * 20);
  });
});

describe('timers', () => {
  it('processes waiting for 10, 20, 30 and then 25 wake in time order', () => {
    const times = [10, 20, 30, 25];
    const items: Item[] = [
      I('ldc', times.length + 1),
      I('stl', 1),
      I('ldc', { to: 'Join', from: 'MJ' }),
      I('ldpi'),
      label('MJ'),
      I('stl', 0),
    ];
    times.forEach((_, k) => {
      items.push(I('ldc', { to: `P${k}`, from: `S${k}` }), I('ldlp', -20 * (k + 1)), I('startp'), label(`S${k}`));
    });
    items.push(I('ldlp', 0), I('endp'));
    times.forEach((t, k) => {
      const d = 20 * (k + 1);
      items.push(
        label(`P${k}`),
        I('ldc', t),
        I('tin'),
        I('ldtimer'),
        I('ldlp', d),
        I('stnl', 4 + k),
        I('ldc', SCREEN),
        I('ldc', 0x61 + k),
        I('outbyte'),
        I('ldlp', d),
        I('endp'),
      );
    });
    items.push(label('Join'), I('haltp'));
    const { core, W } = boot(items);
    {
      core.run(1e6);
      expect(core.fault).toBeNull();
      expect(core.state).toBe('finished');
    }
    expect(text(core.screenOutput())).toBe('abdc');
    times.forEach((t, k) => {
      const woke = core.readWord(W + 16 + 4 * k);
      expect(woke).toBeGreaterThan(t);
      expect(woke).toBeLessThanOrEqual(t + 2);
    });
  });

  it('equal wake times keep arrival order', () => {
    const items: Item[] = [
      I('ldc', 4),
      I('stl', 1),
      I('ldc', { to: 'Join', from: 'MJ' }),
      I('ldpi'),
      label('MJ'),
      I('stl', 0),
    ];
    for (let k = 0; k < 3; k++)
      items.push(I('ldc', { to: `P${k}`, from: `S${k}` }), I('ldlp', -20 * (k + 1)), I('startp'), label(`S${k}`));
    items.push(I('ldlp', 0), I('endp'));
    for (let k = 0; k < 3; k++) {
      items.push(
        label(`P${k}`),
        I('ldc', 50),
        I('tin'),
        I('ldc', SCREEN),
        I('ldc', 0x78 + k),
        I('outbyte'),
        I('ldlp', 20 * (k + 1)),
        I('endp'),
      );
    }
    items.push(label('Join'), I('haltp'));
    const { core } = boot(items);
    core.run(1e6);
    expect(text(core.screenOutput())).toBe('xyz');
  });
});

describe('scheduling', () => {
  // A counting loop whose backward jump needs a prefix (the body is longer than 15 bytes).
  const counter = (slot: number): Item[] => {
    const pad: Item[] = Array.from({ length: 8 }, () => I('ldc', 0));
    return [label(`T${slot}`), I('ldl', slot), I('adc', 1), I('stl', slot), ...pad, I('j', `T${slot}`)];
  };

  it('two low-priority loops share the processor by timeslicing at j', () => {
    const { core, W } = boot([
      I('ldc', 0),
      I('stl', 4),
      I('ldc', 0),
      I('stl', -16),
      I('ldc', { to: 'B', from: 'M' }),
      I('ldlp', -20),
      I('startp'),
      label('M'),
      ...counter(4),
      label('B'),
      ...counter(4),
    ]);
    const period = core.slicePeriod;
    core.run(20 * period);
    const a = core.readWord(W + 16);
    const b = core.readWord(W - 80 + 16);
    expect(a).toBeGreaterThan(1000);
    expect(b).toBeGreaterThan(1000);
    expect(a / b).toBeGreaterThan(0.8);
    expect(a / b).toBeLessThan(1.25);
  });

  it('a lone low-priority loop is never switched out needlessly and its operands survive', () => {
    const { core, W } = boot([I('ldc', 0), I('stl', 4), ...counter(4)]);
    core.run(10 * core.slicePeriod);
    const perIteration = 2 + 1 + 1 + 8 + 2 + 3; // ldl adc stl 8*ldc (nfix j)
    expect(core.readWord(W + 16)).toBe(Math.floor(core.instructions / 12));
    expect(core.readWord(W + 16)).toBeGreaterThan((10 * core.slicePeriod) / perIteration - 2);
  });

  it('a high-priority loop is never timesliced: the low-priority process starves', () => {
    const { core, labels, W } = boot([
      I('ldc', 0),
      I('stl', 4),
      I('ldc', { to: 'H', from: 'M' }),
      I('ldpi'),
      label('M'),
      I('stl', -21), // the high process's W[-1] at W - 80
      I('ldlp', -20),
      I('runp'), // Wdesc with priority bit 0: high
      I('ldc', 1),
      I('stl', 4),
      I('haltp'),
      label('H'),
      ...counter(0),
    ]);
    expect(labels.H).toBeDefined();
    core.run(10 * core.slicePeriod);
    expect(core.readWord(W + 16)).toBe(0);
    expect(core.priority).toBe(0);
    expect(core.readWord(W - 80)).toBeGreaterThan(1000);
  });

  it('runp of a high-priority process preempts at once; the low process resumes afterwards', () => {
    const { core, W } = boot([
      I('ldc', 0),
      I('stl', 4),
      I('ldc', { to: 'H', from: 'M' }),
      I('ldpi'),
      label('M'),
      I('stl', -21),
      I('ldlp', -20),
      I('runp'),
      I('ldc', 1),
      I('stl', 4),
      I('haltp'),
      label('H'),
      // The high process reads the low one's flag (still 0), records its priority, and stops.
      I('ldl', 24),
      I('stl', 25),
      I('ldpri'),
      I('stl', 26),
      I('stopp'),
    ]);
    core.writeWord(W + 20, 99);
    {
      core.run(1e6);
      expect(core.fault).toBeNull();
      expect(core.state).toBe('finished');
    }
    expect(core.readWord(W + 20)).toBe(0);
    expect(core.readWord(W + 24)).toBe(0);
    expect(core.readWord(W + 16)).toBe(1);
  });

  it('a high-priority timer wake-up interrupts a low-priority computation, whose registers survive', () => {
    const revs: Item[] = Array.from({ length: 200 }, () => I('rev'));
    const { core, W } = boot([
      I('ldc', { to: 'H', from: 'M' }),
      I('ldpi'),
      label('M'),
      I('stl', -21),
      I('ldlp', -20),
      I('runp'), // H runs now, waits on its timer, and the low process carries on
      I('ldc', 1),
      I('ldc', 2),
      I('ldc', 3),
      ...revs,
      I('stl', 4),
      I('stl', 5),
      I('stl', 6),
      I('ldtimer'),
      I('stl', 7),
      I('haltp'),
      label('H'),
      I('ldc', 5),
      I('tin'),
      I('ldtimer'),
      I('stl', 28), // parent W[8]
      I('stopp'),
    ]);
    {
      core.run(1e6);
      expect(core.fault).toBeNull();
      expect(core.state).toBe('finished');
    }
    expect([core.readWord(W + 16), core.readWord(W + 20), core.readWord(W + 24)]).toEqual([3, 2, 1]);
    const hWoke = core.readWord(W + 32);
    expect(hWoke).toBeGreaterThan(5);
    expect(hWoke).toBeLessThan(core.readWord(W + 28));
    expect(core.interrupted).toBe(false);
  });
});

describe('errors', () => {
  it('an overflowing add halts the core at that instruction', () => {
    const { code } = assemble([I('ldc', 0x7fffffff), I('ldc', 1), I('add')]);
    const core = new Core();
    core.load(code, 0);
    core.run(1e6);
    expect(core.state).toBe('error');
    expect(core.fault).toMatchObject({ offset: code.length - 1, instruction: 'add', reason: 'arithmetic overflow' });
  });

  it('storing outside memory is a run-time error naming the address', () => {
    const { code } = assemble([I('ldc', 5), I('ldc', 0x7000), I('stnl', 0)]);
    const core = new Core();
    core.load(code, 0);
    core.run(1e6);
    expect(core.fault?.reason).toBe("memory access outside the core's memory (address #00007000)");
    expect(core.fault?.instruction).toBe('stnl');
    expect(MOST_NEG).toBe(-0x80000000);
  });
});
