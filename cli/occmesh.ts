#!/usr/bin/env node
// The `occmesh` executable: wires the command line to the real process (files, stdin, stdout, exit code).

import { readFileSync, writeFileSync } from 'node:fs';
import { main, type CliIO } from './main.js';

let stdinBytes: Uint8Array | null = null;

const io: CliIO = {
  stdout: (data) => process.stdout.write(data),
  stderr: (text) => process.stderr.write(text),
  stdin: () => {
    // Called only when the program first reads its keyboard channel: a program that never does so never waits
    // for stdin. Input is read to its end (for a terminal, until Ctrl-D).
    if (stdinBytes === null) stdinBytes = readStdin();
    return stdinBytes;
  },
  readFile: (path) => readFileSync(path),
  writeFile: (path, data) => writeFileSync(path, data),
};

function readStdin(): Uint8Array {
  try {
    return readFileSync(0);
  } catch {
    return new Uint8Array(0);
  }
}

const code = await main(process.argv.slice(2), io);
// Let stdout drain before exiting so piped output is never cut short.
process.stdout.write('', () => process.exit(code));
