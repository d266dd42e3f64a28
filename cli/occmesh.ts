#!/usr/bin/env node
// The `occmesh` executable: wires the command line to the real process (files, stdin, stdout, exit code).

import { readFileSync, readSync, writeSync } from 'node:fs';
import { defaultCacheFolder } from './compile-cache.js';
import { Exit, main, type CliIO } from './main.js';
import { writeFileWhole } from './output-file.js';
import { openFileOutput } from '../traces/session.js';

const io: CliIO = {
  stdout: (data) => writeStdout(data),
  stderr: (text) => process.stderr.write(text),
  keyboard: () => nextKeyboardByte(),
  readFile: (path) => readFileSync(path),
  writeFile: (path, data) => writeFileWhole(path, data),
  terminal: () =>
    process.stdin.isTTY && process.stdout.isTTY ? { input: process.stdin, output: process.stdout } : null,
  openFile: (path) => openFileOutput(path),
  // OCCMESH_NO_CACHE=1 turns the compiled-image cache off for every command.
  cacheFolder: () => (process.env.OCCMESH_NO_CACHE ? null : defaultCacheFolder()),
};

// Standard output is written synchronously, so that a reader closing the pipe (`occmesh run yes.occ | head`) is
// seen as EPIPE at the very write, which stops the run (cli/main.ts) as it would stop any Unix tool.
function writeStdout(data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done, bytes.length - done);
    } catch (e) {
      // A non-blocking stdout that is full: wait briefly and write the rest.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

// Keyboard input, asked for one byte at a time and only when the program reads its keyboard channel. A pipe or
// file is read in chunks. A terminal is put in raw mode only while a read waits, as KRoC does: keys arrive as they
// are pressed and are not echoed (programs echo what they want, as the course library's input routines do);
// Enter arrives as *n, Ctrl-D ends the input and Ctrl-C stops the run. Between reads the terminal is left as it
// was, so Ctrl-C works as usual while the program computes.
const chunk = Buffer.alloc(4096);
let chunkLength = 0;
let chunkPos = 0;
let ended = false;

const CTRL_C = 3;
const CTRL_D = 4;
const CR = 13;
const LF = 10;

function nextKeyboardByte(): number {
  while (chunkPos >= chunkLength) {
    if (ended) return -1;
    chunkPos = 0;
    chunkLength = process.stdin.isTTY ? readKeys() : readChunk();
    if (chunkLength === 0) ended = true;
  }
  return chunk[chunkPos++]!;
}

function readKeys(): number {
  const tty = process.stdin;
  tty.setRawMode(true);
  let n: number;
  try {
    n = readChunk();
  } finally {
    tty.setRawMode(false);
  }
  for (let i = 0; i < n; i++) {
    if (chunk[i] === CTRL_C) process.exit(130);
    if (chunk[i] === CTRL_D) {
      ended = true; // the bytes before it still count
      return i;
    }
    if (chunk[i] === CR) chunk[i] = LF;
  }
  return n;
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

let code: number;
try {
  code = await main(process.argv.slice(2), io);
} catch (e) {
  if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
  code = Exit.pipeClosed; // help or a JSON result written to a closed pipe
}
// Let stdout drain before exiting so piped output is never cut short; a closed stdout has nothing left to drain.
process.stdout.on('error', () => process.exit(code));
process.stdout.write('', () => process.exit(code));
