/**
 * The promise of checkpoints, tested by killing for real: `mlp-lab run` and its worker processes
 * are SIGKILLed together (the whole process group) at random moments, the same command is run
 * again until it finishes, and the results must equal, bit for bit, those of a run never killed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import { cli, startCli } from '../../support/cli.ts';
import { exitOf, until } from '../../support/until.ts';
import { workspace as temporaryFolder } from '../../support/workspace.ts';

// The js kernels make each run last several seconds, time for several kills; momentum
// and adam put optimizer state in the checkpoints, `shuffle: epoch` the generator.
const EXPERIMENT = `
name: killed
dataset: { source: mnist, train_limit: 1200, test_limit: 200 }
defaults: { layers: [784, 48, 10], activation: relu, epochs: 20, batch_size: 20, learning_rate: 0.05, init: he,
            shuffle: epoch, history: { every: 25, eval_limit: 200 }, backend: js, checkpoint: { every: 15 } }
variants:
  - { id: momentum, optimizer: momentum }
  - { id: adam, optimizer: adam, learning_rate: 0.002 }
`;

function workspace(): { file: string; out: string } {
  const dir = temporaryFolder('kill');
  return { file: dir.write('killed.yaml', EXPERIMENT), out: dir.path('results') };
}

/** The checkpoint files of the experiment (`<run id>.ckpt`), none when the folder is gone. */
function checkpoints(out: string): string[] {
  const dir = path.join(out, 'killed', 'checkpoints');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ckpt')) : [];
}

/** Newest modification time of the checkpoints, 0 when there are none. */
function newestCheckpoint(out: string): number {
  const dir = path.join(out, 'killed', 'checkpoints');
  return Math.max(0, ...checkpoints(out).map((f) => statSync(path.join(dir, f)).mtimeMs));
}

/** Runs not recorded yet whose checkpoint is on disk: those the next invocation must continue. */
function resumable(out: string): string[] {
  return checkpoints(out)
    .map((f) => f.replace(/\.ckpt$/, ''))
    .filter((id) => !existsSync(path.join(out, 'killed', 'runs', id, 'metrics.json')));
}

/**
 * Starts `run` in its own process group and SIGKILLs the group: either `delay` ms after the start,
 * or, when `afterCheckpoint`, that long after the next checkpoint is written. Resolves with whether
 * the run had already finished on its own, and the runs it left with a checkpoint to continue from.
 */
async function runAndKill(file: string, out: string, delay: number, afterCheckpoint: boolean): Promise<{ finished: boolean; left: string[] }> {
  const run = startCli(['run', file, '--out', out, '--jobs', '2', '--no-charts'], { detached: true });
  const exited = () => run.child.exitCode !== null || run.child.signalCode !== null;
  const seen = newestCheckpoint(out);
  if (afterCheckpoint) await until(() => exited() || newestCheckpoint(out) !== seen, { describe: 'a new checkpoint', processes: [run] });
  await Promise.race([sleep(delay), run.exited]);
  if (exited()) {
    expect(await exitOf(run), run.output()).toBe(0);
    return { finished: true, left: [] };
  }
  process.kill(-run.child.pid!, 'SIGKILL');
  await exitOf(run);
  return { finished: false, left: resumable(out) };
}

/** Every file of the experiment's results, timings removed, for comparison. */
function snapshot(out: string): Record<string, string> {
  const root = path.join(out, 'killed');
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(root, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(root);
  const text = (name: string) => Buffer.from(files[name]!, 'base64').toString('utf8');
  for (const name of Object.keys(files)) {
    if (name.endsWith('history.csv') || name === 'results.csv') files[name] = text(name).replace(/,[\d.]+\n/g, ',T\n');
    if (name.endsWith('metrics.json')) files[name] = text(name).replace(/"(seconds|finished_at)": [^,\n]+/g, '"$1": T');
    if (name === 'results.md' || name === 'results.tex') delete files[name]; // no timings, but same source as results.csv
  }
  return files;
}

// The runs use --no-charts: charts and report.html are derived from the records compared here
// (and report.html shows timings); test/unit/charts covers them.
describe('killing mlp-lab run', () => {
  it('loses nothing: after SIGKILLs of the whole process tree at random moments, the results equal an uninterrupted run', async () => {
    const reference = workspace();
    const referenceStart = Date.now();
    const whole = cli('run', reference.file, '--out', reference.out, '--jobs', '2', '--no-charts');
    const wall = Date.now() - referenceStart;
    expect(whole.code, whole.stderr).toBe(0);

    const { file, out } = workspace();
    const rng = Rng.fromSeed(Number(process.env.KILL_SEED ?? 12));
    const kills: { afterCheckpoint: boolean; left: string[] }[] = [];
    const started = Date.now();
    for (let attempt = 0; attempt < 4; attempt++) {
      // Half the kills shortly after a checkpoint, the first of them too, so that one lands in the
      // middle of a run whatever the machine's speed; half anywhere, from start-up to late in the
      // runs (scaled to the uninterrupted run's wall time: a checkpoint carries progress over, so
      // an invocation may finish before its kill, and then the sweep is over).
      const afterCheckpoint = attempt % 2 === 0;
      const delay = afterCheckpoint ? 300 * rng.uniform() : wall * (0.1 + 0.25 * rng.uniform());
      const { finished, left } = await runAndKill(file, out, delay, afterCheckpoint);
      if (finished) break;
      kills.push({ afterCheckpoint, left });
    }
    const toContinue = resumable(out);
    const last = cli('run', file, '--out', out, '--jobs', '2', '--no-charts');
    expect(last.code, last.stderr).toBe(0);
    const story = kills.map((k) => `${k.afterCheckpoint ? 'after a checkpoint' : 'anywhere'}: ${k.left.length} run(s) left to continue`).join('; ');
    process.stdout.write(
      `killed ${kills.length} times in ${((Date.now() - started) / 1000).toFixed(1)} s (${story}); the uninterrupted run: ${whole.stdout.match(/\d+:\d+/g)?.join(' ')}\n`,
    );
    // A kill landed in the middle of a run: it left a checkpoint of a run not yet recorded.
    expect(
      kills.some((k) => k.left.length > 0),
      story,
    ).toBe(true);
    // The last invocation continued every run left with a checkpoint (a kill left some, unless an
    // invocation finished the sweep on its own before its kill: then it only reuses).
    expect(last.stdout).toMatch(
      toContinue.length > 0 ? new RegExp(`\\n${toContinue.length} runs? continued from a checkpoint\\.`) : /2 runs: 0 trained, 2 reused\./,
    );

    const resumed = snapshot(out);
    expect(Object.keys(resumed).sort()).toEqual(Object.keys(snapshot(reference.out)).sort());
    expect(resumed).toEqual(snapshot(reference.out));
    // Nothing left behind: no checkpoint, no temporary file, no half-swapped record, no lock.
    expect(readdirSync(path.join(out, 'killed')).sort()).toEqual(['results.csv', 'results.md', 'results.tex', 'runs']);
    expect(readdirSync(path.join(out, 'killed', 'runs'))).toHaveLength(2);
  }, 300_000);
});
