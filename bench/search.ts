/**
 * `npm run bench`, the samplers' section (`BENCH_ONLY=search` runs only it): the best value that
 * random, Sobol and our TPE find on the standard functions of bench/search-functions.ts in 60
 * evaluations, median over 20 search seeds with its distribution-free 95% interval, beside
 * Optuna's TPESampler (its defaults, seeds 0–19) on the same functions and budget
 * (bench/search_optuna.py). Both TPEs run the same protocol, said in each table: one trial at a
 * time (Optuna's study.optimize, our rounds of 1), then rounds of 8 (Optuna asks 8 trials before
 * telling their values; both count the pending ones as bad, the constant liar). A median of 20
 * seeds moves by more than the two TPEs differ, so a last table takes 200 seeds (BENCH_SEARCH_SEEDS)
 * one at a time. No training: this measures the samplers alone. Also the time a proposal takes.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_FUNCTIONS, bestFound, median, medianInterval } from './search-functions.ts';
import type { SearchMethod } from '../src/search/index.ts';

const BUDGET = 60;
const SEEDS = 20;
const WIDE_SEEDS = Number(process.env.BENCH_SEARCH_SEEDS ?? 200);
const BATCH = 8;
const METHODS: SearchMethod[] = ['random', 'sobol', 'tpe'];

/** Optuna's best value of each seed 0..seeds−1 by function name, or why there are none. */
function optunaBests(seeds: number, batch: number): { bests: Record<string, number[]> | null; note: string } {
  const script = fileURLToPath(new URL('./search_optuna.py', import.meta.url));
  const result = spawnSync('python3', [script, String(BUDGET), String(seeds), String(batch)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0)
    return { bests: null, note: `Optuna not run (${(result.stderr || result.error?.message || '').trim().split('\n').at(-1)}); pip install optuna` };
  const parsed = JSON.parse(result.stdout) as { version: string; bests: Record<string, number[]> };
  return { bests: parsed.bests, note: `Optuna ${parsed.version}, TPESampler(seed=s) with its defaults` };
}

/** "median [low, high]": the median of the values and its distribution-free 95% interval. */
function cell(values: readonly number[] | undefined): string {
  if (!values) return '—';
  const { low, high } = medianInterval(values);
  return `${median(values).toFixed(4)} [${low.toFixed(4)}, ${high.toFixed(4)}]`;
}

const WIDTH = 28;
const row = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(11) : c.padStart(i === 1 ? 10 : WIDTH))).join(''));

function tpeAgainstOptuna(seeds: number, batch: number, protocol: string): void {
  console.log(`\nOur TPE and Optuna's, ${protocol}: median best of ${BUDGET} evaluations over search seeds 0–${seeds - 1} [95% interval]`);
  const optuna = optunaBests(seeds, batch);
  row(['function', 'minimum', 'tpe (ours)', 'tpe (Optuna)']);
  for (const fn of TEST_FUNCTIONS) {
    const ours = Array.from({ length: seeds }, (_, seed) => bestFound(fn, 'tpe', seed, BUDGET, batch));
    row([fn.name, fn.minimum.toFixed(4), cell(ours), cell(optuna.bests?.[fn.name])]);
  }
  console.log(`${optuna.note}.`);
}

export function benchSearch(): void {
  console.log(`\nSamplers on standard functions: median best of ${BUDGET} evaluations over search seeds 0–${SEEDS - 1} [distribution-free 95% interval]`);
  console.log('(minimised; lower is better; both TPEs propose one trial at a time, each seeing every earlier result)');
  const optuna = optunaBests(SEEDS, 1);
  row(['function', 'minimum', ...METHODS.map((m) => (m === 'tpe' ? 'tpe (ours)' : m)), 'tpe (Optuna)']);
  let proposals = 0;
  let tpeMs = 0;
  for (const fn of TEST_FUNCTIONS) {
    const cells = METHODS.map((method) => {
      const started = performance.now();
      const bests = Array.from({ length: SEEDS }, (_, seed) => bestFound(fn, method, seed, BUDGET));
      if (method === 'tpe') {
        tpeMs += performance.now() - started;
        proposals += SEEDS * BUDGET;
      }
      return cell(bests);
    });
    row([fn.name, fn.minimum.toFixed(4), ...cells, cell(optuna.bests?.[fn.name])]);
  }
  console.log(`${optuna.note}. Our TPE: ${(tpeMs / proposals).toFixed(2)} ms per proposal on average over searches of ${BUDGET} (startup trials included).`);
  tpeAgainstOptuna(SEEDS, BATCH, `in rounds of ${BATCH} (each round proposed from the results of the rounds before it)`);
  if (WIDE_SEEDS > SEEDS) tpeAgainstOptuna(WIDE_SEEDS, 1, 'one trial at a time, more seeds');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) benchSearch();
