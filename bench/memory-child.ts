// The `memory-64` benchmark's child process: loads an image (a file written by the parent) onto a Machine with the
// memory per core it is given, runs it to the end and prints its own peak resident set in bytes. A process of its
// own, so the figure is the mesh's and not the benchmark harness's or the compiler's.

import { readFileSync } from 'node:fs';
import { parseImage } from '../emulator/image.js';
import { Machine } from '../emulator/machine.js';

const [file, memory] = process.argv.slice(2);
if (!file || !memory) throw new Error('usage: memory-child IMAGE MEMORY-BYTES');
const image = parseImage(readFileSync(file, 'utf8'));
const result = new Machine(image, { memoryBytes: Number(memory), onScreen: () => {} }).run();
if (result.status !== 'finished') throw new Error(`run ended with ${result.status}`);
console.log(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, cores: image.cores.length }));
