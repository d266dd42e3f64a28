// Channel input and output: single items, counted arrays, variant protocols with CASE input, timers, and
// the channel address of an expression (soft channel word, fixed mesh channel or host device).

import type { Expr, Process, VariantInput } from '../ast.js';
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
import { afterOutput, beforeOutput, checkDefined, releaseTarget } from './bundles.js';

/**
 * Input or output of a list of items on a channel. Each item is a separate communication (docs/codegen.md, Channels
 * and communication): a counted array is its count and then the elements, a variant tag is one byte.
 */
export function communicate(gen: CodeGen, dir: 'in' | 'out', chan: Expr, items: readonly Expr[]): void {
  gen.frame.requireBelow(BELOW_IO);
  const mark = gen.frame.mark();
  const c = chan.kind === 'direction' ? chan.channel : chan;
  checkDefined(gen, c);
  const temp = items.length > 1 || addressDepth(gen, c) > 1 || items.some((i) => i.kind === 'counted');
  if (temp && c.kind !== 'name') {
    const t = gen.frame.alloc(1);
    channelAddress(gen, c);
    gen.fn(Fn.stl, t);
    gen.chanTemps.set(c, () => t);
  }
  for (const item of items) {
    if (item.kind === 'counted') countedItem(gen, dir, c, item);
    else if (dir === 'out') {
      beforeOutput(gen, item);
      output(gen, c, item);
      afterOutput(gen, item);
    } else {
      releaseTarget(gen, item);
      input(gen, c, item);
    }
  }
  gen.chanTemps.delete(c);
  gen.frame.release(mark);
}

function countedItem(
  gen: CodeGen,
  dir: 'in' | 'out',
  chan: Expr,
  item: Extract<Expr, { kind: 'counted' }>,
  extended = false,
): void {
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
  // The elements: count * element size bytes. An extended input holds the outputter on this, its last part.
  if (extended) xable(gen, chan);
  if (addressDepth(gen, item.array) > 1) {
    const a = gen.frame.alloc(1);
    elementAddress(gen, item.array);
    gen.fn(Fn.stl, a);
    gen.fn(Fn.ldl, a);
  } else elementAddress(gen, item.array);
  // t now holds the byte count.
  channelAddress(gen, chan);
  gen.fn(Fn.ldl, t);
  gen.op(dir === 'out' ? Op.out : extended ? Op.xin : Op.in);
}

/** `xable`: wait until the outputter is at the channel (docs/isa.md, Extended input). */
function xable(gen: CodeGen, chan: Expr): void {
  channelAddress(gen, chan);
  channelSite(gen, chan);
  gen.op(Op.xable);
}

/** `xend`: release the outputter held since `xin`. */
function xend(gen: CodeGen, chan: Expr): void {
  channelAddress(gen, chan);
  channelSite(gen, chan);
  gen.op(Op.xend);
}

/** Keep the address of a channel that is not a plain name in a temporary, for the instructions that reuse it. */
function holdChannel(gen: CodeGen, c: Expr): void {
  if (c.kind === 'name') return;
  const t = gen.frame.alloc(1);
  channelAddress(gen, c);
  gen.fn(Fn.stl, t);
  gen.chanTemps.set(c, () => t);
}

/**
 * occam-π extended input `c ?? x; y` (docs/codegen.md, Extended input): the items before the last are input as
 * usual; the last is input with `xable` and `xin`, which leave the outputter waiting; the during-process runs,
 * `xend` releases the outputter, and the after-process runs.
 */
export function extendedInput(gen: CodeGen, chan: Expr, items: readonly Expr[], during: Process, after: Process): void {
  gen.frame.requireBelow(BELOW_IO);
  const mark = gen.frame.mark();
  const c = chan.kind === 'direction' ? chan.channel : chan;
  checkDefined(gen, c);
  holdChannel(gen, c);
  items.forEach((item, i) => extendedItem(gen, c, item, i === items.length - 1));
  gen.parts.process(gen, during);
  xend(gen, c);
  gen.chanTemps.delete(c);
  gen.frame.release(mark);
  gen.parts.process(gen, after);
}

/** One input item of an extended input: the last one holds the outputter. */
function extendedItem(gen: CodeGen, c: Expr, item: Expr, last: boolean): void {
  if (item.kind === 'counted') countedItem(gen, 'in', c, item, last);
  else {
    releaseTarget(gen, item);
    input(gen, c, item, last);
  }
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

/**
 * `c ? CASE`: input the tag byte, choose the variant, input its items, run its process. Extended (`c ?? CASE`, as
 * occ21 compiles it): the last item of the variant holds the outputter while the variant's during-process runs;
 * when some variant has no items, the tag itself is input with `xable` and `xin`, and a variant with items first
 * releases the outputter from the tag.
 */
export function caseInput(gen: CodeGen, chan: Expr, variants: readonly VariantInput[], extended = false): void {
  gen.frame.requireBelow(BELOW_IO);
  const mark = gen.frame.mark();
  const c = chan.kind === 'direction' ? chan.channel : chan;
  checkDefined(gen, c);
  holdChannel(gen, c);
  const heldTag = extended && variants.some((v) => v.items.length === 0);
  const tag = gen.frame.alloc(1);
  gen.fn(Fn.ldc, 0);
  gen.fn(Fn.stl, tag);
  if (heldTag) xable(gen, c);
  gen.fn(Fn.ldlp, tag);
  channelAddress(gen, c);
  gen.fn(Fn.ldc, 1);
  gen.op(heldTag ? Op.xin : Op.in);
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
    if (extended) {
      if (heldTag && v.items.length > 0) xend(gen, c);
      v.items.forEach((item, i) => extendedItem(gen, c, item, i === v.items.length - 1));
      gen.parts.process(gen, v.body);
      xend(gen, c);
      if (v.after) gen.parts.process(gen, v.after);
    } else {
      for (const item of v.items) {
        if (item.kind === 'counted') countedItem(gen, 'in', c, item);
        else {
          releaseTarget(gen, item);
          input(gen, c, item);
        }
      }
      gen.parts.process(gen, v.body);
    }
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

function input(gen: CodeGen, chan: Expr, target: Expr, extended = false): void {
  gen.frame.requireBelow(BELOW_IO);
  if (extended) xable(gen, chan);
  if (byteSize(target.type!) === null) {
    inputSized(gen, chan, target, extended);
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
  gen.op(extended ? Op.xin : Op.in);
}

/**
 * Input from a CHAN OF ANY into an array whose size is known only when the program runs (`c ? [b FROM 0 FOR n]`):
 * the message is as many bytes as the array holds.
 */
function inputSized(gen: CodeGen, chan: Expr, target: Expr, extended: boolean): void {
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
  gen.op(extended ? Op.xin : Op.in);
}
