// The figures of a run that ends in a run-time error count everything executed up to the error.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('statistics after a run-time error', () => {
  it('count the instructions executed before it', async () => {
    const done = JSON.parse((await runCli(['run', '--json', 'programs/hello.occ'])).stdout);
    expect(done.cores[0].instructions).toBeGreaterThan(0);
    const r = await runCli(['run', '--json', 'test/cli/programs/count-then-fail.occ']);
    expect(r.exitCode).toBe(2);
    const j = JSON.parse(r.stdout);
    expect(j.error).toContain('division by zero');
    // A thousand rounds of a loop of several instructions each.
    expect(j.cores[0].instructions).toBeGreaterThan(5000);
    const s = await runCli(['run', '--stats', 'test/cli/programs/count-then-fail.occ']);
    const line = /instructions: (\d+)/.exec(s.stderr.replace(/,/g, ''));
    expect(Number(line?.[1])).toBe(j.cores[0].instructions);
  });
});
