/**
 * Successive halving through the queue: each trial's rung is a job that trains to the rung and
 * answers with the checkpoint there, and the next rung's job goes on from it, so two workers give
 * the same trials, pruning decisions, rungs and results.csv as a local run at --jobs 1 and 2, and
 * a promoted trial's history and weights bit for bit. Faults: a worker killed in the middle of a
 * rung (with the run command that queued it), then both started again.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { parse } from 'csv-parse/sync';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { checkpointKey } from '../../../src/queue/checkpoints.ts';
import { parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX } from '../../../src/queue/connection.ts';
import { searchPlan } from '../../../src/run/search-plan.ts';
import { decodeCheckpoint } from '../../../src/store/checkpoint.ts';
import { cli as cliSync, startCli, type CliProcess } from '../../support/cli.ts';
import { exitOf, until } from '../../support/until.ts';
import { workspace } from '../../support/workspace.ts';
import { startRedis, withRedis, type TestRedis } from './redis-server.ts';

const { it } = withRedis;

// Each test takes seconds on an idle machine, more when the machine is shared: their timeouts leave room.
/** 9 trials at epoch 1, the best 3 to epoch 3, the best of those to 9: 21 epochs of 300 images. */
const HALVING = `
name: halving
dataset: { source: mnist, train_limit: 300, test_limit: 100, validation: 100 }
defaults: { layers: [784, 8, 10], batch_size: 50, optimizer: momentum, history: { every: epoch } }
search:
  method: sobol
  trials: 9
  seed: 3
  space:
    learning_rate: { log_uniform: [0.005, 0.5] }
    momentum: { uniform: [0.0, 0.95] }
  pruner: { method: successive_halving, min_epochs: 1, max_epochs: 9, eta: 3 }
`;

/**
 * Two trials to epoch 3, the better one to 6; a rung long enough (two seconds or more) for a worker
 * to send a checkpoint in its middle (it looks for a new one every second; one is written every 100
 * of the rung's 1,170 iterations) and be killed there.
 */
const LONG = `
name: long
dataset: { source: mnist, train_limit: 20000, test_limit: 500, validation: 500 }
defaults:
  layers: [784, 256, 10]
  batch_size: 50
  optimizer: momentum
  history: { every: epoch, eval_limit: 200 }
  checkpoint: { every: 100 }
search:
  method: sobol
  trials: 2
  seed: 1
  space:
    learning_rate: { log_uniform: [0.01, 0.2] }
    momentum: { uniform: [0.0, 0.9] }
  pruner: { method: successive_halving, min_epochs: 3, max_epochs: 6, eta: 2 }
`;

function experimentFolder(yaml: string): { file: string; out: string } {
  const dir = workspace('pruning-queue');
  const name = /name: (\S+)/.exec(yaml)![1]!;
  return { file: dir.write(`${name}.yaml`, yaml), out: dir.path('results') };
}

const withoutSeconds = <T extends Record<string, unknown>>(rows: T[]) => rows.map(({ seconds: _, ...rest }) => rest);
const table = (out: string, name: string) => parse(readFileSync(path.join(out, name, 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
const history = (out: string, name: string, id: string) =>
  withoutSeconds(parse(readFileSync(path.join(out, name, 'runs', id, 'history.csv'), 'utf8'), { columns: true }) as Record<string, string>[]);
const weights = (out: string, name: string, id: string) => readFileSync(path.join(out, name, 'runs', id, 'weights.safetensors'));
/** Every run's rungs (rungs/<id>.json), timings aside. */
function rungs(out: string, name: string): Record<string, unknown> {
  const dir = path.join(out, name, 'rungs');
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => {
        const record = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { run_id: string; rungs: Record<string, unknown>[] };
        return [f, { ...record, rungs: withoutSeconds(record.rungs) }];
      }),
  );
}
/** A checkpoint kept in the store: the state's parameters and iteration (its time and clock aside). */
function storedCheckpoint(out: string, name: string, id: string) {
  const { origin, state } = decodeCheckpoint(readFileSync(path.join(out, name, 'checkpoints', `${id}.ckpt`)));
  return { runId: origin.runId, iteration: state.iteration, epoch: state.epoch, parameters: state.parameters, optimizer: state.optimizer };
}

function runLocally(yaml: string, jobs: number): { out: string; stdout: string } {
  const { file, out } = experimentFolder(yaml);
  const local = cliSync('run', file, '--out', out, '--jobs', String(jobs), '--no-charts');
  expect(local.code, local.stdout + local.stderr).toBe(0);
  return { out, stdout: local.stdout };
}

let redis: TestRedis;
const processes: CliProcess[] = [];
// A worker keeps its runs' checkpoints in the system's temporary folder; one SIGKILLed cannot remove them.
const processTemp = workspace('pruning-queue-tmp').dir;
const cli = (...args: string[]) => {
  const p = startCli(args, { env: { TMPDIR: processTemp } });
  processes.push(p);
  return p;
};
const worker = (name: string, ...extra: string[]) => cli('worker', '--queue', redis.url, '--name', name, '--jobs', '1', ...extra);

async function checkpointKeys(): Promise<string[]> {
  const client = new Redis(parseQueueUrl(redis.url).redis);
  try {
    return await client.keys(checkpointKey('*'));
  } finally {
    client.disconnect();
  }
}

withRedis.describe('a pruned search on the queue', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis.flush();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('two workers make the same trials, pruning decisions, rungs and results as a local run at --jobs 1 and 2', async () => {
    const one = runLocally(HALVING, 1);
    const two = runLocally(HALVING, 2);
    expect(withoutSeconds(table(two.out, 'halving'))).toEqual(withoutSeconds(table(one.out, 'halving')));

    const { file, out } = experimentFolder(HALVING);
    const workers = [worker('w1'), worker('w2')];
    await Promise.all(workers.map((w) => w.waitFor(/slot on redis/)));
    const run = cli('run', file, '--out', out, '--queue', redis.url, '--no-charts');
    expect(await exitOf(run, { processes }), run.output()).toBe(0);
    // 9 trainings to epoch 1, 3 of them continued to epoch 3 and 1 to the end, as locally.
    for (const line of ['9 runs: 1 trained, 0 reused, 12 stopped at a rung.', '4 runs continued from a checkpoint.', 'rung at epoch 3 of 9: 3 runs to train']) {
      expect(one.stdout).toContain(line);
      expect(run.output()).toContain(line);
    }
    const rows = table(out, 'halving');
    expect(withoutSeconds(rows)).toEqual(withoutSeconds(table(one.out, 'halving')));
    expect(rungs(out, 'halving')).toEqual(rungs(one.out, 'halving'));
    expect(rows.map((r) => r.rung).sort()).toEqual(['0', '0', '0', '0', '0', '0', '1', '1', '2']);
    // Both workers took rungs; each rung is a job of its own, the last rung the run's own job.
    const best = rows.find((r) => r.rung === '2')!.run_id!;
    for (const w of workers) expect(w.output()).toMatch(/at rung {3}[0-9a-f]{12}@1 /);
    expect(workers.map((w) => w.output()).join('\n')).toMatch(new RegExp(`start {5}${best}@3 .* to epoch 3 \\(from its checkpoint\\)`));
    expect(workers.map((w) => w.output()).join('\n')).toMatch(new RegExp(`completed ${best} .*, resumed at iteration 12, sending the result`));

    // The promoted trial's history and weights are the local run's, bit for bit.
    expect(history(out, 'halving', best)).toEqual(history(one.out, 'halving', best));
    expect(weights(out, 'halving', best).equals(weights(one.out, 'halving', best))).toBe(true);
    // A pruned trial's checkpoint at its last rung is in the store, as locally (a later run promoting it goes on from there).
    const pruned = rows.find((r) => r.rung === '1')!.run_id!;
    expect(storedCheckpoint(out, 'halving', pruned)).toEqual(storedCheckpoint(one.out, 'halving', pruned));
    expect(storedCheckpoint(out, 'halving', pruned)).toMatchObject({ runId: pruned, epoch: 4, iteration: 12 });
    expect(readdirSync(path.join(out, 'halving', 'checkpoints')).sort()).toEqual(readdirSync(path.join(one.out, 'halving', 'checkpoints')).sort());
    // Redis keeps no checkpoint: each went back with its rung's result.
    expect(await checkpointKeys()).toEqual([]);

    // Everything is in the store: nothing is queued again.
    const again = cli('run', file, '--out', out, '--queue', redis.url, '--no-charts');
    expect(await exitOf(again)).toBe(0);
    expect(again.output()).toMatch(/9 runs: 0 trained, 9 reused\./);
    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => exitOf(w)))).toEqual([0, 0]);
  }, 240_000);

  it("runs Hyperband's brackets as a local run does, those that start at a later rung, those trained straight to the end, and trials that diverge before their rung", async () => {
    // Brackets s = 2, 1, 0: 9 trials from epoch 1 (3 to 3, 1 to 9), 5 from epoch 3 (1 to 9), 3 straight to 9;
    // learning rates up to 1000, at which the first trial diverges before its first rung, and two of the last bracket's.
    const hyperband = HALVING.replace('successive_halving', 'hyperband').replace('trials: 9', 'trials: 17').replace('[0.005, 0.5]', '[0.005, 1000]');
    const local = runLocally(hyperband, 2);
    const { file, out } = experimentFolder(hyperband);
    const workers = [worker('w1'), worker('w2')];
    await Promise.all(workers.map((w) => w.waitFor(/slot on redis/)));
    const run = cli('run', file, '--out', out, '--queue', redis.url, '--no-charts');
    expect(await exitOf(run, { processes }), run.output()).toBe(0);
    for (const line of ['17 runs: 3 trained, 0 reused, 3 diverged, 16 stopped at a rung.', '5 runs continued from a checkpoint.']) {
      expect(local.stdout).toContain(line);
      expect(run.output()).toContain(line);
    }
    expect(withoutSeconds(table(out, 'halving'))).toEqual(withoutSeconds(table(local.out, 'halving')));
    expect(rungs(out, 'halving')).toEqual(rungs(local.out, 'halving'));
    const rows = table(out, 'halving');
    expect(rows[0]).toMatchObject({ rung: '0', epochs_trained: '1', status: 'diverged' });
    expect(rows.filter((r) => r.status === 'diverged').map((r) => r.trial)).toEqual(['0', '15', '16']);
    // The second bracket's trials start at epoch 3, from no checkpoint.
    const secondBracket = rows.slice(9, 14);
    for (const r of secondBracket) expect(workers.map((w) => w.output()).join('\n')).toMatch(new RegExp(`start {5}${r.run_id}@3 .* to epoch 3\n`));
    expect(await checkpointKeys()).toEqual([]);
  }, 240_000);

  it('a worker killed in the middle of a rung, with the run that queued it: both started again end as a local run', async () => {
    const local = runLocally(LONG, 2);
    const { file, out } = experimentFolder(LONG);
    const ids = searchPlan(loadExperiment(file), out, [])!.runs.map((r) => r.id);
    expect(ids).toHaveLength(2);
    const doomed = worker('doomed', '--lock-seconds', '2');
    await doomed.waitFor(/slot on redis/);
    const first = cli('run', file, '--out', out, '--queue', redis.url, '--no-charts');
    const line = await doomed.waitFor(/^\S+ start {5}[0-9a-f]{12}@3 /);
    const id = /([0-9a-f]{12})@3/.exec(line)![1]!;
    // Killed once a checkpoint from the middle of the rung has reached Redis, and the run command with it.
    const client = new Redis(parseQueueUrl(redis.url).redis);
    await until(async () => (await client.exists(checkpointKey(id))) === 1, { describe: `a checkpoint of ${id} in Redis`, processes: [doomed, first] });
    doomed.child.kill('SIGKILL');
    first.child.kill('SIGKILL');
    await Promise.all([exitOf(doomed), exitOf(first)]);
    const sent = decodeCheckpoint((await client.getBuffer(checkpointKey(id)))!).state;
    client.disconnect();
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(redis.url).redis, prefix: QUEUE_PREFIX });
    const state = await (await Job.fromId(queue, `${id}@3`))!.getState();
    await queue.close();
    // The rung was not done: 3 epochs of 390 iterations.
    expect(state).not.toBe('completed');
    expect(sent.iteration).toBeGreaterThanOrEqual(100);
    expect(sent.iteration).toBeLessThan(1170);
    expect(existsSync(path.join(out, 'long', 'rungs', `${id}.json`))).toBe(false);

    const rescuer = worker('rescuer', '--lock-seconds', '2');
    const second = cli('run', file, '--out', out, '--queue', redis.url, '--no-charts');
    expect(await exitOf(second, { processes }), second.output()).toBe(0);
    expect(second.output()).toMatch(/2 runs were already queued or running: following them/);
    expect(second.output()).toContain('2 runs: 1 trained, 0 reused, 2 stopped at a rung.');
    // The killed rung goes on from the checkpoint the doomed worker sent, not from the start.
    const resumedAt = Number(new RegExp(`at rung {3}${id}@3 .*, resumed at iteration (\\d+)`).exec(rescuer.output())?.[1]);
    expect(resumedAt, rescuer.output()).toBe(sent.iteration);

    expect(withoutSeconds(table(out, 'long'))).toEqual(withoutSeconds(table(local.out, 'long')));
    expect(rungs(out, 'long')).toEqual(rungs(local.out, 'long'));
    const best = table(out, 'long').find((r) => r.rung === '1')!.run_id!;
    expect(history(out, 'long', best)).toEqual(history(local.out, 'long', best));
    expect(weights(out, 'long', best).equals(weights(local.out, 'long', best))).toBe(true);
    const pruned = ids.find((i) => i !== best)!;
    expect(storedCheckpoint(out, 'long', pruned)).toEqual(storedCheckpoint(local.out, 'long', pruned));
    expect(await checkpointKeys()).toEqual([]);
  }, 240_000);
});
