// A steady message loop allocates nothing: channel communication, context switches, the run queues and the wait
// records (Core.waits) are stores into typed arrays. The loop runs in a child process with a 1 MB young generation
// and V8's GC trace on (bench/steady-child.ts), so a few bytes per message would show as several collections; the
// count of collections is what is asserted, never a time. Needs the build in dist/ (npm test makes it first).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = join(import.meta.dirname, '..', '..', 'dist', 'bench', 'steady-child.js');

/** The GC lines V8 printed between the child's `steady` and `end` markers. */
function collections(name: string, count: number, warmCycles: number): string[] {
  const r = spawnSync(
    process.execPath,
    [
      '--trace-gc',
      '--max-semi-space-size=1',
      '--no-concurrent-recompilation',
      CHILD,
      name,
      String(count),
      String(warmCycles),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  const from = lines.indexOf('steady');
  const to = lines.indexOf('end');
  expect(from).toBeGreaterThanOrEqual(0);
  expect(to).toBeGreaterThan(from);
  return lines.slice(from + 1, to).filter((l) => /Scavenge|Mark-Compact|Mark-sweep/i.test(l));
}

// At most one: V8 may allocate while it optimises the interpreter again part way through. A Map entry per wait
// (the old wait records) made dozens here, one per megabyte allocated.
describe('a steady message loop', () => {
  it('collects no garbage in commstime (160,000 messages)', () => {
    expect(collections('commstime', 50_000, 3_000_000).length).toBeLessThanOrEqual(1);
  });

  it('collects no garbage in the 500-process chain (about 300,000 messages)', () => {
    expect(collections('chain', 1_000, 10_000_000).length).toBeLessThanOrEqual(1);
  });
});
