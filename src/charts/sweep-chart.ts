import type { ResultRow, Scalar } from '../tables/result-row.ts';
import { fieldName, hasAccuracy, isLogScale, parameterValue, type ChartRoles } from './parameters.ts';
import { LABEL_LIMIT, withSchema, type VegaLiteSpec } from './spec.ts';

/**
 * A sweep: test accuracy against one parameter `x` of the grid, one line per value of the colour
 * parameter, the mean over seeds with a band (or error bars, on a categorical axis) of ± one
 * sample standard deviation, every run as a faint dot; small multiples by a third parameter when
 * there is one. Only completed (and early-stopped) runs count, as in results.md; other parameters still varying are
 * averaged over, and the subtitle says so. Long-form rows: one per run.
 */
/**
 * Tick labels of a parameter's values: with no precision, Vega takes one from the tick step of a
 * linear axis, and 32 and 64 (a step of 32) read `3e+1` and `6e+1`. Six significant digits, and
 * trailing zeros trimmed, show every value as written (32, 0.001, 1e-7).
 */
const AXIS_FORMAT = '.6~g';

export function sweepChart(rows: readonly ResultRow[], roles: ChartRoles, x: string): VegaLiteSpec {
  const others = roles.parameters.filter((p) => p !== x);
  const color = roles.color !== null && roles.color !== x ? roles.color : (others[0] ?? null);
  const rest = others.filter((p) => p !== color);
  const facet = roles.facet !== null && rest.includes(roles.facet) ? roles.facet : (rest[0] ?? null);
  const averaged = rest.filter((p) => p !== facet);

  const xValues = distinct(rows.map((r) => parameterValue(r, x)));
  const quantitative = xValues.every((v) => typeof v === 'number');
  const log = quantitative && isLogScale(x, xValues);
  const completed = rows.filter(hasAccuracy);
  const values = completed.map((r) => ({
    [fieldName(x)]: quantitative ? parameterValue(r, x) : String(parameterValue(r, x)),
    ...(color ? { [fieldName(color)]: String(parameterValue(r, color)) } : {}),
    ...(facet ? { [fieldName(facet)]: String(parameterValue(r, facet)) } : {}),
    seed: r.seed,
    accuracy: r.outcome!.testAccuracy,
    run: r.runId,
  }));

  const groups = [x, color, facet].filter((p) => p !== null).map(fieldName);
  const summary = [
    {
      aggregate: [
        { op: 'mean', field: 'accuracy', as: 'mean' },
        { op: 'stdev', field: 'accuracy', as: 'sd' },
        { op: 'count', as: 'n' },
      ],
      groupby: groups,
    },
    { calculate: 'isValid(datum.sd) ? datum.sd : 0', as: 'sd' },
    { calculate: 'datum.mean - datum.sd', as: 'lo' },
    { calculate: 'datum.mean + datum.sd', as: 'hi' },
  ];
  const xEncoding = quantitative
    ? { field: fieldName(x), type: 'quantitative', title: x, scale: log ? { type: 'log' } : { zero: false }, axis: { values: xValues, format: AXIS_FORMAT } }
    : { field: fieldName(x), type: 'nominal', title: x, sort: xValues.map(String), axis: { labelAngle: 0 } };
  const colour = color
    ? {
        color: {
          field: fieldName(color),
          type: 'nominal',
          title: color,
          sort: distinct(rows.map((r) => String(parameterValue(r, color)))),
          legend: { labelLimit: LABEL_LIMIT, titleLimit: LABEL_LIMIT },
        },
      }
    : {};
  const y = { field: 'mean', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: false } };
  // The lines come first: the legend takes its symbols from the first layer, not the faint bands.
  const layer = [
    {
      transform: summary,
      mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2, tooltip: true },
      encoding: {
        x: xEncoding,
        y,
        ...colour,
        tooltip: [
          ...groups.map((g, i) => ({ field: g, title: [x, color, facet].filter((p) => p !== null)[i] })),
          { field: 'mean', title: 'mean accuracy (%)', format: '.2f' },
          { field: 'sd', title: '± std over seeds', format: '.2f' },
          { field: 'n', title: 'seeds' },
        ],
      },
    },
    {
      transform: summary,
      mark: quantitative ? { type: 'area', opacity: 0.18 } : { type: 'rule', strokeWidth: 2, opacity: 0.6 },
      encoding: { x: xEncoding, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, ...colour },
    },
    {
      mark: { type: 'point', size: 14, opacity: 0.45, tooltip: true },
      encoding: {
        x: xEncoding,
        y: { ...y, field: 'accuracy' },
        ...colour,
        tooltip: [{ field: 'run', title: 'run id' }, { field: 'seed' }, { field: 'accuracy', title: 'accuracy (%)', format: '.2f' }],
      },
    },
  ];
  const subtitle = [
    color ? `one line per ${color}` : null,
    'mean over seeds with ± one standard deviation',
    facet ? `one panel per ${facet}` : null,
    averaged.length ? `averaged over ${averaged.join(', ')}` : null,
  ]
    .filter((s) => s !== null)
    .join('; ');
  const title = { text: `Test accuracy against ${x}`, subtitle };
  const size = { width: facet ? 270 : 420, height: facet ? 200 : 260 };
  if (!facet) return withSchema({ title, data: { values }, ...size, layer });
  return withSchema({
    title,
    data: { values },
    facet: { field: fieldName(facet), type: 'nominal', title: facet, sort: distinct(rows.map((r) => String(parameterValue(r, facet)))) },
    columns: 3,
    spec: { ...size, layer },
  });
}

function distinct(values: readonly Scalar[]): Scalar[] {
  return [...new Set(values)];
}
