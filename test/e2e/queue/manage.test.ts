/**
 * `mlp-lab queue --cancel / --retry-failed / --clear-done` on a real Redis: jobs are added and
 * finished here by BullMQ itself, without mlp-lab workers, so that each state is set for certain.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { QUEUE_NAME, QUEUE_PREFIX } from '../../../src/queue/connection.ts';
import { cancelKey } from '../../../src/queue/manage.ts';
import { startRedis, withRedis, type TestRedis } from './redis-server.ts';

const BIN = path.resolve('bin/mlp-lab.js');
let redis: TestRedis | null = null;
beforeAll(async () => {
  if (withRedis.met) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'queue', '--queue', redis!.url, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const connection = () => ({ host: '127.0.0.1', port: redis!.port, maxRetriesPerRequest: null });

/** Finishes the waiting jobs with BullMQ's own worker: those named `fail` fail, the others complete. */
async function finishJobs(count: number): Promise<void> {
  let finished = 0;
  const done = new Promise<void>((resolve) => {
    const worker = new Worker(
      QUEUE_NAME,
      async (job) => {
        if (job.data.label === 'fail') throw new Error('failed on purpose');
        return { ok: true };
      },
      { connection: connection(), prefix: QUEUE_PREFIX },
    );
    const end = () => {
      if (++finished === count) void worker.close().then(resolve);
    };
    worker.on('completed', end);
    worker.on('failed', end);
  });
  await done;
}

describe('managing the queue', () => {
  withRedis.it(
    '--cancel takes waiting runs out and marks them cancelled; --retry-failed and --clear-done',
    async () => {
      const queue = new Queue(QUEUE_NAME, { connection: connection(), prefix: QUEUE_PREFIX });
      try {
        for (const id of ['aaaa00000001', 'aaaa00000002', 'aaaa00000003']) await queue.add('run', { label: id }, { jobId: id });
        const one = cli('--cancel', 'aaaa00000001', 'ffff00000000', '--json');
        expect(one.code, one.stderr).toBe(0);
        expect(JSON.parse(one.stdout)).toMatchObject({
          cancel: { cancelled: ['aaaa00000001'], running: [], notWaiting: ['ffff00000000'] },
          status: { counts: { waiting: 2 } },
        });
        const marks = new Redis(connection());
        expect(await marks.get(cancelKey('aaaa00000001'))).toBe('1');
        marks.disconnect();
        const all = cli('--cancel');
        expect(all.stdout).toMatch(/^cancelled 2 waiting runs: aaaa0000000[23], aaaa0000000[23]$/m);

        await queue.add('run', { label: 'fail' }, { jobId: 'bbbb00000001' });
        await queue.add('run', { label: 'ok' }, { jobId: 'bbbb00000002' });
        await finishJobs(2);
        expect(await queue.getJobCounts('failed', 'completed')).toMatchObject({ failed: 1, completed: 1 });
        const retried = cli('--retry-failed');
        expect(retried.stdout).toMatch(/^queued again 1 failed run: bbbb00000001$/m);
        expect(await queue.getJobState('bbbb00000001')).toBe('waiting');
        const cleared = cli('--clear-done');
        expect(cleared.stdout).toMatch(/^cleared 1 finished run$/m);
        expect(await queue.getJobState('bbbb00000002')).toBe('unknown');
      } finally {
        await queue.obliterate({ force: true });
        await queue.close();
      }
    },
    120_000,
  );
});
