import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, LockedError } from '../../../src/store/lock.ts';
import { workspace } from '../../support/workspace.ts';

const lockPath = () => path.join(workspace('lock').dir, 'exp', '.lock');

/** The pid of a process that has just ended: no process has it (until the system reuses it). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('the results folder lock', () => {
  it('holds the pid and host, refuses a second holder at once naming the first, and is released', async () => {
    const file = lockPath();
    const lock = await acquireLock(file, { wait: false, command: 'mlp-lab run a.yaml' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), command: 'mlp-lab run a.yaml' });
    const second = acquireLock(file, { wait: false, command: 'mlp-lab run b.yaml' });
    await expect(second).rejects.toThrow(LockedError);
    await expect(second).rejects.toThrow(new RegExp(`in use by process ${process.pid} on ${hostname()} .*mlp-lab run a\\.yaml`));
    lock.release();
    expect(existsSync(file)).toBe(false);
    (await acquireLock(file, { wait: false, command: 'again' })).release();
  });

  it('is released when its process quits with process.exit (a second Ctrl-C), not left for the next run to judge stale', () => {
    const file = lockPath();
    const script = `const { acquireLock } = await import(${JSON.stringify(path.resolve('src/store/lock.ts'))});
      await acquireLock(${JSON.stringify(file)}, { wait: false, command: 'quitter' });
      process.stdout.write('held');
      process.exit(130);`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stdout).toBe('held');
    expect(result.status).toBe(130);
    expect(existsSync(file)).toBe(false);
  });

  it('with wait, takes the lock once the holder releases it', async () => {
    const file = lockPath();
    const first = await acquireLock(file, { wait: false, command: 'first' });
    let got = false;
    const waiting = acquireLock(file, { wait: true, command: 'second', pollMs: 20 }).then((lock) => {
      got = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(got).toBe(false);
    first.release();
    const second = await waiting;
    expect(JSON.parse(readFileSync(file, 'utf8')).command).toBe('second');
    second.release();
  });

  it('takes over a lock whose holder on this host is gone (a killed run)', async () => {
    const file = lockPath();
    (await acquireLock(file, { wait: false, command: 'x' })).release();
    writeFileSync(file, JSON.stringify({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00Z', command: 'killed' }));
    const lock = await acquireLock(file, { wait: false, command: 'new' });
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('never judges a holder on another host stale', async () => {
    const file = lockPath();
    (await acquireLock(file, { wait: false, command: 'x' })).release();
    writeFileSync(file, JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, since: '2026-01-01T00:00:00Z', command: 'elsewhere' }));
    await expect(acquireLock(file, { wait: false, command: 'new' })).rejects.toThrow(/on not-/);
  });
});
