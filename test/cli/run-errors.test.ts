// Run-time error reports: the failing line, the chain of calls down to it, in order, and the precise error.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('run-time errors inside PROCs', () => {
  it('show the chain of calls, innermost first, and say it was a division by zero', async () => {
    const file = 'test/programs/errors/call_chain.occ';
    const r = await runCli(['run', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(
      [
        `${file}:4:8: run-time error: division by zero in \`a / b\``,
        '      r := a / b',
        '           ^~~~~',
        '  in PROC div',
        `  called from ${file}:9:5, in PROC twice`,
        `  called from ${file}:16:5, in PROC main`,
        '  on core (0, 0)',
        '',
      ].join('\n'),
    );
    const j = JSON.parse((await runCli(['run', '--json', file])).stdout);
    expect(j.error).toBe(r.stderr.trimEnd());
  });

  it('say nothing of calls for an error in the main PROC itself', async () => {
    const r = await runCli(['run', 'test/programs/errors/division_by_zero.occ']);
    expect(r.stderr).not.toContain('called from');
    expect(r.stderr).not.toContain('in PROC');
  });
});
