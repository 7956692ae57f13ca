import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCharts } from '../../../src/charts/build-charts.ts';
import { formatSpec } from '../../../src/charts/spec.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { reportInput } from '../../../src/publish/report-input.ts';
import { runDir } from '../../../src/store/layout.ts';

describe('the weight images of a run', () => {
  // Every pixel's colour is in the images' PNG data URLs: a colour read differently changes the spec.
  it('are the committed ones: the report runs’ weight charts are rebuilt byte for byte from their weights', () => {
    const experiment = reportInput(loadExperiment('experiments/report.yaml'));
    for (const run of experiment.runs) {
      const weights = runCharts(run, runDir('results', experiment.name, run.id), { weightUnits: 16 }).charts.find((c) => c.name.endsWith('-weights'))!;
      expect(formatSpec(weights.spec)).toBe(readFileSync(`results/report/charts/runs/${run.id}-weights.vl.json`, 'utf8'));
    }
  });
});
