import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { problem, Unavailable, UserError } from '../errors.ts';

/**
 * Where the queue lives: a Redis URL parsed into ioredis options. Every mlp-lab process on the
 * queue (run, worker, queue) uses the same BullMQ queue name and key prefix, so any of them can
 * reach the others' jobs.
 */
export interface QueueConnection {
  /** For ioredis / BullMQ. */
  redis: RedisOptions;
  /** The URL without its password, for messages. */
  display: string;
}

/** The BullMQ queue every mlp-lab process uses, under its own key prefix so that it cannot clash with other apps' queues. */
export const QUEUE_NAME = 'runs';
export const QUEUE_PREFIX = 'mlp-lab';

/** The password, when the URL has none: a password in a URL shows in the process list. */
export const PASSWORD_ENV = 'MLP_LAB_QUEUE_PASSWORD';

/**
 * Parses `redis://[user[:password]@]host[:port][/db]` (or `rediss://` for TLS); without a password
 * in the URL, MLP_LAB_QUEUE_PASSWORD gives it. Throws a UserError
 * (`bad-queue-url`) naming `option` for anything else. Commands wait for Redis indefinitely once
 * connected (`maxRetriesPerRequest: null`, as BullMQ requires), reconnecting every ≤ 2 s, so a
 * restarted Redis is picked up again; use `checkReachable` first to fail fast on a wrong address.
 */
export function parseQueueUrl(url: string, option = '--queue', env: NodeJS.ProcessEnv = process.env): QueueConnection {
  const bad = (message: string) =>
    new UserError(
      problem('bad-queue-url', message, { file: option, hint: 'expected redis://HOST:PORT, or rediss://USER:PASSWORD@HOST:PORT for TLS with a password' }),
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(`"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw bad(`unsupported scheme "${parsed.protocol.replace(/:$/, '')}"`);
  if (!parsed.hostname) throw bad('the URL names no host');
  if (parsed.search || parsed.hash) throw bad('query strings and fragments are not supported');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw bad(`"${dbText}" is not a database number`);
  // URL keeps IPv6 hosts in brackets; ioredis wants them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const redis: RedisOptions = {
    host,
    port,
    db,
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
  if (parsed.username) redis.username = decodeURIComponent(parsed.username);
  if (parsed.password) redis.password = decodeURIComponent(parsed.password);
  else if (env[PASSWORD_ENV]) redis.password = env[PASSWORD_ENV];
  if (parsed.protocol === 'rediss:') redis.tls = { servername: host };
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return { redis, display: shown.toString() };
}

/** Network errors that say the server is not there (yet), as opposed to a refused password or a TLS mismatch. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * Connects once, with a short timeout and no retries, and pings: a wrong host, port, password or
 * TLS setting becomes an error instead of an endless reconnect loop. A server that is not there
 * is `Unavailable` (exit 1: the input is right, a retry may work), naming the network's reason
 * (ECONNREFUSED), not ioredis's `Connection is closed.`; anything else, such as a refused
 * password, is a UserError (`queue-unreachable`).
 */
export async function checkReachable(connection: QueueConnection, option = '--queue'): Promise<void> {
  const client = new Redis({ ...connection.redis, lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: NodeJS.ErrnoException | null = null;
  // connect() rejects with `Connection is closed.`; the socket's error, which says why, comes here.
  client.on('error', (error: NodeJS.ErrnoException) => {
    cause ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const failure = (cause ?? error) as NodeJS.ErrnoException;
    const reason = failure.message.split('\n')[0] ?? String(failure);
    if (failure.code && UNREACHABLE_CODES.has(failure.code)) {
      throw new Unavailable(
        problem('queue-unreachable', `cannot reach the queue at ${connection.display}: ${reason}`, {
          file: option,
          hint: 'is Redis running there and reachable from this machine? (redis-cli -h HOST -p PORT ping)',
        }),
      );
    }
    throw new UserError(
      problem('queue-unreachable', `cannot use the queue at ${connection.display}: ${reason}`, {
        file: option,
        hint: /NOAUTH|WRONGPASS|AUTH/i.test(reason)
          ? 'give the password in the URL: redis://:PASSWORD@HOST:PORT (or USER:PASSWORD@)'
          : 'is Redis running there and reachable from this machine? (redis-cli -h HOST -p PORT ping)',
      }),
    );
  } finally {
    client.disconnect();
  }
}

/**
 * checkReachable, again every 2 s while the server is not there, for up to `seconds`: a worker
 * started with (or before) Redis waits for it rather than exit. `onWait` hears each failure.
 */
export async function waitUntilReachable(connection: QueueConnection, seconds: number, onWait: (reason: string) => void, option = '--queue'): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (true) {
    try {
      await checkReachable(connection, option);
      return;
    } catch (error) {
      if (!(error instanceof Unavailable) || Date.now() + 2000 > deadline) throw error;
      onWait(error.problems[0]!.message);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}
