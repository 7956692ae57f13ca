/**
 * Commands end to end through the real CLI: `--fail-fast`, the retry of failed runs, `report`,
 * `npm run schema:write`, and an experiment on IDX files from validation to its tables.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cliWith, startCli } from '../../support/cli.ts';
import { requires } from '../../support/requires.ts';
import { exitOf, until } from '../../support/until.ts';
import { workspace } from '../../support/workspace.ts';

const root = workspace('commands').dir;

const cli = (args: string[], bin = BIN) => cliWith({ bin }, ...args);

describe('--fail-fast and failed runs', () => {
  // A checkpoint that cannot be written fails its run in the worker (as a full disk would):
  // a `checkpoints` file where the store keeps the folder, and a checkpoint every iteration.
  const dir = path.join(root, 'fail');
  mkdirSync(dir);
  const file = path.join(dir, 'failing.yaml');
  writeFileSync(
    file,
    `name: failing
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 10], epochs: 1, batch_size: 50, checkpoint: { every: 1 } }
seeds: [1, 2, 3]
`,
  );
  const out = path.join(dir, 'results');
  const failures = () => readdirSync(path.join(out, 'failing', 'runs')).filter((id) => existsSync(path.join(out, 'failing', 'runs', id, 'error.json')));

  it('stops at the first failed run: the others are not started, exit 1', () => {
    mkdirSync(path.join(out, 'failing'), { recursive: true });
    writeFileSync(path.join(out, 'failing', 'checkpoints'), 'in the way');
    const run = cli(['run', file, '--out', out, '--jobs', '1', '--fail-fast', '--quiet']);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^3 runs: 0 trained, 0 reused, 1 failed, 2 not started\./m);
    expect(failures()).toHaveLength(1);
  });

  it('without it, every run is tried; once the cause is gone, the next run retries the failed ones', () => {
    const run = cli(['run', file, '--out', out, '--jobs', '1', '--quiet']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^3 runs: 0 trained, 0 reused, 3 failed\./m);
    expect(failures()).toHaveLength(3);
    rmSync(path.join(out, 'failing', 'checkpoints'));
    const retry = cli(['run', file, '--out', out, '--quiet']);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(/^3 runs: 3 trained, 0 reused\./m);
    expect(failures()).toEqual([]);
  });
});

describe('an IDX experiment, end to end', () => {
  const dir = path.join(root, 'idx');
  mkdirSync(dir);
  cpSync('test/fixtures/data', path.join(dir, 'data'), { recursive: true });
  const file = path.join(dir, 'tiny.yaml');
  writeFileSync(file, readFileSync('test/fixtures/valid/idx.yaml', 'utf8').replaceAll('../data/', 'data/'));
  const out = path.join(dir, 'results');

  it('validates, plans, trains, and its tables are rebuilt by report, byte for byte', () => {
    expect(cli(['validate', file]).stdout).toMatch(/tiny\.yaml: ok \(tiny-idx: 1 run\)/);
    const plan = JSON.parse(cli(['plan', file, '--json', '--out', out]).stdout) as { dataset: string; runs: { id: string; finished: boolean }[] };
    expect(plan.dataset).toMatch(/^idx-sha256:[0-9a-f]{64}$/);
    const run = cli(['run', file, '--out', out, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const runDir = path.join(out, 'tiny-idx', 'runs', plan.runs[0]!.id);
    const metrics = JSON.parse(readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as { status: string; test_accuracy: number };
    expect(['completed', 'diverged']).toContain(metrics.status);
    const config = JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8')) as { dataset: { source: string; sha256: Record<string, string> } };
    expect(config.dataset.source).toBe('idx');
    expect(Object.keys(config.dataset.sha256).sort()).toEqual(['test_images', 'test_labels', 'train_images', 'train_labels']);
    expect((JSON.parse(cli(['plan', file, '--json', '--out', out]).stdout) as typeof plan).runs[0]!.finished).toBe(true);

    const markdown = path.join(out, 'tiny-idx', 'results.md');
    const before = readFileSync(markdown, 'utf8');
    rmSync(markdown);
    const report = cli(['report', file, '--out', out]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('1 of 1 runs finished');
    expect(readFileSync(markdown, 'utf8')).toBe(before);
  });
});

describe('charts of finished runs, drawn while other runs train', () => {
  const dir = path.join(root, 'early-charts');
  mkdirSync(dir);
  const file = path.join(dir, 'three.yaml');
  // Three runs of about a second each; the test pauses the second while the first one's charts are drawn.
  writeFileSync(
    file,
    `name: three
dataset: { source: mnist, train_limit: 5000, test_limit: 500 }
defaults: { layers: [784, 16, 10], activations: [relu, softmax], epochs: 1, batch_size: 30 }
seeds: [1, 2, 3]
`,
  );
  const out = path.join(dir, 'results');
  const charts = path.join(out, 'three', 'charts');
  const files = () =>
    readdirSync(charts, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.includes('.'))
      .sort();

  /** The processes `pid` started (the run's worker processes), from /proc. */
  const childrenOf = (pid: number): number[] =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid; // the field after the state: the parent
        } catch {
          return false; // ended meanwhile
        }
      })
      .map(Number);
  const runPngs = () => (existsSync(path.join(charts, 'runs')) ? readdirSync(path.join(charts, 'runs')).filter((f) => f.endsWith('.png')) : []);

  it('are drawn on a free core (--jobs 1 on a machine of 2 or more), and are those report draws afresh, byte for byte', async () => {
    const run = startCli(['run', file, '--out', out, '--jobs', '1']);
    const twoCores = availableParallelism() >= 2;
    if (twoCores) {
      // Once the second run has started, its worker is stopped (SIGSTOP) until the first run's two
      // charts are on disk: they can only have been drawn while a run was training.
      await until(() => (run.output().match(/^start\s+three\//gm)?.length ?? 0) >= 2, { describe: 'the start of the second run', processes: [run] });
      const workers = childrenOf(run.child.pid!);
      expect(workers.length).toBeGreaterThan(0);
      for (const pid of workers) process.kill(pid, 'SIGSTOP');
      try {
        await until(() => runPngs().length >= 2, { describe: "the first run's charts, drawn while the second trains", processes: [run] });
      } finally {
        for (const pid of workers) process.kill(pid, 'SIGCONT');
      }
    }
    expect(await exitOf(run), run.output()).toBe(0);
    // 6 run charts (history and weights of 3 runs) and 2 of the experiment; a run's own charts can
    // be drawn early once it is recorded (never on one core: drawing would take a training core).
    const drawn = /\((\d+) charts, (\d+) drawn(?: \((\d+) while training\))?;/.exec(run.output());
    expect(drawn?.slice(1, 3)).toEqual(['8', '8']);
    if (twoCores) expect(Number(drawn![3])).toBeGreaterThanOrEqual(2);
    else expect(drawn![3]).toBeUndefined();
    const early = new Map(files().map((f) => [f, readFileSync(path.join(charts, f))]));
    expect(early.size).toBe(8 + 2 * 2 + 6); // .vl.json of 8 charts, .svg and .png of the experiment's 2, .png of the 6 run charts

    rmSync(charts, { recursive: true });
    const report = cli(['report', file, '--out', out]);
    expect(report.code).toBe(0);
    expect(files()).toEqual([...early.keys()]);
    for (const [f, bytes] of early) expect(readFileSync(path.join(charts, f)).equals(bytes), f).toBe(true);
  });
});

describe('npm run schema:write', () => {
  it('rewrites a stale schema and reference with what the sources define (in a copy of the checkout)', () => {
    const copy = path.join(root, 'checkout');
    for (const part of ['scripts', 'src', 'schema', 'package.json']) cpSync(part, path.join(copy, part), { recursive: true });
    symlinkSync(path.resolve('node_modules'), path.join(copy, 'node_modules'));
    writeFileSync(path.join(copy, 'schema', 'reference.md'), 'stale\n');
    rmSync(path.join(copy, 'schema', 'experiment.schema.json'));
    const run = spawnSync('npm', ['run', '--silent', 'schema:write'], { cwd: copy, encoding: 'utf8' });
    const written = { code: run.status, stdout: run.stdout };
    expect(written.code, run.stderr).toBe(0);
    expect(written.stdout).toContain(`wrote ${path.join(copy, 'schema', 'experiment.schema.json')}`);
    for (const name of ['experiment.schema.json', 'reference.md']) {
      expect(readFileSync(path.join(copy, 'schema', name), 'utf8')).toBe(readFileSync(path.join('schema', name), 'utf8'));
    }
  });
});

describe('a results folder that cannot be one', () => {
  const experiment = path.resolve('experiments/report.yaml');
  // Node 20's recursive mkdirSync never returns for a folder under /proc: a regression would hang, so it is timed out.
  const refuse = (out: string) => cliWith({ timeout: 30_000 }, 'run', experiment, '--only', 'relu', '--set', 'epochs=1', '--out', out);

  requires('/proc', existsSync('/proc/self') ? null : 'no /proc on this system').it('under /proc is refused at once, exit 2', () => {
    const result = refuse('/proc/mlp-lab-results');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^--out: error: cannot write results to \/proc\/mlp-lab-results \(ENOENT\)/);
  });

  it('that is a file, or is inside one, is refused and named as such, exit 2', () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    const itself = refuse(file);
    expect(itself.code).toBe(2);
    expect(itself.stderr).toContain(`cannot write results to ${file} (it is a file, not a folder)`);
    const inside = refuse(path.join(file, 'results'));
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain('(ENOTDIR)');
  });
});
