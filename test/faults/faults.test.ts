// Fault injection (emulator/faults.ts, docs/machine.md "Faults") through the command line: each kind of fault,
// determinism from the seed, the reports, bad specifications. The fixture stream.occ sends 0..99 from core (1, 0)
// to core (0, 0), which prints what it receives and stops 2 ms after the last message.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { loadProgram, repoRoot } from '../helpers/program-files.js';
import { Session } from '../../tui/session.js';
import { parseFaults } from '../../cli/faults.js';
import { Random } from '../../emulator/faults.js';

const stream = join(repoRoot, 'test/faults/stream.occ');

interface Fault {
  kind: string;
  cycle: number;
  link?: { from: number[]; to: number[] };
  core?: number[];
  channel?: string;
  byte?: number;
  bit?: number;
}

async function run(...args: string[]): Promise<{
  exitCode: number;
  cycles: number;
  lines: number[];
  faults: Fault[] | undefined;
  seed?: number;
  cores: { state: string }[];
}> {
  const r = await runCli(['run', stream, '--json', ...args]);
  const j = JSON.parse(r.stdout);
  const lines = (j.stdout as string)
    .split('\n')
    .filter((s) => s !== '')
    .map(Number);
  return { exitCode: r.exitCode, cycles: j.cycles, lines, faults: j.faults, seed: j.seed, cores: j.cores };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('faults', () => {
  it('without faults nothing is lost and the result has no fault report', async () => {
    const r = await run();
    expect(r.lines).toEqual(range(100));
    expect(r.faults).toBeUndefined();
  });

  it('loss=P loses messages at random: every message is either printed, in order, or reported lost', async () => {
    const r = await run('--faults', 'loss=0.2');
    expect(r.exitCode).toBe(0);
    const lost = r.faults!.filter((f) => f.kind === 'loss');
    expect(lost.length).toBe(r.faults!.length);
    expect(lost.length).toBeGreaterThan(5);
    expect(lost.length).toBeLessThan(40);
    expect(r.lines.length + lost.length).toBe(100);
    // What arrives is in order and has no duplicates.
    expect(r.lines).toEqual([...r.lines].sort((a, b) => a - b));
    expect(new Set(r.lines).size).toBe(r.lines.length);
    for (const f of lost) {
      expect(f.channel).toBe('c');
      expect(f.link).toEqual({ from: [1, 0], to: [0, 0] });
      expect(f.cycle).toBeGreaterThan(0);
    }
    expect(r.seed).toBe(1);
  });

  it('the same seed gives the same run, bit for bit', async () => {
    const a = await run('--faults', 'loss=0.3;corrupt=0.1', '--seed', '7');
    const b = await run('--faults', 'loss=0.3;corrupt=0.1', '--seed', '7');
    expect(b).toEqual(a);
  });

  it('different seeds lose different messages', async () => {
    const a = await run('--faults', 'loss=0.3', '--seed', '1');
    const b = await run('--faults', 'loss=0.3', '--seed', '2');
    expect(b.lines).not.toEqual(a.lines);
    expect(b.faults!.map((f) => f.cycle)).not.toEqual(a.faults!.map((f) => f.cycle));
  });

  it('the default seed is 1', async () => {
    expect(await run('--faults', 'loss=0.3')).toEqual(await run('--faults', 'loss=0.3', '--seed', '1'));
  });

  it('loss=P@link loses only messages routed over that link direction', async () => {
    const other = await run('--faults', 'loss=1@0,0-1,0');
    expect(other.lines).toEqual(range(100));
    expect(other.faults).toEqual([]);
    const all = await run('--faults', 'loss=1@1,0-0,0');
    expect(all.lines).toEqual([]);
    expect(all.faults!.length).toBe(100);
    expect(all.faults!.every((f) => f.kind === 'loss' && f.channel === 'c')).toBe(true);
  });

  it('corrupt=P flips one bit of one byte of a message, as reported', async () => {
    const r = await run('--faults', 'corrupt=0.1', '--seed', '3');
    expect(r.lines.length).toBe(100);
    const flips = r.faults!;
    expect(flips.length).toBeGreaterThan(2);
    const wrong = r.lines.map((v, i) => [i, v] as const).filter(([i, v]) => v !== i);
    expect(wrong.length).toBe(flips.length);
    for (const [k, [i, v]] of wrong.entries()) {
      const f = flips[k]!;
      expect(f.kind).toBe('corrupt');
      expect(f.channel).toBe('c');
      expect((v ^ i) >>> 0).toBe((2 ** (8 * f.byte! + f.bit!)) >>> 0);
    }
  });

  it('down=link@CYCLE loses everything routed over it from that cycle on', async () => {
    const r = await run('--faults', 'down=1,0-0,0@3000');
    const failed = r.faults!.filter((f) => !f.channel);
    expect(failed).toEqual([{ kind: 'down', cycle: 3000, link: { from: [1, 0], to: [0, 0] } }]);
    const lost = r.faults!.filter((f) => f.channel);
    expect(lost.every((f) => f.kind === 'down' && f.cycle >= 3000)).toBe(true);
    expect(r.lines).toEqual(range(r.lines.length));
    expect(r.lines.length).toBeGreaterThan(0);
    expect(r.lines.length + lost.length).toBe(100);
  });

  it('crash=core@CYCLE halts that core; the rest of the run goes on and finishes', async () => {
    const r = await run('--faults', 'crash=1,0@3000');
    expect(r.exitCode).toBe(0);
    expect(r.cores[1]!.state).toBe('crashed');
    expect(r.faults![0]).toEqual({ kind: 'crash', cycle: 3000, core: [1, 0] });
    expect(r.lines).toEqual(range(r.lines.length));
    expect(r.lines.length).toBeGreaterThan(0);
    expect(r.lines.length).toBeLessThan(100);
    const early = await run('--faults', 'crash=1,0@0');
    expect(early.lines).toEqual([]);
  });

  it('output to a crashed core completes and is lost', async () => {
    const r = await runCli([
      'run',
      join(repoRoot, 'test/faults/to_crashed.occ'),
      '--faults',
      'crash=1,0@100',
      '--stats',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('sent\n');
    expect(r.stderr).toMatch(/cycle \d+: crash core \(1, 0\): message on c lost/);
    expect(r.stderr).toMatch(/cycle 100: crash core \(1, 0\): core crashed/);
  });

  it('a channel between two processes on one core cannot fail', async () => {
    const r = await runCli([
      'run',
      join(repoRoot, 'programs/tutorial/2-rendezvous.occ'),
      '--faults',
      'loss=1;corrupt=1',
    ]);
    expect(r.stdout).toBe('ping\n');
  });

  it('--stats lists every fault with its kind, cycle, link and channel', async () => {
    const r = await runCli(['run', stream, '--faults', 'loss=0.2', '--stats']);
    const m = /faults \(seed 1\): (\d+) injected \((\d+) loss\)/.exec(r.stderr);
    expect(m).not.toBeNull();
    const listed = r.stderr
      .split('\n')
      .filter((l) => /^ {2}cycle \d+: loss \(1, 0\) -> \(0, 0\): message on c lost$/.test(l));
    expect(listed.length).toBe(Number(m![1]));
    expect(r.stdout.split('\n').length - 1 + listed.length).toBe(100);
  });

  it('a bad specification is a usage error that says what was expected', async () => {
    for (const spec of ['loss=2', 'lose=0.1', 'down=0,0-2,0@5', 'crash=1,0', 'corrupt=0.1@x', '']) {
      const r = await runCli(['run', stream, '--faults', spec]);
      expect(r.exitCode, spec).toBe(64);
      expect(r.stderr, spec).toMatch(/expected/);
    }
    const outside = await runCli(['run', stream, '--faults', 'crash=3,3@5']);
    expect(outside.exitCode).toBe(64);
    expect(outside.stderr).toContain('runs nothing on core (3, 3)');
    const seed = await runCli(['run', stream, '--seed', '-1']);
    expect(seed.exitCode).toBe(64);
    expect(seed.stderr).toContain('expected a whole number');
  });

  it('debug and explore read --faults as run does', async () => {
    for (const cmd of ['debug', 'explore']) {
      const bad = await runCli([cmd, stream, '--faults', 'loss=1.5']);
      expect(bad.exitCode, cmd).toBe(64);
      expect(bad.stderr, cmd).toContain('P must be a probability from 0 to 1');
      const outside = await runCli([cmd, stream, '--faults', 'down=5,5-5,6@1']);
      expect(outside.exitCode, cmd).toBe(64);
      expect(outside.stderr, cmd).toContain('outside the 2x1 mesh');
    }
  });

  it('parses every kind of rule', () => {
    expect(parseFaults('loss=0.2; corrupt=.5@0,0-0,1;down=1,1-1,0@10;crash=2,0@99')).toEqual([
      { kind: 'loss', p: 0.2 },
      { kind: 'corrupt', p: 0.5, link: { from: { x: 0, y: 0 }, to: { x: 0, y: 1 } } },
      { kind: 'down', link: { from: { x: 1, y: 1 }, to: { x: 1, y: 0 } }, cycle: 10 },
      { kind: 'crash', core: { x: 2, y: 0 }, cycle: 99 },
    ]);
  });

  it('the generator is seeded: same seed same sequence, spread over [0, 1)', () => {
    const a = new Random(5);
    const b = new Random(5);
    const c = new Random(6);
    const xs = range(1000).map(() => a.float());
    expect(range(1000).map(() => b.float())).toEqual(xs);
    expect(range(1000).map(() => c.float())).not.toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('the debugger session injects the same faults as run', async () => {
    const p = loadProgram(stream)!;
    const s = new Session(p.image, { profile: p.profile, faults: parseFaults('loss=0.2'), seed: 4 });
    s.run();
    for (let i = 0; i < 10_000 && !s.work(1_000); i++);
    const shown = s.console.map((c) => c.text).join('');
    const r = await runCli(['run', stream, '--faults', 'loss=0.2', '--seed', '4']);
    expect(shown).toBe(r.stdout);
    expect(s.machine.faults!.injected.length).toBeGreaterThan(0);
  });
});

describe('the debugger marks faults on the mesh', () => {
  it('draws a failed link direction as # and a crashed core as C', async () => {
    const { renderMesh, FAILED_MARK } = await import('../../tui/views/mesh.js');
    const { Traffic } = await import('../../tui/traffic.js');
    const cells = [
      { x: 0, y: 0, letter: 'A', color: 'magenta' as const, deadlocked: false, activity: 0 },
      { x: 1, y: 0, letter: 'C', color: 'red' as const, deadlocked: false, activity: 0 },
    ];
    const lines = renderMesh(
      {
        width: 2,
        height: 1,
        cell: (x, y) => cells.find((c) => c.x === x && c.y === y) ?? null,
        stalled: new Set(),
        failed: new Set(['1,0,3']),
        traffic: new Traffic(2),
        cycle: 0,
        selected: { x: 0, y: 0 },
      },
      40,
      5,
    );
    const text = lines[0]!.map((s) => s.text).join('');
    // The eastward link from (0, 0) is idle, the westward one from (1, 0) has failed.
    expect(text).toMatch(new RegExp(`0,0 +A·\\${FAILED_MARK}1,0 +C`));
  });

  it('a crashed core reads as crashed in the session the debugger drives', () => {
    const p = loadProgram(stream)!;
    const s = new Session(p.image, { profile: p.profile, faults: parseFaults('crash=1,0@3000;down=1,0-0,0@2000') });
    s.run();
    for (let i = 0; i < 10_000 && !s.work(1_000); i++);
    expect(s.machine.cores[1]!.isCrashed).toBe(true);
    expect(s.machine.faults!.downLinks(s.machine.cycle)).toEqual([
      { from: { x: 1, y: 0 }, to: { x: 0, y: 0 }, cycle: 2000 },
    ]);
  });
});
