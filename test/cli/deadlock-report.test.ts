// Deadlock reports that tell processes apart: the PROC instance and its call site, the channel as the program
// declared it, the channels an ALT waits on, and a waiting PAR at the PAR itself.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

async function report(file: string): Promise<string[]> {
  const r = await runCli(['run', `test/cli/programs/${file}`]);
  expect(r.exitCode).toBe(3);
  // Drop the quoted source lines and carets, keep what is said.
  return r.stderr
    .trimEnd()
    .split('\n')
    .filter((l) => !/^ {6}/.test(l));
}

describe('deadlock reports', () => {
  it('name each PROC instance by its call site and the channel it was given', async () => {
    const f = 'test/cli/programs/ring-deadlock.occ';
    expect((await report('ring-deadlock.occ')).slice(1)).toEqual([
      `  ${f}:5:5: process on core (0, 0) waiting to output on channel \`right\` (\`c[0]\`)`,
      '    in PROC node',
      `    called from ${f}:13:5, in PROC main`,
      `  ${f}:5:5: process on core (0, 0) waiting to output on channel \`right\` (\`c[2]\`)`,
      '    in PROC node',
      `    called from ${f}:12:5, in PROC main`,
      `  ${f}:5:5: process on core (0, 0) waiting to output on channel \`right\` (\`c[1]\`)`,
      '    in PROC node',
      `    called from ${f}:11:5, in PROC main`,
      // On one core too, the cycle of waits: each instance outputs to the one that was passed its channel.
      '  cycle of waits:',
      `    the process at ${f}:5 (called from ${f}:13) outputs on \`c[0]\` (\`right\`), which waits for`,
      `    the process at ${f}:5 (called from ${f}:11) outputs on \`c[1]\` (\`right\`), which waits for`,
      `    the process at ${f}:5 (called from ${f}:12) outputs on \`c[2]\` (\`right\`), which waits for`,
      `    the process at ${f}:5 (called from ${f}:13) waiting on \`c[0]\` (\`right\`)`,
    ]);
  });

  it('give the cycle of waits on one core in --json too', async () => {
    const r = await runCli(['run', '--json', 'test/cli/programs/ring-deadlock.occ']);
    const json = JSON.parse(r.stdout) as { deadlock: { cycle: { channel: string; line: number }[] | null } };
    expect(json.deadlock.cycle?.map((c) => [c.channel, c.line])).toEqual([
      ['right', 5],
      ['right', 5],
      ['right', 5],
    ]);
  });

  it('tell replicas apart by the channels they wait on', async () => {
    const lines = await report('replicated-deadlock.occ');
    expect(
      lines
        .filter((l) => l.includes('waiting to output'))
        .map((l) => /\(`(c\[\d\])`\)$/.exec(l)?.[1])
        .sort(),
    ).toEqual(['c[1]', 'c[3]']);
  });

  it('list the channels an ALT waits on, and report a waiting PAR at the PAR', async () => {
    const f = 'test/cli/programs/alt-deadlock.occ';
    expect((await report('alt-deadlock.occ')).slice(1)).toEqual([
      `  ${f}:12:5: process on core (0, 0) waiting to output on channel \`c\``,
      `  ${f}:7:5: process on core (0, 0) waiting in an ALT on \`a\`, \`b\``,
      `  ${f}:5:3: process on core (0, 0) waiting at the end of this PAR for its other branches to finish`,
    ]);
  });
});
