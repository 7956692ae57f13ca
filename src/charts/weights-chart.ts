import * as vega from 'vega';
import { encodePng } from './png.ts';
import type { FirstLayer, ImageShape } from './run-data.ts';
import { round, withSchema, type VegaLiteSpec } from './spec.ts';

/** Pixels a weight image is drawn at (its longer side); small images are scaled up by a whole factor. */
const DISPLAY = 56;
const GAP = 10;
const LABEL = 16;
const MAX_COLUMNS = 8;

/**
 * The first layer's weights as images, one per unit: unit j's weights W1[:, j] reshaped to the
 * input image (rows × cols), on a diverging blue–white–red scale centred on zero and symmetric
 * (±max |w| over the units shown), so that the images compare with each other.
 *
 * Each unit is one `image` mark holding a PNG data URL, not rows × cols `rect` marks: for MNIST
 * that is 16 marks instead of 12,544 per chart (the closing note of issue 10 has the sizes and
 * rendering times of both). The PNG is scaled up by a whole factor so that every renderer shows
 * sharp pixels without relying on its smoothing setting.
 *
 * `units`: how many units to show (all of them for a one-layer model: they are the classes).
 */
export function weightsChart(title: string, layer: FirstLayer, shape: ImageShape, units: number, outputLayer: boolean): VegaLiteSpec {
  if (shape.rows * shape.cols !== layer.nIn) throw new RangeError(`images of ${shape.rows}×${shape.cols} pixels do not match ${layer.nIn} inputs`);
  const shown = outputLayer ? layer.nOut : Math.min(units, layer.nOut);
  // A few large weights would wash every image out: the scale ends at the 99th percentile of |w|.
  const magnitudes = new Float32Array(layer.nIn * shown);
  // A diverged run's weights may hold NaN or ±∞: they are drawn grey and left out of the scale.
  for (let i = 0; i < layer.nIn; i++) for (let j = 0; j < shown; j++) magnitudes[i * shown + j] = Math.abs(layer.W[i * layer.nOut + j]!);
  const finite = magnitudes.filter(Number.isFinite).sort();
  const max = (finite.length ? finite[Math.floor(0.99 * (finite.length - 1))]! : 0) || 1;
  const scale = Math.max(1, Math.floor(DISPLAY / Math.max(shape.rows, shape.cols)));
  const width = shape.cols * scale;
  const height = shape.rows * scale;
  const columns = shown <= 10 ? shown : Math.min(MAX_COLUMNS, shown);
  const colour = divergingColour(max);
  const images = Array.from({ length: shown }, (_, j) => {
    const pixels = new Uint8Array(width * height * 3);
    let lo = Infinity;
    let hi = -Infinity;
    let sumSquares = 0;
    for (let r = 0; r < shape.rows; r++) {
      for (let c = 0; c < shape.cols; c++) {
        const w = layer.W[(r * shape.cols + c) * layer.nOut + j]!;
        lo = Math.min(lo, w);
        hi = Math.max(hi, w);
        sumSquares += w * w;
        const rgb = colour(w);
        const [red, green, blue] = [rgb >> 16, (rgb >> 8) & 255, rgb & 255];
        for (let dy = 0; dy < scale; dy++) {
          for (let at = ((r * scale + dy) * width + c * scale) * 3, end = at + scale * 3; at < end; at += 3) {
            pixels[at] = red;
            pixels[at + 1] = green;
            pixels[at + 2] = blue;
          }
        }
      }
    }
    return {
      unit: outputLayer ? `class ${j}` : `unit ${j}`,
      x: (j % columns) * (width + GAP),
      y: Math.floor(j / columns) * (height + GAP + LABEL),
      min: round(lo),
      max: round(hi),
      norm: round(Math.sqrt(sumSquares)),
      url: `data:image/png;base64,${Buffer.from(encodePng(width, height, pixels)).toString('base64')}`,
    };
  });
  const chartWidth = columns * (width + GAP) - GAP;
  const chartHeight = Math.ceil(shown / columns) * (height + GAP + LABEL) - GAP;
  const pixel = { type: 'quantitative', scale: null } as const;
  return withSchema({
    title: {
      text: title,
      subtitle: [
        `First-layer weights of ${outputLayer ? `all ${shown} output units` : `${shown} of ${layer.nOut} hidden units`}, as ${shape.rows}×${shape.cols} images:`,
        `red positive, blue negative (colours saturate at the 99th percentile of |w|)`,
      ],
    },
    width: chartWidth,
    height: chartHeight,
    data: { values: images },
    layer: [
      {
        mark: { type: 'image', width, height, align: 'left', baseline: 'top', smooth: false, aria: false },
        encoding: {
          x: { field: 'x', ...pixel },
          y: { field: 'y', ...pixel },
          url: { field: 'url', type: 'nominal' },
          tooltip: [{ field: 'unit' }, { field: 'min', title: 'min w' }, { field: 'max', title: 'max w' }, { field: 'norm', title: '‖w‖' }],
        },
      },
      {
        mark: { type: 'text', align: 'center', baseline: 'top', dy: height + 3, dx: width / 2, fontSize: 11 },
        encoding: { x: { field: 'x', ...pixel }, y: { field: 'y', ...pixel }, text: { field: 'unit' } },
      },
      {
        // Only for the legend: the same scheme and domain as the images' colours.
        data: { values: [{ w: -max }, { w: max }] },
        mark: { type: 'point', opacity: 0 },
        encoding: {
          x: { datum: 0, ...pixel },
          y: { datum: 0, ...pixel },
          color: {
            field: 'w',
            type: 'quantitative',
            title: 'weight',
            scale: { scheme: 'redblue', reverse: true, domain: [-round(max), round(max)], domainMid: 0 },
            legend: { gradientLength: Math.min(160, Math.max(60, chartHeight - 20)), format: '.2~f' },
          },
        },
      },
    ],
  });
}

/**
 * w ↦ RGB (as 0xRRGGBB) on Vega's `redblue` scheme reversed (negative blue, zero near white,
 * positive red) over [−max, max]. The scheme gives CSS text, `rgb(r, g, b)`, read here without a
 * regular expression or an array per pixel (a chart has ~12,000 of them).
 */
function divergingColour(max: number): (w: number) => number {
  const interpolate = vega.scheme('redblue') as (t: number) => string;
  return (w) => {
    if (!Number.isFinite(w)) return 0x808080;
    const css = interpolate(0.5 - Math.max(-1, Math.min(1, w / max)) / 2);
    if (!css.startsWith('rgb(')) throw new Error(`unexpected colour ${css}`);
    let rgb = 0;
    let channel = 0;
    let channels = 0;
    for (let i = 4; i < css.length; i++) {
      const code = css.charCodeAt(i);
      if (code >= 48 && code <= 57) channel = channel * 10 + code - 48;
      else if (code === 44 || code === 41) {
        rgb = (rgb << 8) | channel;
        channel = 0;
        channels++;
      } else if (code !== 32) throw new Error(`unexpected colour ${css}`);
    }
    if (channels !== 3) throw new Error(`unexpected colour ${css}`);
    return rgb;
  };
}
