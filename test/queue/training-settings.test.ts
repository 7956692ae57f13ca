/**
 * A sweep with dropout, weight decay and learning-rate schedules trained by two `mlp-lab worker`
 * processes from the queue writes exactly what a local run writes: the masks come from the run's
 * seed, whichever worker trains it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { loadExperiment } from '../../src/experiment/index.ts';
import { startCli, type CliProcess } from './cli-process.ts';
import { itWithRedis, redisMissing, startRedis, type TestRedis } from './redis-server.ts';

const it = itWithRedis();

const SWEEP = `
name: settings
dataset: { source: mnist, train_limit: 300, test_limit: 100 }
defaults: { layers: [784, 16, 10], activation: relu, epochs: 2, batch_size: 30, learning_rate: 0.1, weight_decay: 1.0e-3, warmup_epochs: 1, history: { every: 5 } }
grid:
  dropout: [0, 0.3]
  lr_schedule: [constant, step]
charts: { runs: false, sweeps: false, histories: false }
`;

function workspace(): { file: string; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-queue-settings-'));
  writeFileSync(path.join(dir, 'settings.yaml'), SWEEP);
  return { file: path.join(dir, 'settings.yaml'), out: path.join(dir, 'results') };
}

/** A CSV without its seconds column (timings differ from run to run). */
const withoutTimes = (file: string) => (parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[]).map(({ seconds: _, ...rest }) => rest);

let redis: TestRedis;
const processes: CliProcess[] = [];

describe.skipIf(redisMissing !== null)('a sweep of the training settings on the queue', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis?.stop();
  });

  it('gives the local run\'s results and histories', async () => {
    const local = workspace();
    const run = spawnSync(process.execPath, [path.resolve('bin/mlp-lab.js'), 'run', local.file, '--out', local.out, '--jobs', '2', '--no-charts'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);

    const queued = workspace();
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
