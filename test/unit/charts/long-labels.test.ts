/**
 * Charts of a sweep whose labels are long (a deep model's layers beside its settings) and whose
 * axis is a batch size: no label may be cut (cut, the configurations read alike), and integers
 * read as integers.
 */
import { describe, expect, it } from 'vitest';
import { chartRoles } from '../../../src/charts/parameters.ts';
import { resultsChart } from '../../../src/charts/results-chart.ts';
import { sweepChart } from '../../../src/charts/sweep-chart.ts';
import type { ResultRow } from '../../../src/tables/result-row.ts';

function row(layers: number[], learningRate: number, batchSize: number, momentum: number, accuracy: number): ResultRow {
  return {
    runId: `${layers.length}-${learningRate}-${batchSize}-${momentum}`,
    label: `[${layers.join(',')}] learning_rate=${learningRate} batch_size=${batchSize} momentum=${momentum}`,
    model: null,
    varying: { layers: JSON.stringify(layers), learning_rate: learningRate, batch_size: batchSize, momentum },
    layers,
    activations: [...layers.slice(1, -1).map(() => 'relu'), 'softmax'],
    learningRate,
    batchSize,
    epochs: 1,
    init: 'he',
    optimizer: 'momentum',
    seed: 1,
    outcome: { status: 'completed', trainCost: 0.1, testCost: 0.2, trainAccuracy: 90, testAccuracy: accuracy, seconds: 1 },
  };
}

const deep = [784, 256, 128, 64, 32, 10];
const rows = [deep, [784, 16, 10]].flatMap((layers, l) =>
  [0.001, 0.0316227766].flatMap((lr, k) => [16, 32, 64, 128].flatMap((b, i) => [0.5, 0.9].map((m, j) => row(layers, lr, b, m, 40 + l + k + i + j)))),
);
const roles = chartRoles(rows, { color: null, facet: null, tableColumns: null });
/** About what a 12 px label takes: 7 px a character. */
const width = (text: string) => 7 * text.length;

describe('charts with long labels', () => {
  it('the results chart cuts no configuration label and no legend label', () => {
    const spec = resultsChart(rows, roles) as { data: { values: { kind: string; configuration?: string }[] }; encoding?: unknown; layer?: unknown[] };
    const labels = spec.data.values.filter((v) => v.kind === 'configuration').map((v) => v.configuration!);
    const text = JSON.stringify(spec);
    const limits = [...text.matchAll(/"labelLimit":(\d+)/g)].map((m) => Number(m[1]));
    expect(limits.length).toBeGreaterThan(0);
    for (const limit of limits) expect(limit).toBeGreaterThanOrEqual(Math.max(...labels.map(width)));
  });

  it('the sweep against batch_size labels its axis 16, 32, 64, 128 and cuts no legend label', () => {
    const spec = sweepChart(rows, roles, 'batch_size');
    const text = JSON.stringify(spec);
    expect(text).toContain('"values":[16,32,64,128]');
    expect(text).not.toContain('"format":"~g"'); // 3e+1 for 32
    const limits = [...text.matchAll(/"labelLimit":(\d+)/g)].map((m) => Number(m[1]));
    expect(limits.length).toBeGreaterThan(0);
    for (const limit of limits) expect(limit).toBeGreaterThanOrEqual(width(`[${deep.join(',')}]`));
  });
});
