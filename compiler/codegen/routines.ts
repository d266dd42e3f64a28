// PROCs and FUNCTIONs: their frames and entry code, calls with their parameter words (the first three in registers, the
// rest below the callee's workspace; docs/codegen.md, Calls and parameters), static links, and how many parameter words
// a body's calls need.

import type { Expr } from '../ast.js';
import type { FunctionSymbol, ParamSymbol, ProcSymbol, Routine } from '../symbols.js';
import type { Type } from '../types.js';
import { BELOW_TIMER, CALL_WORDS, Frame } from '../workspace.js';
import { Fn, Op } from '../../emulator/isa.js';
import { isElement, isWide, resultsInRegisters } from './queries.js';
import { type CodeGen, MAX_REGS, type ProcInfo, setStorage, type Storage, type Word } from './context.js';
import { word } from './primitives.js';
import { prepare } from './hoisting.js';
import { addressDepth, arrayRef, channelAddress, elementAddress, storeValueAt } from './addresses.js';
import { evalWide } from './two-word.js';
import { valueAddress } from './numeric-stores.js';
import { depth, expr } from './expressions.js';
import { spec } from './declarations.js';
import { intrinsicBody } from './intrinsics.js';
import { parameterWords, recursiveEntry, recursiveExit, RECURSIVE_CALL_WORDS } from './recursion.js';

/** Generate a PROC or FUNCTION. One defined inside another is generated where it is defined (so the names it
 * uses freely already have storage) into a separate list, and reaches those names through its static link. */
export function routine(gen: CodeGen, sym: Routine): void {
  const def = sym.def;
  const outer = sym.outer ? (gen.procInfo.get(sym.outer) ?? null) : null;
  const parts: unknown[] = sym.kind === 'proc' ? [def.body] : [sym.def.specs, sym.def.body, sym.def.results];
  const frame = new Frame(null, Math.max(2, maxMemoryWords(parts)));
  const staticLink: Storage | null = outer ? { frame, slot: () => frame.size + 1 } : null;
  const info: ProcInfo = { label: gen.label(sym.name), frame, outer, staticLink };
  gen.procInfo.set(sym, info);
  gen.frameOwner.set(frame, info);
  const saved = { frame: gen.frame, info: gen.routineInfo };
  const start = gen.items.length;
  gen.frame = frame;
  gen.routineInfo = info;
  // Parameter word i sits at W[size + 1 + i]: above the frame and the return address.
  let word = outer ? 1 : 0;
  // Results that do not come back in registers are stored through addresses passed first.
  const resultSlots: Storage[] = [];
  if (sym.kind === 'function' && !resultsInRegisters(sym)) {
    for (const _ of sym.results) {
      const k = word++;
      resultSlots.push({ frame, slot: () => frame.size + 1 + k });
    }
  }
  for (const p of sym.params) {
    const k = word++;
    setStorage(p, { frame, slot: () => frame.size + 1 + k });
    if (p.byRef) gen.refs.add(p);
    const dims: (Storage | null)[] = [];
    for (let t: Type = p.type; t.kind === 'array'; t = t.elem) {
      if (t.size === null) {
        const d = word++;
        dims.push({ frame, slot: () => frame.size + 1 + d });
      } else dims.push(null);
    }
    gen.dimStorage.set(p, dims);
  }
  const end = gen.label(`${sym.name}.end`);
  gen.items.push({ kind: 'proc', name: sym.name, span: def.name.span, end });
  gen.place(info.label);
  gen.line(def.span);
  const pw = parameterWords(sym);
  if (def.recursive) recursiveEntry(gen, frame, pw);
  gen.fn(Fn.ajw, () => -frame.size);
  if (sym.kind === 'proc') gen.parts.process(gen, sym.def.body);
  else functionBody(gen, sym, resultSlots);
  gen.fn(Fn.ajw, () => frame.size);
  if (def.recursive) recursiveExit(gen, pw, resultRegisters(sym));
  gen.op(Op.ret);
  gen.place(end);
  gen.frame = saved.frame;
  gen.routineInfo = saved.info;
  if (outer) gen.nested.push(...gen.items.splice(start));
}

/** The registers a routine's results come back in. */
function resultRegisters(sym: Routine): number {
  if (sym.kind === 'proc' || !resultsInRegisters(sym)) return 0;
  const r = sym.def.results;
  return r.length === 1 && isWide(r[0]!.type) ? 2 : r.length;
}

/** A FUNCTION's value process, leaving its results in A, B, C (the first in A), or storing them at `resultSlots`. */
function functionBody(gen: CodeGen, sym: FunctionSymbol, resultSlots: readonly Storage[]): void {
  const def = sym.def;
  const mark = gen.frame.mark();
  if (intrinsicBody(gen, sym)) {
    gen.frame.release(mark);
    return;
  }
  for (const s of def.specs) spec(gen, s);
  if (def.body) gen.parts.process(gen, def.body);
  gen.line(def.results[0]?.span ?? def.span);
  prepare(gen, def.results);
  if (resultSlots.length > 0) {
    def.results.forEach((r, i) => {
      const t = sym.results[i]!;
      const dst: Word = { emit: () => gen.loadSlot(resultSlots[i]!), depth: 1 };
      if (t.kind !== 'prim' || isWide(t)) {
        storeValueAt(gen, r, dst, t);
        return;
      }
      // A one-word scalar is stored as the whole word the workspace holds it in.
      if (depth(gen, r) < MAX_REGS) {
        expr(gen, r);
        dst.emit();
      } else {
        const tmp = gen.frame.alloc(1);
        expr(gen, r);
        gen.fn(Fn.stl, tmp);
        dst.emit();
        gen.fn(Fn.ldl, tmp);
        gen.op(Op.rev);
      }
      gen.fn(Fn.stnl, 0);
    });
  } else if (def.results.length === 1 && isWide(def.results[0]!.type)) {
    // A two-word result comes back in A (least significant word) and B.
    const p = evalWide(gen, def.results[0]!);
    word(gen, p, 1);
    word(gen, p, 0);
  } else if (def.results.length === 1) {
    expr(gen, def.results[0]!);
  } else {
    const temps = def.results.map((r) => {
      const t = gen.frame.alloc(1);
      expr(gen, r);
      gen.fn(Fn.stl, t);
      return t;
    });
    for (let i = temps.length - 1; i >= 0; i--) gen.fn(Fn.ldl, temps[i]!);
  }
  gen.frame.release(mark);
}

/**
 * Call a PROC or FUNCTION: parameter words 3 and up go in the caller's W[0], W[1], ...; 0..2 travel in A, B, C.
 * `results` push the addresses a FUNCTION whose results do not come back in registers stores them at.
 */
export function callRoutine(gen: CodeGen, sym: Routine, args: readonly Expr[], results: readonly Word[] = []): void {
  // A VALOF inside an expression is generated where it is first called (its FUNCTION has no definition).
  if (sym.kind === 'function' && sym.inline && !gen.procInfo.has(sym)) {
    const inAlt = gen.inAltGuards;
    gen.inAltGuards = false;
    routine(gen, sym);
    gen.inAltGuards = inAlt;
  }
  const callee = gen.procInfo.get(sym)!;
  let shift = 0;
  if (sym.def.recursive) gen.frame.requireChild(() => shift + RECURSIVE_CALL_WORDS);
  else gen.frame.requireChild(() => shift + CALL_WORDS + callee.frame.total());
  const mark = gen.frame.mark();
  const words: Word[] = [];
  if (callee.outer) {
    const outer = callee.outer;
    words.push({ emit: () => frameBase(gen, outer), depth: 1 });
  }
  if (sym.kind === 'function' && !resultsInRegisters(sym) && results.length !== sym.results.length)
    throw new Error(`codegen: FUNCTION ${sym.name} called without the addresses of its results`);
  words.push(...results);
  sym.params.forEach((p, i) => words.push(...argWords(gen, p, args[i]!)));
  // Inside an ALT's guards the call is made `shift` words further down: below the ALT's state words and the
  // parameter words, which are stored there too.
  if (gen.inAltGuards) shift = BELOW_TIMER + Math.max(0, words.length - 3);
  const inRegs = Math.min(3, words.length);
  // Loading word i leaves (inRegs - 1 - i) registers in use; anything that needs more is evaluated first. So is
  // any word that may make a call of its own (an INT64 product's runtime routine) when some words go in memory:
  // before they are stored, which that call would overwrite.
  const temps: (number | null)[] = [];
  for (let i = 0; i < words.length; i++) {
    const busy = i < inRegs ? inRegs - 1 - i : 0;
    if (words[i]!.depth + busy > MAX_REGS || (words.length > 3 && words[i]!.depth >= MAX_REGS)) {
      const t = gen.frame.alloc(1);
      words[i]!.emit();
      gen.fn(Fn.stl, t);
      temps[i] = t;
    } else temps[i] = null;
  }
  for (let i = 3; i < words.length; i++) {
    const t = temps[i];
    if (t !== null && t !== undefined) gen.fn(Fn.ldl, t);
    else words[i]!.emit();
    gen.fn(Fn.stl, i - 3 - shift);
  }
  for (let i = inRegs - 1; i >= 0; i--) {
    const t = temps[i];
    if (t !== null && t !== undefined) gen.fn(Fn.ldl, t);
    else words[i]!.emit();
  }
  gen.frame.release(mark);
  if (shift > 0) gen.fn(Fn.ajw, -shift);
  gen.jump(Fn.call, callee.label);
  if (shift > 0) gen.fn(Fn.ajw, shift);
}

/** The words an actual parameter passes: a value, an address, or an array's address and open sizes. */
export function argWords(gen: CodeGen, param: ParamSymbol, arg: Expr): Word[] {
  if (param.type.kind === 'chan' || param.type.kind === 'timer') {
    return [{ emit: () => channelAddress(gen, arg), depth: addressDepth(gen, arg) }];
  }
  if (param.type.kind === 'array') {
    const ref = arrayRef(gen, arg);
    const out = [ref.addr];
    let level = 0;
    for (let t: Type = param.type; t.kind === 'array'; t = t.elem, level++) {
      if (t.size === null) out.push(ref.dims[level]!);
    }
    return out;
  }
  // VAL INT64 and VAL REAL64 pass the address of the value: the element itself, or a temporary.
  if (param.byRef && param.isVal) {
    return [
      {
        emit: () => valueAddress(gen, arg),
        depth:
          isElement(arg) && arg.constValue === undefined && arg.realValue === undefined
            ? addressDepth(gen, arg)
            : MAX_REGS,
      },
    ];
  }
  if (param.byRef) return [{ emit: () => elementAddress(gen, arg), depth: addressDepth(gen, arg) }];
  return [{ emit: () => expr(gen, arg), depth: depth(gen, arg) }];
}

/** Push the workspace address of an enclosing routine's frame (for a static link). */
export function frameBase(gen: CodeGen, target: ProcInfo): void {
  const here = gen.rootFrame(gen.frame);
  if (here === target.frame) {
    const d = gen.frame.distanceTo(here);
    gen.fn(Fn.ldlp, d);
    return;
  }
  gen.staticChain(target);
}

/** The most parameter words beyond the three register ones that any call in this body passes. */
export function maxMemoryWords(parts: unknown[]): number {
  let max = 0;
  const words = (sym: Routine): number => {
    let n = sym.outer ? 1 : 0;
    if (sym.kind === 'function' && !resultsInRegisters(sym)) n += sym.results.length;
    for (const p of sym.params) {
      n++;
      for (let t: Type = p.type; t.kind === 'array'; t = t.elem) if (t.size === null) n++;
    }
    return n;
  };
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      n.forEach(visit);
      return;
    }
    const o = n as Record<string, unknown>;
    // A routine defined inside has its own frame.
    if ((o.kind === 'proc' || o.kind === 'function') && 'formals' in o) return;
    if (o.kind === 'pcall' && o.decl) max = Math.max(max, words(o.decl as ProcSymbol) - 3);
    if (o.kind === 'call') {
      const f = (o as unknown as Extract<Expr, { kind: 'call' }>).decl;
      if (f) max = Math.max(max, words(f) - 3);
    }
    for (const k of Object.keys(o)) {
      if (k === 'span' || k === 'decl' || k === 'decls' || k === 'type' || k === 'constValue' || k === 'constBytes')
        continue;
      visit(o[k]);
    }
  };
  visit(parts);
  return max;
}
