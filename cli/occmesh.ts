#!/usr/bin/env node
// The `occmesh` executable: wires the command line to the real process (files, stdin, stdout, exit code).

import { readFileSync, readSync, writeFileSync } from 'node:fs';
import { defaultCacheFolder } from './compile-cache.js';
import { main, type CliIO } from './main.js';

const io: CliIO = {
  stdout: (data) => process.stdout.write(data),
  stderr: (text) => process.stderr.write(text),
  keyboard: () => nextKeyboardByte(),
  readFile: (path) => readFileSync(path),
  writeFile: (path, data) => writeFileSync(path, data),
  terminal: () => (process.stdin.isTTY && process.stdout.isTTY ? { input: process.stdin, output: process.stdout } : null),
  // OCCMESH_NO_CACHE=1 turns the compiled-image cache off for every command.
  cacheFolder: () => (process.env.OCCMESH_NO_CACHE ? null : defaultCacheFolder()),
};

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

const code = await main(process.argv.slice(2), io);
// Let stdout drain before exiting so piped output is never cut short.
process.stdout.write('', () => process.exit(code));
