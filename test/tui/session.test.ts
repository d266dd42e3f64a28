// The debugger's session without a terminal: run control, breakpoints, stepping backwards to exactly the state
// that was there, and the process views in source terms.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineDigest } from '../../emulator/snapshot.js';
import { Session } from '../../tui/session.js';
import { loadProgram, repoRoot } from '../helpers/program-files.js';

function session(file: string, snapshotEvery = 2_000): Session {
  const p = loadProgram(join(repoRoot, file));
  if (!p) throw new Error(`${file} does not compile`);
  return new Session(p.image, { profile: p.profile, snapshotEvery });
}

function finish(s: Session): void {
  for (let i = 0; i < 10_000 && !s.work(1_000); i++);
  expect(s.busy).toBe(false);
}

const lineOf = (s: Session, k = 0): number | null => s.processes(k)[0]?.at?.line ?? null;

describe('stepping forwards', () => {
  it('runs a program to its end and keeps its output', () => {
    const s = session('programs/mesh/token_ring.occ');
    s.run();
    finish(s);
    expect(s.status).toBe('finished');
    expect(s.console.map((c) => c.text).join('')).toBe('3\n6\n9\n');
  });

  it('steps one instruction on the selected core', () => {
    const s = session('programs/hello.occ');
    const before = s.machine.cores[0]!.instructions;
    s.stepInstruction(0);
    finish(s);
    expect(s.machine.cores[0]!.instructions).toBe(before + 1);
    expect(s.status).toBe('paused');
  });

  it('moves the process to its next source line with n', () => {
    const s = session('programs/tutorial/3-deadlock.occ');
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      const p = s.processes(0).find((q) => q.state === 'running') ?? s.processes(0)[0]!;
      s.nextLine(p);
      finish(s);
      const q = s.processes(0).find((x) => x.state === 'running');
      if (q?.at) seen.push(q.at.line);
    }
    expect(new Set(seen).size).toBeGreaterThan(1);
  });

  it('stops at a breakpoint on its line', () => {
    const s = session('programs/mesh/token_ring.occ');
    // `out ! t + 1` in node
    expect(s.toggleBreakpoint(0, 34)).toBe(true);
    s.run();
    finish(s);
    expect(s.stopReason).toMatch(/breakpoint at .*token_ring\.occ:34/);
    const running = s.machine.cores.map((_, k) => s.processes(k).find((p) => p.state === 'running')).find((p) => p);
    expect(running?.at?.line).toBe(34);
    // Continuing stops there again, on the next lap.
    const executed = () => s.machine.cores.reduce((n, c) => n + c.instructions, 0);
    const before = executed();
    s.run();
    finish(s);
    expect(s.stopReason).toMatch(/breakpoint at .*token_ring\.occ:34/);
    expect(executed()).toBeGreaterThan(before);
  });

  it('reports a deadlock with both blocked processes', () => {
    const s = session('programs/tutorial/3-deadlock.occ');
    s.run();
    finish(s);
    expect(s.status).toBe('deadlock');
    const lines = s
      .processes(0)
      .filter((p) => p.state === 'output')
      .map((p) => [p.at?.line, p.channel]);
    expect(lines).toEqual(
      expect.arrayContaining([
        [8, 'left'],
        [12, 'right'],
      ]),
    );
  });
});

describe('stepping backwards', () => {
  it('back one instruction and forward again lands on the identical state', () => {
    const s = session('programs/mesh/token_ring.occ', 500);
    const digests: string[] = [machineDigest(s.machine)];
    for (let i = 0; i < 40; i++) {
      s.stepInstruction(i % 4);
      finish(s);
      digests.push(machineDigest(s.machine));
    }
    const counts = s.machine.cores.map((c) => c.instructions);
    // Back on core 3 and forward on core 3: the same state as before.
    expect(s.backInstruction(3)).toBe(true);
    expect(s.machine.cores[3]!.instructions).toBe(counts[3]! - 1);
    s.stepInstruction(3);
    finish(s);
    expect(machineDigest(s.machine)).toBe(digests[40]);
  });

  it('back one batch then forward one batch returns to the same state, many times over', () => {
    const s = session('programs/mesh/heat_8x8.occ', 50_000);
    const states: string[] = [];
    for (let i = 0; i < 30; i++) {
      s.stepBatch();
      finish(s);
      states.push(machineDigest(s.machine));
    }
    for (let back = 1; back <= 5; back++) {
      expect(s.backBatch()).toBe(true);
      expect(machineDigest(s.machine)).toBe(states[states.length - 1 - back]);
    }
    for (let fwd = 4; fwd >= 0; fwd--) {
      s.stepBatch();
      finish(s);
      expect(machineDigest(s.machine)).toBe(states[states.length - 1 - fwd]);
    }
    expect(s.snapshotCount).toBeGreaterThan(1);
  });

  it('back one line returns to where the previous line began', () => {
    const s = session('programs/tutorial/3-deadlock.occ');
    const p = () => s.processes(0).find((q) => q.state === 'running') ?? s.processes(0)[0]!;
    s.nextLine(p());
    finish(s);
    s.nextLine(p());
    finish(s);
    const first = machineDigest(s.machine);
    const line1 = lineOf(s);
    s.nextLine(p());
    finish(s);
    expect(lineOf(s)).not.toBe(line1);
    expect(s.backLine(0)).toBe(true);
    expect(machineDigest(s.machine)).toBe(first);
  });

  it('steps back from the end of a run and keeps the console in step', () => {
    const s = session('programs/mesh/token_ring.occ', 300);
    s.run();
    finish(s);
    expect(s.status).toBe('finished');
    const out = s.console.map((c) => c.text).join('');
    for (let i = 0; i < 200; i++) s.backBatch();
    expect(s.status).toBe('paused');
    expect(s.console.map((c) => c.text).join('').length).toBeLessThan(out.length);
    s.run();
    finish(s);
    expect(s.console.map((c) => c.text).join('')).toBe(out);
  });
});

describe('the keyboard', () => {
  it('waits for keys typed in the console, and replays them exactly when stepping back', () => {
    const s = session('test/programs/basics/keyboard_echo.occ', 50);
    s.run();
    finish(s);
    expect(s.status).toBe('keyboard');
    expect(s.waitingForKey).toBe(true);
    s.type('hi');
    s.run();
    finish(s);
    expect(s.status).toBe('keyboard');
    s.type('\n');
    s.endInput();
    s.run();
    finish(s);
    expect(s.status).toBe('finished');
    const screen = () =>
      s.console
        .filter((c) => c.device === 'screen')
        .map((c) => c.text)
        .join('');
    expect(screen()).toBe('HI\nE\n');
    const end = s.ended!.cycles;
    // Back to the start and forwards again: the same output at the same cycle, keys and all.
    for (let i = 0; i < 100 && s.backBatch(); i++);
    expect(screen().length).toBeLessThan(6);
    s.run();
    finish(s);
    expect(s.status).toBe('finished');
    expect(screen()).toBe('HI\nE\n');
    expect(s.ended!.cycles).toBe(end);
  });
});

describe('communication breakpoints', () => {
  it('stops when a channel inside a core is about to carry a message, and on a value', () => {
    const s = session('programs/tutorial/2-rendezvous.occ');
    // `out ! 'n'`: sender's channel is called `out` where it outputs.
    s.addCommBreak({ kind: 'channel', name: 'out', value: 'n'.charCodeAt(0) });
    s.run();
    finish(s);
    expect(s.stopReason).toMatch(/`out` is about to communicate/);
    const p = s.processes(0).find((q) => q.state === 'running')!;
    expect(p.at?.line).toBe(6);
  });

  it('stops when a mesh channel delivers a given value', () => {
    const s = session('programs/mesh/token_ring.occ');
    s.addCommBreak({ kind: 'channel', name: 'a', value: 6 });
    s.run();
    finish(s);
    expect(s.stopReason).toBe('`a` carried a message of 6');
    // The token has been round twice: 3 and 6 printed so far.
    expect(s.console.map((c) => c.text).join('')).toBe('3\n6\n');
  });

  it('stops when a process blocks', () => {
    const s = session('programs/tutorial/3-deadlock.occ');
    s.addCommBreak({ kind: 'block' });
    s.run();
    finish(s);
    expect(s.stopReason).toMatch(/a process on core \(0, 0\) blocked/);
    expect(s.status).toBe('paused');
  });

  it('stops when an ALT chooses a given branch', () => {
    const s = session('programs/bank.occ');
    // The withdrawal guard, `(balance >= withdrawal) & withdraw ? who`.
    s.addCommBreak({ kind: 'alt', file: 0, line: 83 });
    s.run();
    finish(s);
    expect(s.stopReason).toMatch(/an ALT chose the branch at .*bank\.occ:83/);
    expect(s.processes(0).find((p) => p.state === 'running')?.at?.line).toBe(83);
  });

  it('stops when a link stalls for longer than asked', () => {
    const s = session('test/programs/mesh/shared_link.occ');
    s.addCommBreak({ kind: 'stall', cycles: 20 });
    s.run();
    finish(s);
    expect(s.stopReason).toMatch(/link \(\d+, \d+\) -> \(\d+, \d+\) stalled for \d+ cycles/);
  });

  it('runs to the next message on a mesh channel and back to the one before', () => {
    const s = session('programs/mesh/token_ring.occ');
    const a = s.image.channels!.findIndex((c) => c.name === 'a');
    s.nextMessage(a);
    finish(s);
    s.nextMessage(a);
    finish(s);
    const second = machineDigest(s.machine);
    s.nextMessage(a);
    finish(s);
    expect(s.stopReason).toMatch(/message on `a`/);
    expect(s.previousMessage(a)).toBe(true);
    expect(machineDigest(s.machine)).toBe(second);
  });
});

describe('why is it waiting?', () => {
  it('follows a deadlock across cores back to where it began', async () => {
    const { waitChain } = await import('../../tui/inspect.js');
    const s = session('test/programs/mesh/deadlock_ring.occ');
    s.run();
    finish(s);
    expect(s.status).toBe('deadlock');
    const start = s.processes(0).find((p) => p.state === 'input' || p.state === 'output')!;
    const chain = waitChain(s.machine, s.image, start);
    expect(chain.end).toBe('cycle');
    expect(chain.links.length).toBeGreaterThan(1);
    expect(chain.links[0]!.words).toMatch(/waits to (input from|output on) `/);
  });
});

describe('messages on a channel inside a core', () => {
  it('runs to each message on the channel and back to the one before', () => {
    const s = session('programs/tutorial/2-rendezvous.occ', 20);
    // Run until a process waits on the channel.
    s.addCommBreak({ kind: 'block' });
    let waiting: ReturnType<Session['processes']>[number] | undefined;
    for (let i = 0; i < 20 && !waiting; i++) {
      s.run();
      finish(s);
      waiting = s
        .processes(0)
        .find((p) => (p.state === 'input' || p.state === 'output') && p.channelAddress !== undefined);
    }
    s.commBreaks.length = 0;
    expect(waiting).toBeDefined();
    const addr = waiting!.channelAddress!;
    const stops: string[] = [];
    const shown: string[] = [];
    for (let i = 0; i < 3; i++) {
      s.nextLocalMessage(0, addr, 'link');
      finish(s);
      expect(s.stopReason).toBe('message on `link`');
      stops.push(machineDigest(s.machine));
      shown.push(s.console.map((c) => c.text).join(''));
    }
    // Each stop is one character further on.
    expect(shown[1]!.length).toBe(shown[0]!.length + 1);
    expect(s.previousLocalMessage(0, addr, 'link')).toBe(true);
    expect(machineDigest(s.machine)).toBe(stops[1]);
  });
});
