// Small promises of the command line: readable help, sizes with any suffix, and a cycle limit that says where the
// program was.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('run options', () => {
  it('shows the --profile default as a name in the help', async () => {
    const r = await runCli(['run', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('machine profile: t800 or epiphany (default: t800)');
    expect(r.stdout).not.toContain('"clockHz"');
  });

  it('takes --mem with a K, M or G suffix', async () => {
    for (const mem of ['64K', '1M', '1024M', '1G', '1g']) {
      const r = await runCli(['run', '--mem', mem, 'programs/hello.occ']);
      expect({ mem, exitCode: r.exitCode, stdout: r.stdout }).toEqual({ mem, exitCode: 0, stdout: 'Hello, world!\n' });
    }
    const big = await runCli(['run', '--mem', '2G', 'programs/hello.occ']);
    expect(big.exitCode).toBe(64);
    expect(big.stderr).toContain('memory must be a multiple of 4 between 1K and 1G');
  });

  it('says where the program was when it stops at the cycle limit', async () => {
    const r = await runCli(['run', '--max-cycles', '100000', 'test/cli/programs/yes.occ']);
    expect(r.exitCode).toBe(4);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('occmesh: stopped at the cycle limit (100000 cycles); raise it with --max-cycles');
    expect(lines[1]).toMatch(/^ {2}test\/cli\/programs\/yes\.occ:[56]:7: core \(0, 0\) was running here$/);
  });

  it('names a few of many running cores and counts the rest', async () => {
    const r = await runCli(['run', '--max-cycles', '1000', 'test/programs/mesh/mesh_64x64.occ']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr.match(/was running here/g)).toHaveLength(4);
    expect(r.stderr).toMatch(/\n {2}and \d+ more cores were running\n$/);
  });
});
