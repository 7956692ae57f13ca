import { describe, expect, it } from 'vitest';
import { chartRoles } from '../../../src/charts/parameters.ts';
import { renderSvg } from '../../../src/charts/render.ts';
import { sweepChart } from '../../../src/charts/sweep-chart.ts';
import type { ResultRow } from '../../../src/tables/result-row.ts';

const row = (batchSize: number, momentum: number, seed: number): ResultRow => ({
  runId: `${batchSize}-${momentum}-${seed}`,
  label: `batch_size=${batchSize} momentum=${momentum} seed=${seed}`,
  model: null,
  varying: { batch_size: batchSize, momentum, seed },
  layers: [784, 10],
  activations: ['softmax'],
  learningRate: 0.1,
  batchSize,
  epochs: 1,
  init: 'he',
  optimizer: 'momentum',
  seed,
  outcome: { status: 'completed', trainCost: 0.3, testCost: 0.3, trainAccuracy: 90, testAccuracy: 90 + seed, seconds: 1 },
});

describe('a sweep chart against an integer parameter', () => {
  it('labels its ticks as the values are written (32 and 64, not 3e+1 and 6e+1)', async () => {
    const rows = [32, 64].flatMap((b) => [0.5, 0.9].flatMap((m) => [1, 2].map((s) => row(b, m, s))));
    const roles = chartRoles(rows, { color: null, facet: null, tableColumns: null });
    const svg = await renderSvg(sweepChart(rows, roles, 'batch_size'));
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toContain('32');
    expect(labels).toContain('64');
    expect(labels.some((l) => /e\+/.test(l ?? ''))).toBe(false);
  });
});
