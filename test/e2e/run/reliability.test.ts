/**
 * The faults of issue 12 injected for real into `mlp-lab run`: a second invocation, SIGTERM, the
 * experiment file edited mid-sweep, --force killed at random moments, a read-only or full disk.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import { cli as cliRun, startCli, type CliProcess } from '../../support/cli.ts';
import { exitOf, until } from '../../support/until.ts';
import { requires } from '../../support/requires.ts';
import { workspace as temporaryFolder } from '../../support/workspace.ts';

// `slow` lasts several seconds with the js kernels; `quick` a moment.
const EXPERIMENT = `
name: rel
dataset: { source: mnist, train_limit: 2000, test_limit: 100 }
defaults: { batch_size: 30, learning_rate: 0.1, init: he, backend: js, checkpoint: { every: 20 } }
variants:
  - { id: quick, layers: [784, 10], activations: [softmax], epochs: 1 }
  - { id: slow, layers: [784, 64, 10], activation: relu, epochs: 30 }
`;

function workspace(yaml = EXPERIMENT): { file: string; out: string } {
  const dir = temporaryFolder('rel');
  return { file: dir.write('rel.yaml', yaml), out: dir.path('results') };
}

// --no-charts everywhere: these tests are about the records and tables; charts are derived from
// them (test/unit/charts), and drawing them would only slow these runs and fill the 4 MB tmpfs.
const cli = (...args: string[]) => cliRun(...args, '--no-charts');

/** Starts `run` in its own process group (killed with its workers at the test's end). */
const started: CliProcess[] = [];
function start(...args: string[]): CliProcess {
  const run = startCli(['run', ...args, '--no-charts'], { detached: true });
  started.push(run);
  return run;
}
afterEach(() => {
  for (const run of started.splice(0)) if (run.child.exitCode === null && run.child.signalCode === null) process.kill(-run.child.pid!, 'SIGKILL');
});

const csvRows = (out: string) => parse(readFileSync(path.join(out, 'rel', 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];

describe('mlp-lab run under faults', () => {
  it('refuses a second run on the same results folder at once, naming the holder; SIGTERM checkpoints and exits 143; rerunning continues', async () => {
    const { file, out } = workspace();
    const first = start(file, '--out', out, '--jobs', '1');
    await first.waitFor(/start\s+rel\/slow/);
    const second = cli('run', file, '--out', out);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`error: .*rel is in use by process ${first.child.pid} on .*mlp-lab run ${file.replace(/[.]/g, '\\.')}`));
    expect(second.stderr).toMatch(/--wait/);

    // --wait starts once the first has ended.
    const waiting = start(file, '--out', out, '--jobs', '1', '--wait');
    // SIGTERM once rel/slow (the only run in flight: --jobs 1) has written a checkpoint.
    const checkpoints = path.join(out, 'rel', 'checkpoints');
    await until(() => existsSync(checkpoints) && readdirSync(checkpoints).some((f) => f.endsWith('.ckpt')), {
      describe: 'a checkpoint of rel/slow',
      processes: [first, waiting],
    });
    process.kill(first.child.pid!, 'SIGTERM');
    expect(await exitOf(first)).toBe(143);
    expect(first.output()).toMatch(/Stopped: rel\/slow at iteration \d+ of 2010 \(epoch \d+ of 30\), checkpoint saved\./);
    expect(first.output()).toMatch(/Run the same command again to continue where it stopped/);
    expect(await exitOf(waiting)).toBe(0);
    // The second trains what the first did not record (the quick run too, unless it had run
    // first), reuses what it did, and continues the stopped run from its checkpoint.
    const recorded = first.output().match(/^done\s+rel\//gm)?.length ?? 0;
    expect(waiting.output()).toMatch(new RegExp(`2 runs: ${2 - recorded} trained, ${recorded} reused\\.\\n1 run continued from a checkpoint\\.`));
    expect(existsSync(path.join(out, 'rel', 'checkpoints'))).toBe(false);
    expect(existsSync(path.join(out, 'rel', '.lock'))).toBe(false);
  }, 300_000);

  it('finishes started runs under the configuration they began with when the file is edited, and says so', async () => {
    const short = EXPERIMENT.replace('epochs: 30', 'epochs: 2');
    const { file, out } = workspace(short);
    const run = start(file, '--out', out, '--jobs', '1');
    await run.waitFor(/start\s+rel\/quick/);
    writeFileSync(file, short.replace('epochs: 2', 'epochs: 1'));
    expect(await exitOf(run)).toBe(0);
    expect(run.output()).toMatch(/rel\.yaml changed while this ran: the runs used the version read at the start/);
    const slow = csvRows(out).find((r) => r.label === 'slow')!;
    expect(JSON.parse(readFileSync(path.join(out, 'rel', 'runs', slow.run_id!, 'config.json'), 'utf8')).epochs).toBe(2);
    // The edited file is another plan: its slow run is new.
    expect(cli('run', file, '--out', out).stdout).toMatch(/2 runs: 1 trained, 1 reused\./);
  });

  it('ends a run early on a plateau, keeping the best weights, as status early-stopped', () => {
    const { file, out } = workspace(`
name: rel
dataset: { source: mnist, train_limit: 600, test_limit: 100, validation: 100 }
defaults: { layers: [784, 32, 10], epochs: 40, batch_size: 20, learning_rate: 0.5, backend: js,
            early_stopping: { patience: 2, metric: validation_cost } }
`);
    const result = cli('run', file, '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 run: 0 trained, 0 reused, 1 early-stopped\./);
    const [row] = csvRows(out);
    expect(row!.status).toBe('early-stopped');
    const metrics = JSON.parse(readFileSync(path.join(out, 'rel', 'runs', row!.run_id!, 'metrics.json'), 'utf8'));
    const history = parse(readFileSync(path.join(out, 'rel', 'runs', row!.run_id!, 'history.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(history.length).toBe(metrics.best_epoch + 2);
    expect(Number(history[metrics.best_epoch - 1]!.validation_cost)).toBe(Math.min(...history.map((h) => Number(h.validation_cost))));
    // Beside the epoch, the iteration of that record: records may fall within an epoch.
    expect(metrics.best_iteration).toBe(Number(history[metrics.best_epoch - 1]!.iteration));
  });

  it('replaces a finished run as a unit under --force: killed at random moments, the folder holds the old record or the new one', async () => {
    const { file, out } = workspace(EXPERIMENT.replace('epochs: 30', 'epochs: 3'));
    expect(cli('run', file, '--out', out, '--only', 'slow').code).toBe(0);
    const id = csvRows(out).find((r) => r.label === 'slow')!.run_id!;
    const dir = path.join(out, 'rel', 'runs', id);
    const read = () =>
      Object.fromEntries(
        readdirSync(dir)
          .sort()
          .map((f) => [f, readFileSync(path.join(dir, f), 'utf8').replace(/"(seconds|finished_at)": [^,\n]+|,[\d.]+\n/g, '')]),
      );
    const old = read();
    // The new record differs: other kernels (the backend is not part of the run id).
    const rng = Rng.fromSeed(3);
    let seenNew = false;
    for (let attempt = 0; attempt < 4 && !seenNew; attempt++) {
      const run = start(file, '--out', out, '--only', 'slow', '--force', '--backend', 'wasm');
      await until(() => /start\s+rel\/slow/.test(run.output()) || run.child.exitCode !== null, { describe: 'the start of rel/slow', processes: [run] });
      await Promise.race([sleep(1500 * rng.uniform()), run.exited]);
      if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
      await exitOf(run);
      cli('report', file, '--out', out); // reads without the lock
      const now = read();
      if (JSON.stringify(now) !== JSON.stringify(old)) {
        expect(now['metrics.json']).toMatch(/"backend": "wasm"/);
        expect(Object.keys(now)).toEqual(Object.keys(old));
        seenNew = true;
      }
    }
    expect(cli('run', file, '--out', out, '--only', 'slow').code).toBe(0);
    expect(readdirSync(path.join(out, 'rel', 'runs')).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 400_000);
});

/**
 * A small file system of its own, to fill or make read-only. Mounting needs root: CI runs as root;
 * elsewhere the tests are skipped with the reason. Whether it can be mounted is tried where the
 * tests are declared (and unmounted at once: collecting the tests, as `vitest list` does, runs no
 * afterAll); the tests' own mount is made and removed by their hooks.
 */
const mountPoint = temporaryFolder('mnt').dir;
const mount = () => spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { encoding: 'utf8' });
const probe = mount();
if (probe.status === 0) spawnSync('umount', [mountPoint]);
const tmpfs = requires(
  'a tmpfs of its own (mount, as root)',
  probe.status === 0 ? null : `mount -t tmpfs failed: ${(probe.stderr || probe.error?.message || '').trim()}`,
);

tmpfs.describe('mlp-lab run on a read-only or full disk (a tmpfs of 4 MB)', () => {
  beforeAll(() => {
    const mounted = mount();
    expect(mounted.status, mounted.stderr).toBe(0);
  });
  afterAll(() => {
    spawnSync('umount', [mountPoint]);
  });

  it('refuses a read-only results folder before training', () => {
    const { file } = workspace();
    const out = path.join(mountPoint, 'ro');
    mkdirSync(out, { recursive: true });
    expect(spawnSync('mount', ['-o', 'remount,ro', mountPoint]).status).toBe(0);
    try {
      const result = cli('run', file, '--out', out);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/cannot write results to .*\(EROFS/);
      expect(result.stdout).not.toMatch(/start/);
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', mountPoint]);
    }
  });

  it('refuses before training when the runs cannot fit', () => {
    const { file } = workspace(EXPERIMENT.replace('[784, 64, 10]', '[784, 1024, 10]'));
    const result = cli('run', file, '--out', path.join(mountPoint, 'small'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not enough free space in .*: the runs need about [\d.]+ MB .*, [\d.]+ MB is free/);
  });

  it('records a run that meets a full disk as failed, leaves no corrupt file, and retries it', async () => {
    const { file } = workspace(EXPERIMENT.replace('epochs: 30', 'epochs: 4'));
    const out = path.join(mountPoint, 'full');
    const run = start(file, '--out', out, '--jobs', '1');
    const checkpoints = path.join(out, 'rel', 'checkpoints');
    await until(() => existsSync(checkpoints) && readdirSync(checkpoints).some((f) => f.endsWith('.ckpt')), {
      describe: 'a checkpoint on the tmpfs',
      processes: [run],
    });
    // Another writer fills the disk.
    const { bavail, bsize } = statfsSync(mountPoint);
    writeFileSync(path.join(mountPoint, 'filler'), Buffer.alloc(bavail * bsize));
    expect(await exitOf(run)).toBe(1);
    expect(run.output()).toMatch(/FAILED\s+rel\/\w+.*ENOSPC/);
    expect(run.output()).toMatch(/results tables could not all be written .*`mlp-lab report` rebuilds them/);
    // Every file left is whole: the JSON parses, no temporary file remains.
    const files: string[] = [];
    const walk = (dir: string): void =>
      readdirSync(dir, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : files.push(path.join(dir, e.name))));
    walk(out);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    for (const f of files.filter((f) => f.endsWith('.json'))) expect(() => JSON.parse(readFileSync(f, 'utf8'))).not.toThrow();
    rmSync(path.join(mountPoint, 'filler'));
    const again = cli('run', file, '--out', out);
    expect(again.code).toBe(0);
    expect(csvRows(out).map((r) => r.status)).toEqual(['completed', 'completed']);
    // The run that met the full disk continues from the checkpoint it had written before.
    expect(again.stdout).toMatch(/1 run continued from a checkpoint/);
  }, 300_000);
});
