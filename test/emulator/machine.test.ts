// The Machine API: loading, run results, host devices, errors, deadlock reports, cycle limits.

import { describe, it, expect } from 'vitest';
import { LoadError, Machine } from '../../emulator/machine.js';
import { HOST_KEYBOARD, HOST_SCREEN } from '../../emulator/image.js';
import type { Image } from '../../emulator/image.js';
import { assemble, I, imageOf, label, text, type Item } from '../helpers/asm.js';

function collect() {
  const out: number[] = [];
  return { out, onScreen: (b: Uint8Array) => out.push(...b) };
}

const hello: Item[] = [
  I('ldc', { to: 'S', from: 'M' }),
  I('ldpi'),
  label('M'),
  I('ldc', HOST_SCREEN),
  I('ldc', 6),
  I('out'),
  I('haltp'),
  label('S'),
  { kind: 'bytes', bytes: Array.from(Buffer.from('hello\n')) },
];

describe('Machine', () => {
  it('runs a program to completion and reports its statistics', () => {
    const s = collect();
    const m = new Machine(imageOf(hello), { onScreen: s.onScreen });
    const r = m.run();
    expect(r.status).toBe('finished');
    expect(text(Uint8Array.from(s.out))).toBe('hello\n');
    expect(r.instructions).toBe(6);
    expect(r.error).toBeNull();
    expect(r.blocked).toEqual([]);
    expect(r.cores).toEqual([{ x: 0, y: 0, instructions: 6, busyCycles: r.cycles, state: 'finished' }]);
    // ldc (1) ldpi (1+2) ldc SCREEN (8) ldc 6 (1) out (19 + 2*2) haltp (1+1)
    expect(r.cycles).toBe(1 + 3 + 8 + 1 + 23 + 2);
  });

  it('echoes keyboard bytes and delivers 255 after the end of input', () => {
    const s = collect();
    const loop: Item[] = [
      I('ldc', 3),
      I('stl', 2), // count
      label('Top'),
      I('ldlp', 1),
      I('ldc', HOST_KEYBOARD),
      I('ldc', 1),
      I('in'),
      I('ldc', HOST_SCREEN),
      I('ldl', 1),
      I('outbyte'),
      I('ldl', 2),
      I('adc', -1),
      I('stl', 2),
      I('ldl', 2),
      I('cj', 'End'),
      I('j', 'Top'),
      label('End'),
      I('haltp'),
    ];
    const m = new Machine(imageOf(loop), { onScreen: s.onScreen, stdin: Uint8Array.from(Buffer.from('hi')) });
    expect(m.run().status).toBe('finished');
    expect(s.out).toEqual([0x68, 0x69, 255]);
  });

  it('reports an arithmetic overflow with the failing instruction', () => {
    const items = [I('ldc', 0x7fffffff), I('ldc', 1), I('add'), I('haltp')];
    const r = new Machine(imageOf(items)).run();
    expect(r.status).toBe('error');
    expect(r.error).toEqual({
      core: { x: 0, y: 0 },
      offset: 9,
      instruction: 'add',
      reason: 'arithmetic overflow',
      wptr: r.error!.wptr,
    });
    expect(r.cores[0]!.state).toBe('error');
  });

  it('reports division by zero', () => {
    const r = new Machine(imageOf([I('ldc', 1), I('ldc', 0), I('div'), I('haltp')])).run();
    expect(r.error?.reason).toBe('division by zero');
    expect(r.error?.instruction).toBe('div');
    expect(r.error?.offset).toBe(2);
  });

  it('reports an access outside memory', () => {
    const r = new Machine(imageOf([I('ldc', 0x1000), I('ldnl', 0), I('haltp')])).run();
    expect(r.status).toBe('error');
    expect(r.error?.reason).toBe("memory access outside the core's memory (address #00001000)");
    expect(r.error?.offset).toBe(4); // after pfix 1; pfix 0; pfix 0; ldc 0
  });

  it('lists every blocked process on deadlock: two processes using two channels in opposite order', () => {
    // PAR: branch 1 does c ! 1; d ? x   branch 2 does d ! 2; c ? y   (both output first: deadlock)
    const { labels } = assemble(program());
    function program(): Item[] {
      return [
        I('ajw', -16),
        I('mint'),
        I('stl', 4), // c
        I('mint'),
        I('stl', 5), // d
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
        I('ldlp', 14),
        I('ldc', 1),
        I('outword'),
        label('R1'),
        I('ldlp', 16),
        I('ldlp', 15),
        I('ldc', 4),
        I('in'),
        I('ldlp', 10),
        I('endp'),
        label('B2'),
        I('ldlp', 25),
        I('ldc', 2),
        I('outword'),
        label('R2'),
        I('ldlp', 27),
        I('ldlp', 24),
        I('ldc', 4),
        I('in'),
        I('ldlp', 20),
        I('endp'),
        label('Join'),
        I('haltp'),
      ];
    }
    const m = new Machine(imageOf(program()));
    const r = m.run();
    expect(r.status).toBe('deadlock');
    const W = (m.cores[0]!.bootWptr - 64) | 0;
    const byWptr = [...r.blocked].sort((a, b) => b.wptr - a.wptr);
    expect(byWptr).toEqual([
      {
        core: { x: 0, y: 0 },
        wptr: (W - 40) | 0,
        iptr: labels.R1,
        priority: 1,
        waiting: { kind: 'output', channel: (W + 16) | 0 },
      },
      {
        core: { x: 0, y: 0 },
        wptr: (W - 80) | 0,
        iptr: labels.R2,
        priority: 1,
        waiting: { kind: 'output', channel: (W + 20) | 0 },
      },
    ]);
    expect(r.cores[0]!.state).toBe('blocked');
  });

  it('a PAR whose branches have ended but whose parent cannot join shows the join as an endp wait', () => {
    const items: Item[] = [
      I('ldc', 3), // count 3 but only two branches: the join never completes
      I('stl', 1),
      I('ldc', { to: 'Join', from: 'M' }),
      I('ldpi'),
      label('M'),
      I('stl', 0),
      I('ldlp', 0),
      I('endp'),
      I('ldlp', 0),
      label('Join'),
      I('haltp'),
    ];
    const m = new Machine(imageOf(items));
    const r = m.run();
    expect(r.status).toBe('deadlock');
    expect(r.blocked).toMatchObject([
      { wptr: m.cores[0]!.bootWptr, waiting: { kind: 'endp' }, iptr: assemble(items).labels.Join },
    ]);
  });

  it('stops at the cycle limit and continues when run again', () => {
    const items: Item[] = [
      label('T'),
      I('ldl', 0),
      I('adc', 1),
      I('stl', 0),
      I('ldl', 0),
      I('eqc', 100000),
      I('cj', 'T'),
      I('haltp'),
    ];
    const m = new Machine(imageOf(items));
    const r1 = m.run(10_000);
    expect(r1.status).toBe('cycle-limit');
    expect(r1.cycles).toBe(10_000);
    const r2 = m.run();
    expect(r2.status).toBe('finished');
    expect(r2.instructions).toBe(100000 * 6 + 1);
  });

  it('a timer wait of 1 ms costs 20000 emulated cycles but no busy cycles', () => {
    const items: Item[] = [I('ldtimer'), I('adc', 1000), I('tin'), I('haltp')];
    const r = new Machine(imageOf(items)).run();
    expect(r.status).toBe('finished');
    expect(r.cycles).toBeGreaterThanOrEqual(1000 * 20);
    expect(r.cycles).toBeLessThan(1002 * 20);
    expect(r.cores[0]!.busyCycles).toBeLessThan(60);
  });

  it('runs several cores independently', () => {
    const img = imageOf([I('ldc', 5), I('haltp')]);
    const two: Image = {
      ...img,
      mesh: { width: 2, height: 1 },
      cores: [img.cores[0]!, { ...img.cores[0]!, x: 1, y: 0 }],
      debug: [img.debug[0]!, img.debug[0]!],
    };
    const m = new Machine(two);
    const r = m.run();
    expect(r.status).toBe('finished');
    expect(r.cores.map((c) => [c.x, c.y, c.state])).toEqual([
      [0, 0, 'finished'],
      [1, 0, 'finished'],
    ]);
  });

  it('throws LoadError when the workspace does not fit', () => {
    const img = imageOf([I('haltp')], 20000);
    expect(() => new Machine(img, { memoryBytes: 65536 })).toThrow(LoadError);
    expect(() => new Machine(img, { memoryBytes: 65536 })).toThrow(
      'core (0, 0) needs 80182 bytes of memory (code 2, workspace 80052, reserved 128) but has 65536',
    );
    expect(() => new Machine(img, { memoryBytes: 1 << 17 })).not.toThrow();
    // A one-core image has 4 MiB by default.
    expect(() => new Machine(img)).not.toThrow();
    expect(() => new Machine(imageOf([I('haltp')], 1 << 20))).toThrow('but has 4194304');
  });

  it('throws LoadError for an invalid image', () => {
    const img = imageOf([I('haltp')]);
    expect(() => new Machine({ ...img, cores: [{ ...img.cores[0]!, entry: 5 }] })).toThrow(LoadError);
  });
});
