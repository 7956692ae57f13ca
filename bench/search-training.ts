/**
 * `npm run bench`, search on real training (`BENCH_ONLY=search-training` runs only it): the best
 * validation accuracy that a grid, random, Sobol and TPE search find on the same space and about
 * the same budget in epochs, with and without successive halving, median over 5 search seeds; the
 * epochs each spent; and the time a search spends outside training per trial. Every search is a
 * real `mlp-lab run` (`--jobs 2 --no-charts`) into a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExperiment } from '../src/experiment/index.ts';
import { searchPlan } from '../src/run/search-plan.ts';
import { median } from './search-functions.ts';

const BIN = fileURLToPath(new URL('../bin/mlp-lab.js', import.meta.url));
const SEEDS = [1, 2, 3, 4, 5];

const COMMON = `dataset: { source: mnist, train_limit: 4000, test_limit: 1000, validation: 1000 }
defaults: { layers: [784, 32, 10], activation: relu, batch_size: 32, optimizer: momentum, init: he, shuffle: epoch, history: { every: epoch, eval_limit: 1000 } }
`;
const SPACE = `  metric: validation_accuracy
  space:
    learning_rate: { log_uniform: [0.001, 0.5] }
    momentum: { uniform: [0.0, 0.95] }
`;

/** A setup: its experiment file for search seed `s`. 27 configurations × 9 epochs = 243 epochs without pruning. */
const SETUPS: { name: string; yaml: (s: number) => string }[] = [
  {
    name: 'grid 9 × 3',
    yaml: (s) =>
      `name: b\n${COMMON.replace('init: he', `init: he, epochs: 9, seed: ${s}`)}grid:\n  learning_rate: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]\n  momentum: [0.0, 0.5, 0.9]\n`,
  },
  ...(['random', 'sobol', 'tpe'] as const).map((method) => ({
    name: method,
    yaml: (s: number) =>
      `name: b\n${COMMON.replace('init: he', 'init: he, epochs: 9')}search:\n  method: ${method}\n  trials: 27\n${method === 'tpe' ? '  batch: 3\n' : ''}  seed: ${s}\n${SPACE}`,
  })),
  // Successive halving, min 1, max 9, eta 3: 81 trials cost 81·1 + 27·2 + 9·6 = 189 epochs.
  ...(['random', 'sobol', 'tpe'] as const).map((method) => ({
    name: `${method} + SH (81 trials)`,
    yaml: (s: number) =>
      `name: b\n${COMMON}search:\n  method: ${method}\n  trials: 81\n  seed: ${s}\n  pruner: { method: successive_halving, min_epochs: 1, max_epochs: 9, eta: 3 }\n${SPACE}`,
  })),
];

interface Outcome {
  best: number;
  epochs: number;
  trials: number;
  searchMsPerTrial: number | null;
}

function runSetup(yaml: string): Outcome {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-bench-search-'));
  try {
    const file = path.join(dir, 'b.yaml');
    writeFileSync(file, yaml);
    const result = spawnSync(process.execPath, [BIN, 'run', file, '--out', path.join(dir, 'out'), '--jobs', '2', '--no-charts', '--quiet'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (result.status !== 0) throw new Error(`mlp-lab run failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    const runs = path.join(dir, 'out', 'b', 'runs');
    const rungs = path.join(dir, 'out', 'b', 'rungs');
    let best = -Infinity;
    let epochs = 0;
    for (const id of readdirSync(runs)) {
      const metrics = JSON.parse(readFileSync(path.join(runs, id, 'metrics.json'), 'utf8')) as { validation_accuracy: number; seconds: number };
      const config = JSON.parse(readFileSync(path.join(runs, id, 'config.json'), 'utf8')) as { epochs: number };
      best = Math.max(best, metrics.validation_accuracy);
      epochs += config.epochs;
    }
    // Pruned trials and the rungs of promoted ones: their epochs are the last rung's (each rung continues from the one before).
    const finished = new Set(readdirSync(runs));
    let trials = finished.size;
    for (const name of safeList(rungs)) {
      const record = JSON.parse(readFileSync(path.join(rungs, name), 'utf8')) as { run_id: string; rungs: { epoch: number }[] };
      if (finished.has(record.run_id)) continue;
      trials++;
      epochs += record.rungs.at(-1)!.epoch; // a pruned trial trained to its last rung
    }
    // The summary names the search's best trial; a grid's best is the best of its runs.
    const named = /Best trial of b: .*: validation_accuracy ([\d.]+)\./.exec(result.stdout);
    return { best: named ? Number(named[1]) : best, epochs, trials, searchMsPerTrial: searchCost(file, path.join(dir, 'out'), trials) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The search's own work per trial: `run` rebuilds the plan (every round's proposals, from the
 * store) once per round or rung and a few times more; one rebuild of the finished search, median
 * of 3, times the rebuilds, over the trials. Null for a grid.
 */
function searchCost(file: string, out: string, trials: number): number | null {
  const loaded = loadExperiment(file);
  const times: number[] = [];
  let rebuilds = 0;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const plan = searchPlan(loaded, out, []);
    times.push(performance.now() - started);
    if (!plan) return null;
    rebuilds = plan.rounds + 3;
  }
  return (median(times) * rebuilds) / trials;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function benchSearchTraining(): void {
  console.log(
    `\nSearch on MNIST (4,000 training and 1,000 validation images, [784,32,10] relu, momentum): best validation accuracy, median over search seeds ${SEEDS.join(', ')}`,
  );
  console.log(
    `${'setup'.padEnd(24)}${'best val. acc.'.padStart(15)}${'min–max'.padStart(15)}${'epochs'.padStart(9)}${'trials'.padStart(8)}${'search ms/trial'.padStart(17)}`,
  );
  for (const setup of SETUPS) {
    const outcomes = SEEDS.map((s) => runSetup(setup.yaml(s)));
    const bests = outcomes.map((o) => o.best);
    console.log(
      `${setup.name.padEnd(24)}${median(bests).toFixed(2).padStart(15)}${`${Math.min(...bests).toFixed(2)}–${Math.max(...bests).toFixed(2)}`.padStart(15)}${String(median(outcomes.map((o) => o.epochs))).padStart(9)}${String(median(outcomes.map((o) => o.trials))).padStart(8)}${(outcomes[0]!.searchMsPerTrial === null ? '—' : median(outcomes.map((o) => o.searchMsPerTrial!)).toFixed(2)).padStart(17)}`,
    );
  }
  console.log(
    'Epochs: trained in all (a pruned trial to its last rung). Search ms/trial: proposing and bookkeeping (the plan rebuilt from the store once per round or rung, and 3 more times), per trial; training, workers and the store not counted.',
  );
}
