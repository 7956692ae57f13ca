import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parameterImportance } from '../../../src/search/analysis.ts';
import { cli } from '../../support/cli.ts';
import { requires } from '../../support/requires.ts';
import { workspace } from '../../support/workspace.ts';

/**
 * The parameter-importance chart of a search whose trials repeat their seeds: its seed-noise floor
 * is computed from every run's own record, and drawn in Chromium beside the chance tick with a
 * legend naming both.
 */
const CHROMIUM = process.env.MLP_LAB_CHROMIUM ?? '/usr/bin/chromium';
const browserAt = requires(
  'a browser',
  existsSync(CHROMIUM) ? null : `no ${CHROMIUM}: install Chromium (Debian/Ubuntu: apt-get install chromium) or point MLP_LAB_CHROMIUM at one`,
);

// Two cells, 6 random trials each on 2 seeds: 24 tiny runs.
const EXPERIMENT = `name: noisy
dataset: { source: mnist, train_limit: 300, test_limit: 100, validation: 100 }
defaults: { layers: [784, 8, 10], epochs: 1, batch_size: 25, optimizer: momentum }
seeds: [1, 2]
grid:
  activation: [relu, sigmoid]
search:
  method: random
  trials: 6
  seed: 2
  space:
    learning_rate: { log_uniform: [0.005, 0.5] }
    momentum: { uniform: [0.0, 0.9] }
charts: { runs: false }
`;

const CHANCE = 'chance level';
const NOISE_FLOOR = 'seed-noise floor';

interface Share {
  cell: string;
  parameter: string;
  share: number;
  chance: number;
  noise: number | null;
}

browserAt.describe('the search-importance chart with repeated seeds', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('computes the floor from the seeds of each trial and draws it beside the chance tick', { timeout: 240_000 }, async () => {
    const space = workspace('noise-floor');
    const file = space.write('noisy.yaml', EXPERIMENT);
    const run = cli('run', file, '--out', space.path('out'), '--jobs', '2', '--quiet');
    expect(run.code, run.stderr).toBe(0);
    const dir = space.path('out', 'noisy');

    // The floor in the spec is the one of the trials' seeds as the run folders record them.
    const spec = JSON.parse(readFileSync(path.join(dir, 'charts', 'search-importance.vl.json'), 'utf8')) as {
      data: { values: Share[] };
      layer: { data?: { values: { level: string; at: number }[] } }[];
    };
    const shares = spec.data.values;
    expect(shares).toHaveLength(4); // two parameters in each of two cells
    const csv = readFileSync(path.join(dir, 'results.csv'), 'utf8').trim().split('\n');
    const header = csv[0]!.split(',');
    const column = (name: string) => header.indexOf(name);
    for (const cell of ['relu', 'sigmoid']) {
      const trials = new Map<string, { configuration: Record<string, number>; seeds: number[] }>();
      for (const line of csv.slice(1)) {
        const cells = line.split(',');
        if (cells[column('activation')] !== cell) continue;
        const run = path.join(dir, 'runs', cells[column('run_id')]!);
        const metrics = JSON.parse(readFileSync(path.join(run, 'metrics.json'), 'utf8')) as { validation_accuracy: number };
        // The run's own configuration, at full precision (results.csv rounds the learning rate).
        const config = JSON.parse(readFileSync(path.join(run, 'config.json'), 'utf8')) as { learning_rate: number; optimizer: { momentum: number } };
        const trial = cells[column('trial')]!;
        const entry = trials.get(trial) ?? { configuration: { learning_rate: config.learning_rate, momentum: config.optimizer.momentum }, seeds: [] };
        entry.seeds.push(metrics.validation_accuracy);
        trials.set(trial, entry);
      }
      expect(trials.size).toBe(6);
      expect([...trials.values()].every((t) => t.seeds.length === 2)).toBe(true);
      const expected = parameterImportance(
        [
          { name: 'learning_rate', kind: 'log_uniform', low: 0.005, high: 0.5 },
          { name: 'momentum', kind: 'uniform', low: 0, high: 0.9 },
        ],
        [...trials.values()].map((t) => ({ configuration: t.configuration, seeds: t.seeds, value: (t.seeds[0]! + t.seeds[1]!) / 2 })),
      );
      for (const e of expected) {
        const drawn = shares.find((s) => s.cell === `activation=${cell}` && s.parameter === e.name)!;
        expect(e.noise).not.toBeNull();
        expect(drawn.noise).toBeCloseTo(100 * e.noise!, 9);
        expect(drawn.share).toBeCloseTo(100 * e.share, 9);
      }
    }
    const levels = spec.layer[1]!.data!.values;
    expect(levels.filter((l) => l.level === NOISE_FLOOR)).toHaveLength(4);
    expect(levels.filter((l) => l.level === CHANCE)).toHaveLength(4);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(path.join(dir, 'report.html')).href);
    await page.waitForFunction(
      `(() => {
      const b = document.body.dataset;
      return b.chartsTotal !== undefined && Number(b.chartsRendered) + Number(b.chartsFailed) === Number(b.chartsTotal);
    })()`,
      null,
      { timeout: 100_000 },
    );
    const drawn = await page.evaluate<{ texts: string[]; white: number; marks: number }>(`(() => {
      const chart = document.querySelector('.chart[data-chart="search-importance"]');
      return {
        texts: [...chart.querySelectorAll('svg text')].map((t) => t.textContent),
        white: [...chart.querySelectorAll('svg g.role-mark path')].filter((p) => ['white', '#fff', '#ffffff'].includes((p.getAttribute('fill') || '').toLowerCase())).length,
        marks: chart.querySelectorAll('svg g.role-mark > *').length,
      };
    })()`);
    expect(drawn.marks).toBeGreaterThan(0);
    // Both levels are in the legend, uncut, and the floor is drawn once per bar.
    expect(drawn.texts).toEqual(expect.arrayContaining([CHANCE, NOISE_FLOOR]));
    expect(drawn.texts.filter((t) => t.includes('…'))).toEqual([]);
    expect(drawn.white).toBe(4);
    expect(errors).toEqual([]);
    await page.close();
  });
});
