/**
 * A run that fails: its error.json and the tables say so, the other runs finish, and the next
 * `run` retries it (a failed run is not a finished one) and clears the error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../src/cli/experiments.ts';
import { reportInput } from '../../../src/publish/report-input.ts';
import { ResultsPublisher, type ExperimentToRun } from '../../../src/publish/results-publisher.ts';
import { ProgressDisplay } from '../../../src/run/progress.ts';
import { runExperiments, type RunOptions } from '../../../src/run/run-experiments.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-failed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'flaky.yaml');
writeFileSync(
  file,
  `name: flaky
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 10], epochs: 1, batch_size: 50, backend: js }
grid: { seed: [1, 2] }
`,
);
const out = path.join(dir, 'results');
const experiments = loadAll([file], { sets: [] }).loaded.map((l) => ({ ...reportInput(l), selected: l.runs }));
const [first, second] = experiments[0]!.runs;
const runDir = (id: string) => path.join(out, 'flaky', 'runs', id);

// The tables are written as `mlp-lab run --no-charts` writes them.
const options = (list: ExperimentToRun[]): RunOptions<ExperimentToRun> => ({
  out,
  jobs: 1,
  force: false,
  failFast: false,
  wait: false,
  listener: new ResultsPublisher(out, list, { charts: false }),
  command: 'test',
  signal: new AbortController().signal,
  display: (pending, work) => new ProgressDisplay(pending, work, { live: false, quiet: true, color: false }),
  schedule: { worker: new URL('../../fixtures/workers/fail-while-marked-worker.ts', import.meta.url) },
});

describe('a failed run', () => {
  it('leaves error.json and no metrics.json, the tables say failed, and the next run retries it', async () => {
    // Only the first run's folder carries the marker's effect: mark, run the first alone, unmark.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(out, 'flaky'), { recursive: true });
    writeFileSync(path.join(out, 'flaky', 'FAIL'), '');
    const alone = [{ ...experiments[0]!, selected: [first!] }];
    const failed = await runExperiments(alone, options(alone));
    expect(failed).toMatchObject({ planned: 1, completed: 0, failed: 1 });
    const error = JSON.parse(readFileSync(path.join(runDir(first!.id), 'error.json'), 'utf8')) as { status: string; message: string; run_id: string };
    expect(error).toMatchObject({ status: 'failed', run_id: first!.id, message: 'the run failed on purpose' });
    expect(existsSync(path.join(runDir(first!.id), 'metrics.json'))).toBe(false);
    expect(readFileSync(path.join(out, 'flaky', 'results.csv'), 'utf8')).toMatch(new RegExp(`^${first!.id},.*,failed,`, 'm'));

    rmSync(path.join(out, 'flaky', 'FAIL'));
    const retried = await runExperiments(experiments, options(experiments));
    expect(retried).toMatchObject({ planned: 2, reused: 0, completed: 2, failed: 0 });
    expect(existsSync(path.join(runDir(first!.id), 'error.json'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(runDir(first!.id), 'metrics.json'), 'utf8')).status).toBe('completed');
    expect(existsSync(path.join(runDir(second!.id), 'metrics.json'))).toBe(true);

    const again = await runExperiments(experiments, options(experiments));
    expect(again).toMatchObject({ planned: 2, reused: 2, completed: 0 });
  });
});
