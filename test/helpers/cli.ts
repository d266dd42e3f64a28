// Drives the real command line in-process: the same `main` the `occmesh` executable calls, with files read from
// disk and the standard streams captured.

import { readFileSync } from 'node:fs';
import { main, type CliIO } from '../../cli/main.js';
import { writeFileWhole } from '../../cli/output-file.js';

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the command line; with `cacheFolder`, compiled images are cached there (cli/compile-cache.ts). */
export async function runCli(args: readonly string[], stdin = '', cacheFolder?: string): Promise<CliResult> {
  const out: Buffer[] = [];
  let err = '';
  const input = Buffer.from(stdin, 'latin1');
  let next = 0;
  const io: CliIO = {
    stdout: (data) => {
      out.push(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
    },
    stderr: (text) => {
      err += text;
    },
    keyboard: () => (next < input.length ? input[next++]! : -1),
    readFile: (path) => readFileSync(path),
    writeFile: (path, data) => writeFileWhole(path, data),
    ...(cacheFolder ? { cacheFolder: () => cacheFolder } : {}),
  };
  const exitCode = await main(args, io);
  return { exitCode, stdout: Buffer.concat(out).toString('latin1'), stderr: err };
}
