// Placement: which process runs on which core of the mesh, and what each core's image holds.
//
// A placed program's PROC body is a PLACED PAR (after any declarations). Each PROCESSOR clause puts one process on
// one core; a replicated PLACED PAR puts one process per index value. With `--spread`, the branches of the PROC's
// outermost PAR are placed in row-major order instead. Everything declared outside the placement is examined:
// a channel used on two cores becomes a mesh channel (an endpoint address on both cores, carried by the links);
// a channel or variable used on one core only lives in that core's memory; a variable used on several cores is an
// error, because cores share no memory. Each core then gets its own code: the PROCs it calls and a boot process
// that runs its process.

import type { Expr, Process, Spec } from './ast.js';
import { assemble } from './assembler.js';
import { isChanArray } from './ast-queries.js';
import { calledRoutines, walk } from './reachable.js';
import type { CheckedProgram, HostRole } from './checker/index.js';
import { generateCore, type CodegenOptions, type CoreCode } from './codegen/index.js';
import type { Diagnostics, Span } from './source.js';
import type { AbbrevSymbol, ParamSymbol, ProcSymbol, Routine, Symbol, VarSymbol } from './symbols.js';
import type { Type } from './types.js';
import {
  BOOT_RESERVE_WORDS,
  HOST_ERROR,
  HOST_KEYBOARD,
  HOST_SCREEN,
  MEM_START,
  MESH_CHANNEL_BASE,
  type CoreDebug,
  type CoreImage,
  type MeshChannelInfo,
} from '../emulator/image.js';
import { MOST_NEG } from '../emulator/isa.js';

export interface PlacementOptions {
  /** The mesh size; by default the smallest that holds the placement. */
  readonly mesh?: { readonly width: number; readonly height: number };
  /** Place the branches of the PROC's outermost PAR across the mesh when there is no PLACED PAR. */
  readonly spread?: boolean;
  /** Memory per core in bytes, to check that every core's code and workspace fit. */
  readonly memoryBytes: number;
  /** How to generate each core's code (range checks, the runtime library). */
  readonly codegen?: CodegenOptions;
}

export interface Placed {
  readonly mesh: { readonly width: number; readonly height: number };
  readonly cores: CoreImage[];
  readonly debug: CoreDebug[];
  readonly channels: MeshChannelInfo[];
}

/** The largest mesh side; matches the image validation. */
export const MAX_MESH_SIDE = 1024;

/** Bytes below MemStart, and words a descheduled boot process uses below its Wptr (emulator/machine.ts). */
const RESERVED_BYTES = (MEM_START ^ MOST_NEG) >>> 0;
const BELOW_WORKSPACE_WORDS = 5;

/** Memory a core needs for its code and workspace. */
export function memoryNeeded(codeBytes: number, workspaceWords: number): number {
  return RESERVED_BYTES + codeBytes + 4 * (workspaceWords + BELOW_WORKSPACE_WORDS + BOOT_RESERVE_WORDS);
}

/** The parts of memoryNeeded, in words that add up: `code C, workspace W, reserved R` (as the loader says). */
export function memoryBreakdown(codeBytes: number, workspaceWords: number): string {
  return `code ${codeBytes}, workspace ${memoryNeeded(codeBytes, workspaceWords) - codeBytes - RESERVED_BYTES}, reserved ${RESERVED_BYTES}`;
}

interface Instance {
  x: number;
  y: number;
  body: Process;
  /** Replicator indices and VAL abbreviations of the placement, with their values on this core. */
  indices: { sym: VarSymbol | AbbrevSymbol; value: number }[];
  /** The PROCESSOR clause (or PAR branch) that placed it. */
  span: Span;
}

const HOST_ADDRESS: Record<HostRole, number> = { keyboard: HOST_KEYBOARD, screen: HOST_SCREEN, error: HOST_ERROR };

/**
 * Place a checked program. Returns null when the program has no placement (it runs on core (0, 0) as compiled by
 * the ordinary code generator), 'error' after reporting problems, or the per-core images.
 */
export function place(checked: CheckedProgram, options: PlacementOptions, diags: Diagnostics): Placed | null | 'error' {
  const errorsBefore = diags.errorCount;
  const main = checked.main;
  const outer: Spec[] = [];
  let body = main.def.body;
  // Declarations, and a SEQ of one process, lead to the process that is the body.
  while (body.kind === 'scope' || (body.kind === 'seq' && !body.repl && body.body.length === 1)) {
    if (body.kind === 'scope') {
      outer.push(...body.specs);
      body = body.body;
    } else body = body.body[0]!;
  }
  reportMisplaced(checked, body, diags);
  if (diags.errorCount > errorsBefore) return 'error';

  let instances: Instance[];
  let mesh: { width: number; height: number };
  if (options.spread && body.kind === 'seq') warnNotSpread(body, main.def.name.name, diags);
  if (body.kind === 'placed') {
    instances = [];
    expand(body, [], instances, diags);
    if (diags.errorCount > errorsBefore) return 'error';
    const w = Math.max(1, ...instances.map((i) => i.x + 1));
    const h = Math.max(1, ...instances.map((i) => i.y + 1));
    mesh = options.mesh ? { ...options.mesh } : { width: w, height: h };
    for (const inst of instances) {
      if (inst.x >= mesh.width || inst.y >= mesh.height) {
        diags.error(
          inst.span,
          `core (${inst.x}, ${inst.y}) is outside the ${mesh.width}x${mesh.height} mesh`,
          `the mesh has cores (0, 0) to (${mesh.width - 1}, ${mesh.height - 1}); choose a larger one with --mesh`,
        );
      }
    }
    if (mesh.width > MAX_MESH_SIDE || mesh.height > MAX_MESH_SIDE) {
      diags.error(
        body.span,
        `the placement needs a ${mesh.width}x${mesh.height} mesh; the largest is ${MAX_MESH_SIDE}x${MAX_MESH_SIDE}`,
      );
    }
    const seen = new Map<string, Instance>();
    for (const inst of instances) {
      const key = `${inst.x},${inst.y}`;
      const other = seen.get(key);
      if (other) {
        diags.error(
          inst.span,
          `two processes are placed on core (${inst.x}, ${inst.y})`,
          `the other one is placed at line ${other.span.line}; each core runs one placed process (use PAR inside it to run several)`,
        );
      } else seen.set(key, inst);
    }
  } else if (options.spread && body.kind === 'par' && !body.pri && (body.repl || body.body.length > 1)) {
    // One branch per core, in row-major order; a replicated PAR gives each core its value of the index, and a
    // branch that is itself a PAR (plain or replicated) gives each of its branches a core of its own.
    const branches: { body: Process; indices: Instance['indices'] }[] = [];
    if (!spreadBranches(body, [], branches, diags)) return 'error';
    const indexed = branches.some((b) => b.indices.length > 0);
    const n = Math.max(1, branches.length);
    if (options.mesh) mesh = { ...options.mesh };
    else {
      const w = Math.ceil(Math.sqrt(n));
      mesh = { width: w, height: Math.ceil(n / w) };
    }
    const cores = mesh.width * mesh.height;
    if (indexed && branches.length > cores) {
      diags.error(
        body.span,
        `--spread places one branch of a replicated PAR per core, and this one has ${branches.length} branches for ${cores} cores`,
        'leave out --mesh, or give a mesh with enough cores',
      );
      return 'error';
    }
    instances = branches.map((b, k) => ({
      x: (k % cores) % mesh.width,
      y: Math.floor((k % cores) / mesh.width),
      body: b.body,
      indices: b.indices,
      span: b.body.span,
    }));
  } else if (options.mesh && (options.mesh.width > 1 || options.mesh.height > 1)) {
    // No placement: the program runs on core (0, 0) of the larger mesh.
    instances = [{ x: 0, y: 0, body, indices: [], span: main.def.name.span }];
    mesh = { ...options.mesh };
  } else return null;
  if (diags.errorCount > errorsBefore) return 'error';

  // What a core runs is known at compile time up to its indices: IF choices whose condition is FALSE there (or
  // that follow one that is TRUE) are left out of its code and of the analysis of what it uses.
  for (const inst of instances) {
    if (inst.indices.length > 0)
      inst.body = prune(inst.body, new Map(inst.indices.map((i) => [i.sym as Symbol, i.value])));
  }

  // Group the processes by core, in row-major order so the image lists cores deterministically.
  const byCore = new Map<number, Instance[]>();
  for (const inst of instances) {
    const key = inst.y * mesh.width + inst.x;
    const list = byCore.get(key);
    if (list) list.push(inst);
    else byCore.set(key, [inst]);
  }
  const coreKeys = [...byCore.keys()].sort((a, b) => a - b);
  const coreName = (key: number): string => `(${key % mesh.width}, ${Math.floor(key / mesh.width)})`;

  // Where each name declared outside the placement is used.
  const outerSyms = new Set<Symbol>();
  const roles = new Map<Symbol, HostRole>();
  main.params.forEach((p, i) => {
    outerSyms.add(p);
    roles.set(p, checked.mainRoles[i]!);
  });
  for (const s of outer) {
    if (s.kind === 'decl') for (const d of s.decls ?? []) outerSyms.add(d);
    else if ((s.kind === 'val' || s.kind === 'abbrev') && s.decl && s.decl.kind !== 'const') outerSyms.add(s.decl);
  }
  const usedOn = new Map<Symbol, { key: number; span: Span }[]>();
  const procsOf = new Map<number, Set<Routine>>();
  for (const key of coreKeys) {
    const procs = new Set<Routine>();
    procsOf.set(key, procs);
    for (const inst of byCore.get(key)!) {
      walk(inst.body, (n) => {
        if (n.kind === 'name' && n.decl && outerSyms.has(n.decl)) {
          const uses = usedOn.get(n.decl) ?? [];
          if (!uses.some((u) => u.key === key)) uses.push({ key, span: n.span });
          usedOn.set(n.decl, uses);
        }
      });
      calledRoutines(inst.body, procs);
    }
  }

  const channels: MeshChannelInfo[] = [];
  const fixed = new Map<number, Map<Symbol, number>>();
  const locals = new Map<number, VarSymbol[]>();
  for (const key of coreKeys) {
    fixed.set(key, new Map());
    locals.set(key, []);
  }
  const meshChannel = (sym: Symbol, info: MeshChannelInfo, keys: number[]): void => {
    const addr = (MESH_CHANNEL_BASE + 4 * channels.length) | 0;
    channels.push(info);
    for (const k of keys) fixed.get(k)!.set(sym, addr);
  };
  const at = (key: number) => ({ x: key % mesh.width, y: Math.floor(key / mesh.width) });

  for (const sym of outerSyms) {
    const uses = usedOn.get(sym) ?? [];
    if (uses.length === 0) continue;
    const role = roles.get(sym);
    if (role !== undefined) {
      if (uses.length > 1) {
        diags.error(
          uses[1]!.span,
          `the host channel \`${sym.name}\` is used on cores ${coreName(uses[0]!.key)} and ${coreName(uses[1]!.key)}`,
          'a channel connects two processes: let one core collect what the others send and pass it on',
        );
        continue;
      }
      const use = uses[0]!;
      if (use.key === 0) fixed.get(0)!.set(sym, HOST_ADDRESS[role]);
      else if (role === 'keyboard') {
        diags.error(
          use.span,
          `the keyboard \`${sym.name}\` can only be read on core (0, 0)`,
          'read it on core (0, 0) and send what it reads to the core that needs it',
        );
      } else {
        meshChannel(sym, { name: sym.name, from: at(use.key), to: { x: 0, y: 0 }, host: role }, [use.key]);
      }
      continue;
    }
    if (sym.kind === 'var' && uses.length > 1 && carriesEnd(sym.type)) {
      // An end is the address of a bundle in one core's heap; another core's memory has no such bundle.
      diags.error(
        uses[1]!.span,
        `channel \`${sym.name}\` carries ends of a CHAN TYPE, but it is used on cores ${coreName(uses[0]!.key)} and ${coreName(uses[1]!.key)}: a mobile channel end cannot move between cores`,
        "a bundle lives in one core's memory: send the values its channels carry over ordinary channels instead",
      );
      continue;
    }
    if (sym.kind === 'var' && isChanArray(sym.type)) {
      if (uses.length === 1) locals.get(uses[0]!.key)!.push(sym);
      else {
        const base = channels.length;
        const made = channelArray(
          sym,
          uses.map((u) => u.key),
          byCore,
          at,
          coreName,
          diags,
        );
        if (made) {
          channels.push(...made);
          for (const u of uses) fixed.get(u.key)!.set(sym, (MESH_CHANNEL_BASE + 4 * base) | 0);
        }
      }
      continue;
    }
    if (sym.kind === 'var' && sym.type.kind === 'chan') {
      if (uses.length === 1) {
        locals.get(uses[0]!.key)!.push(sym);
        continue;
      }
      if (uses.length > 2) {
        diags.error(
          uses[2]!.span,
          `channel \`${sym.name}\` is used on ${uses.length} cores (${uses.map((u) => coreName(u.key)).join(', ')})`,
          'a channel connects exactly two processes',
        );
        continue;
      }
      const dirs = uses.map((u) => {
        const d = { in: false, out: false };
        for (const inst of byCore.get(u.key)!) channelUse(inst.body, sym, d, new Set());
        return d;
      });
      const writer = dirs.findIndex((d) => d.out && !d.in);
      const reader = dirs.findIndex((d) => d.in && !d.out);
      if (writer < 0 || reader < 0 || writer === reader) {
        const both = dirs.findIndex((d) => d.in && d.out);
        const which = both >= 0 ? both : 1;
        const why =
          both >= 0
            ? `is used for both input and output on core ${coreName(uses[which]!.key)}`
            : dirs.every((d) => d.out)
              ? 'is used for output on both cores'
              : 'is used for input on both cores';
        diags.error(
          uses[which]!.span,
          `channel \`${sym.name}\` ${why}`,
          'a mesh channel carries messages one way: one core outputs, the other inputs',
        );
        continue;
      }
      meshChannel(
        sym,
        { name: sym.name, from: at(uses[writer]!.key), to: at(uses[reader]!.key) },
        uses.map((u) => u.key),
      );
      continue;
    }
    if (sym.kind === 'var' && uses.length === 1) {
      locals.get(uses[0]!.key)!.push(sym);
      continue;
    }
    const span = uses[uses.length > 1 ? 1 : 0]!.span;
    if (uses.length > 1) {
      diags.error(
        span,
        `\`${sym.name}\` is shared between cores ${coreName(uses[0]!.key)} and ${coreName(uses[1]!.key)}, but cores do not share memory`,
        'declare it inside each placed process, or send its value over a channel',
      );
    } else {
      diags.error(
        span,
        `\`${sym.name}\` is declared outside the placement; only variables and channels can be moved onto a core`,
        'declare it inside the placed process',
      );
    }
  }
  if (diags.errorCount > errorsBefore) return 'error';

  // Routines defined at the outermost level, in definition order: each core gets those it calls. One defined inside
  // the program's PROC, outside the placement, would need the program's workspace, which no core has.
  const topLevel: Routine[] = [];
  for (const spec of checked.program.specs) {
    if ((spec.kind === 'proc' || spec.kind === 'function') && spec.decl) topLevel.push(spec.decl as Routine);
  }
  for (const key of coreKeys) {
    for (const r of procsOf.get(key)!) {
      if (r.outer === main) {
        diags.error(
          byCore.get(key)![0]!.span,
          `\`${r.name}\` is defined inside the program's PROC, so a placed process cannot call it`,
          `define \`${r.name}\` before the program's PROC, at the outermost level`,
        );
        return 'error';
      }
    }
  }
  const cores: CoreImage[] = [];
  const debug: CoreDebug[] = [];
  for (const key of coreKeys) {
    const insts = byCore.get(key)!;
    const used = procsOf.get(key)!;
    const code: CoreCode = {
      procs: topLevel.filter((r) => used.has(r)),
      bodies: insts.map((i) => i.body),
      indices: insts.length === 1 ? insts[0]!.indices : [],
      locals: locals.get(key)!,
      fixed: fixed.get(key)!,
      span: insts[0]!.span,
    };
    const gen = generateCore(code, options.codegen);
    const asm = assemble(gen.items);
    const words = gen.workspaceWords();
    const { x, y } = at(key);
    const need = memoryNeeded(asm.code.length, words);
    if (need > options.memoryBytes) {
      diags.error(
        insts[0]!.span,
        `core (${x}, ${y}) needs ${need} bytes of memory (${memoryBreakdown(asm.code.length, words)}) but has ${options.memoryBytes}`,
        `give every core more memory with --mem ${Math.ceil(need / 1024)}K`,
      );
      continue;
    }
    cores.push({ x, y, code: asm.code, entry: gen.entry.offset, workspaceWords: words });
    const s = insts[0]!.span;
    debug.push({
      lines: asm.lines,
      checks: asm.checks,
      procs: asm.procs,
      data: asm.data,
      channels: asm.channels,
      names: asm.names,
      fairAlts: asm.fairAlts,
      placedAt: { file: s.file.id, line: s.line, col: s.col },
    });
  }
  if (diags.errorCount > errorsBefore) return 'error';
  return { mesh, cores, debug, channels };
}

/**
 * An array of channels used on several cores becomes a block of mesh channels, one per element, so that element
 * k has the address base + 4k on every core and run-time subscripts work. Each element is examined like a channel:
 * used on two cores, one outputs and one inputs; an element used on one core only (or not at all) stays on that
 * core (its messages never leave the core's router). A subscript that is constant on a core (numbers, constants,
 * indices of the placement) names one element; one known only at run time counts as a use of every element.
 */
function channelArray(
  sym: VarSymbol,
  keys: number[],
  byCore: ReadonlyMap<number, Instance[]>,
  at: (key: number) => { x: number; y: number },
  coreName: (key: number) => string,
  diags: Diagnostics,
): MeshChannelInfo[] | null {
  const dims = dimensions(sym.type);
  if (!dims) {
    diags.error(sym.span, `the size of \`${sym.name}\` must be a constant to spread it over several cores`);
    return null;
  }
  const total = dims.reduce((a, b) => a * b, 1);
  type Use = { key: number; d: { in: boolean; out: boolean }; span: Span };
  const record = (list: Use[], key: number, dir: 'in' | 'out' | null, span: Span): void => {
    let e = list.find((u) => u.key === key);
    if (!e) {
      e = { key, d: { in: false, out: false }, span };
      list.push(e);
    }
    if (dir === 'in') e.d.in = true;
    if (dir === 'out') e.d.out = true;
  };
  const elems = new Map<number, Use[]>();
  // Uses whose subscript is only known at run time count as uses of every element.
  const anyElement: Use[] = [];
  let ok = true;
  for (const key of keys) {
    for (const inst of byCore.get(key)!) {
      const env = new Map(inst.indices.map((i) => [i.sym as Symbol, i.value]));
      elementUses(inst.body, sym, dims, env, (k, dir, span) => {
        if (k === null) {
          record(anyElement, key, dir, span);
          return;
        }
        if (k < 0 || k >= total) {
          diags.error(span, `subscript ${k} is outside \`${sym.name}\` (${total} channels)`);
          ok = false;
          return;
        }
        const list = elems.get(k) ?? [];
        record(list, key, dir, span);
        elems.set(k, list);
      });
    }
  }
  for (let k = 0; k < total && anyElement.length > 0; k++) {
    const list = elems.get(k) ?? [];
    for (const u of anyElement) {
      if (u.d.in) record(list, u.key, 'in', u.span);
      if (u.d.out) record(list, u.key, 'out', u.span);
      if (!u.d.in && !u.d.out) record(list, u.key, null, u.span);
    }
    elems.set(k, list);
  }
  if (!ok) return null;
  const out: MeshChannelInfo[] = [];
  for (let k = 0; k < total; k++) {
    const name = `${sym.name}${indexText(k, dims)}`;
    const list = elems.get(k) ?? [];
    if (list.length <= 1) {
      const here = at(list[0]?.key ?? keys[0]!);
      out.push({ name, from: here, to: here, local: true });
      continue;
    }
    if (list.length > 2) {
      diags.error(
        list[2]!.span,
        `channel \`${name}\` is used on ${list.length} cores (${list.map((u) => coreName(u.key)).join(', ')})`,
        'a channel connects exactly two processes; a subscript known only at run time stands for every element',
      );
      ok = false;
      continue;
    }
    const writer = list.findIndex((u) => u.d.out && !u.d.in);
    const reader = list.findIndex((u) => u.d.in && !u.d.out);
    if (writer < 0 || reader < 0 || writer === reader) {
      const how = (d: { in: boolean; out: boolean }): string =>
        d.in && d.out ? 'input and output' : d.out ? 'output' : d.in ? 'input' : 'passed on';
      const runTime = anyElement.find((u) => list.some((l) => l.key === u.key));
      diags.error(
        list[1]!.span,
        `channel \`${name}\` is used for ${how(list[0]!.d)} on core ${coreName(list[0]!.key)} and for ${how(list[1]!.d)} on core ${coreName(list[1]!.key)}`,
        'a mesh channel carries messages one way: one core outputs, the other inputs' +
          (runTime
            ? `; the subscript at line ${runTime.span.line} is known only at run time on core ${coreName(runTime.key)}, so it stands for every element`
            : ''),
      );
      ok = false;
      continue;
    }
    out.push({ name, from: at(list[writer]!.key), to: at(list[reader]!.key) });
  }
  return ok ? out : null;
}

/** A copy of `p` without the IF choices that cannot be taken given the values in `env`. */
function prune<T>(p: T, env: ReadonlyMap<Symbol, number>): T {
  if (!p || typeof p !== 'object' || p instanceof Uint8Array) return p;
  if (Array.isArray(p)) {
    let changed = false;
    const out = p.map((x) => {
      const y = prune(x, env);
      if (y !== x) changed = true;
      return y;
    });
    return (changed ? out : p) as T;
  }
  const n = p as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  if (n.kind === 'if') {
    const kept: unknown[] = [];
    let done = false;
    for (const c of n.choices as Record<string, unknown>[]) {
      if (done) break;
      if (c.kind === 'if') {
        kept.push(c);
        continue;
      }
      const g = evaluate(c.guard as Expr, env);
      if (g === 0n) continue;
      kept.push(c);
      if (g !== null) done = true;
    }
    if (kept.length !== (n.choices as unknown[]).length) copy = { ...n, choices: kept };
  }
  for (const k in n) {
    if (k === 'span' || k === 'decl' || k === 'decls' || k === 'type' || k === 'constValue') continue;
    const v = (copy ?? n)[k];
    if (!v || typeof v !== 'object') continue;
    const w = prune(v, env);
    if (w !== v) {
      copy = copy ?? { ...n };
      copy[k] = w;
    }
  }
  return (copy ?? n) as T;
}

/** The sizes of an array of channels, outermost first; null if one is not known. */
function dimensions(t: Type): number[] | null {
  const dims: number[] = [];
  let cur: Type = t;
  while (cur.kind === 'array') {
    if (cur.size === null) return null;
    dims.push(cur.size);
    cur = cur.elem;
  }
  return dims;
}

function indexText(k: number, dims: readonly number[]): string {
  const parts: number[] = [];
  for (let i = dims.length - 1; i >= 0; i--) {
    parts.unshift(k % dims[i]!);
    k = Math.floor(k / dims[i]!);
  }
  return parts.map((p) => `[${p}]`).join('');
}

/** Each use of an element of a channel array in a process: its flat index (null if not constant) and direction. */
function elementUses(
  p: Process,
  sym: Symbol,
  dims: readonly number[],
  env: ReadonlyMap<Symbol, number>,
  use: (k: number | null, dir: 'in' | 'out' | null, span: Span) => void,
): void {
  walk(p, (n) => {
    if (isCommunication(n) && rootOf(n.channel as Expr) === sym) {
      use(flatIndex(n.channel as Expr, dims, env), n.kind === 'output' ? 'out' : 'in', (n.channel as Expr).span);
    }
    if (n.kind === 'pcall' && n.decl && n.decl.kind === 'proc') {
      const proc = n.decl as ProcSymbol;
      (n.args as Expr[]).forEach((a, i) => {
        if (rootOf(a) !== sym) return;
        const param: ParamSymbol | undefined = proc.params[i];
        const d = { in: false, out: false };
        if (param) {
          if (param.direction === '!') d.out = true;
          else if (param.direction === '?') d.in = true;
          channelUse(proc.def.body, param, d, new Set());
        }
        use(flatIndex(a, dims, env), d.out && !d.in ? 'out' : d.in && !d.out ? 'in' : null, a.span);
      });
    }
  });
}

function flatIndex(e: Expr, dims: readonly number[], env: ReadonlyMap<Symbol, number>): number | null {
  const indices: Expr[] = [];
  let cur = e;
  while (cur.kind === 'direction' || cur.kind === 'subscript') {
    if (cur.kind === 'direction') cur = cur.channel;
    else {
      indices.unshift(cur.index);
      cur = cur.base;
    }
  }
  if (indices.length !== dims.length) return null;
  let k = 0;
  for (let i = 0; i < dims.length; i++) {
    const v = evaluate(indices[i]!, env);
    if (v === null) return null;
    k = k * dims[i]! + Number(v);
  }
  return k;
}

/** Expand a PLACED PAR (replicators included) into one process per core. */
function expand(
  p: Extract<Process, { kind: 'placed' }>,
  indices: Instance['indices'],
  out: Instance[],
  diags: Diagnostics,
): void {
  const env = new Map(indices.map((i) => [i.sym as Symbol, i.value]));
  const values: (number | null)[] = [];
  if (p.repl) {
    const base = constant(p.repl.base, env, diags);
    const count = constant(p.repl.count, env, diags);
    const step = p.repl.step ? constant(p.repl.step, env, diags) : 1;
    if (base === null || count === null || step === null) return;
    if (count < 0 || count > MAX_MESH_SIDE * MAX_MESH_SIDE) {
      diags.error(
        p.repl.count.span,
        `a replicated PLACED PAR places ${count} processes; it must be between 0 and ${MAX_MESH_SIDE * MAX_MESH_SIDE}`,
      );
      return;
    }
    for (let k = 0; k < count; k++) values.push(base + k * step);
  } else values.push(null);
  for (const v of values) {
    const base = v === null ? indices : [...indices, { sym: p.repl!.decl!, value: v }];
    for (const branch of p.branches) {
      // VAL abbreviations in front of a clause are constant on each core: they are evaluated here and each core
      // gets their values, as it gets the indices.
      const idx = [...base];
      let b = branch;
      let failed = false;
      while (b.kind === 'scope') {
        for (const spec of b.specs) {
          if (spec.kind === 'val' && spec.decl && spec.decl.kind === 'abbrev') {
            const value = constant(spec.value, new Map(idx.map((i) => [i.sym as Symbol, i.value])), diags);
            if (value === null) failed = true;
            else idx.push({ sym: spec.decl, value });
          } else if (!(spec.kind === 'val' && spec.decl?.kind === 'const')) {
            diags.error(
              spec.span,
              'only VAL abbreviations can stand in front of a PROCESSOR clause',
              'declare variables and channels inside the placed process',
            );
            failed = true;
          }
        }
        b = b.body;
      }
      if (failed) return;
      const env2 = new Map(idx.map((i) => [i.sym as Symbol, i.value]));
      if (b.kind === 'placed') expand(b, idx, out, diags);
      else if (b.kind === 'processor') {
        const x = constant(b.x, env2, diags);
        const y = constant(b.y, env2, diags);
        if (x === null || y === null) return;
        for (const [c, e] of [
          [x, b.x],
          [y, b.y],
        ] as const) {
          if (c < 0) {
            diags.error(
              e.span,
              `processor coordinate ${c} is outside the mesh`,
              'coordinates count from 0: PROCESSOR 0, 0 is the top-left core',
            );
            return;
          }
        }
        out.push({ x, y, body: b.body, indices: idx, span: b.span });
      }
    }
  }
}

/** The value of a placement expression: constants and replicator indices, with occam's integer operators. */
function constant(e: Expr, env: ReadonlyMap<Symbol, number>, diags: Diagnostics): number | null {
  const v = evaluate(e, env);
  if (v === null) {
    diags.error(
      e.span,
      'a placement expression must be a constant',
      'use numbers, constants and the indices of replicated PLACED PARs',
    );
    return null;
  }
  if (v > 0x7fffffffn || v < -0x80000000n) {
    diags.error(e.span, 'arithmetic overflow in a placement expression');
    return null;
  }
  return Number(v);
}

function evaluate(e: Expr, env: ReadonlyMap<Symbol, number>, depth = 0): bigint | null {
  if (e.constValue !== undefined) return e.constValue;
  switch (e.kind) {
    case 'name': {
      const d = e.decl;
      const v = d ? env.get(d) : undefined;
      if (v !== undefined) return BigInt(v);
      // A VAL abbreviation of an expression of constants and indices, such as `VAL INT k IS (y * 9) + x:`.
      if (d && d.kind === 'abbrev' && d.isVal && depth < 32) return evaluate(d.target, env, depth + 1);
      return null;
    }
    case 'monadic': {
      const a = evaluate(e.operand, env, depth);
      if (a === null) return null;
      if (e.op === 'NOT') return a === 0n ? 1n : 0n;
      return e.op === '-' || e.op === 'MINUS' ? -a : null;
    }
    case 'dyadic': {
      const a = evaluate(e.left, env, depth);
      const b = evaluate(e.right, env, depth);
      if (a === null || b === null) return null;
      switch (e.op) {
        case '+':
        case 'PLUS':
          return a + b;
        case '-':
        case 'MINUS':
          return a - b;
        case '*':
        case 'TIMES':
          return a * b;
        case '/':
          return b === 0n ? null : a / b;
        case '\\':
        case 'REM':
          return b === 0n ? null : a % b;
        case '=':
          return a === b ? 1n : 0n;
        case '<>':
          return a !== b ? 1n : 0n;
        case '<':
          return a < b ? 1n : 0n;
        case '<=':
          return a <= b ? 1n : 0n;
        case '>':
          return a > b ? 1n : 0n;
        case '>=':
          return a >= b ? 1n : 0n;
        case 'AND':
          return a !== 0n && b !== 0n ? 1n : 0n;
        case 'OR':
          return a !== 0n || b !== 0n ? 1n : 0n;
        default:
          return null;
      }
    }
    default:
      return null;
  }
}

/** PLACED PAR is only the PROC body of the program (after its declarations), and PROCESSOR only under it. */
/**
 * The processes --spread puts on cores: the branches of `par`, where a branch that is itself a PAR (not PRI)
 * contributes its own branches, and a replicated one a branch per index value. False after an error.
 */
function spreadBranches(
  par: Extract<Process, { kind: 'par' }>,
  indices: Instance['indices'],
  out: { body: Process; indices: Instance['indices'] }[],
  diags: Diagnostics,
): boolean {
  const add = (branch: Process, idx: Instance['indices']): boolean =>
    branch.kind === 'par' && !branch.pri
      ? spreadBranches(branch, idx, out, diags)
      : (out.push({ body: branch, indices: idx }), true);
  if (!par.repl) return par.body.every((b) => add(b, indices));
  const env = new Map(indices.map((i) => [i.sym as Symbol, i.value]));
  const base = constant(par.repl.base, env, diags);
  const count = constant(par.repl.count, env, diags);
  const step = par.repl.step ? constant(par.repl.step, env, diags) : 1;
  if (base === null || count === null || step === null) return false;
  if (out.length + count > MAX_MESH_SIDE * MAX_MESH_SIDE) {
    diags.error(
      par.repl.count.span,
      `--spread cannot place ${out.length + count} branches; the largest mesh has ${MAX_MESH_SIDE * MAX_MESH_SIDE} cores`,
    );
    return false;
  }
  for (let k = 0; k < count; k++) {
    if (!add(par.body[0]!, [...indices, { sym: par.repl.decl!, value: base + k * step }])) return false;
  }
  return true;
}

/**
 * With --spread and no PAR as the program's body: when a SEQ holds the PAR with other processes before or after
 * it, say why it is not spread (the program then runs on core (0, 0)).
 */
function warnNotSpread(body: Process, program: string, diags: Diagnostics): void {
  if (body.kind !== 'seq' || body.repl) return;
  const at = body.body.findIndex((p) => p.kind === 'par' && !p.pri);
  if (at < 0) return;
  const par = body.body[at] as Extract<Process, { kind: 'par' }>;
  const other = body.body[at + 1] ?? body.body[at - 1]!;
  const where = at + 1 < body.body.length ? 'after' : 'before';
  // Where the branches would have gone: row-major on the smallest square-ish mesh, the first on core (0, 0).
  let elsewhere = 'the other cores';
  if (!par.repl && par.body.length > 1) {
    const w = Math.ceil(Math.sqrt(par.body.length));
    elsewhere = par.body
      .slice(1)
      .map((b, k) => `line ${b.span.line} (core (${(k + 1) % w}, ${Math.floor((k + 1) / w)}))`)
      .join(', ');
  }
  diags.warning(
    par.span,
    `--spread does not spread this PAR: line ${other.span.line} runs ${where} it in the same SEQ on core (0, 0), ` +
      `and nothing would tell core (0, 0) when the branches at ${elsewhere} ${where === 'after' ? 'had finished' : 'could start'}; the whole program runs on core (0, 0)`,
    `make the PAR the whole body of \`${program}\` (move line ${other.span.line} into one of its branches), or place the processes with PLACED PAR`,
  );
}

function reportMisplaced(checked: CheckedProgram, top: Process, diags: Diagnostics): void {
  const check = (root: Process): void =>
    walk(root, (n) => {
      if (n.kind === 'placed' && n !== top) {
        if (!(top.kind === 'placed' && within(top, n))) {
          diags.error(
            n.span,
            'a PLACED PAR must be the body of the program (its last PROC), after its declarations',
            'put the PLACED PAR directly in the program PROC and call other PROCs from its PROCESSOR clauses',
          );
        }
      }
    });
  for (const p of checked.procs) check(p.def.body);
}

function within(top: Extract<Process, { kind: 'placed' }>, n: unknown): boolean {
  return top.branches.some((b) => b === n || (b.kind === 'placed' && within(b, n)));
}

/** Every PROC and FUNCTION a process calls, directly or indirectly. */

/** Whether a process inputs from or outputs to a channel, following it into the PROCs it is passed to. */
function channelUse(p: Process, sym: Symbol, d: { in: boolean; out: boolean }, seen: Set<string>): void {
  walk(p, (n) => {
    if (isCommunication(n) && rootOf(n.channel as Expr) === sym) {
      if (n.kind === 'output') d.out = true;
      else d.in = true;
    }
    if (n.kind === 'pcall' && n.decl && n.decl.kind === 'proc') {
      const proc = n.decl as ProcSymbol;
      (n.args as Expr[]).forEach((a, i) => {
        const param: ParamSymbol | undefined = proc.params[i];
        if (!param || rootOf(a) !== sym) return;
        const key = `${proc.name}/${i}`;
        if (seen.has(key)) return;
        seen.add(key);
        if (param.direction === '!') d.out = true;
        else if (param.direction === '?') d.in = true;
        channelUse(proc.def.body, param, d, seen);
      });
    }
  });
}

/** Whether a channel (or array of channels) of type `t` carries ends of a CHAN TYPE in any of its messages. */
function carriesEnd(t: Type): boolean {
  while (t.kind === 'array') t = t.elem;
  if (t.kind !== 'chan') return false;
  const p = t.protocol;
  if (p.kind === 'end') return true;
  if (p.kind !== 'protocol') return false;
  const items = [...(p.def.items ?? []), ...(p.def.variants ?? []).flatMap((v) => v.items)];
  return items.some((i) => i.kind === 'data' && i.type.kind === 'end');
}

/** An output, an input or a `? CASE` (as a process or an ALT guard, whose kind is 'case' with a channel). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isCommunication(n: any): boolean {
  return (n.kind === 'output' || n.kind === 'input' || n.kind === 'caseinput' || n.kind === 'case') && 'channel' in n;
}

function rootOf(e: Expr): Symbol | undefined {
  if (e.kind === 'name') return e.decl;
  if (e.kind === 'direction') return rootOf(e.channel);
  if (e.kind === 'subscript') return rootOf(e.base);
  return undefined;
}
