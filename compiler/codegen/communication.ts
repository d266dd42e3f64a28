// Channel input and output: single items, counted arrays, variant protocols with CASE input, timers, and
// the channel address of an expression (soft channel word, fixed mesh channel or host device).

import type { Expr, VariantInput } from '../ast.js';
import { exprText } from '../ast-queries.js';
import { byteSize } from '../types.js';
import { BELOW_IO } from '../workspace.js';
import { Fn, Op } from '../../emulator/isa.js';
import { type CodeGen, MAX_REGS } from './context.js';
import { localSlot } from './primitives.js';
import { addressDepth, arrayRef, channelAddress, elementAddress } from './addresses.js';
import { outputNumeric, storeFrom } from './numeric-stores.js';
import { depth, expr } from './expressions.js';
import { spec } from './declarations.js';

/**
 * Input or output of a list of items on a channel. Each item is a separate communication (docs/codegen.md, Channels
 * and communication): a counted array is its count and then the elements, a variant tag is one byte.
 */
export function communicate(gen: CodeGen, dir: 'in' | 'out', chan: Expr, items: readonly Expr[]): void {
  gen.frame.requireBelow(BELOW_IO);
  const mark = gen.frame.mark();
  const c = chan.kind === 'direction' ? chan.channel : chan;
  const temp = items.length > 1 || addressDepth(gen, c) > 1 || items.some((i) => i.kind === 'counted');
  if (temp && c.kind !== 'name') {
    const t = gen.frame.alloc(1);
    channelAddress(gen, c);
    gen.fn(Fn.stl, t);
    gen.chanTemps.set(c, () => t);
  }
  for (const item of items) {
    if (item.kind === 'counted') countedItem(gen, dir, c, item);
    else if (dir === 'out') output(gen, c, item);
    else input(gen, c, item);
  }
  gen.chanTemps.delete(c);
  gen.frame.release(mark);
}

function countedItem(gen: CodeGen, dir: 'in' | 'out', chan: Expr, item: Extract<Expr, { kind: 'counted' }>): void {
  const arr = item.array.type!;
  const size = arr.kind === 'array' ? arr.size : null;
  const elem = arr.kind === 'array' ? (byteSize(arr.elem) ?? 4) : 4;
  const t = gen.frame.alloc(1);
  const rangeCheck = (): void => {
    if (size === null) return;
    gen.fn(Fn.ldc, size + 1);
    gen.check(item.span, `the count in \`${exprText(item)}\` is out of range 0..${size}`);
    gen.op(Op.csub0);
  };
  if (dir === 'out') {
    expr(gen, item.count);
    rangeCheck();
    gen.fn(Fn.stl, t);
    outputFrom(gen, chan, byteSize(item.count.type!)!, () => gen.fn(Fn.ldl, t));
    if (elem !== 1) {
      gen.fn(Fn.ldl, t);
      gen.fn(Fn.ldc, elem);
      gen.op(Op.prod);
      gen.fn(Fn.stl, t);
    }
  } else {
    input(gen, chan, item.count);
    expr(gen, item.count);
    rangeCheck();
    if (elem !== 1) {
      gen.fn(Fn.ldc, elem);
      gen.op(Op.prod);
    }
    gen.fn(Fn.stl, t);
  }
  // The elements: count * element size bytes.
  if (addressDepth(gen, item.array) > 1) {
    const a = gen.frame.alloc(1);
    elementAddress(gen, item.array);
    gen.fn(Fn.stl, a);
    gen.fn(Fn.ldl, a);
  } else elementAddress(gen, item.array);
  // t now holds the byte count.
  channelAddress(gen, chan);
  gen.fn(Fn.ldl, t);
  gen.op(dir === 'out' ? Op.out : Op.in);
}

/** Output a scalar of `size` bytes that `load` pushes (using one register). */
function outputFrom(gen: CodeGen, chan: Expr, size: number, load: () => void): void {
  channelAddress(gen, chan);
  load();
  gen.op(size === 4 ? Op.outword : Op.outbyte);
}

/** `t ? v`: read the clock. */
export function timerRead(gen: CodeGen, target: Expr): void {
  storeFrom(gen, target, () => gen.op(Op.ldtimer));
}

/** `c ? CASE`: input the tag byte, choose the variant, input its items, run its process. */
export function caseInput(gen: CodeGen, chan: Expr, variants: readonly VariantInput[]): void {
  gen.frame.requireBelow(BELOW_IO);
  const mark = gen.frame.mark();
  const c = chan.kind === 'direction' ? chan.channel : chan;
  if (c.kind !== 'name') {
    const t = gen.frame.alloc(1);
    channelAddress(gen, c);
    gen.fn(Fn.stl, t);
    gen.chanTemps.set(c, () => t);
  }
  const tag = gen.frame.alloc(1);
  gen.fn(Fn.ldc, 0);
  gen.fn(Fn.stl, tag);
  gen.fn(Fn.ldlp, tag);
  channelAddress(gen, c);
  gen.fn(Fn.ldc, 1);
  gen.op(Op.in);
  const end = gen.label('variant.end');
  const labels = variants.map(() => gen.label('variant'));
  variants.forEach((v, i) => {
    gen.fn(Fn.ldl, tag);
    gen.fn(Fn.eqc, v.tagValue ?? 0);
    gen.fn(Fn.eqc, 0);
    gen.jump(Fn.cj, labels[i]!);
  });
  gen.check(chan.span, `the tag received on \`${exprText(chan)}\` is not one this \`? CASE\` lists`);
  gen.op(Op.seterr);
  variants.forEach((v, i) => {
    gen.place(labels[i]!);
    gen.line(v.span);
    const m = gen.frame.mark();
    for (const s of v.specs) spec(gen, s);
    for (const item of v.items) {
      if (item.kind === 'counted') countedItem(gen, 'in', c, item);
      else input(gen, c, item);
    }
    gen.parts.process(gen, v.body);
    gen.frame.release(m);
    gen.jump(Fn.j, end);
  });
  gen.place(end);
  gen.chanTemps.delete(c);
  gen.frame.release(mark);
}

function output(gen: CodeGen, chan: Expr, item: Expr): void {
  gen.frame.requireBelow(BELOW_IO);
  const t = item.type!;
  const size = byteSize(t)!;
  const opcode = size === 4 ? Op.outword : Op.outbyte;
  if (t.kind === 'prim' && (size === 2 || size === 8)) return outputNumeric(gen, chan, item, size);
  if (t.kind === 'array' || (size !== 4 && size !== 1)) {
    // An array message: `out` with a byte count, from the array's address.
    elementAddress(gen, item);
    channelAddress(gen, chan);
    gen.fn(Fn.ldc, size);
    gen.op(Op.out);
    return;
  }
  if (depth(gen, item) < MAX_REGS) {
    channelAddress(gen, chan);
    expr(gen, item);
  } else {
    expr(gen, item);
    channelAddress(gen, chan);
    gen.op(Op.rev);
  }
  channelSite(gen, chan);
  gen.op(opcode);
}

/** Name the channel of the next channel instruction in the debug information. */
function channelSite(gen: CodeGen, chan: Expr): void {
  gen.items.push({ kind: 'channel', name: exprText(chan.kind === 'direction' ? chan.channel : chan) });
}

function input(gen: CodeGen, chan: Expr, target: Expr): void {
  gen.frame.requireBelow(BELOW_IO);
  if (byteSize(target.type!) === null) {
    inputSized(gen, chan, target);
    return;
  }
  const size = byteSize(target.type!)!;
  const word = size === 4;
  const local = localSlot(gen, target);
  // A BYTE or BOOL held in a word slot gets one byte written by `in`: clear the rest of the word first.
  if (!word && local) {
    gen.fn(Fn.ldc, 0);
    gen.fn(Fn.stl, local);
  }
  // `in` wants C = destination, B = channel, A = count: the address is computed first, leaving one register.
  elementAddress(gen, target);
  channelAddress(gen, chan);
  gen.fn(Fn.ldc, size);
  channelSite(gen, chan);
  gen.op(Op.in);
}

/**
 * Input from a CHAN OF ANY into an array whose size is known only when the program runs (`c ? [b FROM 0 FOR n]`):
 * the message is as many bytes as the array holds.
 */
function inputSized(gen: CodeGen, chan: Expr, target: Expr): void {
  const ref = arrayRef(gen, target);
  const t = gen.frame.alloc(1);
  let type = target.type!;
  let k = 1;
  let level = 0;
  let pushed = false;
  for (; type.kind === 'array' && type.record === undefined; type = type.elem, level++) {
    if (type.size !== null) {
      k *= type.size;
      continue;
    }
    ref.dims[level]!.emit();
    if (pushed) gen.op(Op.prod);
    pushed = true;
  }
  k *= byteSize(type)!;
  if (k !== 1) {
    gen.fn(Fn.ldc, k);
    gen.op(Op.prod);
  }
  gen.fn(Fn.stl, t);
  ref.addr.emit();
  channelAddress(gen, chan);
  gen.fn(Fn.ldl, t);
  channelSite(gen, chan);
  gen.op(Op.in);
}
