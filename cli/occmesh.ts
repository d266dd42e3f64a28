#!/usr/bin/env node
// The `occmesh` executable: wires the command line to the real process (files, stdin, stdout, exit code).

import { readFileSync, readSync, writeFileSync } from 'node:fs';
import { main, type CliIO } from './main.js';

const io: CliIO = {
  stdout: (data) => process.stdout.write(data),
  stderr: (text) => process.stderr.write(text),
  keyboard: () => nextKeyboardByte(),
  readFile: (path) => readFileSync(path),
  writeFile: (path, data) => writeFileSync(path, data),
};

// Keyboard input, asked for one byte at a time and only when the program reads its keyboard channel. A pipe or
// file is read in chunks; at a terminal each read returns when a line has been typed (the terminal's own line
// editing and echo stay on, so Ctrl-C and Ctrl-D behave as everywhere else).
const chunk = Buffer.alloc(4096);
let chunkLength = 0;
let chunkPos = 0;
let ended = false;

function nextKeyboardByte(): number {
  while (chunkPos >= chunkLength) {
    if (ended) return -1;
    chunkPos = 0;
    chunkLength = readChunk();
    if (chunkLength === 0) ended = true;
  }
  return chunk[chunkPos++]!;
}

function readChunk(): number {
  for (;;) {
    try {
      return readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      // A non-blocking stdin with nothing yet: wait briefly and ask again.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      return 0; // closed or unreadable stdin: end of input
    }
  }
}

const code = await main(process.argv.slice(2), io);
// Let stdout drain before exiting so piped output is never cut short.
process.stdout.write('', () => process.exit(code));
