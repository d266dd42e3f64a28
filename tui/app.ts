// The terminal debugger: panes, keys and the loop that keeps the emulator running without starving the screen.
// The Session (tui/session.ts) owns the machine; this file decides what to show and turns keys into commands.
// The emulator runs in slices of a few milliseconds between which keys are read; the screen is drawn at most about
// 30 times a second.

import type { FaultSpec } from '../emulator/faults.js';
import type { Image } from '../emulator/image.js';
import type { Profile } from '../emulator/profiles.js';
import { formatDeadlock, formatRunError, ImageSources } from '../cli/report.js';
import { coreIndex, lineAt, partnerOf, shownOffset, waitChain, type ProcessView, type WaitChain } from './inspect.js';
import { openTerminal, type Key, type Rect, type Terminal } from './screen.js';
import { Session } from './session.js';
import { col, seg, type Color, type Line } from './styled.js';
import { Traffic } from './traffic.js';
import { processLine, registersOf, renderCore, type Registers } from './views/core.js';
import { renderConsole } from './views/console.js';
import { renderLinks } from './views/links.js';
import { cellWidth, renderMesh, STATE_KEY, type CoreCell } from './views/mesh.js';
import { renderSource, sourceLines, sourceTop } from './views/source.js';
import { parseCommand } from './commands.js';

export interface DebuggerOptions {
  readonly image: Image;
  readonly profile: Profile;
  readonly memoryBytes?: number;
  /** Faults to inject and the run's seed (emulator/faults.ts). */
  readonly faults?: FaultSpec;
  readonly seed?: number;
  /** False: interpret every instruction (MachineOptions.jit). */
  readonly jit?: boolean;
  /** Keyboard bytes there from the start, and whether the input ends after them (a record's). */
  readonly keys?: Uint8Array;
  readonly keysEnd?: boolean;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly terminal?: string;
  readonly noColor?: boolean;
  /** Snapshot every so many instructions (default: the session's). */
  readonly snapshotEvery?: number;
}

export interface Debugger {
  readonly session: Session;
  /** Settles when the user quits (the terminal is restored by then). */
  readonly done: Promise<void>;
  /** Quit as if `q` was pressed. */
  quit(): void;
  /** Draw now (tests call it to read a settled screen). */
  renderNow(): void;
  /** Whether the emulator has work in hand (a run or a step not yet done). */
  readonly busy: boolean;
}

type Focus = 'mesh' | 'core' | 'source' | 'console';
const FOCI: readonly Focus[] = ['mesh', 'core', 'source', 'console'];

/** Emulated cycles per host second at each speed; the last is as fast as the host allows. */
const SPEEDS = [1_000, 10_000, 100_000, 1_000_000, 10_000_000, Infinity];

interface Popup {
  readonly title: string;
  readonly lines: Line[];
  /** Entries that Enter jumps to (deadlock and wait-chain listings): a line index and its process. */
  readonly items: { readonly line: number; readonly process: ProcessView }[];
  selected: number;
}

export function startDebugger(options: DebuggerOptions): Debugger {
  const image = options.image;
  const session = new Session(image, {
    profile: options.profile,
    ...(options.memoryBytes !== undefined ? { memoryBytes: options.memoryBytes } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.jit === false ? { jit: false } : {}),
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.keysEnd ? { keysEnd: true } : {}),
    ...(options.snapshotEvery !== undefined ? { snapshotEvery: options.snapshotEvery } : {}),
  });
  const sources = new ImageSources(image);
  const term: Terminal = openTerminal({
    input: options.input,
    output: options.output,
    ...(options.terminal ? { terminal: options.terminal } : {}),
    ...(options.noColor ? { noColor: true } : {}),
  });
  const traffic = new Traffic(image.mesh.width);
  session.onEvent = (e) => traffic.observe(e);
  session.onMark = () => traffic.save();
  session.onRestore = (saved) => traffic.restore((saved as ReturnType<Traffic['save']> | undefined) ?? new Map());

  const panes = {
    mesh: term.pane('mesh'),
    core: term.pane('core'),
    source: term.pane('source'),
    links: term.pane('links'),
    console: term.pane('console'),
    status: term.pane('status', false),
    popup: term.pane('popup'),
  };
  let focus: Focus = 'mesh';
  const first = image.cores[0]!;
  let sel = { x: first.x, y: first.y };
  let selectedProcess = 0;
  let sourceFile = 0;
  let cursor = 1;
  let follow = true;
  let search = '';
  let popup: Popup | null = null;
  let prompt: { kind: ':' | '/'; text: string } | null = null;
  let message = 'space runs, ? shows every key';
  let speed = SPEEDS.length - 1;
  let lastRegs = new Map<number, Registers>();
  let prevRegs = new Map<number, Registers>();
  let chainShown: WaitChain | null = null;
  /** The source line of the run-time error the run stopped on. */
  let errorAt: { file: number; line: number } | null = null;
  const activity = new Map<number, number>();
  let rate = 0;
  let rateAt = { t: performance.now(), cycle: 0 };
  let quitting = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  // ------------------------------------------------------------------------------------------ layout

  function layout(): Record<Exclude<keyof typeof panes, 'popup'>, Rect> {
    const cols = term.cols;
    const rows = term.rows;
    const avail = Math.max(4, rows - 1);
    const leftW = Math.max(20, Math.floor(cols / 2));
    const rightW = cols - leftW;
    // A mesh of up to 8x8 gets the rows it needs for full detail, up to 60% of the height.
    const meshNeed =
      image.mesh.width <= 8 && image.mesh.height <= 8 ? image.mesh.height * 2 - 1 + 2 : Math.floor(avail * 0.5);
    const meshH = Math.max(4, Math.min(meshNeed, Math.floor(avail * 0.6)));
    const coreH = Math.max(5, Math.floor(avail * 0.5));
    const linksH = Math.max(4, Math.min(12, Math.floor((avail - coreH) / 2)));
    return {
      mesh: { left: 0, top: 0, width: leftW, height: meshH },
      source: { left: 0, top: meshH, width: leftW, height: avail - meshH },
      core: { left: leftW, top: 0, width: rightW, height: coreH },
      links: { left: leftW, top: coreH, width: rightW, height: linksH },
      console: { left: leftW, top: coreH + linksH, width: rightW, height: avail - coreH - linksH },
      status: { left: 0, top: rows - 1, width: cols, height: 1 },
    };
  }

  function place(): void {
    const l = layout();
    for (const k of Object.keys(l) as (keyof typeof l)[]) panes[k].place(l[k]);
  }

  // ------------------------------------------------------------------------------------------ selection

  const selIndex = (): number => coreIndex(image, sel.x, sel.y);

  function processes(): ProcessView[] {
    const k = selIndex();
    return k < 0 ? [] : session.processes(k);
  }

  function currentProcess(): ProcessView | null {
    const ps = processes();
    if (ps.length === 0) return null;
    return ps[Math.min(selectedProcess, ps.length - 1)]!;
  }

  /** Select the core and process to look at after a stop, and bring the source to its line. */
  function selectAfterStop(): void {
    const k = session.stoppedCore;
    if (k !== null) {
      const c = image.cores[k]!;
      sel = { x: c.x, y: c.y };
      const ps = session.processes(k);
      const i = ps.findIndex((p) => p.state === 'running');
      selectedProcess = i >= 0 ? i : 0;
    }
    showProcessSource();
  }

  function showProcessSource(): void {
    const p = currentProcess();
    if (follow && p?.at) {
      sourceFile = p.at.file;
      cursor = p.at.line;
    }
  }

  function moveSelection(dx: number, dy: number): void {
    const nx = Math.max(0, Math.min(image.mesh.width - 1, sel.x + dx));
    const ny = Math.max(0, Math.min(image.mesh.height - 1, sel.y + dy));
    sel = { x: nx, y: ny };
    selectedProcess = 0;
    chainShown = null;
    showProcessSource();
  }

  // ------------------------------------------------------------------------------------------ drawing

  let renderTimer: NodeJS.Timeout | null = null;
  let lastRender = 0;

  function scheduleRender(): void {
    if (renderTimer || quitting) return;
    const wait = Math.max(0, 33 - (performance.now() - lastRender));
    renderTimer = setTimeout(() => {
      renderTimer = null;
      guarded(render);
    }, wait);
  }

  function cellOf(x: number, y: number): CoreCell | null {
    const k = coreIndex(image, x, y);
    if (k < 0) return null;
    const core = session.machine.cores[k]!;
    const prev = activity.get(k) ?? core.instructions;
    const act = core.instructions - prev;
    const inChain =
      chainShown?.end === 'cycle' && chainShown.links.some((l) => l.process.core.x === x && l.process.core.y === y);
    const [letter, color] = coreLetter(session, k);
    return { x, y, letter, color, deadlocked: inChain, activity: act };
  }

  function render(): void {
    if (quitting) return;
    lastRender = performance.now();
    place();
    const machine = session.machine;
    const stalled = new Set<string>();
    if (machine.network) {
      for (const s of machine.network.stalls()) {
        const d = s.to.y < s.from.y ? 0 : s.to.x > s.from.x ? 1 : s.to.y > s.from.y ? 2 : 3;
        stalled.add(`${s.from.x},${s.from.y},${d}`);
      }
    }
    const failed = new Set<string>();
    for (const l of machine.faults?.downLinks(machine.cycle) ?? []) {
      const d = l.to.y < l.from.y ? 0 : l.to.x > l.from.x ? 1 : l.to.y > l.from.y ? 2 : 3;
      failed.add(`${l.from.x},${l.from.y},${d}`);
    }
    const meshInner = panes.mesh.inner;
    panes.mesh.setTitle(`mesh ${image.mesh.width}x${image.mesh.height}`, focus === 'mesh');
    panes.mesh.setLines(
      renderMesh(
        {
          width: image.mesh.width,
          height: image.mesh.height,
          cell: cellOf,
          stalled,
          failed,
          traffic,
          cycle: machine.cycle,
          selected: sel,
        },
        meshInner.width,
        meshInner.height,
      ),
    );
    machine.cores.forEach((c, k) => activity.set(k, c.instructions));

    const k = selIndex();
    const ps = processes();
    if (selectedProcess >= ps.length) selectedProcess = Math.max(0, ps.length - 1);
    panes.core.setTitle(k >= 0 ? `core (${sel.x}, ${sel.y})` : `(${sel.x}, ${sel.y}): no core`, focus === 'core');
    if (k >= 0) {
      panes.core.setLines(
        renderCore(
          {
            image,
            index: k,
            core: machine.cores[k]!,
            processes: ps,
            selectedProcess,
            before: prevRegs.get(k) ?? null,
            partner: (q) => partnerOf(machine, image, q),
          },
          panes.core.inner.width,
          panes.core.inner.height,
        ),
      );
    } else panes.core.setLines([[seg('no core of the program is placed here', { fg: 'gray' })]]);

    const p = currentProcess();
    // The lines other processes are at, from the machine's own view of them (this runs for every core, every frame).
    const others = new Set<number>();
    for (let j = 0; j < machine.cores.length; j++) {
      const debug = image.debug[j]!;
      for (const q of machine.cores[j]!.processes()) {
        if (p && j === k && q.wptr === p.wptr) continue;
        const line = lineAt(debug, shownOffset(q));
        if (line && line.file === sourceFile) others.add(line.line);
      }
    }
    const bps = new Set<number>();
    for (const b of session.breakpoints) {
      const [f, l] = b.split(':').map(Number);
      if (f === sourceFile) bps.add(l!);
    }
    const path = image.files[sourceFile]?.path ?? '?';
    panes.source.setTitle(
      `${path}${image.files.length > 1 ? `  (f: next of ${image.files.length} files)` : ''}`,
      focus === 'source',
    );
    panes.source.setLines(
      renderSource(
        {
          image,
          file: sourceFile,
          current: p?.at && p.at.file === sourceFile ? p.at.line : null,
          others,
          breakpoints: bps,
          cursor,
          focused: focus === 'source',
          search,
          error: errorAt && errorAt.file === sourceFile ? errorAt.line : null,
        },
        panes.source.inner.width,
        panes.source.inner.height,
      ),
    );

    panes.links.setTitle(`links of (${sel.x}, ${sel.y})`, false);
    panes.links.setLines(renderLinks(machine, image, traffic, sel, panes.links.inner.width, panes.links.inner.height));

    panes.console.setTitle(
      focus === 'console' ? 'console: typing goes to the program' : 'console',
      focus === 'console',
    );
    panes.console.setLines(
      renderConsole(
        session.console,
        panes.console.inner.width,
        panes.console.inner.height,
        focus === 'console',
        session.status === 'keyboard' || session.keysUnread > 0,
      ),
    );

    panes.status.setLines([statusLine()]);

    if (popup) {
      const w = Math.min(
        term.cols - 4,
        Math.max(40, ...popup.lines.map((l) => l.reduce((n, s) => n + s.text.length, 0) + 2)),
      );
      // Long lines wrap, indented under their start; an item keeps pointing at its first row.
      const rows: Line[] = [];
      const rowOf: number[] = [];
      popup.lines.forEach((l, i) => {
        rowOf[i] = rows.length;
        rows.push(...wrapLine(l, w - 2));
      });
      const h = Math.min(term.rows - 3, rows.length + 2);
      panes.popup.place({
        left: Math.floor((term.cols - w) / 2),
        top: Math.max(0, Math.floor((term.rows - 1 - h) / 2)),
        width: w,
        height: h,
      });
      panes.popup.setTitle(popup.title, true);
      const inner = panes.popup.inner;
      const item = popup.items[popup.selected];
      const itemRow = item ? rowOf[item.line]! : -1;
      let top = 0;
      if (item && itemRow >= inner.height) top = itemRow - inner.height + 1;
      panes.popup.setLines(
        rows
          .slice(top, top + inner.height)
          .map((l, i) => (i + top === itemRow ? l.map((s) => ({ ...s, inverse: true })) : l)),
      );
    } else panes.popup.place({ left: 0, top: 0, width: 0, height: 0 });
    term.render();
  }

  function statusLine(): Line {
    const cycle = session.cycle;
    const us = (cycle / options.profile.clockHz) * 1e6;
    const time = us >= 1e6 ? `${(us / 1e6).toFixed(3)} s` : `${us.toFixed(1)} us`;
    const state = session.busy ? (session.running ? 'running' : 'stepping') : session.status;
    const color: Color =
      state === 'running' || state === 'stepping'
        ? 'green'
        : state === 'deadlock' || state === 'error'
          ? 'red'
          : state === 'finished'
            ? 'cyan'
            : 'yellow';
    const speedText = SPEEDS[speed] === Infinity ? 'max' : `${fmt(SPEEDS[speed]!)}/s`;
    const left = [
      seg(` ${state.toUpperCase()} `, { fg: 'black', bg: color, bold: true }),
      seg(` cycle ${cycle}  ${time}  ${session.busy ? fmt(rate) + ' cycles/s' : ''}  speed ${speedText}  `),
    ];
    // Faults injected so far (--faults), so that a lost message is not a mystery.
    const faults = session.machine.faults?.injected.length ?? 0;
    if (faults > 0) left.push(seg(`faults ${faults}  `, { fg: 'red', bold: true }));
    if (prompt) return [...left, seg(`${prompt.kind}${prompt.text}`, { bold: true }), seg('█')];
    // The keys, on the right when there is room for them after the message.
    const hint = 'space run  s step  i instr  n line  b break  w why  ? keys  q quit';
    const used = left.reduce((n, s) => n + s.text.length, 0) + message.length;
    const gap = term.cols - used - hint.length - 1;
    if (gap >= 2) return [...left, seg(message, { fg: 'white' }), seg(' '.repeat(gap)), seg(hint, { fg: 'gray' })];
    return [...left, seg(message, { fg: 'white' })];
  }

  // ------------------------------------------------------------------------------------------ running

  let ticking = false;

  function tick(): void {
    ticking = false;
    if (quitting) return;
    if (!session.busy) return;
    const limited = SPEEDS[speed]!;
    let until = Infinity;
    if (limited !== Infinity) until = session.machine.cycle + Math.max(1, Math.round(limited / 60));
    const ended = session.work(limited === Infinity ? 25 : 5, until);
    const now = performance.now();
    if (now - rateAt.t > 500) {
      rate = ((session.machine.cycle - rateAt.cycle) * 1000) / (now - rateAt.t);
      rateAt = { t: now, cycle: session.machine.cycle };
    }
    if (ended) stopped();
    else {
      ticking = true;
      if (limited === Infinity) setImmediate(() => guarded(tick));
      else setTimeout(() => guarded(tick), 16);
    }
    scheduleRender();
  }

  function start(): void {
    rateAt = { t: performance.now(), cycle: session.machine.cycle };
    chainShown = null;
    if (!ticking) {
      ticking = true;
      setImmediate(() => guarded(tick));
    }
    scheduleRender();
  }

  /** Any exception escaping the debugger restores the terminal first; `done` then rejects with it. */
  function guarded(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      fail(e);
    }
  }

  /** A task has ended: remember the registers, select what stopped, and explain an end of the run. */
  function stopped(): void {
    if (session.status !== 'error') errorAt = null;
    prevRegs = lastRegs;
    lastRegs = new Map(session.machine.cores.map((c, k) => [k, registersOf(c)]));
    message = session.stopReason;
    selectAfterStop();
    if (session.status === 'deadlock' && session.ended) showDeadlock();
    else if (session.status === 'error' && session.ended?.error) showError();
    else if (session.status === 'finished' && session.ended) showFinished();
    scheduleRender();
  }

  function showDeadlock(): void {
    const r = session.ended!;
    // The chains of waits, from every blocked process; a closed one is drawn on the mesh.
    const all: ProcessView[] = [];
    for (let k = 0; k < session.machine.cores.length; k++)
      all.push(...session.processes(k).filter((p) => p.state !== 'endp'));
    let cycle: WaitChain | null = null;
    for (const p of all) {
      const c = waitChain(session.machine, image, p);
      if (c.end === 'cycle') {
        cycle = c;
        break;
      }
    }
    chainShown = cycle;
    const lines: Line[] = formatDeadlock(sources, r)
      .split('\n')
      .map((t) => [seg(t)]);
    const items: Popup['items'] = [];
    lines.push([seg('')]);
    lines.push([seg('blocked processes (up/down, Enter shows the source):', { fg: 'gray' })]);
    for (const p of all) {
      items.push({ line: lines.length, process: p });
      lines.push([seg(`  core (${p.core.x}, ${p.core.y})  ${processLine(image, p)}`)]);
    }
    if (cycle) {
      lines.push([seg('cycle of waits (red on the mesh):', { fg: 'gray' })]);
      for (const l of cycle.links.slice(cycle.loopsTo ?? 0)) {
        items.push({ line: lines.length, process: l.process });
        lines.push([seg(`  ${chainText(l.process, l.words)}`)]);
      }
    }
    if (all[0]) selectProcess(all[0]);
    popup = { title: 'deadlock', lines, items, selected: 0 };
  }

  function showError(): void {
    const e = session.ended!.error!;
    sel = { x: e.core.x, y: e.core.y };
    const k = selIndex();
    const lines = formatRunError(sources, e)
      .split('\n')
      .map((t) => [seg(t)]);
    const dbg = image.debug[k]!;
    const check = dbg.checks.find((c) => c.offset === e.offset);
    const line = check ?? lineAt(dbg, e.offset);
    if (line) {
      sourceFile = line.file;
      cursor = line.line;
      errorAt = { file: line.file, line: line.line };
    }
    popup = { title: 'run-time error', lines, items: [], selected: 0 };
  }

  function showFinished(): void {
    const r = session.ended!;
    const busy = r.cores.reduce((n, c) => n + c.busyCycles, 0);
    const lines: Line[] = [
      [
        seg(
          `the program finished after ${r.cycles} cycles (${((r.cycles / options.profile.clockHz) * 1e6).toFixed(1)} us)`,
        ),
      ],
      [
        seg(
          `${r.instructions} instructions on ${r.cores.length} core${r.cores.length === 1 ? '' : 's'}, ${r.cycles > 0 ? ((100 * busy) / (r.cycles * r.cores.length)).toFixed(1) : '0.0'}% busy on average`,
        ),
      ],
    ];
    const links = [...r.links].sort((a, b) => b.bytes - a.bytes).slice(0, 5);
    for (const l of links)
      lines.push([
        seg(
          `link (${l.from.x}, ${l.from.y}) -> (${l.to.x}, ${l.to.y}): ${l.bytes} bytes, ${r.cycles > 0 ? ((100 * l.busyCycles) / r.cycles).toFixed(1) : '0.0'}% busy`,
        ),
      ]);
    lines.push([seg('S, I or N step back; q quits', { fg: 'gray' })]);
    popup = { title: 'finished', lines, items: [], selected: 0 };
  }

  function chainText(p: ProcessView, words: string): string {
    const where = p.at ? `${(image.files[p.at.file]?.path ?? '?').split('/').pop()}:${p.at.line}` : '';
    return `core (${p.core.x}, ${p.core.y}) ${p.proc ?? 'main'} ${where} ${words}`;
  }

  function selectProcess(p: ProcessView): void {
    sel = { x: p.core.x, y: p.core.y };
    const ps = processes();
    const i = ps.findIndex((q) => q.wptr === p.wptr);
    selectedProcess = i >= 0 ? i : 0;
    if (p.at) {
      sourceFile = p.at.file;
      cursor = p.at.line;
    }
  }

  function showWhy(): void {
    const p = currentProcess();
    if (!p) {
      message = 'no process selected';
      return;
    }
    const chain = waitChain(session.machine, image, p);
    chainShown = chain;
    const lines: Line[] = [];
    const items: Popup['items'] = [];
    chain.links.forEach((l, i) => {
      items.push({ line: lines.length, process: l.process });
      lines.push([seg(`${i === 0 ? '' : '... which '}${chainText(l.process, l.words)}`)]);
    });
    if (chain.end === 'cycle')
      lines.push([seg(`... which is where the chain began: a deadlock (red on the mesh)`, { fg: 'red', bold: true })]);
    popup = { title: 'why is it waiting?', lines, items, selected: 0 };
  }

  function showHelp(): void {
    const mem = session.snapshotMemory();
    const cyc = Math.max(1, session.machine.cycle);
    const keys: [string, string][] = [
      ['space', 'run / pause'],
      ['c', 'continue to the next breakpoint'],
      ['s / S', 'one batch of the clock forwards / backwards'],
      ['i / I', 'one instruction on the selected core forwards / backwards'],
      ['n / N', 'the selected process to its next source line / back one line on its core'],
      ['r', 'the selected process to its next communication'],
      ['] / [', "the next / previous message on the selected process's mesh channel"],
      ['b', 'toggle a breakpoint on the source line under the cursor'],
      [':', 'command: break chan NAME [VALUE], break stall N, break alt LINE, break block, clear'],
      ['w', 'why is the selected process waiting? (the chain of waits)'],
      ['arrows hjkl', 'move across cores (mesh), processes (core), lines (source)'],
      ['Tab', 'next pane; in the console, keys go to the program (Ctrl-D ends input)'],
      ['f', 'next source file (includes)'],
      ['/', 'search the source'],
      ['+ / -', 'faster / slower'],
      ['?', 'this help'],
      ['q', 'quit'],
    ];
    const lines: Line[] = keys.map(([k, v]) => [seg(col(k, 12), { bold: true }), seg(v)]);
    lines.push([seg('')]);
    lines.push([seg('core states:', { fg: 'gray' })]);
    for (const [letter, words, color] of STATE_KEY)
      lines.push([seg(`  ${letter} `, { fg: color, bold: true }), seg(words)]);
    lines.push([
      seg(
        `links: ↑ → ↓ ← carrying bytes (green, yellow, red as they get busier), · idle, = stalled, # failed by a fault`,
      ),
    ]);
    lines.push([seg('')]);
    lines.push([
      seg(
        `step back: ${session.snapshotCount} snapshots, ${fmtBytes(mem)} (${fmtBytes((mem * 1e6) / cyc)} per million cycles)`,
      ),
    ]);
    popup = { title: 'keys', lines, items: [], selected: 0 };
  }

  // ------------------------------------------------------------------------------------------ keys

  function command(text: string): void {
    const c = parseCommand(text, image, sourceFile);
    if ('error' in c) {
      message = c.error;
      return;
    }
    if (c.kind === 'clear') {
      session.commBreaks.length = 0;
      message = 'communication breakpoints cleared';
      return;
    }
    if (c.kind === 'line') {
      message = session.toggleBreakpoint(c.file, c.line)
        ? `breakpoint toggled at line ${c.line}`
        : `no code comes from line ${c.line}`;
      return;
    }
    session.addCommBreak(c.break);
    message = `will stop when ${c.words}; c continues`;
  }

  function key(k: Key): void {
    if (k.name === 'C-c') return quit();
    if (prompt) {
      if (k.name === 'escape') prompt = null;
      else if (k.name === 'enter' || k.name === 'return') {
        const p = prompt;
        prompt = null;
        if (p.kind === ':') command(p.text.trim());
        else findInSource(p.text);
      } else if (k.name === 'backspace') prompt.text = prompt.text.slice(0, -1);
      else if (k.ch) prompt.text += k.ch;
      return;
    }
    if (popup) {
      if (k.name === 'up' || k.ch === 'k') popup.selected = Math.max(0, popup.selected - 1);
      else if (k.name === 'down' || k.ch === 'j') popup.selected = Math.min(popup.items.length - 1, popup.selected + 1);
      else if (k.name === 'enter' || k.name === 'return') {
        const item = popup.items[popup.selected];
        popup = null;
        if (item) selectProcess(item.process);
      } else if (k.ch === 'q' && !popup.title.startsWith('keys')) {
        popup = null;
        return quit();
      } else popup = null;
      return;
    }
    if (focus === 'console') {
      if (k.name === 'tab') focus = 'mesh';
      else if (k.name === 'escape') focus = 'mesh';
      else if (k.name === 'enter' || k.name === 'return') typeKeys('\n');
      else if (k.name === 'C-d') {
        session.endInput();
        message = 'end of keyboard input';
        if (session.status === 'keyboard') session.run();
        start();
      } else if (k.ch) typeKeys(k.ch);
      return;
    }
    const p = currentProcess();
    switch (k.ch ?? k.name) {
      case ' ':
      case 'space':
        // Space pauses whatever is going on (a run, or a step that is taking long); otherwise it runs.
        if (session.busy) {
          session.pause();
          stopped();
        } else {
          popup = null;
          session.run();
          message = session.stopReason.startsWith('the run has ended') ? session.stopReason : 'running: space pauses';
          start();
        }
        return;
      case 'c':
        session.run();
        message = 'continuing to the next breakpoint';
        start();
        return;
      case 's':
        session.stepBatch();
        start();
        return;
      case 'i':
        if (selIndex() >= 0) session.stepInstruction(selIndex());
        start();
        return;
      case 'n':
        if (p) session.nextLine(p);
        else message = 'no process here to step';
        start();
        return;
      case 'r':
        if (p) session.nextComm(p);
        else message = 'no process here to step';
        start();
        return;
      case ']':
      case '[': {
        const forward = k.ch === ']';
        if (p?.mesh) {
          if (forward) {
            session.nextMessage(p.mesh.index);
            start();
          } else {
            session.previousMessage(p.mesh.index);
            stopped();
          }
        } else if (p && p.channelAddress !== undefined && (p.state === 'input' || p.state === 'output')) {
          const name = p.channel ?? 'the channel';
          if (forward) {
            session.nextLocalMessage(selIndex(), p.channelAddress, name);
            start();
          } else {
            session.previousLocalMessage(selIndex(), p.channelAddress, name);
            stopped();
          }
        } else message = 'select a process that waits on a channel: [ and ] move between the messages on it';
        return;
      }
      case 'S':
        session.backBatch();
        stopped();
        return;
      case 'I':
        if (selIndex() >= 0) session.backInstruction(selIndex());
        stopped();
        return;
      case 'N':
        if (selIndex() >= 0) session.backLine(selIndex());
        stopped();
        return;
      case 'b': {
        const ok = session.toggleBreakpoint(sourceFile, cursor);
        message = ok
          ? session.breakpoints.has(`${sourceFile}:${cursor}`)
            ? `breakpoint at line ${cursor}`
            : `breakpoint at line ${cursor} removed`
          : `no code comes from line ${cursor}`;
        break;
      }
      case 'w':
        showWhy();
        break;
      case '?':
        showHelp();
        break;
      case 'q':
        return quit();
      case 'tab':
        focus = FOCI[(FOCI.indexOf(focus) + 1) % FOCI.length]!;
        if (focus === 'source') follow = false;
        break;
      case 'f':
        sourceFile = (sourceFile + 1) % image.files.length;
        cursor = 1;
        follow = false;
        break;
      case '+':
      case '=':
        speed = Math.min(SPEEDS.length - 1, speed + 1);
        break;
      case '-':
        speed = Math.max(0, speed - 1);
        break;
      case ':':
        prompt = { kind: ':', text: '' };
        break;
      case '/':
        prompt = { kind: '/', text: '' };
        break;
      case 'enter':
      case 'return':
        follow = true;
        showProcessSource();
        break;
      default:
        arrows(k);
    }
    scheduleRender();
  }

  function arrows(k: Key): void {
    const name = k.ch ?? k.name;
    const d =
      name === 'left' || name === 'h'
        ? [-1, 0]
        : name === 'right' || name === 'l'
          ? [1, 0]
          : name === 'up' || name === 'k'
            ? [0, -1]
            : name === 'down' || name === 'j'
              ? [0, 1]
              : null;
    const page = k.name === 'pageup' ? -1 : k.name === 'pagedown' ? 1 : 0;
    if (focus === 'source') {
      const lines = sourceLines(image, sourceFile).length;
      if (d) cursor = Math.max(1, Math.min(lines, cursor + d[1]!));
      if (page) cursor = Math.max(1, Math.min(lines, cursor + page * Math.max(1, panes.source.inner.height - 2)));
      return;
    }
    if (!d) return;
    if (focus === 'core') {
      selectedProcess = Math.max(0, Math.min(processes().length - 1, selectedProcess + d[1]!));
      chainShown = null;
      follow = true;
      showProcessSource();
      return;
    }
    moveSelection(d[0]!, d[1]!);
  }

  function typeKeys(text: string): void {
    session.type(text);
    message = `typed ${JSON.stringify(text)}: it reaches the program when it reads its keyboard`;
    if (session.status === 'keyboard') {
      session.status = 'paused';
      session.run();
      start();
    }
  }

  function findInSource(text: string): void {
    search = text;
    if (!text) return;
    const lines = sourceLines(image, sourceFile);
    for (let i = 1; i <= lines.length; i++) {
      const n = ((cursor - 1 + i) % lines.length) + 1;
      if (lines[n - 1]!.includes(text)) {
        cursor = n;
        follow = false;
        focus = 'source';
        message = `found at line ${n}`;
        return;
      }
    }
    message = `\`${text}\` is not in ${image.files[sourceFile]?.path}`;
  }

  function click(x: number, y: number): void {
    const l = layout();
    const inside = (r: Rect): boolean =>
      x > r.left && x < r.left + r.width - 1 && y > r.top && y < r.top + r.height - 1;
    if (inside(l.mesh) && image.mesh.width <= 8 && image.mesh.height <= 8) {
      const cw = cellWidth(image.mesh.width, image.mesh.height, panes.mesh.inner.width);
      const cx = Math.floor((x - l.mesh.left - 1) / (cw + 2));
      const cy = Math.floor((y - l.mesh.top - 1) / 2);
      if (cx < image.mesh.width && cy < image.mesh.height && (y - l.mesh.top - 1) % 2 === 0) {
        sel = { x: cx, y: cy };
        selectedProcess = 0;
        focus = 'mesh';
        showProcessSource();
      }
    } else if (inside(l.source)) {
      const all = sourceLines(image, sourceFile).length;
      const top = sourceTop(cursor, panes.source.inner.height, all);
      cursor = Math.min(all, top + (y - l.source.top - 1));
      focus = 'source';
      follow = false;
    } else if (inside(l.core)) focus = 'core';
    else if (inside(l.console)) focus = 'console';
    scheduleRender();
  }

  function quit(): void {
    if (quitting) return;
    quitting = true;
    if (renderTimer) clearTimeout(renderTimer);
    session.pause();
    term.destroy();
    resolveDone();
  }

  term.onKey((k) => {
    try {
      key(k);
      scheduleRender();
    } catch (e) {
      fail(e);
    }
  });
  term.onClick((x, y) => {
    try {
      click(x, y);
    } catch (e) {
      fail(e);
    }
  });
  term.onResize(() => scheduleRender());

  let failure: unknown = null;
  function fail(e: unknown): void {
    failure = e;
    quit();
  }

  showProcessSource();
  render();
  return {
    session,
    done: done.then(() => {
      if (failure) throw failure;
    }),
    quit,
    renderNow: render,
    get busy() {
      return session.busy;
    },
  };
}

/** The letter and colour of core k's state. */
function coreLetter(session: Session, k: number): [string, Color] {
  const core = session.machine.cores[k]!;
  if (core.state === 'error') return ['X', 'red'];
  if (core.isCrashed) return ['C', 'red'];
  if (core.finished) return ['F', 'gray'];
  if (core.active) return ['R', 'green'];
  if (core.hasReadyProcess) return ['r', 'green'];
  if (core.waitingForKeyboard) return ['K', 'blue'];
  // The machine's own view of the processes (no source lookups): this runs for every core on every frame.
  const ps = core.processes();
  const waiting = ps.find((p) => p.state !== 'endp' && p.state !== 'timer');
  if (waiting) {
    switch (waiting.state) {
      case 'input':
        return ['?', 'yellow'];
      case 'output':
        return ['!', 'yellow'];
      case 'alt':
        return ['A', 'magenta'];
      case 'stopped':
        return ['X', 'red'];
      default:
        break;
    }
  }
  if (ps.some((p) => p.state === 'timer') || core.state === 'idle') return ['T', 'cyan'];
  if (ps.some((p) => p.state === 'endp')) return ['P', 'yellow'];
  return ['.', 'gray'];
}

/** A line cut into rows of `width` at spaces where it can be, the rows after the first indented by four spaces. */
function wrapLine(line: Line, width: number): Line[] {
  const total = line.reduce((n, s) => n + s.text.length, 0);
  if (total <= width || width < 20) return [line];
  // Flatten to characters with their styles, choose the breaks, then rebuild segments.
  const chars: { ch: string; style: Omit<Line[number], 'text'> }[] = [];
  for (const s of line) {
    const { text, ...style } = s;
    for (const ch of text) chars.push({ ch, style });
  }
  const rows: Line[] = [];
  let start = 0;
  let indent = 0;
  while (start < chars.length) {
    const room = width - indent;
    let end = Math.min(chars.length, start + room);
    if (end < chars.length) {
      let sp = end;
      while (sp > start + room / 2 && chars[sp]!.ch !== ' ') sp--;
      if (chars[sp]!.ch === ' ') end = sp;
    }
    const row: Line[number][] = indent ? [{ text: ' '.repeat(indent) }] : [];
    for (let i = start; i < end; i++) {
      const c = chars[i]!;
      const last = row[row.length - 1];
      if (last && i > start && chars[i - 1]!.style === c.style)
        row[row.length - 1] = { ...last, text: last.text + c.ch };
      else row.push({ ...c.style, text: c.ch });
    }
    rows.push(row);
    start = end;
    while (start < chars.length && chars[start]!.ch === ' ') start++;
    indent = 4;
  }
  return rows;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'max';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}
