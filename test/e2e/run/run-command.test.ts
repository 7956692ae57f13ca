/**
 * `mlp-lab run` end to end, as a user runs it: the CLI in a child process on a tiny subset of the
 * bundled MNIST, writing a results store in a temporary folder.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../src/core/kernels/reference.ts';
import { Network } from '../../../src/core/network.ts';
import { InputRows } from '../../../src/core/input-rows.ts';
import { evaluateSet } from '../../../src/core/train.ts';
import { loadDataset } from '../../../src/data/load.ts';
import { decodeSafetensors } from '../../../src/store/safetensors.ts';
import { cli, startCli } from '../../support/cli.ts';
import { exitOf } from '../../support/until.ts';
import { workspace as temporaryFolder } from '../../support/workspace.ts';

const EXPERIMENT = `
name: tiny
dataset: { source: mnist, train_limit: 300, test_limit: 100 }
defaults: { epochs: 2, batch_size: 30, learning_rate: 0.1, init: he, history: { every: 5 } }
variants:
  - { id: small, layers: [784, 16, 10], activation: relu }
  - { id: wide, layers: [784, 32, 10], activation: sigmoid }
  - { id: diverges, layers: [784, 10], activations: [softmax], learning_rate: 1.0e+38 }
seeds: [1, 2]
`;

function workspace(yaml = EXPERIMENT): { file: string; out: string } {
  const dir = temporaryFolder('run');
  return { file: dir.write('tiny.yaml', yaml), out: dir.path('results') };
}

const csvRows = (out: string) => parse(readFileSync(path.join(out, 'tiny', 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
const withoutTimes = (rows: Record<string, string>[]) => rows.map(({ seconds: _, ...rest }) => rest);

describe('mlp-lab run', () => {
  it('trains every run, records diverged ones, writes the whole tree, then reuses it', () => {
    const { file, out } = workspace();
    const first = cli('run', file, '--out', out, '--jobs', '2');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/6 runs: 4 trained, 0 reused, 2 diverged\./);

    const runs = readdirSync(path.join(out, 'tiny', 'runs'));
    expect(runs).toHaveLength(6);
    for (const id of runs) {
      expect(readdirSync(path.join(out, 'tiny', 'runs', id)).sort()).toEqual(['config.json', 'history.csv', 'metrics.json', 'weights.safetensors']);
    }
    for (const name of ['results.csv', 'results.md', 'results.tex', 'report.html', 'charts/results.vl.json', 'charts/results.png']) {
      expect(existsSync(path.join(out, 'tiny', name))).toBe(true);
    }
    for (const id of runs) expect(existsSync(path.join(out, 'tiny', 'charts', 'runs', `${id}-history.vl.json`))).toBe(true);
    expect(first.stdout).toContain(`Report: ${path.join(out, 'tiny', 'report.html')}`);
    const rows = csvRows(out);
    expect(rows.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed', 'diverged', 'diverged']);
    expect(Number(rows[0]!.test_accuracy)).toBeGreaterThan(50);
    const history = parse(readFileSync(path.join(out, 'tiny', 'runs', rows[0]!.run_id!, 'history.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    // 300 images in batches of 30: 10 iterations per epoch, a record every 5.
    expect(history.map((h) => h.iteration)).toEqual(['5', '10', '15', '20']);
    expect(Object.keys(history[0]!)).toEqual([
      'iteration',
      'epoch',
      'train_cost',
      'test_cost',
      'train_accuracy',
      'test_accuracy',
      'validation_cost',
      'validation_accuracy',
      'seconds',
    ]);
    const metrics = JSON.parse(readFileSync(path.join(out, 'tiny', 'runs', rows[0]!.run_id!, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ status: 'completed', seed: 1, node_version: process.version, mlp_lab_version: expect.any(String) });
    expect(['native', 'wasm', 'js']).toContain(metrics.backend);

    const again = cli('run', file, '--out', out);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/6 runs: 0 trained, 6 reused\./);
    expect(csvRows(out)).toEqual(rows);

    const forced = cli('run', file, '--out', out, '--force', '--only', 'small');
    expect(forced.stdout).toMatch(/2 runs: 2 trained, 0 reused\./);
    // --only trains a subset; the tables still show the whole experiment.
    expect(withoutTimes(csvRows(out))).toEqual(withoutTimes(rows));
    expect(readFileSync(path.join(out, 'tiny', 'results.md'), 'utf8')).toContain('6 of 6 runs finished');
  });

  it('retrains only the variant that changed', () => {
    const { file, out } = workspace();
    // --no-charts: the tables only.
    const quick = cli('run', file, '--out', out, '--no-charts');
    expect(quick.code).toBe(0);
    expect(quick.stdout).not.toContain('Charts:');
    expect(existsSync(path.join(out, 'tiny', 'charts'))).toBe(false);
    expect(existsSync(path.join(out, 'tiny', 'report.html'))).toBe(false);
    writeFileSync(file, EXPERIMENT.replace('layers: [784, 32, 10]', 'layers: [784, 24, 10]'));
    const rerun = cli('run', file, '--out', out);
    expect(rerun.stdout).toMatch(/6 runs: 2 trained, 4 reused\./);
    expect(rerun.stdout).toContain('wide');
    expect(rerun.stdout).not.toMatch(/done\s+tiny\/small/);
  });

  it('gives identical results with --jobs 1 and --jobs 2, timings aside', () => {
    const a = workspace();
    const b = workspace();
    expect(cli('run', a.file, '--out', a.out, '--jobs', '1').code).toBe(0);
    expect(cli('run', b.file, '--out', b.out, '--jobs', '2').code).toBe(0);
    expect(withoutTimes(csvRows(b.out))).toEqual(withoutTimes(csvRows(a.out)));
    const history = (out: string, id: string) => readFileSync(path.join(out, 'tiny', 'runs', id, 'history.csv'), 'utf8').replace(/,[\d.]+\n/g, '\n');
    for (const row of csvRows(a.out)) expect(history(b.out, row.run_id!)).toBe(history(a.out, row.run_id!));
  });

  it('adds the compare: section to report.html and its forest plot to charts/', () => {
    const { file, out } = workspace(`
name: tiny
dataset: { source: mnist, train_limit: 300, test_limit: 100 }
defaults: { layers: [784, 16, 10], epochs: 1, batch_size: 30, learning_rate: 0.1, init: he }
grid: { activation: [relu, sigmoid] }
seeds: [1, 2]
compare: [{ by: activation, baseline: sigmoid }]
charts: { runs: false, sweeps: false, histories: false }
`);
    const result = cli('run', file, '--out', out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(path.join(out, 'tiny', 'charts', 'comparison-activation.vl.json'))).toBe(true);
    const html = readFileSync(path.join(out, 'tiny', 'report.html'), 'utf8');
    const section = /<section id="comparisons">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(section).toContain('relu − sigmoid (activation), paired by seed');
    expect(section).toContain('data-chart="comparison-activation"');
  });

  it('writes weights that reproduce the recorded test accuracy when loaded back', () => {
    const { file, out } = workspace();
    expect(cli('run', file, '--out', out, '--only', 'small').code).toBe(0);
    const row = csvRows(out).find((r) => r.status === 'completed')!;
    const dir = path.join(out, 'tiny', 'runs', row.run_id!);
    const { tensors, metadata } = decodeSafetensors(readFileSync(path.join(dir, 'weights.safetensors')));
    expect(tensors.map((t) => [t.name, t.shape])).toEqual([
      ['W1', [784, 16]],
      ['b1', [16]],
      ['W2', [16, 10]],
      ['b2', [10]],
    ]);
    expect(JSON.parse(metadata.layers!)).toEqual([784, 16, 10]);
    const net = new Network(referenceKernels, { layers: [784, 16, 10], activations: ['relu', 'softmax'] }, 256);
    net.layers.forEach((layer, i) => {
      layer.W.set(tensors[2 * i]!.data);
      layer.b.set(tensors[2 * i + 1]!.data);
    });
    const data = loadDataset({ files: 'mnist', trainLimit: 300, testLimit: 100, validation: 0 });
    const { accuracy } = evaluateSet(net, data.test, new InputRows(referenceKernels, 256, 784));
    expect(accuracy).toBeCloseTo(JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8')).test_accuracy, 6);
  });

  it('rejects invalid input before training anything', () => {
    const { file, out } = workspace();
    const bad = path.join(path.dirname(file), 'bad.yaml');
    writeFileSync(bad, 'name: bad\ndefaults:\n  epochs: 0\n');
    const result = cli('run', file, bad, '--out', out);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:3:\d+: error:/);
    expect(existsSync(out)).toBe(false);
    expect(cli('run', file, '--out', out, '--only', 'nothing-like-this').code).toBe(2);
  });

  /** Runs both runs at once and sends Ctrl-C once the quick one is recorded, while the slow one trains. */
  async function interruptAfterQuick(...args: string[]): Promise<{ code: number | null; stdout: string }> {
    const run = startCli(['run', ...args, '--jobs', '2']);
    await run.waitFor(/done\s+tiny\/quick/);
    run.child.kill('SIGINT');
    return { code: await exitOf(run), stdout: run.output() };
  }

  const INTERRUPTIBLE = `
name: tiny
dataset: { source: mnist, train_limit: 2000, test_limit: 100 }
defaults: { batch_size: 30, learning_rate: 0.1, init: he, backend: js }
variants:
  - { id: quick, layers: [784, 10], activations: [softmax], epochs: 1 }
  - { id: slow, layers: [784, 64, 10], activation: relu, epochs: 40 }
`;

  it('stops on Ctrl-C, keeps finished runs, leaves no partial run that looks finished, and resumes', async () => {
    const { file, out } = workspace(INTERRUPTIBLE);
    const { code, stdout } = await interruptAfterQuick(file, '--out', out);
    expect(code).toBe(130);
    expect(stdout).toMatch(/Interrupted: finished runs are kept\. Run the same command again/);
    const rows = csvRows(out);
    expect(rows.map((r) => r.status)).toEqual(['completed', 'pending']);
    expect(existsSync(path.join(out, 'tiny', 'runs', rows[1]!.run_id!, 'metrics.json'))).toBe(false);

    // The backend is not part of a run's identity: resume with the fastest kernels.
    const resumed = cli('run', file, '--out', out, '--backend', 'auto');
    expect(resumed.stdout).toMatch(/2 runs: 1 trained, 1 reused\./);
    expect(csvRows(out).map((r) => r.status)).toEqual(['completed', 'completed']);
  });

  it('keeps the old records when a --force rerun is interrupted', async () => {
    const { file, out } = workspace(INTERRUPTIBLE);
    expect(cli('run', file, '--out', out, '--backend', 'auto').code).toBe(0);
    const before = csvRows(out);
    const { code } = await interruptAfterQuick(file, '--out', out, '--force');
    expect(code).toBe(130);
    const after = csvRows(out);
    expect(after.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(after[1]).toEqual(before[1]);
  });
});
