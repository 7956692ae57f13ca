/**
 * `npm run bench`, the samplers' section (`BENCH_ONLY=search` runs only it): the best value that
 * random, Sobol and our TPE find on the standard functions of bench/search-functions.ts in 60
 * evaluations, median over 20 search seeds, beside Optuna's TPESampler (its defaults, seeds 0–19)
 * on the same functions and budget (bench/search_optuna.py). No training: this measures the
 * samplers alone. Also the time a proposal takes (our TPE at 60 trials is the costliest).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_FUNCTIONS, bestFound, median } from './search-functions.ts';
import type { SearchMethod } from '../src/search/index.ts';

const BUDGET = 60;
const SEEDS = 20;
const METHODS: SearchMethod[] = ['random', 'sobol', 'tpe'];

/** Optuna's medians by function name, or why there are none. */
function optunaMedians(): { medians: Record<string, number> | null; note: string } {
  const script = fileURLToPath(new URL('./search_optuna.py', import.meta.url));
  const result = spawnSync('python3', [script, String(BUDGET), String(SEEDS)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0)
    return { medians: null, note: `Optuna not run (${(result.stderr || result.error?.message || '').trim().split('\n').at(-1)}); pip install optuna` };
  const parsed = JSON.parse(result.stdout) as { version: string; medians: Record<string, number> };
  return { medians: parsed.medians, note: `Optuna ${parsed.version}, TPESampler(seed=s) with its defaults` };
}

export function benchSearch(): void {
  console.log(`\nSamplers on standard functions: median best of ${BUDGET} evaluations over ${SEEDS} search seeds (minimised; lower is better)`);
  const optuna = optunaMedians();
  const header = ['function', 'minimum', ...METHODS.map((m) => (m === 'tpe' ? 'tpe (ours)' : m)), 'tpe (Optuna)'];
  console.log(header.map((h, i) => (i === 0 ? h.padEnd(11) : h.padStart(13))).join(''));
  let proposals = 0;
  let tpeMs = 0;
  for (const fn of TEST_FUNCTIONS) {
    const cells = METHODS.map((method) => {
      const started = performance.now();
      const value = median(Array.from({ length: SEEDS }, (_, seed) => bestFound(fn, method, seed, BUDGET)));
      if (method === 'tpe') {
        tpeMs += performance.now() - started;
        proposals += SEEDS * BUDGET;
      }
      return value;
    });
    const theirs = optuna.medians?.[fn.name];
    console.log(
      [
        fn.name.padEnd(11),
        fn.minimum.toFixed(4).padStart(13),
        ...cells.map((v) => v.toFixed(4).padStart(13)),
        (theirs === undefined ? '—' : theirs.toFixed(4)).padStart(13),
      ].join(''),
    );
  }
  console.log(`${optuna.note}. Our TPE: ${(tpeMs / proposals).toFixed(2)} ms per proposal on average over searches of ${BUDGET} (startup trials included).`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) benchSearch();
