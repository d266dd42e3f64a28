// The suite runner: runs every program of a public occam suite (a folder of a fetched KRoC checkout) through
// occmesh's real command line, and, when KRoC's occ21 and Transterpreter are installed, through KRoC too, and says
// per program whether occmesh gives KRoC's output byte for byte. The suites are read where they are checked out,
// never copied into this repository (docs/testing.md, "Public suites").
//
//   node dist/scripts/suite.js SUITE DIR [--kroc PREFIX] [--timeout S] [--out FILE] [--only NAME,...]
//     [--occmesh CLI]   (another build's dist/cli/occmesh.js, to compare builds)
//     [--kroc-cache DIR] (keeps KRoC's outcome per program, so later runs compare without running KRoC again)
//
// SUITE is cgtests, course-examples, course-exercises or shootout; DIR the suite's folder in the checkout.

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How a suite's programs are found, prepared and judged. */
interface Suite {
  /** The programs to run, by file name, from the suite folder's listing. */
  programs(files: string[]): string[];
  /** Files the occmesh run needs beside the programs (KRoC builds them; occmesh reads sources). */
  occmeshShims?: Record<string, string>;
  /** Commands run once in the KRoC work folder before the programs (to build a suite library). */
  krocPrepare?: string[][];
  /** The keyboard input of a program, a file of the suite folder, if it reads one. */
  stdin?: Record<string, string>;
  /** Output that legitimately differs between runs (timings), replaced before comparing. */
  normalise?: (out: string) => string;
  /** Without KRoC: whether occmesh's output shows the program passing its own checks. */
  selfCheck?: (out: string) => boolean;
}

const SUITES: Record<string, Suite> = {
  // The INMOS code generator validation programs. Each includes cgmain.occ, which includes "cglib.module": KRoC
  // builds that library from cglib.occ; for occmesh a one-line module includes cglib.occ's source instead.
  cgtests: {
    programs: (files) => files.filter((f) => /^cgtest\d+\.occ$/.test(f)).sort(),
    occmeshShims: { 'cglib.module': '#INCLUDE "cglib.occ"\n' },
    krocPrepare: [
      ['occbuild', '--object', 'cglib.occ'],
      ['occbuild', '--library', 'cglib.lib', 'cglib.tce'],
    ],
    normalise: (out) => out.replace(/Time = -?\d+ ticks/g, 'Time = ? ticks'),
    selfCheck: (out) => /\^\^\^ Passed : .*: All \d+ tests/.test(out),
  },
  'course-examples': { programs: occFiles },
  'course-exercises': { programs: occFiles },
  shootout: {
    programs: occFiles,
    stdin: { 'reverse-complement.occ': 'revcomp-input.txt' },
  },
};

const here = dirname(fileURLToPath(import.meta.url));
const occmeshCli = join(here, '..', 'cli', 'occmesh.js');

function occFiles(files: string[]): string[] {
  return files.filter((f) => f.endsWith('.occ')).sort();
}

interface Options {
  suite: string;
  dir: string;
  kroc: string | null;
  timeoutMs: number;
  out: string | null;
  only: Set<string> | null;
  occmesh: string;
  krocCache: string | null;
}

interface Outcome {
  /** ok: ran to its end with exit 0; compile: rejected by the compiler; run: ended with another exit code. */
  status: 'ok' | 'compile' | 'run' | 'timeout';
  stdout: string;
  /** The first line that says what went wrong, if anything did. */
  detail: string;
}

function usage(message: string): never {
  process.stderr.write(`suite: ${message}\n`);
  process.stderr.write(
    'usage: node dist/scripts/suite.js SUITE DIR [--kroc PREFIX] [--timeout S] [--out FILE] [--only NAME,...] [--occmesh CLI] [--kroc-cache DIR]\n' +
      `  SUITE: ${Object.keys(SUITES).join(', ')}\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const positional: string[] = [];
  const opts: Options = {
    suite: '',
    dir: '',
    kroc: null,
    timeoutMs: 30_000,
    out: null,
    only: null,
    occmesh: occmeshCli,
    krocCache: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--kroc') opts.kroc = resolve(value());
    else if (a === '--timeout') opts.timeoutMs = Math.round(Number(value()) * 1000);
    else if (a === '--out') opts.out = value();
    else if (a === '--only') opts.only = new Set(value().split(','));
    else if (a === '--occmesh') opts.occmesh = resolve(value());
    else if (a === '--kroc-cache') opts.krocCache = resolve(value());
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 2) usage('give a suite and its folder');
  opts.suite = positional[0]!;
  opts.dir = resolve(positional[1]!);
  if (!(opts.suite in SUITES)) usage(`no suite called ${opts.suite}`);
  if (!existsSync(opts.dir)) usage(`no folder ${opts.dir}`);
  if (opts.krocCache !== null) mkdirSync(opts.krocCache, { recursive: true });
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) usage('--timeout takes a number of seconds');
  return opts;
}

const OUTPUT_CAP = 4 * 1024 * 1024;

/** Runs a command in a folder with a time bound; stdin from a file or nothing. */
function runCommand(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
  stdinFile: string | null,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => {
      if (outBytes < OUTPUT_CAP) out.push(b);
      outBytes += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 1024) err.push(b);
    });
    child.stdin.on('error', () => {});
    if (stdinFile !== null) child.stdin.end(readFileSync(stdinFile));
    else child.stdin.end();
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      done({ code: 127, stdout: '', stderr: String(e), timedOut: false });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({
        code,
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('latin1'),
        timedOut,
      });
    });
  });
}

function firstLine(text: string, pattern?: RegExp): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const hit = pattern ? lines.find((l) => pattern.test(l)) : undefined;
  return (hit ?? lines[0] ?? '').trim().slice(0, 200);
}

async function runOccmesh(opts: Options, work: string, program: string, stdin: string | null): Promise<Outcome> {
  const r = await runCommand(
    process.execPath,
    [opts.occmesh, 'run', '--no-cache', program],
    work,
    opts.timeoutMs,
    process.env,
    stdin,
  );
  if (r.timedOut) return { status: 'timeout', stdout: r.stdout, detail: `no end within ${opts.timeoutMs / 1000} s` };
  if (r.code === 0) return { status: 'ok', stdout: r.stdout, detail: '' };
  const compile = r.code === 1 && /: error: /.test(r.stderr);
  return {
    status: compile ? 'compile' : 'run',
    stdout: r.stdout,
    detail: `exit ${r.code}: ${firstLine(r.stderr, /error|deadlock|internal/i)}`,
  };
}

function krocEnv(prefix: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
    LD_LIBRARY_PATH: join(prefix, 'lib'),
    PYENV_VERSION: '2.7.18',
  };
}

async function runKroc(opts: Options, work: string, program: string, stdin: string | null): Promise<Outcome> {
  const prefix = opts.kroc!;
  const env = krocEnv(prefix);
  const build = await runCommand(
    'python2',
    [join(prefix, 'bin', 'occbuild'), '--program', program],
    work,
    opts.timeoutMs * 4,
    env,
    null,
  );
  if (build.code !== 0 || build.timedOut) {
    return { status: 'compile', stdout: '', detail: firstLine(build.stderr + build.stdout, /error|Error/) };
  }
  const tbc = program.replace(/\.occ$/, '.tbc');
  const r = await runCommand(join(prefix, 'bin', 'tvm'), [tbc], work, opts.timeoutMs, env, stdin);
  if (r.timedOut) return { status: 'timeout', stdout: r.stdout, detail: `no end within ${opts.timeoutMs / 1000} s` };
  if (r.code === 0) return { status: 'ok', stdout: r.stdout, detail: '' };
  return { status: 'run', stdout: r.stdout, detail: `exit ${r.code}: ${firstLine(r.stderr)}` };
}

/** Where two outputs first differ, as a short quotation of each. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const quote = (s: string): string => JSON.stringify(s.slice(Math.max(0, i - 20), i + 40));
  return `differs at byte ${i}: occmesh ${quote(a)}, KRoC ${quote(b)}`;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const suite = SUITES[opts.suite]!;
  const files = readdirSync(opts.dir);
  let programs = suite.programs(files);
  if (opts.only) programs = programs.filter((p) => opts.only!.has(p) || opts.only!.has(p.replace(/\.occ$/, '')));
  const normalise = suite.normalise ?? ((s: string) => s);

  // Each side works in its own copy of the suite folder: KRoC writes its object files there, and occmesh needs
  // the shims; the checkout itself is left as it was.
  const occWork = mkdtempSync(join(tmpdir(), `suite-${opts.suite}-occmesh-`));
  cpSync(opts.dir, occWork, { recursive: true });
  for (const [name, text] of Object.entries(suite.occmeshShims ?? {})) writeFileSync(join(occWork, name), text);
  let krocWork: string | null = null;
  if (opts.kroc !== null) {
    krocWork = mkdtempSync(join(tmpdir(), `suite-${opts.suite}-kroc-`));
    cpSync(opts.dir, krocWork, { recursive: true });
    for (const step of suite.krocPrepare ?? []) {
      const [tool, ...args] = step;
      const r = await runCommand(
        'python2',
        [join(opts.kroc, 'bin', tool!), ...args],
        krocWork,
        600_000,
        krocEnv(opts.kroc),
        null,
      );
      if (r.code !== 0)
        process.stderr.write(`suite: KRoC preparation ${step.join(' ')} failed: ${firstLine(r.stderr)}\n`);
    }
  }

  const lines: string[] = [];
  let krocPass = 0;
  let occPass = 0;
  for (const program of programs) {
    const stdinName = suite.stdin?.[program];
    const stdinOf = (work: string): string | null => (stdinName ? join(work, stdinName) : null);
    const occ = await runOccmesh(opts, occWork, program, stdinOf(occWork));
    let verdict: string;
    if (krocWork !== null) {
      const cached = opts.krocCache === null ? null : join(opts.krocCache, `${opts.suite}-${program}.json`);
      let kroc: Outcome;
      if (cached !== null && existsSync(cached)) kroc = JSON.parse(readFileSync(cached, 'utf8')) as Outcome;
      else {
        kroc = await runKroc(opts, krocWork, program, stdinOf(krocWork));
        if (cached !== null) writeFileSync(cached, JSON.stringify(kroc));
      }
      const krocOk = kroc.status === 'ok' && (suite.selfCheck ? suite.selfCheck(kroc.stdout) : true);
      if (krocOk) krocPass++;
      const same = normalise(occ.stdout) === normalise(kroc.stdout);
      const occOk = krocOk && occ.status === 'ok' && same;
      if (occOk) occPass++;
      if (occOk) verdict = 'pass';
      else if (!krocOk) verdict = `kroc-${kroc.status === 'ok' ? 'fails-own-checks' : kroc.status} (${kroc.detail})`;
      else if (occ.status !== 'ok') verdict = `FAIL ${occ.status}: ${occ.detail}`;
      else verdict = `FAIL output ${firstDifference(normalise(occ.stdout), normalise(kroc.stdout))}`;
      if (!krocOk && occ.status !== 'ok') verdict += `; occmesh ${occ.status}: ${occ.detail}`;
    } else {
      const occOk = occ.status === 'ok' && (suite.selfCheck ? suite.selfCheck(occ.stdout) : true);
      if (occOk) occPass++;
      verdict = occOk
        ? 'pass'
        : occ.status === 'ok'
          ? `FAIL own checks: ${firstLine(occ.stdout, /Failed|fail/i)}`
          : `FAIL ${occ.status}: ${occ.detail}`;
    }
    const line = `${program.padEnd(28)} ${verdict}`;
    lines.push(line);
    process.stdout.write(line + '\n');
  }
  const total =
    krocWork !== null
      ? `${opts.suite}: ${programs.length} run, ${krocPass} pass on KRoC, ${occPass} pass on occmesh (same output as KRoC)`
      : `${opts.suite}: ${programs.length} run, ${occPass} pass on occmesh (ran to the end${suite.selfCheck ? ' and passed its own checks' : ''}; no KRoC given)`;
  lines.push(total);
  process.stdout.write(total + '\n');
  if (opts.out !== null) writeFileSync(opts.out, lines.join('\n') + '\n');
  rmSync(occWork, { recursive: true, force: true });
  if (krocWork !== null) rmSync(krocWork, { recursive: true, force: true });
}

await main();
