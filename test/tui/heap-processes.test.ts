// The debugger with processes whose workspaces are in the heap (a replicated PAR of a run-time count, recursive
// calls): the session shows each in source terms, and stepping back restores the heap exactly.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineDigest } from '../../emulator/snapshot.js';
import { Session } from '../../tui/session.js';
import { loadProgram, repoRoot } from '../helpers/program-files.js';

function session(file: string): Session {
  const p = loadProgram(join(repoRoot, file));
  if (!p) throw new Error(`${file} does not compile`);
  return new Session(p.image, { profile: p.profile, snapshotEvery: 200 });
}

function finish(s: Session): void {
  for (let i = 0; i < 10_000 && !s.work(1_000); i++);
  expect(s.busy).toBe(false);
}

describe('processes in the heap', () => {
  it('shows the replicas of a run-time PAR with their line and channel', () => {
    const s = session('test/programs/pi/par_runtime_deadlock.occ');
    s.run();
    finish(s);
    expect(s.status).toBe('deadlock');
    const core = s.machine.cores[0]!;
    const replicas = s.processes(0).filter((p) => p.state === 'input');
    expect(replicas.map((p) => [p.at?.line, p.channel])).toEqual([
      [10, 'c[i]'],
      [10, 'c[i]'],
      [10, 'c[i]'],
    ]);
    // Their workspaces are in the heap's used part.
    for (const p of replicas) {
      expect((p.wptr ^ 0x80000000) >>> 0).toBeGreaterThan((core.heapBase ^ 0x80000000) >>> 0);
      expect((p.wptr ^ 0x80000000) >>> 0).toBeLessThan((core.heapTop ^ 0x80000000) >>> 0);
    }
  });

  it('steps back through recursive calls to exactly the earlier heap', () => {
    const s = session('test/programs/pi/recursive.occ');
    // Into the recursion of hanoi: until some blocks are in use.
    for (let i = 0; i < 2000 && s.machine.cores[0]!.heapUsed < 200; i++) {
      s.stepInstruction(0);
      finish(s);
    }
    expect(s.machine.cores[0]!.heapUsed).toBeGreaterThanOrEqual(200);
    expect(s.status).toBe('paused');
    const digest = machineDigest(s.machine);
    const used = s.machine.cores[0]!.heapUsed;
    s.stepInstruction(0);
    finish(s);
    expect(s.backInstruction(0)).toBe(true);
    finish(s);
    expect(machineDigest(s.machine)).toBe(digest);
    expect(s.machine.cores[0]!.heapUsed).toBe(used);
  });
});
