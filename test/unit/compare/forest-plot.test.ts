import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../../src/compare/compare.ts';
import { forestPlotSpec, type ForestRow } from '../../../src/charts/forest-plot.ts';
import type { ComparableRun } from '../../../src/compare/pairing.ts';

function runs(activations: string[]): ComparableRun[] {
  return activations.flatMap((activation, a) =>
    [0.01, 0.1].flatMap((lr) =>
      [1, 2, 3].map(
        (seed): ComparableRun => ({
          runId: `${activation}${lr}${seed}`,
          label: '',
          model: null,
          varying: { activation, learning_rate: lr, seed },
          status: 'completed',
          value: 80 + a * 5 + seed * lr,
        }),
      ),
    ),
  );
}

/** Every field a spec's encodings name, to check against its data rows. */
function fields(spec: unknown): string[] {
  if (Array.isArray(spec)) return spec.flatMap(fields);
  if (spec === null || typeof spec !== 'object') return [];
  const own = 'field' in spec && typeof spec.field === 'string' ? [spec.field] : [];
  return [
    ...own,
    ...Object.entries(spec)
      .filter(([k]) => k !== 'data')
      .flatMap(([, v]) => fields(v)),
  ];
}

describe('forestPlotSpec', () => {
  it('draws each slice and the pooled row from long-form rows, every encoded field present', () => {
    const spec = forestPlotSpec(
      compareRuns(runs(['sigmoid', 'relu']), { by: 'activation', baseline: null, metric: 'test_accuracy' }, { by: '', baseline: '' }),
    );
    const values = (spec.data as { values: ForestRow[] }).values;
    expect(values.map((v) => [v.difference, v.slice, v.n, v.overall])).toEqual([
      ['relu − sigmoid', 'learning_rate=0.01', 3, false],
      ['relu − sigmoid', 'learning_rate=0.1', 3, false],
      ['relu − sigmoid', 'all', 6, true],
    ]);
    expect(values[0]!.mean_diff).toBeCloseTo(5, 12);
    for (const field of fields(spec)) expect(Object.keys(values[0]!), field).toContain(field);
    expect(spec.layer).toHaveLength(3);
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');
  });

  it('gives every value against the baseline its own panel', () => {
    const spec = forestPlotSpec(
      compareRuns(runs(['sigmoid', 'relu', 'tanh']), { by: 'activation', baseline: 'sigmoid', metric: 'test_accuracy' }, { by: '', baseline: '' }),
    );
    expect(spec.facet).toEqual({ row: { field: 'difference', type: 'nominal', title: null, sort: ['relu − sigmoid', 'tanh − sigmoid'] } });
    expect((spec.spec as { layer: unknown[] }).layer).toHaveLength(3);
  });

  it('leaves rows without pairs out of the chart', () => {
    const some = runs(['sigmoid', 'relu']).map((r) => (r.varying.learning_rate === 0.1 ? { ...r, status: 'pending' as const, value: null } : r));
    const spec = forestPlotSpec(compareRuns(some, { by: 'activation', baseline: 'sigmoid', metric: 'test_accuracy' }, { by: '', baseline: '' }));
    expect((spec.data as { values: ForestRow[] }).values.map((v) => v.slice)).toEqual(['learning_rate=0.01', 'all']);
  });

  it('says so when one pair per slice leaves no interval to draw', () => {
    const single = runs(['sigmoid', 'relu']).filter((r) => r.varying.seed === 1 && r.varying.learning_rate === 0.1);
    const spec = forestPlotSpec(compareRuns(single, { by: 'activation', baseline: null, metric: 'test_accuracy' }, { by: '', baseline: '' }));
    expect((spec.title as { subtitle: string }).subtitle).toBe('the difference of one pair per slice: no interval; dashed: no difference');
    const pooled = forestPlotSpec(
      compareRuns(runs(['sigmoid', 'relu']), { by: 'activation', baseline: null, metric: 'test_accuracy' }, { by: '', baseline: '' }),
    );
    expect((pooled.title as { subtitle: string }).subtitle).toContain('95% interval');
  });
});
