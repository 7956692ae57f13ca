/**
 * What every chart shares: the Vega-Lite document type, the `$schema` line, and how a spec is
 * written to its .vl.json. Specs are plain JSON with their data inlined as long-form rows, so a
 * file opens as it is in the Vega editor or any Vega-Lite tool.
 */

/** A Vega-Lite specification, as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

/** The schema of the vega-lite version this package depends on (6.x). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Pixels a label may take before Vega cuts it: wide enough for a model's layers and its settings (cut labels read the same). */
export const LABEL_LIMIT = 800;

/** One chart: where it goes and what it shows. */
export interface Chart {
  /** File name without extension, relative to charts/: `results`, `sweep-learning_rate`, `runs/<id>-history`. */
  name: string;
  /** A heading for the page. */
  title: string;
  spec: VegaLiteSpec;
  /** Pixels per SVG unit in the PNG: 2 for sharp text; 1 where the chart holds its own raster images at 2×. */
  pngScale?: number;
}

/** A spec with its `$schema` first and the settings every chart shares. */
export function withSchema(spec: VegaLiteSpec): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...spec,
    config: {
      font: 'Liberation Sans, Helvetica, Arial, sans-serif',
      view: { stroke: null },
      axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridOpacity: 0.6 },
      legend: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal' },
      header: { labelFontSize: 13, titleFontSize: 13, titleFontWeight: 'normal' },
      title: { fontSize: 16, subtitleFontSize: 13, anchor: 'start', subtitlePadding: 4, offset: 12 },
      text: { fontSize: 12 },
      ...(spec.config as Record<string, unknown> | undefined),
    },
  };
}

/**
 * The spec as a .vl.json file: indented JSON, except that each data row is kept on one line, so
 * that a spec of a few thousand rows stays readable and diffs row by row.
 */
export function formatSpec(spec: VegaLiteSpec): string {
  return `${format(spec, '')}\n`;
}

function format(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    const flat = value.every((v) => v === null || typeof v !== 'object' || isFlatObject(v));
    if (flat && value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
    return `[\n${value.map((v) => inner + (flat ? JSON.stringify(v) : format(v, inner))).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function isFlatObject(value: object): boolean {
  return !Array.isArray(value) && Object.values(value).every((v) => v === null || typeof v !== 'object');
}

/** Numbers in tooltips and labels: at most 4 significant digits. */
export function round(value: number, digits = 4): number {
  return Number.isFinite(value) ? Number(value.toPrecision(digits)) : value;
}
