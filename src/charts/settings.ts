import { type CHART_FORMATS, ChartsSchema, type ChartsFile } from '../experiment/schema.ts';

/** The `charts:` section with every default filled in (from the schema, the single source of them). */
export interface ChartSettings {
  results: boolean;
  sweeps: boolean;
  histories: boolean;
  runs: boolean;
  color: string | null;
  facet: string | null;
  weightUnits: number;
  formats: (typeof CHART_FORMATS)[number][];
  runFormats: (typeof CHART_FORMATS)[number][];
}

/** The experiment file's `charts:` section (absent: all defaults). */
export function chartSettings(file: ChartsFile | undefined): ChartSettings {
  const p = ChartsSchema.properties;
  const d = <T>(schema: { default?: unknown }): T => schema.default as T;
  return {
    results: file?.results ?? d(p.results),
    sweeps: file?.sweeps ?? d(p.sweeps),
    histories: file?.histories ?? d(p.histories),
    runs: file?.runs ?? d(p.runs),
    color: file?.color ?? null,
    facet: file?.facet ?? null,
    weightUnits: file?.weight_units ?? d(p.weight_units),
    formats: [...(file?.formats ?? d<ChartSettings['formats']>(p.formats))],
    runFormats: [...(file?.run_formats ?? d<ChartSettings['formats']>(p.run_formats))],
  };
}
