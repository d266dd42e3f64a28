// The lessons (programs/lessons/, docs/lessons.md) beyond their expected output, which test/programs.test.ts
// checks: under faults, what the program reports must agree with the faults the machine says it injected, and
// nothing may be lost, duplicated or corrupted on delivery — for the seed the lesson names and for others.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { repoRoot } from './helpers/program-files.js';

const lesson = (name: string): string => join(repoRoot, 'programs/lessons', name);

async function runJson(
  file: string,
  ...args: string[]
): Promise<{ exitCode: number; stdout: string; faults: { kind: string; channel?: string }[] }> {
  const r = await runCli(['run', file, '--json', ...args]);
  return JSON.parse(r.stdout);
}

const squares = Array.from({ length: 20 }, (_, i) => `message ${i}: ${i * i}`);

describe('lesson 10: lost messages', () => {
  for (const seed of ['1', '2', '3', '4', '5']) {
    it(`delivers every message exactly once, in order, under loss=0.2 (seed ${seed})`, async () => {
      const r = await runJson(lesson('10-lost-messages.occ'), '--faults', 'loss=0.2', '--seed', seed);
      expect(r.exitCode).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.slice(0, 20)).toEqual(squares);
      const m = /^receiver: 20 delivered, (\d+) duplicates dropped$/.exec(lines[20]!);
      expect(m).not.toBeNull();
      const lost = r.faults.filter((f) => f.kind === 'loss');
      expect(lost.length).toBe(r.faults.length);
      expect(lost.length).toBeGreaterThan(0);
      // A lost acknowledgement makes the sender send a frame the receiver already has: a duplicate.
      expect(lost.filter((f) => f.channel === 'ack').length).toBe(Number(m![1]));
    });
  }
});

describe('lesson 11: corrupted messages', () => {
  for (const seed of ['1', '2', '3', '4', '5']) {
    it(`delivers every message exactly once and uncorrupted under corrupt=0.1 (seed ${seed})`, async () => {
      const r = await runJson(lesson('11-corrupted-messages.occ'), '--faults', 'corrupt=0.1', '--seed', seed);
      expect(r.exitCode).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.slice(0, 20)).toEqual(squares);
      const m = /^receiver: 20 delivered, (\d+) corrupted frames dropped, (\d+) duplicates dropped$/.exec(lines[20]!);
      expect(m).not.toBeNull();
      expect(r.faults.every((f) => f.kind === 'corrupt')).toBe(true);
      expect(r.faults.filter((f) => f.channel === 'data').length).toBe(Number(m![1]));
      // A corrupted acknowledgement counts as none: the frame is sent again, and dropped as a duplicate.
      expect(r.faults.filter((f) => f.channel === 'ack').length).toBe(Number(m![2]));
    });
  }
  it('corruption is injected in the tested run', async () => {
    const r = await runJson(lesson('11-corrupted-messages.occ'), '--faults', 'corrupt=0.1', '--seed', '1');
    expect(r.faults.length).toBeGreaterThan(0);
  });
});

describe('lesson 12: let it crash', () => {
  const results = Array.from({ length: 12 }, (_, j) => j * j + 1);
  for (const at of ['30000', '5000', '60000', '90000']) {
    it(`finishes with every job done exactly once when core (2, 0) crashes at cycle ${at}`, async () => {
      const r = await runJson(lesson('12-let-it-crash.occ'), '--faults', `crash=2,0@${at}`);
      expect(r.exitCode).toBe(0);
      expect(r.faults[0]).toEqual({ kind: 'crash', cycle: Number(at), core: [2, 0] });
      const jobs = r.stdout.split('\n').filter((l) => l.startsWith('job '));
      expect(jobs.map((l) => Number(/: +(\d+) by/.exec(l)![1]))).toEqual(results);
      expect(r.stdout).not.toContain('twice');
      const counts = [...r.stdout.matchAll(/: (\d+) jobs$/gm)].map((x) => Number(x[1]));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    });
  }
  it('when the standby dies too, its job goes back on the queue and is still done once', async () => {
    const r = await runJson(lesson('12-let-it-crash.occ'), '--faults', 'crash=2,0@30000;crash=0,1@40000');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('job 4 goes back on the queue');
    const jobs = r.stdout.split('\n').filter((l) => l.startsWith('job '));
    expect(jobs.map((l) => Number(/: +(\d+) by/.exec(l)![1]))).toEqual(results);
    expect(r.faults.filter((f) => f.kind === 'crash' && !f.channel).length).toBe(2);
  });

  it('without the crash the standby never works', async () => {
    const r = await runCli(['run', lesson('12-let-it-crash.occ')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('the worker on core (0, 1): 0 jobs');
    expect(r.stdout).not.toContain('dead');
  });
});

describe('lesson 5: ping-pong', () => {
  it('prints its progress and a round trip far shorter on the epiphany profile than on the t800', async () => {
    const rtt = async (profile: string): Promise<number> => {
      const r = await runCli(['run', lesson('05-ping-pong.occ'), '--profile', profile]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(' 5000 exchanges, the ball is at 5000\n');
      return Number(/round trip: (\d+) ns/.exec(r.stdout)![1]);
    };
    const t800 = await rtt('t800');
    const epiphany = await rtt('epiphany');
    // Two word messages over one link each way, with their acknowledgements: at least 2 * (4 bytes * 11 cycles)
    // of link time at 50 ns a cycle on the t800.
    expect(t800).toBeGreaterThan(2 * 4 * 11 * 50);
    expect(epiphany * 20).toBeLessThan(t800);
  });
});

describe('lesson 1: rendezvous and buffers', () => {
  it('a producer finishes earlier the more buffering there is, and never before the consumer has started', async () => {
    const r = await runCli(['run', lesson('01-rendezvous-and-buffers.occ')]);
    const times = [...r.stdout.matchAll(/producer finished at (\d+) us, consumer at (\d+) us/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(times.length).toBe(3);
    const [direct, one, ten] = times as [number[], number[], number[]];
    // Direct: the producer's tenth output waits for the consumer's tenth input, after nine items of work.
    expect(direct[0]).toBeGreaterThanOrEqual(900);
    // One buffer: one item of work earlier.
    expect(direct[0]! - one[0]!).toBeGreaterThanOrEqual(90);
    expect(direct[0]! - one[0]!).toBeLessThanOrEqual(110);
    // Ten buffers hold everything: the producer does not wait for the consumer's work at all.
    expect(ten[0]).toBeLessThan(one[0]! - 400);
    // The consumer works 100 us on each of ten items, however they reach it.
    for (const [, c] of times) expect(c).toBeGreaterThanOrEqual(1000);
  });
});

describe('lesson 7: a mailbox', () => {
  it('the PRI ALT starves the last sender and the fair ALT does not, whatever the seed; the plain ALT varies', async () => {
    const r = await runCli(['explore', lesson('07-mailbox.occ'), '--runs', '8', '--json']);
    const e = JSON.parse(r.stdout) as { outcomes: { stdout: string }[] };
    const lines = e.outcomes.map((o) => o.stdout.split('\n'));
    for (const l of lines) {
      expect(l[0]).toBe('PRI ALT : first 30 messages from senders 0, 1, 2: 20 10 0');
      expect(l[1]).toBe('fair ALT: first 30 messages from senders 0, 1, 2: 10 10 10');
      const counts = /: (\d+) (\d+) (\d+)$/.exec(l[2]!)!.slice(1).map(Number);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
    }
    expect(new Set(lines.map((l) => l[2])).size).toBeGreaterThan(2);
  });
});
