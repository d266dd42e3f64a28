// The `occmesh` command line: run, compile, check and disasm. Everything it touches goes through CliIO so the
// tests drive the very same code in-process.

import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../compiler/source.js';
import { ImageError, parseImage, serializeImage, type Image } from '../emulator/image.js';
import { disassemble } from '../emulator/disasm.js';
import { LoadError, Machine, type RunResult } from '../emulator/machine.js';
import { PROFILES, profileNamed, type Profile } from '../emulator/profiles.js';
import type { CompileOptions } from '../compiler/compile.js';
import { ignoredForImage, inputKind, isImageMessage, MAX_SHOWN_DIAGNOSTICS, notTextMessage } from './input-file.js';
import { reasonOf, refusalToWrite } from './output-file.js';
import { deadlockJson, formatCycleLimit, formatDeadlock, formatRunError, ImageSources, runningAt } from './report.js';
import { formatStats, statsJson } from './stats.js';
import { runErrorChain } from './call-chain.js';
import { blockedDetails, type DetailOf } from './blocked-detail.js';
import { debugCommand, type DebugTerminal } from './debug.js';
import { OCCMESH_VERSION } from './version.js';
import { RunTraces, parseTraceWindow, type TraceOptions } from '../traces/session.js';
import { parseRecord, RecordError, type RunRecord } from '../traces/record.js';
import type { TextOutput } from '../traces/output.js';
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
  /** The output file cannot be written (sysexits' EX_CANTCREAT). */
  cannotWrite: 73,
  /** The reader of stdout closed the pipe (what a shell shows for a tool stopped by SIGPIPE). */
  pipeClosed: 141,
} as const;

export interface CliIO {
  stdout(data: string | Uint8Array): void;
  stderr(text: string): void;
  /** The next keyboard byte, or -1 at the end of input; asked only when the program reads its keyboard. */
  keyboard(): number;
  readFile(path: string): Uint8Array;
  /** Write a whole file or nothing (cli/output-file.ts); throws with a reason on failure. */
  writeFile(path: string, data: string): void;
  /** The terminal `occmesh debug` draws on: null when standard input and output are not both a terminal. */
  terminal?(): DebugTerminal | null;
  /** Open a file to write a trace to in pieces (optional: without it a trace is written whole at the end). */
  openFile?(path: string): TextOutput;
  /** Where compiled images are cached (cli/compile-cache.ts); without it, or when null, nothing is cached. */
  cacheFolder?(): string | null;
}

/** The byte the course library sends to ask for a flush; never printed. */
const FLUSH = 255;

/** `explore`'s cycle limit for each run, so that a seed whose run never ends does not stop the exploration. */
export const EXPLORE_MAX_CYCLES = 2_000_000_000;

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = Exit.ok;
  const program = new Command()
    .name('occmesh')
    .description('Compile occam and run it on an emulated mesh of Transputer-style cores')
    .version(OCCMESH_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run occmesh --help for usage)');

  program
    .command('run')
    .description('compile (if needed) and run a program; its output goes to stdout')
    .argument('<file>', 'an occam source file (.occ) or a compiled image (.omx)')
    .option(
      '--max-cycles <n>',
      'stop after this many cycles (exit 4); by default the program runs to its end (Ctrl-C stops it)',
      count,
    )
    .option('--mem <bytes>', 'memory per core in bytes (suffix K, M or G allowed)', bytes)
    .option('--mesh <WxH>', 'mesh size (default: the smallest that holds the placement)', meshSize)
    .option('--profile <name>', `machine profile: ${Object.keys(PROFILES).join(' or ')} (default: t800)`, profile)
    .option('--spread', "place the branches of the program's outermost PAR across the mesh")
    .option('--stats', 'print cycles, emulated time, instructions and the core and link figures to stderr')
    .option('--stats-full', 'with --stats on a mesh of more than 16 cores: every core and link, not a summary')
    .option('--json', 'print one JSON object with the result on stdout instead of the program output')
    .option('--no-checks', 'compile without subscript, conversion and shift-count range checks')
    .option('--trace <file>', 'write a Perfetto / Chrome trace of the run (JSON; docs/traces.md)')
    .option('--trace-window <A:B>', 'trace only cycles A to B (either may be left out)', traceWindow)
    .option('--vcd <file>', 'write a value change dump of cores and links for GTKWave')
    .option('--record <file>', 'record the run (image, options, keyboard) for occmesh replay')
    .option('--no-cache', 'compile afresh: neither use nor fill the compiled-image cache')
    .option('--no-jit', 'interpret every instruction: do not translate hot code to JavaScript (docs/cli.md)')
    .option('--faults <spec>', 'inject faults, e.g. "loss=0.2;crash=1,0@50000" (docs/machine.md, Faults)', parseFaults)
    .option(
      '--seed <n>',
      'seed of the faults and of the choices ALTs make (default: faults seeded 1, ALTs in order)',
      parseSeed,
    )
    .action(async (file: string, opts: RunOptions) => {
      exitCode = await runCommand(file, opts, io);
    });

  program
    .command('debug')
    .description('open the terminal debugger on a program: watch the mesh, step forwards and backwards')
    .argument('<file>', 'an occam source file (.occ), a compiled image (.omx) or a run record (.omrec)')
    .option('--mem <bytes>', 'memory per core in bytes (suffix K or M allowed)', bytes)
    .option('--mesh <WxH>', 'mesh size (default: the smallest that holds the placement)', meshSize)
    .option('--profile <name>', `machine profile: ${Object.keys(PROFILES).join(' or ')}`, profile, PROFILES.t800)
    .option('--spread', "place the branches of the program's outermost PAR across the mesh")
    .option('--no-checks', 'compile without subscript, conversion and shift-count range checks')
    .option('--faults <spec>', 'inject faults, e.g. "loss=0.2;crash=1,0@50000" (docs/machine.md, Faults)', parseFaults)
    .option(
      '--seed <n>',
      'seed of the faults and of the choices ALTs make (default: faults seeded 1, ALTs in order)',
      parseSeed,
    )
    .option('--no-jit', 'interpret every instruction: do not translate hot code to JavaScript (docs/cli.md)')
    .action(async (file: string, opts: PlacementOpts & FaultOpts & JitOpts & { profile: Profile }) => {
      if (file.endsWith('.omrec')) {
        // A recorded run: its image, options and keyboard bytes (and the end of input, if the run read that far).
        const data = readBytes(file, io);
        if (data === null) {
          exitCode = Exit.usage;
          return;
        }
        let rec: RunRecord;
        try {
          rec = parseRecord(data);
        } catch (e) {
          if (!(e instanceof RecordError)) throw e;
          io.stderr(`${file}: error: ${e.message}\n`);
          exitCode = Exit.usage;
          return;
        }
        const recorded = profileNamed(rec.options.profile);
        if (!recorded) {
          io.stderr(`${file}: error: the record names an unknown profile \`${rec.options.profile}\`\n`);
          exitCode = Exit.usage;
          return;
        }
        const mem = rec.options.memoryBytes;
        const { faults, seed } = rec.options;
        const options = {
          profile: recorded,
          ...(mem !== undefined ? { memoryBytes: mem } : {}),
          keys: rec.keyboard,
          keysEnd: rec.keyboardEnded,
        };
        exitCode = await debugCommand(
          file,
          rec.image,
          { ...options, ...faultOptions({ faults, seed }), ...jitOption(opts) },
          io,
        );
        return;
      }
      const image = await loadProgram(file, io, compileOptions(opts));
      if (typeof image === 'number') {
        exitCode = image;
        return;
      }
      if (!faultsFit(image, opts, io)) {
        exitCode = Exit.usage;
        return;
      }
      exitCode = await debugCommand(
        file,
        image,
        {
          profile: opts.profile,
          ...(opts.mem ? { memoryBytes: opts.mem } : {}),
          ...faultOptions(opts),
          ...jitOption(opts),
        },
        io,
      );
    });

  program
    .command('explore')
    .description('run a program with many seeds and report each distinct outcome with the seeds that gave it')
    .argument('<file>', 'an occam source file (.occ) or a compiled image (.omx)')
    .option('--runs <k>', 'how many seeds to try (1 to K)', runsCount, 20)
    .option('--max-cycles <n>', 'stop each run after this many cycles (exit 4)', count, EXPLORE_MAX_CYCLES)
    .option('--mem <bytes>', 'memory per core in bytes (suffix K or M allowed)', bytes)
    .option('--mesh <WxH>', 'mesh size (default: the smallest that holds the placement)', meshSize)
    .option('--profile <name>', `machine profile: ${Object.keys(PROFILES).join(' or ')}`, profile, PROFILES.t800)
    .option('--spread', "place the branches of the program's outermost PAR across the mesh")
    .option('--faults <spec>', 'inject faults in every run (docs/machine.md, Faults)', parseFaults)
    .option('--json', 'print one JSON object with the outcomes')
    .action(
      async (
        file: string,
        opts: PlacementOpts & FaultOpts & { runs: number; maxCycles: number; profile: Profile; json?: boolean },
      ) => {
        const image = await loadProgram(file, io, compileOptions(opts));
        if (typeof image === 'number') {
          exitCode = image;
          return;
        }
        if (!faultsFit(image, opts, io)) {
          exitCode = Exit.usage;
          return;
        }
        const options = {
          runs: opts.runs,
          profile: opts.profile,
          maxCycles: opts.maxCycles,
          ...(opts.mem ? { memoryBytes: opts.mem } : {}),
          ...(opts.faults ? { faults: opts.faults } : {}),
          ...(opts.json ? { json: true } : {}),
        };
        exitCode = exploreCommand(file, image, options, io, exitCodeOf);
      },
    );

  program
    .command('replay')
    .description('run a recorded run again, exactly (occmesh run --record makes the record)')
    .argument('<record>', 'a run record (.omrec)')
    .option('--stats', 'print cycles, emulated time, per-core and per-link figures to stderr')
    .option('--json', 'print one JSON object with the result on stdout instead of the program output')
    .option('--trace <file>', 'write a Perfetto / Chrome trace of the run (JSON; docs/traces.md)')
    .option('--trace-window <A:B>', 'trace only cycles A to B (either may be left out)', traceWindow)
    .option('--vcd <file>', 'write a value change dump of cores and links for GTKWave')
    .action(async (file: string, opts: RunOptions) => {
      exitCode = await replayCommand(file, opts, io);
    });

  program
    .command('compile')
    .description('compile a program to a loadable image')
    .argument('<file>', 'an occam source file')
    .requiredOption('-o, --output <image>', 'where to write the image (.omx)')
    .option('--mem <bytes>', 'memory per core in bytes (suffix K, M or G allowed)', bytes)
    .option('--mesh <WxH>', 'mesh size (default: the smallest that holds the placement)', meshSize)
    .option('--spread', "place the branches of the program's outermost PAR across the mesh")
    .option('--no-checks', 'compile without subscript, conversion and shift-count range checks')
    .action(async (file: string, opts: { output: string } & PlacementOpts) => {
      const refusal = refusalToWrite(file, opts.output, (path) => io.readFile(path));
      if (refusal) {
        io.stderr(`occmesh: cannot write ${opts.output}: ${refusal}\n`);
        exitCode = Exit.cannotWrite;
        return;
      }
      const text = readSource(file, io, 'compile');
      if (typeof text === 'number') {
        exitCode = text;
        return;
      }
      const image = await compileText(file, text, io, compileOptions(opts));
      if (!image) {
        exitCode = Exit.compileError;
        return;
      }
      try {
        io.writeFile(opts.output, serializeImage(image));
      } catch (e) {
        io.stderr(`occmesh: cannot write ${opts.output}: ${reasonOf(e)}\n`);
        exitCode = Exit.cannotWrite;
      }
    });

  program
    .command('check')
    .description('parse and check a program without running it')
    .argument('<file>', 'an occam source file')
    .action(async (file: string) => {
      const text = readSource(file, io, 'check');
      if (typeof text === 'number') {
        exitCode = text;
        return;
      }
      const { checkSource } = await import('../compiler/compile.js');
      exitCode = reportDiagnostics(checkSource(file, text, { loader: (path) => readSourceFile(path, io, true) }), io)
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

interface JitOpts {
  /** False with --no-jit. */
  jit?: boolean;
}

/** The machine option --no-jit gives. */
function jitOption(opts: JitOpts): { jit?: boolean } {
  return opts.jit === false ? { jit: false } : {};
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

interface RunOptions extends PlacementOpts, TraceOptions, FaultOpts, JitOpts {
  /** False with --no-cache. */
  cache?: boolean;
  /** No limit when not given. */
  maxCycles?: number;
  /** PROFILES.t800 when not given. */
  profile?: Profile;
  stats?: boolean;
  statsFull?: boolean;
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

async function runCommand(file: string, given: RunOptions, io: CliIO): Promise<number> {
  const opts = { ...given, profile: given.profile ?? PROFILES.t800 };
  // With --json, what loading says is also kept for the JSON result, so a compile error gives one too.
  const diagnostics: Diagnostic[] = [];
  const said: string[] = [];
  const loadIo: CliIO = opts.json ? { ...io, stderr: (t) => (said.push(t), io.stderr(t)) } : io;
  const image = await loadProgram(file, loadIo, compileOptions(opts), diagnostics, opts.cache !== false);
  if (typeof image === 'number') {
    if (opts.json) io.stdout(JSON.stringify(loadFailureJson(image, said.join(''), diagnostics)) + '\n');
    return image;
  }
  if (!faultsFit(image, opts, io)) return Exit.usage;
  return runImage(file, image, opts, io, null, diagnostics);
}

/** `occmesh replay`: the record's image, options and keyboard, run again and checked against the record. */
async function replayCommand(file: string, opts: RunOptions, io: CliIO): Promise<number> {
  const data = readBytes(file, io);
  if (data === null) return Exit.usage;
  let rec: RunRecord;
  try {
    rec = parseRecord(data);
  } catch (e) {
    if (e instanceof RecordError) {
      io.stderr(`${file}: error: ${e.message}\n`);
      return Exit.usage;
    }
    throw e;
  }
  const recorded = profileNamed(rec.options.profile);
  if (!recorded) {
    io.stderr(`${file}: error: the record names an unknown profile \`${rec.options.profile}\`\n`);
    return Exit.usage;
  }
  const { memoryBytes, maxCycles, faults, seed } = rec.options;
  const options = {
    ...opts,
    profile: recorded,
    maxCycles,
    ...(memoryBytes !== undefined ? { mem: memoryBytes } : {}),
    ...faultOptions({ faults, seed }),
  };
  return runImage(file, rec.image, options, io, rec);
}

async function runImage(
  file: string,
  image: Image,
  opts: RunOptions & { profile: Profile },
  io: CliIO,
  replaying: RunRecord | null = null,
  diagnostics: Diagnostic[] = [],
): Promise<number> {
  const recorded = {
    profile: opts.profile,
    maxCycles: opts.maxCycles ?? Infinity,
    mem: opts.mem,
    ...faultOptions(opts),
  };
  const traces = RunTraces.create(image, opts, recorded, io, replaying);
  let machine: Machine;
  const stdoutChunks: string[] = [];
  let readsPastEnd = 0;
  try {
    machine = new Machine(image, {
      memoryBytes: opts.mem,
      profile: opts.profile,
      stdin: traces.keyboard(() => {
        const b = io.keyboard();
        if (b < 0 && ++readsPastEnd === 2) {
          io.stderr(
            'occmesh: note: the program keeps reading the keyboard after the end of its input; each read gives 255 (END.OF.FILE), as in KRoC\n',
          );
        }
        return b;
      }),
      onScreen: (bytes) => {
        traces.output(bytes);
        const shown = bytes.filter((b) => b !== FLUSH);
        if (opts.json) stdoutChunks.push(Buffer.from(shown).toString('latin1'));
        else if (shown.length > 0) io.stdout(shown);
      },
      onError: (bytes) => {
        traces.output(bytes);
        io.stderr(Buffer.from(bytes.filter((b) => b !== FLUSH)).toString('latin1'));
      },
      ...faultOptions(opts),
      ...jitOption(opts),
    });
  } catch (e) {
    if (e instanceof LoadError) {
      io.stderr(`${file}: error: ${e.message}\n`);
      return Exit.compileError;
    }
    throw e;
  }
  const unopened = traces.attach(machine);
  if (unopened) {
    io.stderr(`occmesh: cannot write ${unopened.path}: ${reasonOf(unopened.error)}\n`);
    return Exit.cannotWrite;
  }
  let result: RunResult;
  try {
    result = machine.run(opts.maxCycles ?? Infinity);
  } catch (e) {
    // The reader of stdout has gone: stop quietly, as a Unix tool does.
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return Exit.pipeClosed;
    // Program faults are run-time errors reported by the machine; an exception is a bug in occmesh.
    io.stderr(
      `${file}: internal emulator error: ${(e as Error).message}\n  this is a bug in occmesh: please report it with the program\n`,
    );
    return Exit.runtimeError;
  }
  const sources = new ImageSources(image);
  const diverged = traces.finish(result);
  if (diverged) io.stderr(diverged + '\n');
  const code = diverged ? Exit.runtimeError : exitCodeOf(result);
  if (opts.json) {
    const chain = result.error ? runErrorChain(image, machine, result.error) : [];
    const json = {
      ...jsonResult(result, code, stdoutChunks.join(''), sources, chain, blockedDetails(image, machine)),
      diagnostics: diagnostics.map(diagnosticJson),
    };
    const stats = opts.stats || opts.statsFull ? { stats: statsJson(result, opts.profile) } : {};
    const faults = result.faults ? { seed: opts.seed ?? 1, faults: faultsJson(result.faults) } : {};
    io.stdout(JSON.stringify({ ...json, ...stats, ...faults }) + '\n');
    return code;
  }
  if (result.status === 'error' && result.error)
    io.stderr(formatRunError(sources, result.error, runErrorChain(image, machine, result.error)) + '\n');
  if (result.status === 'deadlock') io.stderr(formatDeadlock(sources, result, blockedDetails(image, machine)) + '\n');
  if (result.status === 'cycle-limit') {
    io.stderr(formatCycleLimit(sources, result.cycles, runningAt(machine)) + '\n');
  }
  if (opts.stats || opts.statsFull) io.stderr(formatStats(result, opts.profile, opts.statsFull));
  if ((opts.stats || opts.statsFull) && result.faults) io.stderr(formatFaults(result.faults, opts.seed ?? 1));
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

/** The JSON result of a run that never started: a compile error, or a file that could not be loaded. */
function loadFailureJson(exitCode: number, said: string, diagnostics: readonly Diagnostic[]): object {
  const errors = diagnostics.length > 0 ? null : said.trimEnd() || null;
  return {
    exitCode,
    cycles: 0,
    stdout: '',
    cores: [],
    links: [],
    error: errors,
    deadlock: null,
    diagnostics: diagnostics.map(diagnosticJson),
  };
}

function diagnosticJson(d: Diagnostic): object {
  return {
    file: d.span.file.path,
    line: d.span.line,
    col: d.span.col,
    severity: d.severity,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
  };
}

function jsonResult(
  result: RunResult,
  exitCode: number,
  stdout: string,
  sources: ImageSources,
  chain: readonly string[],
  details: DetailOf,
): object {
  return {
    exitCode,
    cycles: result.cycles,
    stdout,
    cores: result.cores.map((c) => ({
      x: c.x,
      y: c.y,
      instructions: c.instructions,
      busyCycles: c.busyCycles,
      state: c.state,
    })),
    links: result.links.map((l) => ({
      from: [l.from.x, l.from.y],
      to: [l.to.x, l.to.y],
      bytes: l.bytes,
      busyCycles: l.busyCycles,
    })),
    error: result.error ? formatRunError(sources, result.error, chain) : null,
    deadlock: result.status === 'deadlock' ? deadlockJson(sources, result, details) : null,
  };
}

// ---------------------------------------------------------------------------------------------------- loading

/** Compile a source file or read an image; on failure report and return the exit code. */
async function loadProgram(
  file: string,
  io: CliIO,
  options: CompileOptions = {},
  diagnostics: Diagnostic[] = [],
  cache = false,
): Promise<Image | number> {
  const data = readBytes(file, io);
  if (data === null) return Exit.usage;
  const kind = inputKind(file, data);
  if (kind === 'binary') {
    io.stderr(notTextMessage(file));
    return Exit.compileError;
  }
  if (kind === 'image') {
    const ignored = ignoredForImage(file, options);
    if (ignored) io.stderr(ignored);
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
  const image = await compileText(file, Buffer.from(data).toString('latin1'), io, options, diagnostics, cache);
  return image ?? Exit.compileError;
}

/**
 * Compile, report the diagnostics and add them to `diagnostics`; the image, or null after errors. The compiler (and
 * chevrotain) load only when source is compiled, keeping `run IMAGE` start-up small. With `cache`, `occmesh run`
 * first looks in the compiled-image cache (cli/compile-cache.ts) and fills it after a compile without diagnostics.
 */
async function compileText(
  file: string,
  text: string,
  io: CliIO,
  options: CompileOptions = {},
  diagnostics: Diagnostic[] = [],
  cache = false,
): Promise<Image | null> {
  const folder = cache ? (io.cacheFolder?.() ?? null) : null;
  const cached = folder === null ? null : await import('./compile-cache.js');
  const store = cached && folder !== null ? new cached.CompileCache(folder, (path) => readSourceFile(path, io)) : null;
  const key = cached ? cached.cacheKey(file, text, options) : '';
  if (store) {
    const hit = store.lookup(key);
    if (hit) return hit;
  }
  const { compileSource } = await import('../compiler/compile.js');
  // Every file the compiler asked for, found or not: what a cached image depends on.
  const looked = new Map<string, string | null>();
  const loader = (path: string): string | null => {
    const found = readSourceFile(path, io, true);
    looked.set(path, found);
    return found;
  };
  let result: ReturnType<typeof compileSource>;
  try {
    const libraryStore = cached && folder !== null ? cached.libraryStore(folder) : undefined;
    result = compileSource(file, text, { ...options, loader, ...(libraryStore ? { libraryStore } : {}) });
  } catch (e) {
    // Bad source never reaches here (it becomes diagnostics); an exception is a bug in occmesh. Say so plainly,
    // without an implementation stack trace.
    io.stderr(
      `${file}: internal compiler error: ${(e as Error).message}\n  this is a bug in occmesh: please report it with the program\n`,
    );
    return null;
  }
  reportDiagnostics(result.diagnostics, io);
  diagnostics.push(...result.diagnostics);
  if (store && cached && result.image && result.diagnostics.length === 0) {
    const deps = new Map<string, string | null>();
    for (const [path, found] of looked) deps.set(path, found === null ? null : cached.hashText(found));
    for (const f of result.image.files.slice(1)) deps.set(f.path, cached.hashText(f.text));
    store.store(key, [...deps], result.image);
  }
  return result.image;
}

/** Print diagnostics, at most MAX_SHOWN_DIAGNOSTICS of them; true if any was an error. */
function reportDiagnostics(diags: readonly Diagnostic[], io: CliIO): boolean {
  for (const d of diags.slice(0, MAX_SHOWN_DIAGNOSTICS)) io.stderr(formatDiagnostic(d) + '\n');
  if (diags.length > MAX_SHOWN_DIAGNOSTICS) io.stderr(`(${diags.length - MAX_SHOWN_DIAGNOSTICS} more not shown)\n`);
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
/**
 * The text of a file, or null when it cannot be read. For the compiler's loader (`folders`), a folder where a file
 * was named throws its EISDIR error on, so that the preprocessor can say so rather than "cannot find".
 */
function readSourceFile(path: string, io: CliIO, folders = false): string | null {
  try {
    return Buffer.from(io.readFile(path)).toString('latin1');
  } catch (e) {
    if (folders && (e as { code?: string }).code === 'EISDIR') throw e;
    return null;
  }
}

/** The text of an occam source file, or the exit code after saying why the file is not one. */
function readSource(file: string, io: CliIO, command: string): string | number {
  const b = readBytes(file, io);
  if (b === null) return Exit.usage;
  const kind = inputKind(file, b);
  if (kind === 'image') {
    io.stderr(isImageMessage(file, command));
    return Exit.usage;
  }
  if (kind === 'binary') {
    io.stderr(notTextMessage(file));
    return Exit.compileError;
  }
  return Buffer.from(b).toString('latin1');
}

// ---------------------------------------------------------------------------------------------------- option parsing

function count(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of cycles');
  return n;
}

function runsCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100_000)
    throw new InvalidArgumentError('expected a number of runs from 1 to 100000');
  return n;
}

function bytes(value: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected a size in bytes, e.g. 65536, 64K, 16M or 1G');
  const n =
    Number(m[1]) *
    { '': 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  if (n < 1024 || n > 1 << 30 || n % 4 !== 0)
    throw new InvalidArgumentError('memory must be a multiple of 4 between 1K and 1G');
  return n;
}

function meshSize(value: string): { width: number; height: number } {
  const m = /^(\d+)[xX](\d+)$/.exec(value);
  const w = m ? Number(m[1]) : 0;
  const h = m ? Number(m[2]) : 0;
  if (!m || w < 1 || h < 1 || w > 1024 || h > 1024)
    throw new InvalidArgumentError('expected WxH with sides from 1 to 1024, e.g. 4x4');
  return { width: w, height: h };
}

function traceWindow(value: string): { from: number; to: number } {
  const w = parseTraceWindow(value);
  if (!w) throw new InvalidArgumentError('expected A:B, cycles from A to B (B at least A), e.g. 1000:5000 or 1000:');
  return w;
}

function profile(value: string): Profile {
  const p = profileNamed(value);
  if (!p) throw new InvalidArgumentError(`expected one of: ${Object.keys(PROFILES).join(', ')}`);
  return p;
}
