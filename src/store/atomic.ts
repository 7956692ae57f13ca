import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processExists } from './processes.ts';

/**
 * Writes a file so that readers see either the old content or the whole new one, never a part,
 * even after a crash or power loss: the data goes to a temporary file in the same folder, is
 * flushed to disk, and the file is renamed over the target; then the folder entry is flushed.
 * `durable: false` skips both flushes: still all or nothing for readers and after a kill, but a
 * power loss may lose the write. For files derived from the store and rebuilt by `mlp-lab
 * report` (charts: syncing hundreds of them doubled the time to write a sweep's charts).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, { durable = true }: { durable?: boolean } = {}): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`; // named as TEMPORARY matches
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeFileSync(fd, data);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    // A write to a descriptor (ENOSPC, EIO) names no file: name the one that was not written.
    const e = error as NodeJS.ErrnoException;
    if (typeof e.code === 'string' && typeof e.syscall === 'string' && e.path === undefined) {
      throw Object.assign(new Error(`${e.code}: ${e.message.replace(/^\w+: /, '').replace(/, \w+$/, '')}, writing '${file}'`), {
        code: e.code,
        syscall: e.syscall,
        errno: e.errno,
        path: file,
      });
    }
    throw error;
  }
  if (durable) syncDirectory(dir);
}

/** Flushes a folder's entries (a rename, a new file) to disk. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `<file>.<pid of the writer>.<8 hex digits>.tmp`, as writeFileAtomic names its temporaries. */
const TEMPORARY = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Deletes the temporaries that writeFileAtomic left in `dir` when its process was killed mid-write
 * (SIGKILL runs no cleanup). Only those of processes that no longer exist: a live writer (a
 * `report` beside a `run`) is left to finish. Returns the names deleted.
 */
export function removeDeadTemporaries(dir: string): string[] {
  // Not a folder: nothing to clean here (a file in the way of the store is reported where it is written).
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const writer = TEMPORARY.exec(name);
    if (writer === null || processExists(Number(writer[1]))) continue;
    rmSync(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
