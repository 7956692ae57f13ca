import type { ResultRow } from '../tables/result-row.ts';
import { configurations, summarise } from '../tables/tables.ts';
import { configurationLabel, fieldName, hasAccuracy, parameterValue, type ChartRoles } from './parameters.ts';
import { LABEL_LIMIT, round, withSchema, type VegaLiteSpec } from './spec.ts';

/**
 * The results table as a chart: one bar per configuration (results.md's rows, in its order) at
 * the mean test accuracy over seeds, the value written beside it as in results.md (mean ± sample
 * standard deviation), an error bar of ± one standard deviation and a dot per seed. Configurations
 * without a completed run get no bar but keep their row, labelled with what happened.
 */
export function resultsChart(rows: readonly ResultRow[], roles: ChartRoles): VegaLiteSpec {
  const color = roles.color;
  const values: Record<string, string | number | null>[] = [];
  const order: string[] = [];
  for (const [, members] of configurations(rows).groups) {
    const s = summarise(members);
    const first = members[0]!;
    const configuration = configurationLabel(first, roles.parameters);
    order.push(configuration);
    const shared = { configuration, ...(color ? { [fieldName(color)]: String(parameterValue(first, color)) } : {}) };
    const label = s.count === 0 ? [...new Set(s.missing)].join('/') : s.count > 1 ? `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)}` : s.mean.toFixed(2);
    values.push({
      kind: 'configuration',
      ...shared,
      mean: s.count ? round(s.mean, 6) : null,
      std: round(s.std, 4),
      lo: s.count ? round(s.mean - s.std, 6) : null,
      hi: s.count ? round(s.mean + s.std, 6) : null,
      runs: s.count,
      missing: s.missing.length,
      label,
    });
    for (const r of members) {
      const o = r.outcome;
      if (hasAccuracy(r)) values.push({ kind: 'run', ...shared, run: r.runId, seed: r.seed, accuracy: o!.testAccuracy });
    }
  }
  // Labels are never cut: configurations that differ only past the cut would read the same.
  // The rows' parameters are named in the subtitle, not as an axis title: a rotated title beside
  // labels this long is placed over them (the browser test found it).
  const y = { field: 'configuration', type: 'nominal', sort: order, title: null, axis: { labelLimit: LABEL_LIMIT } };
  const rowsAre = roles.parameters.length > 0 ? `; rows: ${roles.parameters.join(' · ')}` : '';
  // With one parameter the bars' labels already name the colours: no legend then.
  const legend = roles.parameters.length > 1 ? { orient: 'top', labelLimit: LABEL_LIMIT, titleLimit: LABEL_LIMIT } : null;
  const colour = color ? { color: { field: fieldName(color), type: 'nominal', title: color, legend } } : {};
  const isConfiguration = { filter: { field: 'kind', equal: 'configuration' } };
  const repeats = values.some((v) => v.kind === 'configuration' && (v.runs as number) > 1);
  return withSchema({
    title: {
      text: 'Test accuracy per configuration',
      subtitle: `${repeats ? 'mean over seeds, ± one standard deviation; a dot per seed (the numbers of results.md)' : 'the numbers of results.md'}${rowsAre}`,
    },
    data: { values },
    width: 520,
    height: { step: order.length > 12 ? 22 : 30 },
    encoding: { y },
    layer: [
      {
        transform: [isConfiguration],
        mark: { type: 'bar', opacity: 0.85, tooltip: true, cornerRadiusEnd: 2 },
        encoding: {
          x: { field: 'mean', type: 'quantitative', title: 'test accuracy (%)', scale: { domain: [0, 100] } },
          ...colour,
          tooltip: [
            { field: 'configuration' },
            { field: 'label', title: 'accuracy (%)' },
            { field: 'runs', title: 'seeds' },
            { field: 'missing', title: 'not completed' },
          ],
        },
      },
      {
        transform: [isConfiguration, { filter: 'datum.runs > 1' }],
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, color: { value: '#666' } },
      },
      {
        transform: [{ filter: { field: 'kind', equal: 'run' } }],
        mark: { type: 'point', filled: true, size: 18, opacity: 0.7, color: '#666', tooltip: true },
        encoding: {
          x: { field: 'accuracy', type: 'quantitative' },
          tooltip: [
            { field: 'configuration' },
            { field: 'seed' },
            { field: 'accuracy', title: 'accuracy (%)', format: '.2f' },
            { field: 'run', title: 'run id' },
          ],
        },
      },
      {
        transform: [isConfiguration],
        mark: { type: 'text', align: 'left', dx: 6, fontSize: 11 },
        encoding: { x: { datum: 100, type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  });
}
