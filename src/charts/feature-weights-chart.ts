import type { FirstLayer } from './run-data.ts';
import { round, withSchema, type VegaLiteSpec } from './spec.ts';

/** Inputs shown at most: past it, the ones with the largest mean |w|. */
const MAX_FEATURES = 60;
const ROW = 16;
const CELL = 14;

/**
 * The first layer's weights of a table's model, by input name: on the left each input's weights
 * into the units shown (the weight images' diverging blue–white–red scale, symmetric, ending at
 * the 99th percentile of |w|), on the right its mean |w| over all units, a rough measure of how
 * much the network reads it (on standardized inputs, where the scales compare). Weight images
 * need rows × columns of pixels; a table has names instead.
 *
 * `units`: how many units the heatmap shows (all of them for a one-layer model: they are the classes).
 */
export function featureWeightsChart(
  title: string,
  layer: FirstLayer,
  names: readonly string[],
  units: number,
  outputLayer: boolean,
  classNames: readonly string[] | null,
): VegaLiteSpec {
  if (names.length !== layer.nIn) throw new RangeError(`${names.length} input names for ${layer.nIn} inputs`);
  const shown = outputLayer ? layer.nOut : Math.min(units, layer.nOut);
  const meanAbs = names.map((_, i) => {
    let sum = 0;
    for (let j = 0; j < layer.nOut; j++) sum += Math.abs(layer.W[i * layer.nOut + j]!);
    return sum / layer.nOut;
  });
  const order = names.map((_, i) => i);
  const kept =
    names.length <= MAX_FEATURES
      ? order
      : [...order]
          .sort((a, b) => meanAbs[b]! - meanAbs[a]! || a - b)
          .slice(0, MAX_FEATURES)
          .sort((a, b) => a - b);
  const unitName = (j: number) => (outputLayer ? `class ${classNames?.[j] ?? j}` : `unit ${j}`);
  const cells = kept.flatMap((i) =>
    Array.from({ length: shown }, (_, j) => {
      const w = layer.W[i * layer.nOut + j]!;
      return { input: names[i]!, unit: unitName(j), w: Number.isFinite(w) ? round(w) : null };
    }),
  );
  const magnitudes = cells
    .map((c) => Math.abs(c.w ?? NaN))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const max = round((magnitudes.length ? magnitudes[Math.floor(0.99 * (magnitudes.length - 1))]! : 0) || 1);
  const bars = kept.map((i) => ({ input: names[i]!, mean_abs_w: round(meanAbs[i]!) }));
  const inputOrder = kept.map((i) => names[i]!);
  const height = ROW * kept.length;
  const y = { field: 'input', type: 'nominal', sort: inputOrder, title: null } as const;
  return withSchema({
    title: {
      text: title,
      subtitle: [
        `First-layer weights by input${kept.length < names.length ? ` (the ${kept.length} of ${names.length} inputs with the largest mean |w|)` : ''}:`,
        `${outputLayer ? `all ${shown} output units` : `${shown} of ${layer.nOut} hidden units`}, red positive, blue negative; mean |w| over all ${layer.nOut} units`,
      ],
    },
    hconcat: [
      {
        data: { values: cells },
        width: CELL * shown,
        height,
        mark: { type: 'rect' },
        encoding: {
          y,
          x: { field: 'unit', type: 'nominal', sort: Array.from({ length: shown }, (_, j) => unitName(j)), title: null, axis: { labelAngle: -45 } },
          color: {
            field: 'w',
            type: 'quantitative',
            title: 'weight',
            scale: { scheme: 'redblue', reverse: true, domain: [-max, max], domainMid: 0, clamp: true },
            legend: { gradientLength: Math.min(160, Math.max(60, height - 20)), format: '.2~f' },
          },
          tooltip: [{ field: 'input' }, { field: 'unit' }, { field: 'w', title: 'w' }],
        },
      },
      {
        data: { values: bars },
        width: 160,
        height,
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          y: { ...y, axis: null },
          x: { field: 'mean_abs_w', type: 'quantitative', title: 'mean |w|' },
          tooltip: [{ field: 'input' }, { field: 'mean_abs_w', title: 'mean |w|' }],
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  });
}
