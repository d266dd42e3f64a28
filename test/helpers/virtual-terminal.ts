// A terminal in memory for the debugger's tests: the debugger draws through blessed into streams whose bytes an
// @xterm/headless terminal interprets, and the tests read the screen line by line as a user would see it.

import { PassThrough, Writable } from 'node:stream';
import xterm from '@xterm/headless';
import { join } from 'node:path';
import { startDebugger, type Debugger } from '../../tui/app.js';
import { loadProgram, repoRoot } from './program-files.js';

export class VirtualTerminal {
  readonly term: InstanceType<typeof xterm.Terminal>;
  readonly input: PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void; isRaw: boolean };
  readonly output: Writable & { columns: number; rows: number; isTTY: boolean };
  private pending = Promise.resolve();

  constructor(cols = 100, rows = 30) {
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
    const term = this.term;
    this.output = Object.assign(
      new Writable({
        write: (chunk: Buffer, _enc, cb) => {
          this.pending = this.pending.then(() => new Promise<void>((r) => term.write(chunk, () => r())));
          cb();
        },
      }),
      { columns: cols, rows, isTTY: true },
    );
    this.input = Object.assign(new PassThrough(), {
      isTTY: true,
      isRaw: false,
      setRawMode(on: boolean) {
        this.isRaw = on;
      },
    });
  }

  /** Type: characters, or escape sequences for special keys (see KEYS). */
  press(...keys: string[]): void {
    for (const k of keys) this.input.write(k);
  }

  /** Wait for everything written so far to reach the screen. */
  async settle(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.pending;
  }

  line(y: number): string {
    return this.term.buffer.active.getLine(y)?.translateToString(true) ?? '';
  }

  lines(): string[] {
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(this.line(y));
    return out;
  }

  text(): string {
    return this.lines().join('\n');
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
    this.output.columns = cols;
    this.output.rows = rows;
    this.output.emit('resize');
  }
}

export const KEYS = {
  tab: '\t',
  enter: '\r',
  escape: '\x1b',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  ctrlC: '\x03',
  ctrlD: '\x04',
} as const;

/** A debugger on a repository program, drawing into a virtual terminal. */
export async function debugProgram(
  file: string,
  cols = 100,
  rows = 30,
  extra: { noColor?: boolean; terminal?: string } = {},
): Promise<{ vt: VirtualTerminal; dbg: Debugger }> {
  const p = loadProgram(join(repoRoot, file));
  if (!p) throw new Error(`${file} does not compile`);
  const vt = new VirtualTerminal(cols, rows);
  const dbg = startDebugger({
    image: p.image,
    profile: p.profile,
    ...(p.faults ? { faults: p.faults } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    input: vt.input,
    output: vt.output,
    terminal: extra.terminal ?? 'xterm-256color',
    ...(extra.noColor ? { noColor: true } : {}),
    snapshotEvery: 2_000,
  });
  await vt.settle();
  return { vt, dbg };
}

/** Wait until the debugger has finished what the keys asked, then until the screen shows it. */
export async function idle(vt: VirtualTerminal, dbg: Debugger): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    await new Promise((r) => setTimeout(r, 5));
    if (!dbg.busy) break;
  }
  await new Promise((r) => setTimeout(r, 60));
  dbg.renderNow();
  await vt.settle();
}
