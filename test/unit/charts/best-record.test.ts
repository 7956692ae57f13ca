import { describe, expect, it } from 'vitest';
import { historyChart } from '../../../src/charts/history-chart.ts';
import { renderSvg } from '../../../src/charts/render.ts';

const history = [1, 2, 3, 4].map((epoch) => ({
  iteration: epoch * 10,
  epoch,
  trainCost: 1 / epoch,
  trainAccuracy: 50 + epoch,
  testCost: 1 / epoch,
  testAccuracy: 50 + epoch,
  validationCost: null,
  validationAccuracy: null,
  learningRate: 0.1,
}));

describe('the history chart of an early-stopped run', () => {
  it('marks the record whose weights were kept, in both panels', async () => {
    const spec = historyChart('run', history, 10, 20);
    const text = JSON.stringify(spec);
    expect(text.match(/"best \(weights kept\)"/g)).toHaveLength(2);
    expect(text).toContain('"iteration":20');
    const svg = await renderSvg(spec);
    expect(svg.match(/>best \(weights kept\)</g)).toHaveLength(2);
  });

  it('has no mark without early stopping', () => {
    expect(JSON.stringify(historyChart('run', history, 10))).not.toContain('weights kept');
  });
});
