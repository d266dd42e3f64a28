// `occmesh run --record` and `occmesh replay`: a recorded run replays with the same output, errors, exit code
// and cycles, with --stats and --json as `run` gives them; a record that is damaged, foreign, from another version,
// or names options this occmesh does not know is refused with a plain message.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { loadRecord, parseRecord, serializeRecord, type RunRecord } from '../../traces/record.js';

function tempFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'occmesh-rec-')), name);
}

const CASES: { program: string; stdin?: string; args?: string[] }[] = [
  { program: 'programs/hello.occ' },
  { program: 'programs/commstime.occ' },
  { program: 'programs/philosophers.occ' },
  { program: 'test/programs/basics/keyboard_echo.occ', stdin: 'hello, occam\n' },
  { program: 'test/programs/comm/alt_keyboard.occ', stdin: 'z\n' },
  { program: 'test/programs/files/course_in_int.occ', stdin: '42\n-2147483648\nx1\n7\n99999999999\n0\n' },
  { program: 'programs/mesh/heat_8x8.occ' },
  { program: 'programs/mesh/token_ring.occ', args: ['--profile', 'epiphany', '--mem', '32K'] },
  { program: 'test/programs/errors/deadlock.occ' },
  { program: 'test/programs/errors/division_by_zero.occ' },
  { program: 'programs/commstime.occ', args: ['--max-cycles', '5000'] },
  // Faults and a seed: the same messages lost, the same ALT choices, on replay.
  { program: 'programs/lessons/10-lost-messages.occ', args: ['--faults', 'loss=0.2', '--seed', '3'] },
  { program: 'programs/lessons/12-let-it-crash.occ', args: ['--faults', 'crash=2,0@30000', '--seed', '2'] },
];

describe('occmesh replay', () => {
  for (const c of CASES) {
    it(`replays ${c.program}${c.args ? ' ' + c.args.join(' ') : ''} exactly`, async () => {
      const rec = tempFile('run.omrec');
      const args = c.args ?? [];
      const original = await runCli(['run', c.program, ...args, '--record', rec], c.stdin ?? '');
      // The replay reads the recorded keyboard, not its own standard input.
      const replayed = await runCli(['replay', rec], 'this input is never read\n');
      expect(replayed).toEqual(original);
      const json = await runCli(['run', c.program, ...args, '--json'], c.stdin ?? '');
      expect(await runCli(['replay', rec, '--json'])).toEqual(json);
      const stats = await runCli(['run', c.program, ...args, '--stats'], c.stdin ?? '');
      expect(await runCli(['replay', rec, '--stats'])).toEqual(stats);
      expect(stats.stderr).toMatch(/cycles: \d+/);
    }, 60_000);
  }

  it('keeps the keyboard bytes as the program read them, and whether it read past their end', async () => {
    const rec = tempFile('kb.omrec');
    await runCli(['run', 'test/programs/basics/keyboard_echo.occ', '--record', rec], 'hi\n');
    const r = loadRecord(readFileSync(rec));
    expect(Buffer.from(r.keyboard).toString('latin1')).toBe('hi\n');
    // `run` has no cycle limit by default, so the record names none.
    expect(r.options).toEqual({ profile: 't800' });
    expect(r.image.format).toBe('occmesh-image');
    // The keyboard source gives the bytes and then the end of input.
    expect([r.stdin(), r.stdin(), r.stdin(), r.stdin()]).toEqual([104, 105, 10, -1]);
    expect(parseRecord(readFileSync(rec)).keyboardEnded).toBe(true);
  });

  it('keeps the faults and the seed in the record', async () => {
    const rec = tempFile('faults.omrec');
    await runCli([
      'run',
      'programs/lessons/10-lost-messages.occ',
      '--faults',
      'loss=0.2',
      '--seed',
      '3',
      '--record',
      rec,
    ]);
    const r = loadRecord(readFileSync(rec));
    expect(r.options).toEqual({ profile: 't800', faults: [{ kind: 'loss', p: 0.2 }], seed: 3 });
    const json = JSON.parse((await runCli(['replay', rec, '--json'])).stdout);
    expect(json.seed).toBe(3);
    expect(json.faults.length).toBeGreaterThan(0);
  });

  it('records a replay again, and traces it', async () => {
    const rec = tempFile('a.omrec');
    const again = tempFile('b.omrec');
    const trace = tempFile('t.json');
    await runCli(['run', 'test/programs/basics/keyboard_echo.occ', '--record', rec], 'abc\n');
    const r = await runCli(['replay', rec, '--trace', trace]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(trace, 'utf8')).traceEvents.length).toBeGreaterThan(4);
    await runCli(['run', 'test/programs/basics/keyboard_echo.occ', '--record', again], 'abc\n');
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(rec, 'utf8'));
  });

  it('says plainly when the record cannot be written, before running', async () => {
    const r = await runCli(['run', 'programs/hello.occ', '--record', '/nonexistent-folder/r.omrec']);
    expect(r).toEqual({
      exitCode: 73,
      stdout: '',
      stderr: 'occmesh: cannot write /nonexistent-folder/r.omrec: the folder it would go in does not exist\n',
    });
  });

  describe('refuses records it cannot replay faithfully', () => {
    async function recorded(): Promise<{ path: string; text: string }> {
      const path = tempFile('run.omrec');
      await runCli(['run', 'programs/hello.occ', '--record', path]);
      return { path, text: readFileSync(path, 'utf8') };
    }

    async function refused(text: string | Buffer, path = tempFile('bad.omrec')): Promise<string> {
      writeFileSync(path, text);
      const r = await runCli(['replay', path]);
      expect(r.exitCode).toBe(64);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`${path}: error: `)).toBe(true);
      expect(r.stderr).not.toMatch(/at .*\.[jt]s:\d+/);
      return r.stderr.slice(`${path}: error: `.length).trimEnd();
    }

    it('a damaged record', async () => {
      const { text } = await recorded();
      const i = text.indexOf('Hello');
      expect(await refused(text.slice(0, i) + 'J' + text.slice(i + 1))).toBe(
        'the record is damaged: its contents do not match its checksum',
      );
      expect(await refused(text.slice(0, text.length >> 1))).toBe(
        'the record is damaged: its contents do not match its checksum',
      );
      expect(await refused(text.slice(0, 30))).toBe('the record is damaged: its header cannot be read');
    });

    it('a file that is not a record', async () => {
      expect(await refused(readFileSync('programs/hello.occ'))).toBe('not an occmesh run record');
      expect(await refused(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 10, 255]))).toBe(
        'not an occmesh run record',
      );
      expect(await refused('{"format":"occmesh-image","version":1}\n')).toBe('not an occmesh run record');
    });

    it('a record from another occmesh version', async () => {
      const { text } = await recorded();
      expect(await refused(text.replace('"occmesh":"0.1.0"', '"occmesh":"0.0.9"'))).toBe(
        'recorded by occmesh 0.0.9, but this is occmesh 0.1.0: a run is replayed only by the version that recorded it (record it again with this version)',
      );
      expect(await refused(text.replace('"version":1', '"version":2'))).toBe(
        'record format version 2 is not supported (this occmesh reads version 1)',
      );
    });

    it('a record with options this occmesh does not know', async () => {
      const { text } = await recorded();
      const rec = parseRecord(text);
      const withOption = { ...rec, options: { ...rec.options, schedule: 'lifo' } } as unknown as RunRecord;
      expect(await refused(serializeRecord(withOption))).toBe(
        'the record uses options this occmesh does not know: schedule',
      );
    });

    it('a record whose faults are not a fault specification', async () => {
      const { text } = await recorded();
      const rec = parseRecord(text);
      const bad = { ...rec, options: { ...rec.options, faults: [{ kind: 'flood', p: 1 }] } } as unknown as RunRecord;
      expect(await refused(serializeRecord(bad))).toBe(
        'the record is damaged: its faults are not a fault specification',
      );
    });

    it('a replay that does not come out as recorded is reported, not passed off', async () => {
      const { text } = await recorded();
      const rec = parseRecord(text);
      const path = tempFile('off.omrec');
      writeFileSync(path, serializeRecord({ ...rec, outcome: { ...rec.outcome, cycles: rec.outcome.cycles + 1 } }));
      const r = await runCli(['replay', path]);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('Hello, world!\n');
      expect(r.stderr).toMatch(
        /^occmesh: the replay did not come out as recorded \(recorded: finished after \d+ cycles/,
      );
    });
  });
});
