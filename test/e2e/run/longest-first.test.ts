/**
 * Runs start longest first (by planned work, evaluation included), whatever their order in the
 * file: with --jobs 1 the order in which runs finish is the order in which they started.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.ts';
import { workspace } from '../../support/workspace.ts';

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
    const dir = workspace('order');
    const file = dir.write('order.yaml', EXPERIMENT);
    const out = dir.path('results');

    const plan = JSON.parse(cli('plan', file, '--json', '--out', out).stdout) as { runs: { id: string; variant: string; work: { flops: number } }[] };
    const work = Object.fromEntries(plan.runs.map((r) => [r.variant, r.work.flops]));
    // medium has fewer weights than large but evaluates after every one of its 30 iterations.
    expect(work.medium).toBeGreaterThan(work.large!);
    expect(work.large).toBeGreaterThan(work.small!);

    const run = cli('run', file, '--out', out, '--jobs', '1', '--quiet');
    expect(run.code, run.stderr).toBe(0);
    const runsDir = path.join(out, 'order', 'runs');
    const finished = readdirSync(runsDir)
      .map((id) => JSON.parse(readFileSync(path.join(runsDir, id, 'metrics.json'), 'utf8')) as { run_id: string; finished_at: string })
      .sort((a, b) => a.finished_at.localeCompare(b.finished_at))
      .map((m) => plan.runs.find((r) => r.id === m.run_id)!.variant);
    expect(finished).toEqual(['medium', 'large', 'small']);
  });
});
