// The assembler on its own: prefix encoding of every operand size, label resolution by fixed-point iteration,
// and the debug tables it builds.

import { describe, expect, it } from 'vitest';
import { assemble, Label, type Item } from '../../compiler/assembler.js';
import { decode, encode, encodedLength, Fn, Op } from '../../emulator/isa.js';
import { SourceFile, spanOf } from '../../compiler/source.js';

const fn = (f: number, operand: number | (() => number)): Item => ({ kind: 'fn', fn: f, operand });

describe('prefix encoding', () => {
  it.each([
    [0, [0x40]],
    [15, [0x4f]],
    [16, [0x21, 0x40]],
    [0x754, [0x27, 0x25, 0x44]],
    [-1, [0x60, 0x4f]],
    [-16, [0x60, 0x40]],
    [-17, [0x61, 0x4f]],
    [-256, [0x6f, 0x40]],
    [-257, [0x21, 0x60, 0x4f]],
  ])('ldc %i', (operand, bytes) => {
    expect(encode(Fn.ldc, operand)).toEqual(bytes);
    expect(encodedLength(operand)).toBe(bytes.length);
    const d = decode(Uint8Array.from(bytes), 0);
    expect(d.operand).toBe(operand);
    expect(d.length).toBe(bytes.length);
    expect(d.name).toBe('ldc');
  });

  it('round-trips every operand through decode, including the extremes', () => {
    for (const v of [0x7fffffff, -0x80000000, 123456789, -987654321, 255, 256, -255]) {
      const bytes = Uint8Array.from(encode(Fn.ldc, v));
      expect(decode(bytes, 0).operand).toBe(v);
      expect(bytes.length).toBe(encodedLength(v));
    }
  });

  it('encodes operations with opr and prefixes', () => {
    expect(encode(Fn.opr, Op.add)).toEqual([0xf5]);
    expect(encode(Fn.opr, Op.mint)).toEqual([0x24, 0xf2]);
    expect(decode(Uint8Array.from([0x24, 0xf2]), 0).name).toBe('mint');
  });
});

describe('assembler', () => {
  it('resolves forward and backward jumps relative to the next instruction', () => {
    const top = new Label('top');
    const end = new Label('end');
    const items: Item[] = [
      { kind: 'label', label: top },
      fn(Fn.ldc, 1),
      { kind: 'jump', fn: Fn.cj, target: end },
      { kind: 'jump', fn: Fn.j, target: top },
      { kind: 'label', label: end },
    ];
    const { code } = assemble(items);
    // ldc 1 (1 byte) ; cj +2 (skips the 2-byte backward jump) ; j -4 (nfix 0, j 12 = -4)
    expect(Array.from(code)).toEqual([0x41, 0xa2, 0x60, 0x0c]);
    expect(decode(code, 2).operand).toBe(-4);
  });

  it('grows a jump that needs prefixes and settles', () => {
    const end = new Label('end');
    const items: Item[] = [{ kind: 'jump', fn: Fn.j, target: end }];
    for (let i = 0; i < 300; i++) items.push(fn(Fn.ldc, 0));
    items.push({ kind: 'label', label: end });
    const { code } = assemble(items);
    const j = decode(code, 0);
    expect(j.length).toBe(3);
    expect(j.operand).toBe(300);
    expect(code.length).toBe(303);
  });

  it('evaluates deferred operands and label differences', () => {
    let size = 0;
    const a = new Label('a');
    const b = new Label('b');
    const items: Item[] = [
      fn(Fn.ajw, () => -size),
      { kind: 'label', label: a },
      { kind: 'fn', fn: Fn.ldc, operand: { to: b, from: a } },
      fn(Fn.ldc, 0),
      { kind: 'label', label: b },
    ];
    size = 20;
    const { code } = assemble(items);
    expect(decode(code, 0).operand).toBe(-20);
    const ldc = decode(code, decode(code, 0).length);
    expect(ldc.operand).toBe(2);
  });

  it('aligns constants and records data, line and check tables', () => {
    const file = new SourceFile(0, 't.occ', 'x := y\nSTOP\n');
    const items: Item[] = [
      { kind: 'line', span: spanOf(file, 0, 6) },
      fn(Fn.ldc, 1),
      { kind: 'line', span: spanOf(file, 7, 11) },
      { kind: 'check', span: spanOf(file, 7, 11), message: 'STOP was executed' },
      fn(Fn.opr, Op.seterr),
      { kind: 'align' },
      { kind: 'data', bytes: Uint8Array.from([1, 2, 3]) },
    ];
    const out = assemble(items);
    expect(out.lines).toEqual([
      { offset: 0, file: 0, line: 1, col: 1 },
      { offset: 1, file: 0, line: 2, col: 1 },
    ]);
    expect(out.checks).toEqual([{ offset: 1, file: 0, line: 2, col: 1, length: 4, message: 'STOP was executed' }]);
    expect(out.data).toEqual([{ offset: 4, length: 3 }]);
    expect(Array.from(out.code)).toEqual([0x41, 0x21, 0xf0, 0x00, 1, 2, 3]);
  });
});
