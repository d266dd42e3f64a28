// The interpreter's own handling of channel communication, startp and endp (Core.execute, with the context switch
// to the next process of the same priority inside its loop) must do exactly what the general path (Core.operate and
// the scheduler) does. A subscriber to the process events sends every such instruction down the general path, so a
// program run with and without one must give the same output, result and final state. Also: the wait records
// (Core.waits) that the reports read survive a snapshot, and a steady message loop allocates nothing.

import { describe, expect, it } from 'vitest';
import { relative } from 'node:path';
import { compileSource } from '../../compiler/compile.js';
import { Machine, LoadError, type RunResult } from '../../emulator/machine.js';
import { machineDigest, restoreSnapshot, takeSnapshot } from '../../emulator/snapshot.js';
import { allProgramFiles, loadProgram, machineFor, Output, root } from './snapshot-harness.js';

/** Runs are compared up to here (a longer program ends as a cycle limit, in the same state both ways). */
const CAP = 250_000;
/** Bigger meshes are covered by the mesh tests; here they would only cost time. */
const MAX_CORES = 16;

function outcome(r: RunResult): unknown {
  return { ...r, faults: r.faults ?? null };
}

describe('communication in the interpreter loop and on the general path agree', () => {
  const files = allProgramFiles();
  it('finds the programs', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
  });
  for (const path of files) {
    it(relative(root, path), () => {
      const p = loadProgram(path);
      if (!p || p.image.cores.length > MAX_CORES) return;
      const runs: { result: unknown; screen: number[]; error: number[]; digest: string; events: number }[] = [];
      for (const watched of [false, true]) {
        const out = new Output();
        let machine: Machine;
        try {
          machine = machineFor(p, out).machine;
        } catch (e) {
          if (e instanceof LoadError) return;
          throw e;
        }
        let events = 0;
        if (watched) machine.subscribe(() => events++, { processes: true });
        const to = out.fresh();
        const result = outcome(machine.run(CAP));
        runs.push({ result, screen: to.screen, error: to.error, digest: machineDigest(machine), events });
      }
      const [plain, general] = runs as [(typeof runs)[0], (typeof runs)[0]];
      expect(plain.result).toEqual(general.result);
      expect(plain.screen).toEqual(general.screen);
      expect(plain.error).toEqual(general.error);
      expect(plain.digest).toBe(general.digest);
    });
  }
});

const PIPE = `VAL INT n IS 200:
PROC cell (CHAN INT in?, out!)
  WHILE TRUE
    INT x:
    SEQ
      in ? x
      out ! x
:
PROC main (CHAN BYTE kyb?, scr!, err!)
  [4]CHAN INT c:
  CHAN INT back:
  PAR
    SEQ i = 0 FOR n
      c[0] ! i
    PAR i = 0 FOR 3
      cell (c[i]?, c[i + 1]!)
    INT x:
    SEQ i = 0 FOR n
      c[3] ? x
    back ! 1
:
`;

describe('wait records', () => {
  const image = compileSource('pipe.occ', PIPE).image!;

  it('say what every blocked process waits on, in workspace order, and clear when it runs again', () => {
    const m = new Machine(image, { onScreen: () => {} });
    const r = m.run();
    expect(r.status).toBe('deadlock');
    const core = m.cores[0]!;
    const blocked = core.blockedProcesses();
    // The three cells wait for input, the last branch for output on `back`, the PAR for its branches.
    expect(blocked.map((b) => b.kind).sort()).toEqual(['endp', 'input', 'input', 'input', 'output']);
    expect(blocked.map((b) => b.wptr >>> 0)).toEqual(blocked.map((b) => b.wptr >>> 0).sort((x, y) => x - y));
    for (const b of blocked) {
      expect(core.waitRecord(b.wptr) & 7).not.toBe(0);
      if (b.kind === 'input' || b.kind === 'output') expect(core.readWord(b.channel!)).toBe(b.wptr | b.priority);
    }
    expect(r.blocked.length).toBe(5);
    // Every record is one of those processes': nothing is left behind by a process that ran on.
    let records = 0;
    for (let k = 0; k < core.waits.length; k++) if (core.waits[k] !== 0) records++;
    expect(records).toBe(5);
    expect(core.processes().filter((q) => q.state !== 'ready' && q.state !== 'running').length).toBe(5);
  });

  it('survive a snapshot and a restore, and the copy runs on as the original', () => {
    const m = new Machine(image, { onScreen: () => {} });
    expect(m.run(3_000).status).toBe('cycle-limit');
    const before = m.cores[0]!.blockedProcesses();
    expect(before.length).toBeGreaterThan(0);
    const s = takeSnapshot(m);
    const copy = restoreSnapshot(s);
    expect(copy.cores[0]!.blockedProcesses()).toEqual(before);
    expect(copy.cores[0]!.processes()).toEqual(m.cores[0]!.processes());
    expect(Array.from(copy.cores[0]!.waits)).toEqual(Array.from(m.cores[0]!.waits));
    // The copy's table is its own.
    copy.cores[0]!.waits[1] = 7;
    expect(m.cores[0]!.waits[1]).toBe(0);
    copy.cores[0]!.waits[1] = 0;
    const a = m.run();
    const b = copy.run();
    expect(outcome(b)).toEqual(outcome(a));
    expect(machineDigest(copy)).toBe(machineDigest(m));
  });

  it('are kept in the mesh arenas, one table per core, apart from memory', () => {
    const mesh = compileSource(
      'two.occ',
      `PROC main (CHAN BYTE kyb?, scr!, err!)
  CHAN INT c:
  PLACED PAR
    PROCESSOR 0, 0
      c ! 1
    PROCESSOR 1, 0
      SKIP
:
`,
    ).image!;
    const m = new Machine(mesh, { memoryBytes: 4096, onScreen: () => {} });
    const [a, b] = m.cores as [(typeof m.cores)[0], (typeof m.cores)[0]];
    expect(a.waits.buffer).toBe(a.mem8.buffer);
    expect(b.waits.buffer).toBe(a.mem8.buffer);
    expect(a.waits.length).toBe(4096 / 4 + 1);
    expect(a.waits.byteOffset).toBeGreaterThanOrEqual(2 * 4096);
    expect(b.waits.byteOffset).toBe(a.waits.byteOffset + 4096 + 4);
    const r = m.run();
    expect(r.status).toBe('deadlock');
    expect(r.blocked.map((x) => x.waiting.kind)).toEqual(['output']);
    expect(a.blockedProcesses().length).toBe(1);
    expect(b.blockedProcesses().length).toBe(0);
  });
});
