// The fuzzer's worker thread: makes and tries the inputs it is sent, so that the main thread can stop it when one
// takes longer than the time bound (a hang) and carry on with a fresh worker.

import { parentPort, workerData } from 'node:worker_threads';
import { inputAt } from './corpus.js';
import type { InputOptions } from './inputs.js';
import { tryInput } from './try-input.js';

const { seed, corpus, options } = workerData as { seed: number; corpus: string[]; options: InputOptions };

parentPort!.on('message', (index: number) => {
  const { input, rng } = inputAt(seed, index, corpus, options);
  const findings = tryInput(input.text, rng);
  parentPort!.postMessage({ index, kind: input.kind, findings });
});
