/**
 * Runs start longest first (by planned work, evaluation included), whatever their order in the
 * file: with --jobs 1 the order in which runs finish is the order in which they started.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const EXPERIMENT = `
name: order
dataset: { source: mnist, train_limit: 300, test_limit: 100 }
defaults: { epochs: 1, batch_size: 30, learning_rate: 0.1, init: he }
variants:
  - { id: small, layers: [784, 8, 10], activation: relu }
  - { id: large, layers: [784, 64, 10], activation: relu }
  - { id: medium, layers: [784, 16, 10], activation: relu, epochs: 3, history: { every: 1 } }
`;

describe('scheduling', () => {
  it('starts the run with the most planned work first, and evaluation counts as work', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-order-'));
    const file = path.join(dir, 'order.yaml');
    writeFileSync(file, EXPERIMENT);
    const out = path.join(dir, 'results');
    const bin = path.resolve('bin/mlp-lab.js');

    const plan = JSON.parse(spawnSync(process.execPath, [bin, 'plan', file, '--json', '--out', out], { encoding: 'utf8' }).stdout) as
      { runs: { id: string; variant: string; work: { flops: number } }[] };
    const work = Object.fromEntries(plan.runs.map((r) => [r.variant, r.work.flops]));
    // medium has fewer weights than large but evaluates after every one of its 30 iterations.
    expect(work.medium).toBeGreaterThan(work.large!);
    expect(work.large).toBeGreaterThan(work.small!);

    const run = spawnSync(process.execPath, [bin, 'run', file, '--out', out, '--jobs', '1', '--quiet'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const runsDir = path.join(out, 'order', 'runs');
    const finished = readdirSync(runsDir)
      .map((id) => JSON.parse(readFileSync(path.join(runsDir, id, 'metrics.json'), 'utf8')) as { run_id: string; finished_at: string })
      .sort((a, b) => a.finished_at.localeCompare(b.finished_at))
      .map((m) => plan.runs.find((r) => r.id === m.run_id)!.variant);
    expect(finished).toEqual(['medium', 'large', 'small']);
  });
});
