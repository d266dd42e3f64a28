// The `occmesh` command line: run, compile, check and disasm. Everything it touches goes through CliIO so the
// tests drive the very same code in-process.

import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../compiler/source.js';
import { ImageError, parseImage, serializeImage, type Image } from '../emulator/image.js';
import { disassemble } from '../emulator/disasm.js';
import { LoadError, Machine, type RunResult } from '../emulator/machine.js';
import { PROFILES, profileNamed, type Profile } from '../emulator/profiles.js';
import type { CompileOptions } from '../compiler/compile.js';
import { deadlockJson, formatDeadlock, formatRunError, formatStats, ImageSources } from './report.js';
import { debugCommand, type DebugTerminal } from './debug.js';
import { faultsJson, formatFaults, parseFaults, parseSeed } from './faults.js';
import { exploreCommand } from './explore.js';
import { faultsProblem, type FaultSpec } from '../emulator/faults.js';

/** Exit codes (docs/cli.md). */
export const Exit = {
  ok: 0,
  compileError: 1,
  runtimeError: 2,
  deadlock: 3,
  cycleLimit: 4,
  usage: 64,
} as const;

export interface CliIO {
  stdout(data: string | Uint8Array): void;
  stderr(text: string): void;
  /** The next keyboard byte, or -1 at the end of input; asked only when the program reads its keyboard. */
  keyboard(): number;
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: string): void;
  /** The terminal `occmesh debug` draws on: null when standard input and output are not both a terminal. */
  terminal?(): DebugTerminal | null;
}

/** Default cycle limit: 100 s of emulated time at 20 MHz, so a runaway program ends instead of hanging. */
export const DEFAULT_MAX_CYCLES = 2_000_000_000;

/** The byte the course library sends to ask for a flush; never printed. */
const FLUSH = 255;

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = Exit.ok;
  const program = new Command()
    .name('occmesh')
    .description('Compile occam and run it on an emulated mesh of Transputer-style cores')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run occmesh --help for usage)');

  program
    .command('run')
    .description('compile (if needed) and run a program; its output goes to stdout')
    .argument('<file>', 'an occam source file (.occ) or a compiled image (.omx)')
    .option('--max-cycles <n>', 'stop after this many cycles (exit 4)', count, DEFAULT_MAX_CYCLES)
    .option('--mem <bytes>', 'memory per core in bytes (suffix K or M allowed)', bytes)
    .option('--mesh <WxH>', 'mesh size (default: the smallest that holds the placement)', meshSize)
    .option('--profile <name>', `machine profile: ${Object.keys(PROFILES).join(' or ')}`, profile, PROFILES.t800)
    .option('--spread', "place the branches of the program's outermost PAR across the mesh")
    .option('--stats', 'print cycles, emulated time, per-core and per-link figures to stderr')
    .option('--json', 'print one JSON object with the result on stdout instead of the program output')
    .option('--no-checks', 'compile without subscript, conversion and shift-count range checks')
    .option('--faults <spec>', 'inject faults, e.g. "loss=0.2;crash=1,0@50000" (docs/machine.md, Faults)', parseFaults)
    .option('--seed <n>', 'seed of the faults and of the choices ALTs make (default: faults seeded 1, ALTs in order)', parseSeed)
    .action(async (file: string, opts: RunOptions) => {
      exitCode = await runCommand(file, opts, io);
    });

  program
    .command('debug')
    .description('open the terminal debugger on a program: watch the mesh, step forwards and backwards')
    .argument('<file>', 'an occam source file (.occ) or a compiled image (.omx)')
    .option('--mem <bytes>', 'memory per core in bytes (suffix K or M allowed)', bytes)
    .option('--mesh <WxH>', 'mesh size (default: the smallest that holds the placement)', meshSize)
    .option('--profile <name>', `machine profile: ${Object.keys(PROFILES).join(' or ')}`, profile, PROFILES.t800)
    .option('--spread', "place the branches of the program's outermost PAR across the mesh")
    .option('--no-checks', 'compile without subscript, conversion and shift-count range checks')
    .option('--faults <spec>', 'inject faults, e.g. "loss=0.2;crash=1,0@50000" (docs/machine.md, Faults)', parseFaults)
    .option('--seed <n>', 'seed of the faults and of the choices ALTs make (default: faults seeded 1, ALTs in order)', parseSeed)
    .action(async (file: string, opts: PlacementOpts & FaultOpts & { profile: Profile }) => {
      const image = await loadProgram(file, io, compileOptions(opts));
      if (typeof image === 'number') {
        exitCode = image;
        return;
      }
      if (!faultsFit(image, opts, io)) {
        exitCode = Exit.usage;
        return;
      }
      exitCode = await debugCommand(file, image, { profile: opts.profile, ...(opts.mem ? { memoryBytes: opts.mem } : {}), ...faultOptions(opts) }, io);
    });

  program
    .command('explore')
    .description('run a program with many seeds and report each distinct outcome with the seeds that gave it')
    .argument('<file>', 'an occam source file (.occ) or a compiled image (.omx)')
    .option('--runs <k>', 'how many seeds to try (1 to K)', runsCount, 20)
    .option('--max-cycles <n>', 'stop each run after this many cycles (exit 4)', count, DEFAULT_MAX_CYCLES)
    .option('--mem <bytes>', 'memory per core in bytes (suffix K or M allowed)', bytes)
    .option('--mesh <WxH>', 'mesh size (default: the smallest that holds the placement)', meshSize)
    .option('--profile <name>', `machine profile: ${Object.keys(PROFILES).join(' or ')}`, profile, PROFILES.t800)
    .option('--spread', "place the branches of the program's outermost PAR across the mesh")
    .option('--faults <spec>', 'inject faults in every run (docs/machine.md, Faults)', parseFaults)
    .option('--json', 'print one JSON object with the outcomes')
    .action(async (file: string, opts: PlacementOpts & FaultOpts & { runs: number; maxCycles: number; profile: Profile; json?: boolean }) => {
      const image = await loadProgram(file, io, compileOptions(opts));
      if (typeof image === 'number') {
        exitCode = image;
        return;
      }
      if (!faultsFit(image, opts, io)) {
        exitCode = Exit.usage;
        return;
      }
      const options = { runs: opts.runs, profile: opts.profile, maxCycles: opts.maxCycles, ...(opts.mem ? { memoryBytes: opts.mem } : {}), ...(opts.faults ? { faults: opts.faults } : {}), ...(opts.json ? { json: true } : {}) };
      exitCode = exploreCommand(file, image, options, io, exitCodeOf);
    });

  program
    .command('compile')
    .description('compile a program to a loadable image')
    .argument('<file>', 'an occam source file')
    .requiredOption('-o, --output <image>', 'where to write the image (.omx)')
    .option('--mem <bytes>', 'memory per core in bytes (suffix K or M allowed)', bytes)
    .option('--mesh <WxH>', 'mesh size (default: the smallest that holds the placement)', meshSize)
    .option('--spread', "place the branches of the program's outermost PAR across the mesh")
    .option('--no-checks', 'compile without subscript, conversion and shift-count range checks')
    .action(async (file: string, opts: { output: string } & PlacementOpts) => {
      const text = readText(file, io);
      const image = text === null ? null : await compileText(file, text, io, compileOptions(opts));
      if (!image) {
        exitCode = Exit.compileError;
        return;
      }
      io.writeFile(opts.output, serializeImage(image));
    });

  program
    .command('check')
    .description('parse and check a program without running it')
    .argument('<file>', 'an occam source file')
    .action(async (file: string) => {
      const text = readText(file, io);
      if (text === null) {
        exitCode = Exit.usage;
        return;
      }
      const { checkSource } = await import('../compiler/compile.js');
      exitCode = reportDiagnostics(checkSource(file, text, { loader: (path) => readSourceFile(path, io) }), io)
        ? Exit.compileError
        : Exit.ok;
    });

  program
    .command('disasm')
    .description('show the instructions of a program or image with the source lines they came from')
    .argument('<file>', 'an occam source file or a compiled image')
    .option('--mesh <WxH>', 'mesh size (default: the smallest that holds the placement)', meshSize)
    .option('--spread', "place the branches of the program's outermost PAR across the mesh")
    .action(async (file: string, opts: PlacementOpts) => {
      const image = await loadProgram(file, io, compileOptions(opts));
      if (typeof image === 'number') {
        exitCode = image;
        return;
      }
      io.stdout(disassemble(image));
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version asked for exit 0; help shown because of a mistake exits as a usage error.
      return e.exitCode === 0 ? Exit.ok : Exit.usage;
    }
    throw e;
  }
  return exitCode;
}

interface PlacementOpts {
  mem?: number;
  mesh?: { width: number; height: number };
  spread?: boolean;
  /** False with --no-checks. */
  checks?: boolean;
}

interface FaultOpts {
  faults?: FaultSpec;
  seed?: number;
}

/** The machine options --faults and --seed give. */
function faultOptions(opts: FaultOpts): { faults?: FaultSpec; seed?: number } {
  return { ...(opts.faults ? { faults: opts.faults } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
}

/** Whether the faults name links and cores the program's mesh has; if not, say so (a usage error). */
function faultsFit(image: Image, opts: FaultOpts, io: CliIO): boolean {
  const problem = opts.faults ? faultsProblem(opts.faults, image.mesh, image.cores) : null;
  if (problem) io.stderr(`occmesh: --faults ${problem}\n`);
  return problem === null;
}

interface RunOptions extends PlacementOpts, FaultOpts {
  maxCycles: number;
  profile: Profile;
  stats?: boolean;
  json?: boolean;
}

function compileOptions(opts: PlacementOpts): CompileOptions {
  return {
    ...(opts.mesh ? { mesh: opts.mesh } : {}),
    ...(opts.spread ? { spread: true } : {}),
    ...(opts.mem ? { memoryBytes: opts.mem } : {}),
    ...(opts.checks === false ? { rangeChecks: false } : {}),
  };
}

async function runCommand(file: string, opts: RunOptions, io: CliIO): Promise<number> {
  const image = await loadProgram(file, io, compileOptions(opts));
  if (typeof image === 'number') return image;
  if (!faultsFit(image, opts, io)) return Exit.usage;
  let machine: Machine;
  const stdoutChunks: string[] = [];
  try {
    machine = new Machine(image, {
      memoryBytes: opts.mem,
      profile: opts.profile,
      stdin: () => io.keyboard(),
      onScreen: (bytes) => {
        const shown = bytes.filter((b) => b !== FLUSH);
        if (opts.json) stdoutChunks.push(Buffer.from(shown).toString('latin1'));
        else if (shown.length > 0) io.stdout(shown);
      },
      onError: (bytes) => io.stderr(Buffer.from(bytes.filter((b) => b !== FLUSH)).toString('latin1')),
      ...faultOptions(opts),
    });
  } catch (e) {
    if (e instanceof LoadError) {
      io.stderr(`${file}: error: ${e.message}\n`);
      return Exit.compileError;
    }
    throw e;
  }
  let result: RunResult;
  try {
    result = machine.run(opts.maxCycles);
  } catch (e) {
    // Program faults are run-time errors reported by the machine; an exception is a bug in occmesh.
    io.stderr(`${file}: internal emulator error: ${(e as Error).message}\n  this is a bug in occmesh: please report it with the program\n`);
    return Exit.runtimeError;
  }
  const sources = new ImageSources(image);
  const code = exitCodeOf(result);
  if (opts.json) {
    const json = jsonResult(result, code, stdoutChunks.join(''), sources);
    io.stdout(JSON.stringify(result.faults ? { ...json, seed: opts.seed ?? 1, faults: faultsJson(result.faults) } : json) + '\n');
    return code;
  }
  if (result.status === 'error' && result.error) io.stderr(formatRunError(sources, result.error) + '\n');
  if (result.status === 'deadlock') io.stderr(formatDeadlock(sources, result) + '\n');
  if (result.status === 'cycle-limit') {
    io.stderr(`occmesh: stopped at the cycle limit (${result.cycles} cycles); raise it with --max-cycles\n`);
  }
  if (opts.stats) io.stderr(formatStats(result, opts.profile));
  if (opts.stats && result.faults) io.stderr(formatFaults(result.faults, opts.seed ?? 1));
  return code;
}

function exitCodeOf(result: RunResult): number {
  switch (result.status) {
    case 'finished':
      return Exit.ok;
    case 'error':
      return Exit.runtimeError;
    case 'deadlock':
      return Exit.deadlock;
    case 'cycle-limit':
      return Exit.cycleLimit;
  }
}

function jsonResult(result: RunResult, exitCode: number, stdout: string, sources: ImageSources): object {
  return {
    exitCode,
    cycles: result.cycles,
    stdout,
    cores: result.cores.map((c) => ({ x: c.x, y: c.y, instructions: c.instructions, busyCycles: c.busyCycles, state: c.state })),
    links: result.links.map((l) => ({ from: [l.from.x, l.from.y], to: [l.to.x, l.to.y], bytes: l.bytes, busyCycles: l.busyCycles })),
    error: result.error ? formatRunError(sources, result.error) : null,
    deadlock: result.status === 'deadlock' ? deadlockJson(sources, result) : null,
  };
}

// ---------------------------------------------------------------------------------------------------- loading

/** Compile a source file or read an image; on failure report and return the exit code. */
async function loadProgram(file: string, io: CliIO, options: CompileOptions = {}): Promise<Image | number> {
  const data = readBytes(file, io);
  if (data === null) return Exit.usage;
  if (looksLikeImage(file, data)) {
    try {
      return parseImage(Buffer.from(data).toString('utf8'));
    } catch (e) {
      if (e instanceof ImageError) {
        io.stderr(`${file}: error: ${e.message}\n`);
        return Exit.compileError;
      }
      throw e;
    }
  }
  const image = await compileText(file, Buffer.from(data).toString('latin1'), io, options);
  return image ?? Exit.compileError;
}

function looksLikeImage(file: string, data: Uint8Array): boolean {
  if (file.endsWith('.omx')) return true;
  let i = 0;
  while (i < data.length && (data[i] === 32 || data[i] === 10 || data[i] === 13 || data[i] === 9)) i++;
  return data[i] === 0x7b; // '{': occam source never starts with a brace
}

/** The compiler (and chevrotain) load only when source is compiled, keeping `run IMAGE` start-up small. */
async function compileText(file: string, text: string, io: CliIO, options: CompileOptions = {}): Promise<Image | null> {
  const { compileSource } = await import('../compiler/compile.js');
  let result: ReturnType<typeof compileSource>;
  try {
    result = compileSource(file, text, { ...options, loader: (path) => readSourceFile(path, io) });
  } catch (e) {
    // Bad source never reaches here (it becomes diagnostics); an exception is a bug in occmesh. Say so plainly,
    // without an implementation stack trace.
    io.stderr(`${file}: internal compiler error: ${(e as Error).message}\n  this is a bug in occmesh: please report it with the program\n`);
    return null;
  }
  reportDiagnostics(result.diagnostics, io);
  return result.image;
}

/** Print diagnostics; true if any was an error. */
function reportDiagnostics(diags: readonly Diagnostic[], io: CliIO): boolean {
  for (const d of diags) io.stderr(formatDiagnostic(d) + '\n');
  const errors = diags.filter((d) => d.severity === 'error').length;
  if (errors > 0) io.stderr(`${errors} error${errors === 1 ? '' : 's'}\n`);
  return errors > 0;
}

function readBytes(file: string, io: CliIO): Uint8Array | null {
  try {
    return io.readFile(file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    io.stderr(`occmesh: cannot read ${file}: ${why}\n`);
    return null;
  }
}

/** A file named by #INCLUDE or #USE, or null if it cannot be read (the compiler reports that at the directive). */
function readSourceFile(path: string, io: CliIO): string | null {
  try {
    return Buffer.from(io.readFile(path)).toString('latin1');
  } catch {
    return null;
  }
}

function readText(file: string, io: CliIO): string | null {
  const b = readBytes(file, io);
  return b === null ? null : Buffer.from(b).toString('latin1');
}

// ---------------------------------------------------------------------------------------------------- option parsing

function count(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of cycles');
  return n;
}

function runsCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100_000) throw new InvalidArgumentError('expected a number of runs from 1 to 100000');
  return n;
}

function bytes(value: string): number {
  const m = /^(\d+)([kKmM]?)$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected a size in bytes, e.g. 65536 or 64K');
  const n = Number(m[1]) * (m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1024 : 1024 * 1024);
  if (n < 1024 || n > 1 << 30 || n % 4 !== 0) throw new InvalidArgumentError('memory must be a multiple of 4 between 1K and 1024M');
  return n;
}

function meshSize(value: string): { width: number; height: number } {
  const m = /^(\d+)[xX](\d+)$/.exec(value);
  const w = m ? Number(m[1]) : 0;
  const h = m ? Number(m[2]) : 0;
  if (!m || w < 1 || h < 1 || w > 1024 || h > 1024) throw new InvalidArgumentError('expected WxH with sides from 1 to 1024, e.g. 4x4');
  return { width: w, height: h };
}

function profile(value: string): Profile {
  const p = profileNamed(value);
  if (!p) throw new InvalidArgumentError(`expected one of: ${Object.keys(PROFILES).join(', ')}`);
  return p;
}
