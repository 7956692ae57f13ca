/**
 * `mlp-lab run` carrying out a search round by round: the same trials and results.csv at any
 * --jobs, and a search interrupted mid-round that a rerun finishes exactly as if it never stopped
 * (its proposals recomputed from the store, the finished trials reused).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { workspace } from '../../support/workspace.ts';

const BIN = path.resolve('bin/mlp-lab.js');

// Two cells (relu, sigmoid), each searched with 12 trials in rounds of 5: the third round is
// TPE's first proposed from results (10 startup trials), so it differs between the cells.
const EXPERIMENT = `
name: searched
dataset: { source: mnist, train_limit: 500, test_limit: 200, validation: 200 }
defaults: { layers: [784, 16, 10], epochs: 2, batch_size: 25, optimizer: momentum }
grid:
  activation: [relu, sigmoid]
search:
  method: tpe
  trials: 12
  batch: 5
  seed: 11
  space:
    learning_rate: { log_uniform: [0.005, 0.5] }
    momentum: { uniform: [0.0, 0.95] }
`;

const env = { ...process.env, NO_COLOR: '1' };

function experimentFolder(): { file: string; out: string } {
  const dir = workspace('search').dir;
  writeFileSync(path.join(dir, 'searched.yaml'), EXPERIMENT);
  return { file: path.join(dir, 'searched.yaml'), out: path.join(dir, 'results') };
}

function run(file: string, out: string, jobs: number): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [BIN, 'run', file, '--out', out, '--jobs', String(jobs), '--no-charts'], { env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout + result.stderr };
}

/** results.csv without its timings. */
function table(out: string): Record<string, string>[] {
  const rows = parse(readFileSync(path.join(out, 'searched', 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  return rows.map(({ seconds: _, ...rest }) => rest);
}

const runFolders = (out: string) => readdirSync(path.join(out, 'searched', 'runs')).sort();

function plan(file: string, out: string): string {
  return spawnSync(process.execPath, [BIN, 'plan', file, '--out', out], { env, encoding: 'utf8' }).stdout;
}

describe('run with a search', () => {
  it('plans the first round, says the rest depends on results, and the epochs a pruner saves', () => {
    const { file, out } = experimentFolder();
    const text = plan(file, out);
    expect(text).toContain('Search: tpe, 12 trials in each of 2 grid cells (activation=relu; activation=sigmoid), in 3 rounds of up to 5, search seed 11;');
    expect(text).toContain('Listed: rounds 1 to 1 of 3; the rest are proposed from the results of the rounds before them.');
    expect(text).toContain('10 runs: 0 finished, 10 to run');
    const pruned = EXPERIMENT.replace('epochs: 2, ', '')
      .replace('trials: 12\n  batch: 5', 'trials: 27')
      .replace('method: tpe', 'method: random')
      .replace('  space:', '  pruner: { method: successive_halving, min_epochs: 1, max_epochs: 27, eta: 3 }\n  space:');
    writeFileSync(file, pruned);
    const sh = plan(file, out);
    expect(sh).toContain('Pruner: successive_halving, rungs at 1, 3, 9, 27 epochs (eta 3); trials×epochs per bracket: 27×1 → 9×3 → 3×9 → 1×27.');
    expect(sh).toContain('Epochs to train: 81 per cell, against 729 with every trial to max_epochs (27).');
  });

  it('proposes round by round from the records, with the same trials and results at --jobs 1 and 2', { timeout: 240_000 }, () => {
    const one = experimentFolder();
    const two = experimentFolder();
    const first = run(one.file, one.out, 1);
    expect(first.status, first.stdout).toBe(0);
    expect(first.stdout).toContain('round 3 of 3: 4 runs to train');
    expect(first.stdout).toContain('24 runs: 24 trained, 0 reused.');
    expect(first.stdout).toMatch(
      /Best trial of searched \(activation=relu\): trial \d+, learning_rate=[\d.e-]+ momentum=[\d.e-]+: validation_accuracy [\d.]+\./,
    );
    expect(run(two.file, two.out, 2).status).toBe(0);
    const rows = table(one.out);
    expect(table(two.out)).toEqual(rows);
    expect(runFolders(two.out)).toEqual(runFolders(one.out));

    expect(rows).toHaveLength(24);
    expect(Object.keys(rows[0]!).slice(0, 5)).toEqual(['run_id', 'label', 'trial', 'activation', 'momentum']);
    expect(rows.map((r) => `${r.activation} ${r.trial}`)).toEqual(['relu', 'sigmoid'].flatMap((a) => Array.from({ length: 12 }, (_, t) => `${a} ${t}`)));
    const proposed = (activation: string, trial: number) => rows.find((r) => r.activation === activation && r.trial === String(trial))!;
    // Random rounds (the startup) propose the same values to both cells; TPE's round depends on each cell's results.
    expect(proposed('relu', 7).learning_rate).toBe(proposed('sigmoid', 7).learning_rate);
    expect([10, 11].some((t) => proposed('relu', t).learning_rate !== proposed('sigmoid', t).learning_rate)).toBe(true);
    expect(new Set(rows.map((r) => r.run_id)).size).toBe(24);
    expect(rows.every((r) => r.status === 'completed')).toBe(true);

    // results.md's Search section names the same best trial as the summary.
    const summaryBest = /Best trial of searched \(activation=relu\): trial (\d+), learning_rate=(\S+) momentum=(\S+): validation_accuracy ([\d.]+)\./.exec(
      first.stdout,
    )!;
    const markdown = readFileSync(path.join(one.out, 'searched', 'results.md'), 'utf8');
    expect(markdown).toContain("## Search\n\ntpe, 12 trials per grid cell, search seed 11; validation_accuracy maximised, the mean over a trial's seeds.");
    expect(markdown).toContain(`| activation=relu | ${summaryBest[1]} | ${summaryBest[2]} | ${summaryBest[3]} | ${summaryBest[4]} | 12 of 12 |`);

    // The store is the study: a rerun proposes the same rounds from it and trains nothing.
    const again = run(one.file, one.out, 2);
    expect(again.stdout).toContain('24 runs: 0 trained, 24 reused.');
    expect(table(one.out)).toEqual(rows);
  });

  it('ends an interrupted search exactly as an uninterrupted one', { timeout: 240_000 }, async () => {
    const straight = experimentFolder();
    expect(run(straight.file, straight.out, 2).status).toBe(0);

    const stopped = experimentFolder();
    // Ctrl-C once the second round is under way: its runs in flight checkpoint and stop.
    const child = spawn(process.execPath, [BIN, 'run', stopped.file, '--out', stopped.out, '--jobs', '2', '--no-charts'], { env });
    let output = '';
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('round 2 of 3') && /round 2 of 3[\s\S]*start/.test(output) && !child.killed) child.kill('SIGINT');
    });
    child.stderr.on('data', () => {});
    expect(await exit, output).toBe(130);
    expect(output).not.toContain('round 3 of 3');

    const rerun = run(stopped.file, stopped.out, 2);
    expect(rerun.status, rerun.stdout).toBe(0);
    expect(rerun.stdout).toMatch(/24 runs: \d+ trained, (1\d|[5-9]) reused/);
    expect(table(stopped.out)).toEqual(table(straight.out));
    expect(runFolders(stopped.out)).toEqual(runFolders(straight.out));
  });

  it('trains each proposal on every seed and judges it on the mean', { timeout: 120_000 }, () => {
    const { file, out } = experimentFolder();
    writeFileSync(
      file,
      EXPERIMENT.replace('grid:\n  activation: [relu, sigmoid]\n', 'seeds: [1, 2]\n')
        .replace('method: tpe', 'method: sobol')
        .replace('trials: 12\n  batch: 5', 'trials: 3'),
    );
    const result = run(file, out, 2);
    expect(result.status, result.stdout).toBe(0);
    const rows = table(out);
    expect(rows.map((r) => `${r.trial} ${r.seed}`)).toEqual(['0 1', '0 2', '1 1', '1 2', '2 1', '2 2']);
    const validation = (id: string) =>
      (JSON.parse(readFileSync(path.join(out, 'searched', 'runs', id, 'metrics.json'), 'utf8')) as { validation_accuracy: number }).validation_accuracy;
    const means = [0, 1, 2].map((t) => rows.filter((r) => r.trial === String(t)).reduce((sum, r) => sum + validation(r.run_id!), 0) / 2);
    const best = means.indexOf(Math.max(...means));
    expect(result.stdout).toContain(`Best trial of searched: trial ${best}, `);
    expect(result.stdout).toContain(`validation_accuracy ${Number(means[best]!.toPrecision(6))}.`);
  });

  it('keeps every finished trial that an edited search still proposes: more trials train only the new ones', { timeout: 120_000 }, () => {
    const { file, out } = experimentFolder();
    // random and sobol draw each trial from its own place in the sequence: trial k is the same
    // configuration whatever the number of trials, so raising `trials` adds runs and keeps the others.
    const random = (trials: number) =>
      EXPERIMENT.replace('grid:\n  activation: [relu, sigmoid]\n', '')
        .replace('method: tpe', 'method: random')
        .replace('trials: 12\n  batch: 5', `trials: ${trials}`);
    writeFileSync(file, random(3));
    expect(run(file, out, 2).status).toBe(0);
    const first = runFolders(out);
    expect(first).toHaveLength(3);
    writeFileSync(file, random(5));
    const more = run(file, out, 2);
    expect(more.status, more.stdout).toBe(0);
    expect(more.stdout).toContain('5 runs: 2 trained, 3 reused');
    expect(runFolders(out)).toEqual(expect.arrayContaining(first));
    expect(table(out).map((r) => r.trial)).toEqual(['0', '1', '2', '3', '4']);
  });
});
