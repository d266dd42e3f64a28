// `run` goes on until the program ends, as KRoC does; --max-cycles is the only limit, and the test runner sets one.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('the cycle limit', () => {
  it('is off by default: a program that runs past 2·10⁹ cycles finishes', async () => {
    const r = await runCli(['run', 'test/cli/programs/long-wait.occ', '--json']);
    const j = JSON.parse(r.stdout);
    expect({ exitCode: r.exitCode, stdout: j.stdout }).toEqual({ exitCode: 0, stdout: 'done\n' });
    expect(j.cycles).toBeGreaterThan(4_000_000_000);
  });

  it('stops the run at --max-cycles with exit 4', async () => {
    const r = await runCli(['run', 'test/cli/programs/long-wait.occ', '--max-cycles', '1000000']);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toBe('');
  });
});
