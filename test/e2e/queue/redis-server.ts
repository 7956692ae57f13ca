/**
 * A real Redis for the queue tests: Debian's redis-server on a free loopback port, its data in a
 * temporary folder (append-only file, fsync'd on every write, so a restart keeps the queue).
 * Without redis-server the tests are skipped with the reason, except under CI, where they fail
 * (test/support/requires.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { requires } from '../../support/requires.ts';
import { workspace } from '../../support/workspace.ts';

/** The queue tests' `describe`: skipped without redis-server, a failure under CI. */
export const withRedis = requires('redis-server', spawnSync('redis-server', ['--version']).error ? 'not installed (apt-get install redis-server)' : null);

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (it saves on SIGTERM) and starts it again on the same port and data. */
  restart(): Promise<void>;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

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

async function ping(port: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      client.disconnect();
    }
  }
}

export async function startRedis(): Promise<TestRedis> {
  const dir = workspace('redis').dir; // removed after the file's tests
  const port = await freePort();
  let server: ChildProcess;
  const launch = async () => {
    server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--logfile',
        path.join(dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    await ping(port);
  };
  const halt = async () => {
    if (server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async () => {
      await halt();
      await launch();
    },
    flush: async () => {
      const client = new Redis({ host: '127.0.0.1', port });
      await client.flushall();
      client.disconnect();
    },
    stop: halt,
  };
}
