/**
 * A sweep with dropout, weight decay and learning-rate schedules trained by two `mlp-lab worker`
 * processes from the queue writes exactly what a local run writes: the masks come from the run's
 * seed, whichever worker trains it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { cli, startCli, type CliProcess } from '../../support/cli.ts';
import { workspace } from '../../support/workspace.ts';
import { startRedis, withRedis, type TestRedis } from './redis-server.ts';

const { it } = withRedis;

const SWEEP = `
name: settings
dataset: { source: mnist, train_limit: 300, test_limit: 100 }
defaults: { layers: [784, 16, 10], activation: relu, epochs: 2, batch_size: 30, learning_rate: 0.1, weight_decay: 1.0e-3, warmup_epochs: 1, history: { every: 5 } }
grid:
  dropout: [0, 0.3]
  lr_schedule: [constant, step]
charts: { runs: false, sweeps: false, histories: false }
`;

function sweep(): { file: string; out: string } {
  const { dir } = workspace('queue-settings');
  writeFileSync(path.join(dir, 'settings.yaml'), SWEEP);
  return { file: path.join(dir, 'settings.yaml'), out: path.join(dir, 'results') };
}

/** A CSV without its seconds column (timings differ from run to run). */
const withoutTimes = (file: string) =>
  (parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[]).map(({ seconds: _, ...rest }) => rest);

let redis: TestRedis;
const processes: CliProcess[] = [];

withRedis.describe('a sweep of the training settings on the queue', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis?.stop();
  });

  it("gives the local run's results and histories", async () => {
    const local = sweep();
    const run = cli('run', local.file, '--out', local.out, '--jobs', '2', '--no-charts');
    expect(run.code, run.stderr).toBe(0);

    const queued = sweep();
    const workers = ['w1', 'w2'].map((name) => startCli(['worker', '--queue', redis.url, '--name', name, '--jobs', '1']));
    processes.push(...workers);
    await Promise.all(workers.map((w) => w.waitFor(/slot on redis/)));
    const client = startCli(['run', queued.file, '--out', queued.out, '--queue', redis.url, '--no-charts']);
    processes.push(client);
    expect(await client.exited, client.output()).toBe(0);

    expect(withoutTimes(path.join(queued.out, 'settings', 'results.csv'))).toEqual(withoutTimes(path.join(local.out, 'settings', 'results.csv')));
    for (const { id } of loadExperiment(queued.file).runs) {
      const history = (out: string) => withoutTimes(path.join(out, 'settings', 'runs', id, 'history.csv'));
      expect(history(queued.out)).toEqual(history(local.out));
      expect(Object.keys(history(local.out)[0]!)).toContain('learning_rate');
    }
    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
  });
});
