import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { parseQueueUrl } from '../../../src/queue/connection.ts';

describe('queue URLs', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['redis://127.0.0.1:6380', { host: '127.0.0.1', port: 6380, db: 0 }, 'redis://127.0.0.1:6380'],
    ['redis://queue.lab', { host: 'queue.lab', port: 6379 }, 'redis://queue.lab'],
    ['redis://:s3cr%40t@h:1/2', { host: 'h', port: 1, db: 2, password: 's3cr@t' }, 'redis://:***@h:1/2'],
    [
      'rediss://mlp:pw@queue.example.org:6380',
      { username: 'mlp', password: 'pw', tls: { servername: 'queue.example.org' } },
      'rediss://mlp:***@queue.example.org:6380',
    ],
    ['redis://[::1]:7000', { host: '::1', port: 7000 }, 'redis://[::1]:7000'],
  ])('%s', (url, expected, display) => {
    const parsed = parseQueueUrl(url, '--queue', {});
    expect(parsed.redis).toMatchObject(expected);
    expect(parsed.redis.maxRetriesPerRequest).toBeNull(); // BullMQ workers need it, and it rides out a Redis restart
    expect(parsed.display).toBe(display);
    if (!url.includes('rediss')) expect(parsed.redis.tls).toBeUndefined();
  });

  it('takes the password from MLP_LAB_QUEUE_PASSWORD when the URL has none', () => {
    expect(parseQueueUrl('redis://h', '--queue', { MLP_LAB_QUEUE_PASSWORD: 'pw' }).redis.password).toBe('pw');
    expect(parseQueueUrl('redis://:url@h', '--queue', { MLP_LAB_QUEUE_PASSWORD: 'pw' }).redis.password).toBe('url');
  });

  it.each(['localhost:6379', 'http://h:6379', 'redis://h:1/x', 'redis://h?tls=1', 'nonsense'])('refuses %s', (url) => {
    try {
      parseQueueUrl(url, '--queue', {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe('bad-queue-url');
      expect((error as UserError).problems[0]!.file).toBe('--queue');
    }
  });
});
