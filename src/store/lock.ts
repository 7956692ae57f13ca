import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processExists } from './processes.ts';

/** Who holds a lock: written into the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** What the holder is doing, e.g. the command line. */
  command: string;
}

/** The lock is held by another live process. */
export class LockedError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      holder
        ? `${path.dirname(file)} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}: ${holder.command})`
        : `${path.dirname(file)} is in use (lock file ${file})`,
    );
  }
}

export interface Lock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the lock file `file` for this process: created exclusively (O_EXCL), with the holder's pid
 * and host inside. A lock whose holder is a process of this host that no longer exists is stale and
 * taken over. Otherwise throws LockedError at once, or with `wait`, polls until the lock is free.
 *
 * proper-lockfile was the alternative; it judges staleness by the lock's age alone (a killed
 * holder blocks others for its whole `stale` period) and stores no holder to name, which is what
 * users need to see here.
 */
export async function acquireLock(file: string, options: { wait: boolean; command: string; pollMs?: number }): Promise<Lock> {
  mkdirSync(path.dirname(file), { recursive: true });
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command: options.command };
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        closeSync(fd);
      }
      let released = false;
      const lock: Lock = {
        file,
        release() {
          if (released) return;
          released = true;
          held.delete(lock);
          if (sameHolder(readHolder(file), me)) rmSync(file, { force: true });
        },
      };
      holdUntilExit(lock);
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder && isStale(holder)) {
      // Re-read just before removing, so that a lock another process took over meanwhile stays.
      if (sameHolder(readHolder(file), holder)) rmSync(file, { force: true });
      continue;
    }
    if (!holder) {
      // Being written by its creator this very moment, or left empty by a creator killed between
      // creating and writing it (then it is old, and stale).
      if (ageMs(file) > 5000) rmSync(file, { force: true });
      else await sleep(50);
      continue;
    }
    if (!options.wait) throw new LockedError(file, holder);
    await sleep(options.pollMs ?? 500);
  }
}

/** Locks this process holds, released on the way out even by process.exit (a second Ctrl-C). */
const held = new Set<Lock>();

function holdUntilExit(lock: Lock): void {
  if (held.size === 0 && process.listeners('exit').every((l) => l !== releaseAll)) process.on('exit', releaseAll);
  held.add(lock);
}

function releaseAll(): void {
  for (const lock of [...held]) lock.release();
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : null;
  } catch {
    return null;
  }
}

function sameHolder(a: LockHolder | null, b: LockHolder): boolean {
  return a !== null && a.pid === b.pid && a.host === b.host && a.since === b.since;
}

/** A holder on this host whose process is gone. (A holder on another host is never judged stale.) */
function isStale(holder: LockHolder): boolean {
  return holder.host === hostname() && !processExists(holder.pid);
}
