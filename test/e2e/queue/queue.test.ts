/**
 * The queue end to end with a real Redis and real processes, as users run it: `mlp-lab worker`
 * processes take runs that `mlp-lab run --queue` queued, and the run writes the same results
 * store as a local run. Faults: a worker killed mid-run, Redis restarted mid-sweep, the run
 * command killed and started again, payloads that are not runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { parse } from 'csv-parse/sync';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX } from '../../../src/queue/connection.ts';
import { checkpointKey } from '../../../src/queue/checkpoints.ts';
import { buildJob } from '../../../src/queue/payload.ts';
import { cli as cliSync, startCli, type CliProcess } from '../../support/cli.ts';
import { exitOf, outputs, until } from '../../support/until.ts';
import { workspace as temporaryFolder } from '../../support/workspace.ts';
import { startRedis, withRedis, type TestRedis } from './redis-server.ts';

/** Six short runs, two of which diverge (their NaN costs must come back as NaN). */
const SWEEP = `
name: sweep
dataset: { source: mnist, train_limit: 600, test_limit: 200 }
defaults: { epochs: 3, batch_size: 30, learning_rate: 0.1, init: he, history: { every: 10 } }
variants:
  - { id: small, layers: [784, 16, 10], activation: relu }
  - { id: wide, layers: [784, 32, 10], activation: sigmoid }
  - { id: diverges, layers: [784, 10], activations: [softmax], learning_rate: 1.0e+38 }
seeds: [1, 2]
`;

/** One run long enough (a few seconds) to be killed in the middle, with a checkpoint every 100 iterations. */
const LONG = `
name: long
dataset: { source: mnist, train_limit: 20000, test_limit: 500 }
defaults: { layers: [784, 128, 10], epochs: 20, batch_size: 30, learning_rate: 0.05, history: { every: epoch, eval_limit: 200 }, checkpoint: { every: 100 } }
`;

function workspace(yaml: string): { file: string; out: string } {
  const dir = temporaryFolder('queue');
  const name = /name: (\S+)/.exec(yaml)![1]!;
  return { file: dir.write(`${name}.yaml`, yaml), out: dir.path('results') };
}

const withoutTimes = (csv: string) => (parse(csv, { columns: true }) as Record<string, string>[]).map(({ seconds: _, ...rest }) => rest);
const resultsCsv = (out: string, name: string) => readFileSync(path.join(out, name, 'results.csv'), 'utf8');

let redis: TestRedis;
let localCsv: string;
const processes: CliProcess[] = [];
// A worker keeps its runs' checkpoints in a folder of the system's temporary folder; one SIGKILLed
// by a test cannot remove it, so the processes' temporary folder is one removed after this file.
const processTemp = temporaryFolder('queue-tmp').dir;
const cli = (...args: string[]) => {
  const p = startCli(args, { env: { TMPDIR: processTemp } });
  processes.push(p);
  return p;
};
const worker = (name: string, ...extra: string[]) => cli('worker', '--queue', redis.url, '--name', name, '--jobs', '1', ...extra);

async function queueCounts(): Promise<Record<string, number>> {
  const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(redis.url).redis, prefix: QUEUE_PREFIX });
  try {
    return await queue.getJobCounts();
  } finally {
    await queue.close();
  }
}

withRedis.describe('mlp-lab run --queue with mlp-lab workers', () => {
  beforeAll(async () => {
    redis = await startRedis();
    const { file, out } = workspace(SWEEP);
    const local = cliSync('run', file, '--out', out, '--jobs', '2');
    expect(local.code, local.stderr).toBe(0);
    localCsv = resultsCsv(out, 'sweep');
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis.flush();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('two workers train a sweep and the run writes the same results as a local run', async () => {
    const { file, out } = workspace(SWEEP);
    const workers = [worker('w1'), worker('w2')];
    await Promise.all(workers.map((w) => w.waitFor(/slot on redis/)));
    const run = cli('run', file, '--out', out, '--queue', redis.url);
    expect(await exitOf(run, { processes }), run.output()).toBe(0);
    expect(run.output()).toMatch(/6 runs: 4 trained, 0 reused, 2 diverged\./);
    expect(withoutTimes(resultsCsv(out, 'sweep'))).toEqual(withoutTimes(localCsv));
    // Both workers took part, and every run folder is complete.
    expect(workers.every((w) => /completed|diverged/.test(w.output()))).toBe(true);
    for (const run of loadExperiment(file).runs) {
      const dir = path.join(out, 'sweep', 'runs', run.id);
      for (const f of ['config.json', 'history.csv', 'weights.safetensors', 'metrics.json']) expect(existsSync(path.join(dir, f))).toBe(true);
    }

    const status = cli('queue', '--queue', redis.url);
    expect(await exitOf(status)).toBe(0);
    expect(status.output()).toMatch(/0 waiting, 0 running, 0 failed, 6 done/);
    expect(status.output()).toMatch(/workers: w1 \(.*\), w2 \(/);

    // Everything is in the store now: nothing is queued again.
    const again = cli('run', file, '--out', out, '--queue', redis.url);
    expect(await exitOf(again)).toBe(0);
    expect(again.output()).toMatch(/6 runs: 0 trained, 6 reused/);

    // SIGTERM: the workers stop cleanly.
    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => exitOf(w)))).toEqual([0, 0]);
  });

  it('a worker killed mid-run has its run continued from its checkpoint by another worker, with the same result', async () => {
    const { file, out } = workspace(LONG);
    const first = worker('doomed', '--lock-seconds', '2');
    await first.waitFor(/slot on redis/);
    const run = cli('run', file, '--out', out, '--queue', redis.url);
    const id = loadExperiment(file).runs[0]!.id;
    // Kill it once a checkpoint has reached Redis.
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(redis.url).redis, prefix: QUEUE_PREFIX });
    const client = new Redis(parseQueueUrl(redis.url).redis);
    await until(async () => (await client.exists(checkpointKey(id))) === 1, { describe: `a checkpoint of ${id} in Redis`, processes: [first, run] });
    first.child.kill('SIGKILL');
    await exitOf(first);
    // The kill landed in the middle of the run: its job is not done, its progress short of the end.
    const job = (await Job.fromId(queue, id))!;
    const progress = job.progress as { iteration: number; iterations: number };
    expect(await job.getState()).not.toBe('completed');
    expect(progress.iteration).toBeLessThan(progress.iterations);
    await queue.close();
    client.disconnect();

    const second = worker('rescuer', '--lock-seconds', '2');
    expect(await exitOf(run, { processes }), run.output()).toBe(0);
    expect(run.output()).toMatch(/1 run: 1 trained/);
    expect(second.output()).toMatch(new RegExp(`start     ${id} .*\\(from its checkpoint\\)`));
    // From a checkpoint the doomed worker sent (one every 100 iterations), not from the start.
    const resumedAt = Number(new RegExp(`completed ${id} .*, resumed at iteration (\\d+)`).exec(second.output())?.[1]);
    expect(resumedAt, second.output()).toBeGreaterThanOrEqual(100);
    expect(resumedAt).toBeLessThan(progress.iterations);

    // The same result as an uninterrupted local run.
    const local = workspace(LONG);
    expect(cliSync('run', local.file, '--out', local.out).code).toBe(0);
    expect(withoutTimes(resultsCsv(out, 'long'))).toEqual(withoutTimes(resultsCsv(local.out, 'long')));
    const history = (dir: string) =>
      readFileSync(path.join(dir, 'long', 'runs', id, 'history.csv'), 'utf8')
        .split('\n')
        .map((l) => l.split(',').slice(0, -1).join(','));
    expect(history(out)).toEqual(history(local.out));
  });

  it('survives a Redis restart in the middle of a sweep', async () => {
    const { file, out } = workspace(SWEEP);
    const workers = [worker('w1'), worker('w2')];
    await Promise.all(workers.map((w) => w.waitFor(/slot on redis/)));
    const run = cli('run', file, '--out', out, '--queue', redis.url);
    await run.waitFor(/^(done|DIVERGED) /);
    await redis.restart();
    // Within the test's time, so that a hang fails with what the processes printed.
    expect(await exitOf(run, { deadline: 90_000, processes: [run, ...workers] }), outputs([run, ...workers])).toBe(0);
    expect(withoutTimes(resultsCsv(out, 'sweep'))).toEqual(withoutTimes(localCsv));
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true); // still serving
  });

  it('a run command killed and started again follows the jobs already queued', async () => {
    const { file, out } = workspace(SWEEP);
    const first = cli('run', file, '--out', out, '--queue', redis.url);
    await until(async () => (await queueCounts()).waiting === 6, { describe: '6 jobs waiting in the queue', processes: [first], every: 100 });
    first.child.kill('SIGKILL');
    await first.exited;

    const second = cli('run', file, '--out', out, '--queue', redis.url);
    await second.waitFor(/6 runs were already queued or running: following them/);
    worker('w1');
    expect(await exitOf(second, { processes }), second.output()).toBe(0);
    expect(withoutTimes(resultsCsv(out, 'sweep'))).toEqual(withoutTimes(localCsv));
    const counts = await queueCounts();
    expect(counts.completed).toBe(6);
    expect([counts.waiting, counts.active, counts.failed]).toEqual([0, 0, 0]);
  });

  it('refuses payloads that are not valid runs, and goes on with the next', async () => {
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(redis.url).redis, prefix: QUEUE_PREFIX });
    const good = buildJob(loadExperiment(workspace(SWEEP).file).runs[0]!);
    const jobs: [string, unknown, RegExp][] = [
      ['shell', { cmd: 'touch /tmp/pwned' }, /malformed job: format null/],
      ['extra', { ...good, command: 'touch /tmp/pwned' }, /malformed job: unknown key `command`/],
      [
        'epochs',
        { ...good, experiment: { ...good.experiment, defaults: { ...good.experiment.defaults, epochs: -1 } } },
        /`experiment.defaults.epochs` must be at least 1/,
      ],
      ['version', { ...good, mlp_lab_version: '9.0.0' }, /incompatible versions: the run was queued by mlp-lab 9.0.0/],
      ['forged', { ...good, run_id: 'aaaaaaaaaaaa' }, /not the job's aaaaaaaaaaaa/],
      // A run's job under another job id (a rung's job is `<run id>@<epoch>`): refused, so that no result is filed under another rung.
      ['misfiled', good, new RegExp(`malformed job: job id misfiled, the run's is ${good.run_id}`)],
    ];
    for (const [id, data] of jobs) await queue.add('run', data as never, { jobId: id });
    await queue.add('run', good, { jobId: good.run_id });
    const w = worker('w1');
    await w.waitFor(new RegExp(`completed ${good.run_id}`));
    for (const [id, , reason] of jobs) {
      const job = (await Job.fromId(queue, id))!;
      expect(await job.getState()).toBe('failed');
      expect(job.failedReason).toMatch(/^worker w1 refused the run: /);
      expect(job.failedReason).toMatch(reason);
      expect(job.attemptsMade).toBe(1); // not retried: every worker would refuse it
    }
    await queue.close();
    expect(existsSync('/tmp/pwned')).toBe(false);
  });
});
