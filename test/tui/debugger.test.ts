// The debugger as a user sees it: blessed draws into a virtual terminal (@xterm/headless) and the tests read the
// screen as text after pressing keys.

import { afterEach, describe, expect, it } from 'vitest';
import { machineDigest } from '../../emulator/snapshot.js';
import type { Debugger } from '../../tui/app.js';
import { debugProgram, idle, KEYS, type VirtualTerminal } from '../helpers/virtual-terminal.js';

let open: Debugger | null = null;
afterEach(() => {
  open?.quit();
  open = null;
});

async function start(file: string, cols = 100, rows = 30, extra = {}): Promise<{ vt: VirtualTerminal; dbg: Debugger }> {
  const r = await debugProgram(file, cols, rows, extra);
  open = r.dbg;
  return r;
}

/** The source line the ▸ marker is on, read off the screen. */
function markedLine(vt: VirtualTerminal): number | null {
  for (const l of vt.lines()) {
    const m = /│.▸\s*(\d+) /.exec(l);
    if (m) return Number(m[1]);
  }
  return null;
}

const statusOf = (vt: VirtualTerminal): string => vt.line(vt.term.rows - 1);

describe('the debugger on screen', () => {
  it('shows the mesh, the selected core, the source, links and console, and a status line', async () => {
    const { vt } = await start('programs/mesh/token_ring.occ');
    const text = vt.text();
    expect(text).toContain('mesh 2x2');
    expect(text).toContain('core (0, 0)');
    expect(text).toContain('token_ring.occ');
    expect(text).toContain('links of (0, 0)');
    expect(text).toContain('console');
    expect(statusOf(vt)).toMatch(/PAUSED\s+cycle 0/);
    expect(vt.line(1)).toMatch(/0,0 R.*1,0 R/);
  });

  it('moves the highlighted line with n', async () => {
    const { vt, dbg } = await start('programs/tutorial/3-deadlock.occ');
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      vt.press('n');
      await idle(vt, dbg);
      const l = markedLine(vt);
      if (l !== null) seen.push(l);
    }
    expect(seen.length).toBeGreaterThan(2);
    expect(new Set(seen).size).toBeGreaterThan(1);
    expect(statusOf(vt)).toMatch(/next line: .*3-deadlock\.occ:\d+/);
  });

  it('stops at a breakpoint set with b on the line under the cursor', async () => {
    const { vt, dbg } = await start('programs/mesh/token_ring.occ');
    // Source pane: the cursor starts at the process's line (41); go to 47 (`a ! t`).
    vt.press(KEYS.tab, KEYS.tab);
    for (let i = 0; i < 6; i++) vt.press(KEYS.down);
    vt.press('b');
    await idle(vt, dbg);
    expect(statusOf(vt)).toContain('breakpoint at line 47');
    expect(vt.text()).toMatch(/●.\s*47 /);
    vt.press('c');
    await idle(vt, dbg);
    expect(statusOf(vt)).toMatch(/breakpoint at .*token_ring\.occ:47/);
    expect(markedLine(vt)).toBe(47);
  });

  it('steps back and forward again to the identical state', async () => {
    const { vt, dbg } = await start('programs/mesh/token_ring.occ');
    for (let i = 0; i < 5; i++) vt.press('s');
    await idle(vt, dbg);
    for (let i = 0; i < 8; i++) vt.press('i');
    await idle(vt, dbg);
    const here = machineDigest(dbg.session.machine);
    const screen = vt.text();
    vt.press('I');
    await idle(vt, dbg);
    expect(statusOf(vt)).toContain('back one instruction');
    expect(machineDigest(dbg.session.machine)).not.toBe(here);
    vt.press('i');
    await idle(vt, dbg);
    expect(machineDigest(dbg.session.machine)).toBe(here);
    // The same screen, but for the words of the last stop.
    expect(vt.lines().slice(0, -1).join('\n')).toBe(screen.split('\n').slice(0, -1).join('\n'));
  });

  it('lights the link between the two active cores of a token ring', async () => {
    const { vt, dbg } = await start('programs/mesh/token_ring.occ');
    vt.press('s', 's', 's');
    await idle(vt, dbg);
    // The token went east from (0, 0) to (1, 0).
    expect(vt.line(1)).toMatch(/0,0 .→.1,0/);
    expect(vt.text()).toMatch(/out E -> 1,0\s+4\s/);
  });

  it('runs a program with the faults of its -- args: the crashed core shows C, the status line counts the faults', async () => {
    const { vt, dbg } = await start('programs/lessons/12-let-it-crash.occ', 120, 40);
    vt.press(' ');
    await idle(vt, dbg);
    expect(statusOf(vt)).toContain('FINISHED');
    expect(statusOf(vt)).toContain('faults 2');
    expect(vt.text()).toMatch(/2,0 +C/);
  });

  it('stops on a deadlock and names both blocked lines and the cycle of waits', async () => {
    const { vt, dbg } = await start('test/programs/mesh/deadlock_two_cores.occ', 120, 40);
    vt.press(' ');
    await idle(vt, dbg);
    const text = vt.text();
    expect(statusOf(vt)).toContain('DEADLOCK');
    expect(text).toContain('deadlock: no process can proceed');
    expect(text).toContain('deadlock_two_cores.occ:8:9');
    expect(text).toContain('deadlock_two_cores.occ:13:9');
    expect(text).toContain('cycle of waits');
    // One keypress from its source: Enter on the second blocked process shows its line.
    vt.press(KEYS.down, KEYS.enter);
    await idle(vt, dbg);
    expect(markedLine(vt)).toBe(13);
  });

  it('shows a run-time error in the words run uses, at its line', async () => {
    const { vt, dbg } = await start('programs/tutorial/5-run-time-error.occ');
    vt.press(' ');
    await idle(vt, dbg);
    expect(statusOf(vt)).toContain('ERROR');
    expect(vt.text()).toMatch(/5-run-time-error\.occ:\d+:\d+: run-time error/);
  });

  it('lays out 80x24 with every pane inside its border', async () => {
    const { vt } = await start('programs/mesh/token_ring.occ', 80, 24);
    const lines = vt.lines();
    expect(lines[0]).toMatch(/^┌.*┐┌.*┐$/);
    expect(lines[0]!.length).toBe(80);
    // Every row but the status line starts and ends with a border, and has one at the middle column.
    for (let y = 0; y < 23; y++) {
      expect(lines[y]!.length, `row ${y}: ${lines[y]}`).toBe(80);
      expect('│┌└').toContain(lines[y]![0]);
      expect('│┐┘').toContain(lines[y]![79]);
      expect('│┐┘').toContain(lines[y]![39]);
      expect('│┌└').toContain(lines[y]![40]);
    }
    expect(lines[23]).toMatch(/^ PAUSED/);
  });

  it('redraws to the new size when the terminal is resized', async () => {
    const { vt, dbg } = await start('programs/mesh/token_ring.occ', 80, 24);
    vt.resize(120, 40);
    await idle(vt, dbg);
    expect(vt.line(0).length).toBe(120);
    expect(vt.line(39)).toMatch(/^ PAUSED/);
  });

  it('restores the terminal on q', async () => {
    const { vt, dbg } = await start('programs/hello.occ');
    expect(vt.term.buffer.active.type).toBe('alternate');
    vt.press('q');
    await dbg.done;
    await vt.settle();
    open = null;
    expect(vt.term.buffer.active.type).toBe('normal');
    expect(vt.term.modes.mouseTrackingMode).toBe('none');
  });

  it('restores the terminal on Ctrl-C', async () => {
    const { vt, dbg } = await start('programs/hello.occ');
    vt.press(KEYS.ctrlC);
    await dbg.done;
    await vt.settle();
    open = null;
    expect(vt.term.buffer.active.type).toBe('normal');
  });

  it('shows every key and the snapshot cost on ?', async () => {
    const { vt, dbg } = await start('programs/mesh/token_ring.occ', 120, 40);
    vt.press('?');
    await idle(vt, dbg);
    const text = vt.text();
    for (const k of ['space', 's / S', 'i / I', 'n / N', 'b ', 'w ', 'Tab', 'q ']) expect(text).toContain(k);
    expect(text).toMatch(/step back: \d+ snapshots?, [\d.]+ (B|KiB|MiB)/);
  });

  it('selects a core with a mouse click', async () => {
    const { vt, dbg } = await start('programs/mesh/token_ring.occ');
    // Core (1, 1) is the second cell of the third row of the mesh pane (x 8 + 1 for the border, 1-based).
    const col = 1 + 9 + 1;
    const row = 1 + 2 + 1;
    vt.press(`\x1b[<0;${col};${row}M`, `\x1b[<0;${col};${row}m`);
    await idle(vt, dbg);
    expect(vt.text()).toContain('core (1, 1)');
  });

  it('hands keys typed in the console to the program', async () => {
    const { vt, dbg } = await start('test/programs/basics/keyboard_echo.occ');
    vt.press(' ');
    await idle(vt, dbg);
    expect(statusOf(vt)).toContain('KEYBOARD');
    vt.press(KEYS.tab, KEYS.tab, KEYS.tab);
    await idle(vt, dbg);
    expect(vt.text()).toContain('console: typing goes to the program');
    vt.press('h', 'i', KEYS.enter, KEYS.ctrlD);
    await idle(vt, dbg);
    expect(statusOf(vt)).toContain('FINISHED');
    expect(vt.text()).toContain('HI');
  });

  it('opens an included file with f', async () => {
    const { vt, dbg } = await start('programs/hello_course.occ');
    vt.press('f');
    await idle(vt, dbg);
    expect(vt.text()).toMatch(/course\.module/);
  });

  it('sets a communication breakpoint from the command line', async () => {
    const { vt, dbg } = await start('programs/mesh/token_ring.occ');
    vt.press(':', ...'break chan a 6', KEYS.enter);
    await idle(vt, dbg);
    expect(statusOf(vt)).toContain('will stop when `a` carries a message of 6');
    vt.press('c');
    await idle(vt, dbg);
    expect(statusOf(vt)).toContain('`a` carried a message of 6');
    vt.press(':', ...'break nonsense', KEYS.enter);
    await idle(vt, dbg);
    expect(statusOf(vt)).toContain('expected break chan NAME');
  });

  it('restores the terminal on an internal error and hands the error on', async () => {
    const { vt, dbg } = await start('programs/mesh/token_ring.occ');
    (dbg.session as unknown as { processes: () => never }).processes = () => {
      throw new Error('a fault in the debugger');
    };
    vt.press('s');
    await expect(dbg.done).rejects.toThrow('a fault in the debugger');
    await vt.settle();
    open = null;
    expect(vt.term.buffer.active.type).toBe('normal');
  });

  it('shows both ends of a rendezvous when r stops before a communication', async () => {
    const { vt, dbg } = await start('programs/tutorial/2-rendezvous.occ', 160, 30);
    // Step the boot process into the PAR, then follow a process to its communications.
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      vt.press('r');
      await idle(vt, dbg);
      seen.push(statusOf(vt));
    }
    // The sender arrives first, then (a rendezvous later) finds the receiver already waiting.
    expect(seen[0]).toContain('about to output on `out`; no process is at the other end yet');
    expect(seen.some((s) => /about to output on `out`, with receiver at .*2-rendezvous\.occ:14/.test(s))).toBe(true);
  });
});
