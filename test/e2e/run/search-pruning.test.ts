/**
 * Successive halving in `mlp-lab run`: the issue's example (27 trials, min 1, max 27, eta 3)
 * trains each trial to its rung and continues the promoted ones from their checkpoints, so a
 * rung's result is an exact prefix of a run trained straight through.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { workspace } from '../../support/workspace.ts';
import { searchCharts } from '../../../src/charts/search-charts.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { searchPlan } from '../../../src/run/search-plan.ts';

const BIN = path.resolve('bin/mlp-lab.js');
const env = { ...process.env, NO_COLOR: '1' };

const DEFAULTS = `
dataset: { source: mnist, train_limit: 300, test_limit: 100, validation: 100 }
defaults: { layers: [784, 8, 10], batch_size: 50, optimizer: momentum, history: { every: epoch } }`;

const SEARCH = `name: halving${DEFAULTS}
search:
  method: random
  trials: 27
  seed: 2
  space:
    learning_rate: { log_uniform: [0.005, 0.5] }
    momentum: { uniform: [0.0, 0.95] }
  pruner: { method: successive_halving, min_epochs: 1, max_epochs: 27, eta: 3 }
`;

function run(yaml: string, name: string, jobs = 2): { out: string; stdout: string; status: number | null } {
  const dir = workspace('halving').dir;
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const out = path.join(dir, 'results');
  const result = spawnSync(process.execPath, [BIN, 'run', file, '--out', out, '--jobs', String(jobs), '--no-charts'], { env, encoding: 'utf8' });
  return { out, stdout: result.stdout + result.stderr, status: result.status };
}

const withoutSeconds = (table: Record<string, string>[]) => table.map(({ seconds: _, ...rest }) => rest);

const rows = (out: string, name: string) => parse(readFileSync(path.join(out, name, 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
const history = (out: string, name: string, id: string) =>
  parse(readFileSync(path.join(out, name, 'runs', id, 'history.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
/** The trial's searched values, from its label (written to 10 significant digits, as the run's config has them). */
const searched = (label: string) => Object.fromEntries([...label.matchAll(/(learning_rate|momentum)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));

describe('successive halving', () => {
  it('trains 27·1 + 9·2 + 3·6 + 1·18 = 81 epochs, the promoted trials going on from their checkpoints, bit for bit', { timeout: 240_000 }, () => {
    const search = run(SEARCH, 'halving');
    expect(search.status, search.stdout).toBe(0);
    // 27 first trainings to epoch 1; 9, 3 and 1 of them continued from their checkpoints (to 3, 9 and 27):
    // 39 stopped at a rung, the last one finished, and nothing trained from scratch twice.
    expect(search.stdout).toContain('27 runs: 1 trained, 0 reused, 39 stopped at a rung.');
    expect(search.stdout).toContain('13 runs continued from a checkpoint.');
    const table = rows(search.out, 'halving');
    const reached = (rung: number) => table.filter((r) => r.rung === String(rung));
    expect([0, 1, 2, 3].map((k) => reached(k).length)).toEqual([18, 6, 2, 1]);
    expect([0, 1, 2, 3].map((k) => reached(k)[0]!.epochs_trained)).toEqual(['1', '3', '9', '27']);
    expect(table.filter((r) => r.status === 'pruned')).toHaveLength(26);
    // The epochs trained: each rung's trials train from the rung before.
    const epochs = [0, 1, 2, 3].reduce((sum, k) => sum + table.filter((r) => Number(r.rung) >= k).length * ([1, 3, 9, 27][k]! - [0, 1, 3, 9][k]!), 0);
    expect(epochs).toBe(81);
    // The promoted trials are the best at the first rung: each of them beat, at epoch 1, every trial pruned there.
    const atFirstRung = (id: string) =>
      (JSON.parse(readFileSync(path.join(search.out, 'halving', 'rungs', `${id}.json`), 'utf8')) as { rungs: { validation_accuracy: number }[] }).rungs[0]!
        .validation_accuracy;
    const promoted = table.filter((r) => r.rung !== '0').map((r) => atFirstRung(r.run_id!));
    expect(Math.min(...promoted)).toBeGreaterThanOrEqual(Math.max(...reached(0).map((r) => atFirstRung(r.run_id!))));
    const best = reached(3)[0]!;
    expect(best.status).toBe('completed');
    expect(search.stdout).toContain(`Best trial of halving: trial ${best.trial}, `);
    expect(search.stdout).toContain('rung at epoch 9 of 27: 3 runs to train');

    // The successive-halving chart: every run at each rung it reached, the pruned ones ending there.
    const plan = searchPlan(loadExperiment(path.join(path.dirname(search.out), 'halving.yaml')), search.out, [])!;
    const rungChart = searchCharts(plan, { out: search.out, experiment: 'halving' }).find((c) => c.name === 'search-rungs')!;
    const points = (rungChart.spec.data as { values: { run: string; epoch: number; status: string; value: number }[] }).values;
    const lastEpoch = new Map<string, number>();
    for (const p of points) lastEpoch.set(p.run, Math.max(lastEpoch.get(p.run) ?? 0, p.epoch));
    expect([...lastEpoch.values()].sort((a, b) => a - b)).toEqual(table.map((r) => Number(r.epochs_trained)).sort((a, b) => a - b));
    expect(points.filter((p) => p.epoch === 27).map((p) => p.run)).toEqual([best.run_id]);
    expect(points.find((p) => p.run === best.run_id && p.epoch === 1)!.value).toBe(atFirstRung(best.run_id!));

    // The same configuration trained straight through, as a grid: the same run id, the same history and weights.
    const values = searched(best.label!);
    const straight = run(
      `name: halving${DEFAULTS.replace('optimizer: momentum', `optimizer: momentum, epochs: 27, learning_rate: ${values.learning_rate}, momentum: ${values.momentum}`)}\n`,
      'halving',
    );
    expect(straight.status, straight.stdout).toBe(0);
    expect(rows(straight.out, 'halving')[0]!.run_id).toBe(best.run_id);
    const withoutTimes = (h: Record<string, string>[]) => h.map(({ seconds: _, ...rest }) => rest);
    expect(withoutTimes(history(search.out, 'halving', best.run_id!))).toEqual(withoutTimes(history(straight.out, 'halving', best.run_id!)));
    const weights = (out: string) => readFileSync(path.join(out, 'halving', 'runs', best.run_id!, 'weights.safetensors'));
    expect(weights(search.out).equals(weights(straight.out))).toBe(true);

    // A pruned trial's metrics at its rung are the straight-through run's at that epoch (the history evaluates the whole sets here).
    const pruned = reached(2)[0]!;
    const rung = (
      JSON.parse(readFileSync(path.join(search.out, 'halving', 'rungs', `${pruned.run_id}.json`), 'utf8')) as {
        rungs: { epoch: number; validation_accuracy: number; test_accuracy: number; validation_cost: number }[];
      }
    ).rungs;
    expect(rung.map((r) => r.epoch)).toEqual([1, 3, 9]);
    const prunedValues = searched(pruned.label!);
    const through = run(
      `name: halving${DEFAULTS.replace('optimizer: momentum', `optimizer: momentum, epochs: 27, learning_rate: ${prunedValues.learning_rate}, momentum: ${prunedValues.momentum}`)}\n`,
      'halving',
    );
    const at9 = history(through.out, 'halving', pruned.run_id!).find((h) => h.epoch === '9')!;
    expect(Number(at9.validation_accuracy)).toBe(rung[2]!.validation_accuracy);
    expect(Number(at9.validation_cost)).toBe(rung[2]!.validation_cost);
    expect(Number(at9.test_accuracy)).toBe(rung[2]!.test_accuracy);
  });

  it('makes the same pruning decisions at --jobs 1 and 2, and after a kill in the middle of the rungs', { timeout: 240_000 }, async () => {
    const one = run(SEARCH, 'halving', 1);
    const two = run(SEARCH, 'halving', 2);
    expect(one.status, one.stdout).toBe(0);
    const expected = withoutSeconds(rows(one.out, 'halving'));
    expect(withoutSeconds(rows(two.out, 'halving'))).toEqual(expected);

    // SIGKILL (the command and its workers) once the second rung is under way, then the same command again.
    const dir = workspace('halving').dir;
    const file = path.join(dir, 'halving.yaml');
    writeFileSync(file, SEARCH);
    const out = path.join(dir, 'results');
    const child = spawn(process.execPath, [BIN, 'run', file, '--out', out, '--jobs', '2', '--no-charts'], { env, detached: true });
    let output = '';
    const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      if ((output.match(/at the rung of epoch 3/g) ?? []).length >= 2 && child.exitCode === null && !child.killed) process.kill(-child.pid!, 'SIGKILL');
    });
    child.stderr.on('data', () => {});
    await exit;
    expect(output).not.toContain('27 runs:');
    const rerun = spawnSync(process.execPath, [BIN, 'run', file, '--out', out, '--jobs', '2', '--no-charts'], { env, encoding: 'utf8' });
    expect(rerun.status, rerun.stdout).toBe(0);
    expect(rerun.stdout).toMatch(/27 runs: 1 trained, \d+ reused, \d+ stopped at a rung\./);
    expect(withoutSeconds(rows(out, 'halving'))).toEqual(expected);
  });

  it("runs Hyperband's brackets in a fixed order, each from its first rung", { timeout: 240_000 }, () => {
    const hyperband = SEARCH.replace('successive_halving, min_epochs: 1, max_epochs: 27', 'hyperband, min_epochs: 1, max_epochs: 9').replace(
      'trials: 27',
      'trials: 17',
    );
    const result = run(hyperband, 'halving');
    expect(result.status, result.stdout).toBe(0);
    // Brackets s = 2, 1, 0: 9 trials from epoch 1 (3 to 3, 1 to 9), 5 from epoch 3 (1 to 9), 3 straight to 9.
    expect(result.stdout).toContain('17 runs: 5 trained, 0 reused, 17 stopped at a rung.');
    expect(result.stdout).toContain('5 runs continued from a checkpoint.');
    const table = rows(result.out, 'halving');
    expect(
      table
        .map((r) => r.epochs_trained)
        .map(Number)
        .reduce((a, b) => a + b, 0),
    ).toBe(6 * 1 + 2 * 3 + 1 * 9 + 4 * 3 + 1 * 9 + 3 * 9);
    expect(table.slice(14).map((r) => `${r.rung} ${r.epochs_trained} ${r.status}`)).toEqual(['0 9 completed', '0 9 completed', '0 9 completed']);
  });
});
