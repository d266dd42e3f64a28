// Specifications: declarations (with channel initialisation), abbreviations, RETYPES and the routines they
// define, giving every name its storage.

import { initBarrier } from './barriers.js';
import { initEnd } from './bundles.js';
import type { Expr, Spec } from '../ast.js';
import { exprText, isChanArray, rootName } from '../ast-queries.js';
import type { Span } from '../source.js';
import type { AbbrevSymbol, Routine } from '../symbols.js';
import { byteSize, isPrim, type Type } from '../types.js';
import { Fn, Op } from '../../emulator/isa.js';
import { isWide, wordsFor } from './queries.js';
import { type CodeGen, setStorage, type Storage } from './context.js';
import { lastingStatement, statement } from './hoisting.js';
import { arrayRef, byteCount, channelAddress, copyArray, elementAddress, materialize } from './addresses.js';
import { evalWideInto } from './two-word.js';
import { storeNumericAt } from './numeric-stores.js';
import { expr } from './expressions.js';
import { assign } from './assignment.js';

export function spec(gen: CodeGen, s: Spec): void {
  switch (s.kind) {
    case 'decl':
      for (const sym of s.decls ?? []) {
        const words = wordsFor(sym.type);
        const slot = gen.frame.alloc(words);
        setStorage(sym, { frame: gen.frame, slot: () => slot });
        if (sym.type.kind === 'chan') {
          // A soft channel starts empty (NotProcess.p).
          gen.line(s.span);
          gen.op(Op.mint);
          gen.fn(Fn.stl, slot);
        } else if (isChanArray(sym.type)) {
          gen.line(s.span);
          initChannels(gen, slot, words);
        } else if (sym.type.kind === 'barrier') {
          gen.line(s.span);
          initBarrier(gen, slot);
        } else if (sym.type.kind === 'end') {
          initEnd(gen, slot);
        } else if (isPrim(sym.type, 'BYTE', 'BOOL')) {
          // A BYTE in a word slot may be written through its address one byte at a time: keep the rest zero.
          gen.fn(Fn.ldc, 0);
          gen.fn(Fn.stl, slot);
        }
      }
      return;
    case 'val': {
      const sym = s.decl;
      if (sym && sym.kind === 'abbrev' && isWide(sym.type)) {
        const slot = gen.frame.alloc(2);
        gen.line(s.span);
        statement(gen, [s.value], () => {
          const mark = gen.frame.mark();
          evalWideInto(gen, s.value, () => slot);
          gen.frame.release(mark);
        });
        setStorage(sym, { frame: gen.frame, slot: () => slot });
      } else if (sym && sym.kind === 'abbrev') {
        gen.line(s.span);
        if (sym.type.kind === 'array') refAbbrev(gen, sym, s.value);
        else {
          const slot = gen.frame.alloc(1);
          statement(gen, [s.value], () => expr(gen, s.value));
          gen.fn(Fn.stl, slot);
          setStorage(sym, { frame: gen.frame, slot: () => slot });
        }
      }
      return;
    }
    case 'abbrev':
      if (s.decl) {
        gen.line(s.span);
        refAbbrev(gen, s.decl as AbbrevSymbol, s.target);
      }
      return;
    case 'retypes':
      if (s.decl) {
        gen.line(s.span);
        // A channel retyped is the same channel word: an abbreviation of it.
        if ((s.decl as AbbrevSymbol).type.kind === 'chan') refAbbrev(gen, s.decl as AbbrevSymbol, s.target);
        else retypes(gen, s.decl as AbbrevSymbol, s.target, s.span);
      }
      return;
    case 'initial': {
      const sym = s.decl;
      if (!sym) return;
      gen.line(s.span);
      const slot = gen.frame.alloc(wordsFor(sym.type));
      setStorage(sym, { frame: gen.frame, slot: () => slot });
      statement(gen, [s.value], () => {
        const target: Expr = { kind: 'name', span: s.name.span, name: sym.name, decl: sym, type: sym.type };
        if (sym.type.kind === 'array') copyArray(gen, s.value, target, s.span);
        // INT16, INT64 and the reals are stored as an assignment stores them.
        else assign(gen, [target], [s.value]);
      });
      return;
    }
    case 'proc':
    case 'function':
      if (s.decl) gen.parts.routine(gen, s.decl as Routine);
      return;
    case 'datatype':
    case 'place':
      return;
  }
}

/**
 * A reference abbreviation (or a VAL abbreviation of an array): the slot holds the element's address, and
 * further slots the sizes of its open dimensions.
 */
function refAbbrev(gen: CodeGen, sym: AbbrevSymbol, target: Expr): void {
  const slot = gen.frame.alloc(1);
  setStorage(sym, { frame: gen.frame, slot: () => slot });
  gen.refs.add(sym);
  const t = sym.type;
  if (t.kind === 'chan' || t.kind === 'timer') {
    statement(gen, [target], () => channelAddress(gen, target));
    gen.fn(Fn.stl, slot);
    gen.dimStorage.set(sym, []);
    return;
  }
  const dims: (Storage | null)[] = [];
  if (t.kind !== 'array') {
    statement(gen, [target], () => elementAddress(gen, target));
    gen.fn(Fn.stl, slot);
  } else {
    const dimSlots: number[] = [];
    for (let d: Type = t; d.kind === 'array'; d = d.elem) {
      if (d.size === null) {
        const k = gen.frame.alloc(1);
        dimSlots.push(k);
        dims.push({ frame: gen.frame, slot: () => k });
      } else dims.push(null);
    }
    // A table or a constructor is built in space that lives as long as the abbreviation.
    const keep = materialize(gen, target);
    lastingStatement(gen, [target], () => {
      const ref = keep ?? arrayRef(gen, target);
      ref.addr.emit();
      gen.fn(Fn.stl, slot);
      let j = 0;
      dims.forEach((d, level) => {
        if (!d) return;
        ref.dims[level]!.emit();
        gen.fn(Fn.stl, dimSlots[j++]!);
      });
    });
  }
  gen.dimStorage.set(sym, dims);
}

/** `RETYPES` / `RESHAPES`: an abbreviation of the target's bytes, with a size check when it is not known yet. */
function retypes(gen: CodeGen, sym: AbbrevSymbol, target: Expr, span: Span): void {
  const slot = gen.frame.alloc(1);
  setStorage(sym, { frame: gen.frame, slot: () => slot });
  gen.refs.add(sym);
  const t = sym.type;
  const from = target.type!;
  const dims: (Storage | null)[] = [];
  for (let d: Type = t; d.kind === 'array'; d = d.elem) dims.push(null);
  let openSlot: number | null = null;
  if (t.kind === 'array' && t.size === null) {
    openSlot = gen.frame.alloc(1);
    const k = openSlot;
    dims[0] = { frame: gen.frame, slot: () => k };
  }
  gen.dimStorage.set(sym, dims);
  // A VAL value that is not stored anywhere (`VAL [4]BYTE b RETYPES x + 1:`) gets a word of its own.
  const addressable = from.kind === 'array' || rootName(target) !== null;
  const keep = from.kind === 'array' ? materialize(gen, target) : null;
  let tmp: number | null = null;
  if (!addressable) tmp = gen.frame.alloc(wordsFor(from));
  statement(gen, [target], () => {
    if (tmp !== null) {
      const t0 = tmp;
      // A two-word value (INT64, REAL64) never fits in a register: it is stored word by word.
      if (isWide(from)) storeNumericAt(gen, target, { emit: () => gen.fn(Fn.ldlp, t0), depth: 1 }, from);
      else {
        expr(gen, target);
        gen.fn(Fn.stl, t0);
      }
      gen.fn(Fn.ldlp, t0);
    } else if (from.kind === 'array') (keep ?? arrayRef(gen, target)).addr.emit();
    else elementAddress(gen, target);
    gen.fn(Fn.stl, slot);
    if (from.kind !== 'array' || byteSize(from) !== null) return;
    // The target's size is known only now: check it (or derive the open dimension from it).
    const ref = keep ?? arrayRef(gen, target);
    byteCount(gen, from, ref);
    const per = t.kind === 'array' && t.size === null ? byteSize(t.elem)! : byteSize(t)!;
    if (openSlot !== null) {
      const k = openSlot;
      if (per > 1) {
        const tk = gen.frame.alloc(1);
        gen.fn(Fn.stl, tk);
        gen.fn(Fn.ldl, tk);
        gen.fn(Fn.ldc, per);
        gen.op(Op.rem);
        gen.fn(Fn.ldc, 1);
        gen.check(span, `the size of \`${exprText(target)}\` is not a whole number of ${per}-byte elements`);
        gen.op(Op.csub0);
        gen.fn(Fn.ldl, tk);
        gen.fn(Fn.ldc, per);
        gen.op(Op.div);
      }
      gen.fn(Fn.stl, k);
    } else {
      gen.fn(Fn.ldc, per);
      gen.op(Op.diff);
      gen.fn(Fn.ldc, 1);
      gen.check(span, `\`${sym.name}\` is ${per} bytes but \`${exprText(target)}\` has a different size`);
      gen.op(Op.csub0);
    }
  });
}

/** Initialise every word of a channel array to NotProcess.p. */
export function initChannels(gen: CodeGen, slot: number, words: number): void {
  if (words <= 8) {
    for (let k = 0; k < words; k++) {
      gen.op(Op.mint);
      gen.fn(Fn.stl, slot + k);
    }
    return;
  }
  const mark = gen.frame.mark();
  const k = gen.frame.alloc(2);
  const top = gen.label('chans');
  const end = gen.label('chans.end');
  gen.fn(Fn.ldc, 0);
  gen.fn(Fn.stl, k);
  gen.fn(Fn.ldc, words);
  gen.fn(Fn.stl, k + 1);
  gen.place(top);
  gen.op(Op.mint);
  gen.fn(Fn.ldl, k);
  gen.fn(Fn.ldlp, slot);
  gen.op(Op.wsub);
  gen.fn(Fn.stnl, 0);
  gen.fn(Fn.ldlp, k);
  gen.fn(Fn.ldc, { to: end, from: top });
  gen.op(Op.lend);
  gen.place(end);
  gen.frame.release(mark);
}
