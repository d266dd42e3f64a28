// `npm run fuzz -- --runs N [--from I] [--jobs J] [--seed S] [--timeout MS] [--time-limit S] [--only I]`: feeds
// occmesh N generated inputs (fuzz/inputs.ts), numbered from I, through check, compile, run and image loading
// (fuzz/try-input.ts) and counts what must never happen: compiler exceptions, emulator exceptions, internal
// errors, messages without a location, and hangs (an input that takes longer than --timeout). Inputs run in J
// worker threads, each replaced when it hangs. An input depends only on the seed, its number and the corpus, so
// a long run can be split into ranges (--from) run at different times. Exits 1 if anything was found; each
// finding is printed with the --only that makes it again.

import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { loadCorpus, inputAt } from './corpus.js';
import type { InputOptions } from './inputs.js';
import type { Finding } from './try-input.js';

interface Args {
  runs: number;
  from: number;
  jobs: number;
  seed: number;
  timeoutMs: number;
  timeLimitS: number;
  only: number | null;
  options: InputOptions;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    runs: 1000,
    from: 0,
    jobs: 1,
    seed: 1,
    timeoutMs: 10_000,
    timeLimitS: Infinity,
    only: null,
    options: { maxDepth: 10_000, maxProcs: 2000 },
  };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    const whole = (): number => {
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${argv[i]} needs a whole number`);
      i++;
      return value;
    };
    switch (argv[i]) {
      case '--runs':
        args.runs = whole();
        break;
      case '--from':
        args.from = whole();
        break;
      case '--jobs':
        args.jobs = Math.max(1, whole());
        break;
      case '--seed':
        args.seed = whole();
        break;
      case '--timeout':
        args.timeoutMs = whole();
        break;
      case '--time-limit':
        args.timeLimitS = whole();
        break;
      case '--only':
        args.only = whole();
        break;
      case '--max-depth':
        args.options = { ...args.options, maxDepth: Math.max(1, whole()) };
        break;
      case '--max-procs':
        args.options = { ...args.options, maxProcs: Math.max(1, whole()) };
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return args;
}

/** Findings printed per kind. */
const EXAMPLES_PER_KIND = 5;

interface Reply {
  index: number;
  kind: string;
  findings: Finding[];
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(
      `fuzz: ${(e as Error).message}\nusage: npm run fuzz -- --runs N [--from I] [--jobs J] [--seed S] [--timeout MS] [--time-limit S] [--only I] [--max-depth D] [--max-procs P]\n`,
    );
    return 64;
  }
  const root = join(import.meta.dirname, '..', '..');
  const corpus = loadCorpus(root);
  const indices = args.only !== null ? [args.only] : Array.from({ length: args.runs }, (_, i) => args.from + i);
  const kinds = new Map<string, number>();
  const counts = new Map<string, number>();
  const examples: string[] = [];
  const shownOf = new Map<string, number>();
  let hangs = 0;
  let done = 0;
  const started = Date.now();
  // The first few findings of each kind, so that a common one does not hide the others.
  const note = (index: number, kind: string, what: string): void => {
    const shown = shownOf.get(kind) ?? 0;
    shownOf.set(kind, shown + 1);
    if (shown >= EXAMPLES_PER_KIND) return;
    const line = `  --seed ${args.seed} --only ${index}: ${what}`;
    examples.push(line);
    // Said at once too, so that a long run's findings can be looked at while it goes on.
    if (indices.length > 1) process.stderr.write(`fuzz: found${line}\n`);
  };
  const record = (index: number, reply: Reply | 'hang'): void => {
    done++;
    if (reply === 'hang') {
      hangs++;
      const { input } = inputAt(args.seed, index, corpus, args.options);
      kinds.set(input.kind, (kinds.get(input.kind) ?? 0) + 1);
      note(index, 'hang', `hang (over ${args.timeoutMs} ms), ${input.kind}`);
      return;
    }
    kinds.set(reply.kind, (kinds.get(reply.kind) ?? 0) + 1);
    for (const f of reply.findings) {
      counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
      note(index, f.kind, `${f.kind} in ${f.stage} (${reply.kind}): ${f.detail.slice(0, 300)}`);
    }
  };

  const spawn = (): Worker =>
    new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { seed: args.seed, corpus, options: args.options },
    });
  // One lane per job: each takes the next input number until none is left, and keeps its own worker.
  let next = 0;
  let busy = 0;
  const lane = async (): Promise<void> => {
    let worker = spawn();
    for (;;) {
      if ((Date.now() - started) / 1000 > args.timeLimitS || next >= indices.length) break;
      const index = indices[next++]!;
      busy++;
      const reply = await new Promise<Reply | 'hang'>((resolve) => {
        // A hang is an input that has had --timeout ms of the CPU, not one that waited that long for it: on a
        // loaded machine the wall clock says nothing. The process's CPU time over the busy lanes estimates this
        // worker's share; while it is short of the bound, the timer is set again for what is left.
        const cpuStart = process.cpuUsage();
        let timer: NodeJS.Timeout;
        const expire = (): void => {
          const used = process.cpuUsage(cpuStart);
          const mine = (used.user + used.system) / 1000 / busy;
          if (mine >= args.timeoutMs) resolve('hang');
          else timer = setTimeout(expire, Math.max(100, args.timeoutMs - mine));
        };
        timer = setTimeout(expire, args.timeoutMs);
        const onMessage = (r: Reply): void => {
          clearTimeout(timer);
          worker.off('error', onError);
          resolve(r);
        };
        const onError = (e: Error): void => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          resolve({ index, kind: '?', findings: [{ kind: 'compiler exception', stage: 'worker', detail: e.message }] });
          worker = spawn();
        };
        worker.once('message', onMessage);
        worker.once('error', onError);
        worker.postMessage(index);
      });
      busy--;
      record(index, reply);
      if (reply === 'hang') {
        await worker.terminate();
        worker = spawn();
      }
    }
    await worker.terminate();
  };
  // A long run says how far it has got, on standard error, every minute.
  const progress = setInterval(() => {
    const found = [...shownOf.values()].reduce((a, b) => a + b, 0);
    process.stderr.write(
      `fuzz: ${done} of ${indices.length} inputs, ${found} findings, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
  }, 60_000);
  progress.unref();
  await Promise.all(Array.from({ length: Math.min(args.jobs, indices.length) }, lane));
  clearInterval(progress);

  const seconds = (Date.now() - started) / 1000;
  const out = [
    `fuzz: ${done} inputs from seed ${args.seed}${args.from > 0 && args.only === null ? ` (numbers from ${args.from})` : ''} in ${seconds.toFixed(1)} s`,
    `inputs: ${[...kinds]
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `compiler exceptions: ${counts.get('compiler exception') ?? 0}`,
    `internal errors: ${counts.get('internal error') ?? 0}`,
    `emulator exceptions: ${counts.get('emulator exception') ?? 0}`,
    `report exceptions: ${counts.get('report exception') ?? 0}`,
    `messages without a location: ${counts.get('message without a location') ?? 0}`,
    `hangs over ${args.timeoutMs} ms of CPU: ${hangs}`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  if (examples.length > 0)
    process.stdout.write(`found (the first ${EXAMPLES_PER_KIND} of each kind):\n${examples.join('\n')}\n`);
  return examples.length > 0 ? 1 : 0;
}

process.exitCode = await main();
