/**
 * The queue commands with Redis not up: the network's reason (ECONNREFUSED), not ioredis's
 * `Connection is closed.`, and exit 1 (the input is right; a retry may work). A worker waits for
 * Redis (--wait-for-redis), as it already rides out Redis going away later.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withRedis } from './redis-server.ts';

const BIN = path.resolve('bin/mlp-lab.js');
const env = { ...process.env, NO_COLOR: '1' };
const started: { kill(signal?: NodeJS.Signals): boolean }[] = [];
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the queue with Redis not up', () => {
  withRedis.it('queue, run --queue and worker --wait-for-redis 0 say ECONNREFUSED and exit 1', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    for (const args of [
      ['queue', '--queue', url],
      ['run', 'experiments/report.yaml', '--only', 'relu', '--queue', url],
      ['worker', '--queue', url, '--wait-for-redis', '0'],
    ]) {
      const r = cli(...args);
      expect(r.stderr, args[0]).toContain(`--queue: error: cannot reach the queue at ${url}`);
      expect(r.stderr).toContain('ECONNREFUSED');
      expect(r.stderr).not.toContain('Connection is closed');
      expect(r.code, args[0]).toBe(1);
    }
  });

  withRedis.it(
    'a worker started before Redis waits for it, then takes runs',
    async () => {
      const port = await freePort();
      const worker = spawn(process.execPath, [BIN, 'worker', '--queue', `redis://127.0.0.1:${port}`, '--jobs', '1', '--wait-for-redis', '60'], { env });
      started.push(worker);
      let output = '';
      worker.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      worker.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const until = async (pattern: RegExp) => {
        for (let i = 0; i < 300 && !pattern.test(output); i++) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(output).toMatch(pattern);
      };
      await until(/ECONNREFUSED [\d.:]+; trying again every 2 s for up to 60 s \(--wait-for-redis\)/);
      const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      started.push(redis);
      await until(/worker \S+: 1 slot on redis:\/\/127\.0\.0\.1:\d+/);
      const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
      worker.kill('SIGINT');
      expect(await exited).toBe(0);
      redis.kill('SIGTERM');
    },
    60_000,
  );
});

describe('a result that Redis refuses', () => {
  it("is recognised from BullMQ's error, so that the worker says the result was thrown away", async () => {
    const { lostLock } = await import('../../../src/queue/worker.ts');
    expect(lostLock('Missing lock for job 5cdefada24cb. moveToFinished')).toBe('5cdefada24cb');
    expect(lostLock('Missing key for job 5cdefada24cb. moveToFinished')).toBe('5cdefada24cb');
    expect(lostLock('Connection is closed.')).toBeNull();
  });
});
