/**
 * A search through the queue: `run --queue` proposes each round from the records the workers'
 * runs leave in the store, so two workers give the same trials and results.csv as a local run.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect } from 'vitest';
import { startCli, type CliProcess } from '../../support/cli.ts';
import { startRedis, withRedis, type TestRedis } from './redis-server.ts';
import { workspace } from '../../support/workspace.ts';

const { it } = withRedis;

// 12 trials in rounds of 5: the third round is TPE's first proposed from results.
const SEARCH = `
name: searched
dataset: { source: mnist, train_limit: 400, test_limit: 200, validation: 200 }
defaults: { layers: [784, 16, 10], epochs: 2, batch_size: 25, optimizer: momentum }
search:
  method: tpe
  trials: 12
  batch: 5
  seed: 5
  space:
    learning_rate: { log_uniform: [0.005, 0.5] }
    momentum: { uniform: [0.0, 0.95] }
`;

function experimentFolder(): { file: string; out: string } {
  const dir = workspace('search-queue').dir;
  writeFileSync(path.join(dir, 'searched.yaml'), SEARCH);
  return { file: path.join(dir, 'searched.yaml'), out: path.join(dir, 'results') };
}

const table = (out: string) =>
  (parse(readFileSync(path.join(out, 'searched', 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[]).map(
    ({ seconds: _, ...rest }) => rest,
  );

let redis: TestRedis;
const processes: CliProcess[] = [];

withRedis.describe('a search on the queue', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis?.stop();
  });

  it('two workers give the same trials and results as a local run', async () => {
    const local = experimentFolder();
    const ran = spawnSync(process.execPath, [path.resolve('bin/mlp-lab.js'), 'run', local.file, '--out', local.out, '--jobs', '2', '--no-charts'], {
      encoding: 'utf8',
    });
    expect(ran.status, ran.stdout + ran.stderr).toBe(0);

    const queued = experimentFolder();
    const workers = ['w1', 'w2'].map((name) => startCli(['worker', '--queue', redis.url, '--name', name, '--jobs', '1']));
    processes.push(...workers);
    await Promise.all(workers.map((w) => w.waitFor(/slot on redis/)));
    const run = startCli(['run', queued.file, '--out', queued.out, '--queue', redis.url, '--no-charts']);
    processes.push(run);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain('round 3 of 3');
    expect(run.output()).toMatch(/12 runs: 12 trained, 0 reused\./);
    expect(table(queued.out)).toEqual(table(local.out));
    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
  }, 240_000);
});
