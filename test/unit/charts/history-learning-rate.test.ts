import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { runCharts } from '../../../src/charts/build-charts.ts';
import { historyChart } from '../../../src/charts/history-chart.ts';
import type { HistoryPoint } from '../../../src/charts/run-data.ts';
import { formatSpec, type VegaLiteSpec } from '../../../src/charts/spec.ts';
import { reportInput } from '../../../src/publish/report-input.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { runDir } from '../../../src/store/layout.ts';

const require = createRequire(import.meta.url);
const ajv = new Ajv({ strict: false, allErrors: false });
(addFormatsModule as unknown as (a: Ajv) => void)(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8')) as object);

const point = (iteration: number, learningRate: number | null): HistoryPoint => ({
  iteration,
  epoch: Math.ceil(iteration / 10),
  trainCost: 1 / iteration,
  testCost: 1.1 / iteration,
  trainAccuracy: 90,
  testAccuracy: 89,
  validationCost: null,
  validationAccuracy: null,
  learningRate,
});
const panels = (spec: VegaLiteSpec) => (spec.hconcat as VegaLiteSpec[]).map((p) => (p.title as { text: string }).text);

describe('the history chart of a run with a learning-rate schedule', () => {
  it('has a third panel with the recorded rate, and is valid Vega-Lite', () => {
    const spec = historyChart('cosine', [point(10, 0.1), point(20, 0.05), point(30, 0.01)], 10);
    expect(panels(spec)).toEqual(['Cost', 'Accuracy', 'Learning rate']);
    const rates = (spec.data as { values: Record<string, unknown>[] }).values.filter((v) => v.metric === 'learning_rate');
    expect(rates.map((v) => v.value)).toEqual([0.1, 0.05, 0.01]);
    expect(validate(spec) ? null : validate.errors?.slice(0, 3)).toBeNull();
  });

  it('is, without a schedule, the chart it always was: the committed report charts are rebuilt byte for byte', () => {
    expect(panels(historyChart('constant', [point(10, null), point(20, null)], 10))).toEqual(['Cost', 'Accuracy']);
    const experiment = reportInput(loadExperiment('experiments/report.yaml'));
    for (const run of experiment.runs) {
      const history = runCharts(run, runDir('results', experiment.name, run.id), { weightUnits: 16 }).charts.find((c) => c.name.endsWith('-history'))!;
      expect(formatSpec(history.spec)).toBe(readFileSync(`results/report/charts/runs/${run.id}-history.vl.json`, 'utf8'));
    }
  });
});
