// The debugger end to end in a real pseudo-terminal: `occmesh debug` as a user starts it, keys typed into the
// terminal, the screen read back through a terminal emulator, and the terminal left as it was found on `q`.

import { join } from 'node:path';
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/program-files.js';

const cli = join(repoRoot, 'dist', 'cli', 'occmesh.js');

interface Session {
  term: InstanceType<typeof xterm.Terminal>;
  type(s: string): void;
  screen(): string;
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  exit: Promise<number>;
}

function spawn(args: string[], env: Record<string, string>): Session {
  const term = new xterm.Terminal({ cols: 100, rows: 30, allowProposedApi: true });
  const p = pty.spawn(process.execPath, [cli, ...args], {
    name: env.TERM ?? 'xterm-256color',
    cols: 100,
    rows: 30,
    cwd: repoRoot,
    env: { ...process.env, ...env } as Record<string, string>,
  });
  p.onData((d) => term.write(d));
  const exit = new Promise<number>((resolve) => p.onExit((e) => resolve(e.exitCode)));
  const screen = (): string => {
    const out: string[] = [];
    for (let y = 0; y < term.rows; y++) out.push(term.buffer.active.getLine(y)?.translateToString(true) ?? '');
    return out.join('\n');
  };
  return {
    term,
    type: (s) => p.write(s),
    screen,
    async waitFor(text, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const s = screen();
        if (typeof text === 'string' ? s.includes(text) : text.test(s)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the screen never showed ${String(text)}:\n${screen()}`);
    },
    exit,
  };
}

function coloured(term: InstanceType<typeof xterm.Terminal>): boolean {
  const buf = term.buffer.active;
  for (let y = 0; y < term.rows; y++) {
    const line = buf.getLine(y);
    for (let x = 0; line && x < term.cols; x++) {
      const cell = line.getCell(x);
      if (cell && (!cell.isFgDefault() || !cell.isBgDefault())) return true;
    }
  }
  return false;
}

describe('occmesh debug in a real terminal', () => {
  for (const [label, env] of [
    ['xterm-256color', { TERM: 'xterm-256color' }],
    ['xterm with NO_COLOR', { TERM: 'xterm', NO_COLOR: '1' }],
  ] as const) {
    it(`runs a program to its end and restores the terminal on q (${label})`, async () => {
      const s = spawn(['debug', 'programs/mesh/token_ring.occ'], env);
      await s.waitFor('PAUSED');
      expect(s.term.buffer.active.type).toBe('alternate');
      expect(s.screen()).toContain('mesh 2x2');
      // Colour only when allowed: NO_COLOR leaves every cell in the default colours (bold and inverse remain).
      expect(coloured(s.term)).toBe(!('NO_COLOR' in env));
      s.type(' ');
      await s.waitFor('FINISHED');
      expect(s.screen()).toMatch(/the program finished after \d+ cycles/);
      s.type('q');
      s.type('q');
      expect(await s.exit).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(s.term.buffer.active.type).toBe('normal');
      expect(s.term.modes.mouseTrackingMode).toBe('none');
    }, 30_000);
  }

  it('opens a recorded run, keyboard and all', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const record = join(mkdtempSync(join(tmpdir(), 'occmesh-')), 'echo.omrec');
    execFileSync(process.execPath, [cli, 'run', '--record', record, 'test/programs/basics/keyboard_echo.occ'], {
      cwd: repoRoot,
      input: 'recorded keys\n',
    });
    const s = spawn(['debug', record], { TERM: 'xterm-256color' });
    await s.waitFor('PAUSED');
    s.type(' ');
    await s.waitFor('FINISHED');
    expect(s.screen()).toContain('RECORDED KEYS');
    s.type('q');
    s.type('q');
    expect(await s.exit).toBe(0);
  }, 30_000);

  it('opens a compiled image, with --profile', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const image = join(mkdtempSync(join(tmpdir(), 'occmesh-')), 'ring.omx');
    execFileSync(process.execPath, [cli, 'compile', 'programs/mesh/token_ring.occ', '-o', image], { cwd: repoRoot });
    const s = spawn(['debug', '--profile', 'epiphany', image], { TERM: 'xterm-256color' });
    await s.waitFor('PAUSED');
    expect(s.screen()).toContain('token_ring.occ');
    s.type(' ');
    await s.waitFor('FINISHED');
    // 1 GHz: the run takes about two microseconds of emulated time, not a hundred.
    const m = /the program finished after \d+ cycles \(([\d.]+) us\)/.exec(s.screen());
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(10);
    s.type('q');
    s.type('q');
    expect(await s.exit).toBe(0);
  }, 30_000);

  it('refuses to start without a terminal', async () => {
    const { execFileSync } = await import('node:child_process');
    let code = 0;
    let err = '';
    try {
      execFileSync(process.execPath, [cli, 'debug', 'programs/hello.occ'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      code = (e as { status: number }).status;
      err = String((e as { stderr: Buffer }).stderr);
    }
    expect(code).toBe(64);
    expect(err).toContain('debug needs a terminal');
  });
});
