import { describe, expect, it } from 'vitest';
import { featureWeightsChart } from '../../../src/charts/feature-weights-chart.ts';
import { inputNames } from '../../../src/charts/run-data.ts';
import type { RunDataset } from '../../../src/experiment/index.ts';

type Panel = { data: { values: Record<string, unknown>[] } };
const panels = (spec: Record<string, unknown>) => spec.hconcat as Panel[];

describe('first-layer weights by input name', () => {
  // W1: 3 inputs × 2 units, row-major (input i's weights into unit j at i·2 + j).
  const layer = { nIn: 3, nOut: 2, W: Float32Array.of(1, -3, 0.5, 0.5, -2, 0) };

  it("shows each input's weights and its mean |w| over every unit", () => {
    const [heat, bars] = panels(featureWeightsChart('t', layer, ['a', 'b', 'c'], 16, false, null));
    expect(bars!.data.values).toEqual([
      { input: 'a', mean_abs_w: 2 },
      { input: 'b', mean_abs_w: 0.5 },
      { input: 'c', mean_abs_w: 1 },
    ]);
    expect(heat!.data.values).toContainEqual({ input: 'a', unit: 'unit 1', w: -3 });
    expect(heat!.data.values).toHaveLength(6);
  });

  it("names a one-layer model's units by class", () => {
    const [heat] = panels(featureWeightsChart('t', layer, ['a', 'b', 'c'], 16, true, ['setosa', 'virginica']));
    expect(heat!.data.values.map((v) => v.unit)).toContain('class virginica');
  });

  it('keeps the 60 inputs with the largest mean |w| of a wide table, in file order', () => {
    const n = 100;
    const wide = { nIn: n, nOut: 1, W: Float32Array.from({ length: n }, (_, i) => (i % 2 ? -i : i)) };
    const names = Array.from({ length: n }, (_, i) => `f${i}`);
    const [, bars] = panels(featureWeightsChart('t', wide, names, 16, false, null));
    const shown = bars!.data.values.map((v) => v.input);
    expect(shown).toHaveLength(60);
    expect(shown.slice(0, 2)).toEqual(['f40', 'f41']);
    expect(shown).not.toContain('f39');
  });

  it('is drawn for tables, not for images', () => {
    const csv = { source: 'csv', inputs: ['x', 'colour=red'] } as unknown as RunDataset;
    expect(inputNames(csv)).toEqual(['x', 'colour=red']);
    expect(inputNames({ source: 'npy', example_shape: [2] } as unknown as RunDataset)).toEqual(['x0', 'x1']);
    expect(inputNames({ source: 'npy', example_shape: [28, 28] } as unknown as RunDataset)).toBeNull();
    expect(inputNames({ source: 'mnist' } as unknown as RunDataset)).toBeNull();
  });
});
