// The disassembler shows constants and the zero bytes that align them as what they are, never as instructions.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

async function disasm(file: string): Promise<string[]> {
  const r = await runCli(['disasm', file]);
  expect(r.exitCode).toBe(0);
  return r.stdout.trimEnd().split('\n');
}

describe('disasm', () => {
  it('shows the padding after the last constant as padding', async () => {
    const lines = await disasm('programs/hello.occ');
    expect(lines.slice(-2)).toEqual(['  002C  constant 14 bytes  "Hello, world!*n"', '  003A  (alignment padding)']);
  });

  it('says "1 byte" for a one-byte constant', async () => {
    const lines = await disasm('test/cli/programs/one-byte-constant.occ');
    expect(lines.slice(-2).map((l) => l.replace(/^ {2}[0-9A-F]{4} {2}/, ''))).toEqual([
      'constant 1 byte  "x"',
      '(alignment padding)',
    ]);
  });

  it('still shows a zero byte inside the code as the instruction it is', async () => {
    const lines = await disasm('test/cli/programs/alt-deadlock.occ');
    expect(lines.some((l) => /^ {2}[0-9A-F]{4} {2}00 +j 0 {2}-> /.test(l))).toBe(true);
  });
});
