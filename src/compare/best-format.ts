import type { Scalar } from '../tables/result-row.ts';
import type { Configuration } from './best.ts';
import { METRICS, type MetricName } from './metrics.ts';

/** `97.23 ± 0.12 (3 seeds: 1, 2, 3; 97.10 to 97.35)`: the mean, its standard deviation and range. */
export function meanAndSpread(c: Configuration, metric: MetricName): string {
  const places = metric.endsWith('accuracy') ? 2 : metric === 'seconds' ? 1 : 4;
  const digits = (x: number) => x.toFixed(places);
  const spread = c.sd === null ? '' : ` ± ${digits(c.sd)}`;
  const seeds = `${c.n} seed${c.n === 1 ? '' : 's'}: ${c.seeds.join(', ')}`;
  return `${digits(c.mean)}${spread} (${seeds}${c.n > 1 ? `; ${digits(c.min)} to ${digits(c.max)}` : ''}${c.missing ? `; ${c.missing} run${c.missing === 1 ? '' : 's'} without a value` : ''})`;
}

/**
 * The configuration as an entry of `variants:`, to paste into an experiment file: its layers and
 * activations, and every other setting that varies in the experiment (the seed left out); the
 * rest comes from the file's `defaults:`, as for any variant.
 */
export function variantBlock(c: Configuration, metric: MetricName, id = 'best'): string {
  const lines = [`  - id: ${id}   # ${METRICS[metric].title}: ${meanAndSpread(c, metric)}`];
  if (c.model) lines.push(`    # from variant ${c.model}`);
  lines.push(`    layers: [${c.example.layers.join(', ')}]`, `    activations: [${c.example.activations.join(', ')}]`);
  const groups = new Map<string, string[]>();
  for (const [key, value] of Object.entries(c.settings)) {
    if (key === 'layers' || key === 'activations' || key === 'activation' || key.startsWith('dataset.')) continue;
    const dot = key.indexOf('.');
    if (dot < 0) {
      lines.push(`    ${key}: ${yamlValue(value)}`);
      continue;
    }
    const group = groups.get(key.slice(0, dot)) ?? [];
    group.push(`${key.slice(dot + 1)}: ${yamlValue(value)}`);
    groups.set(key.slice(0, dot), group);
  }
  for (const [group, entries] of groups) lines.push(`    ${group}: {${entries.join(', ')}}`);
  return lines.join('\n');
}

/** A value of `varying` as YAML: lists and objects are kept there as JSON-like text. */
function yamlValue(value: Scalar): string {
  if (typeof value !== 'string') return String(value);
  if (/^[[{]/.test(value)) return value.replace(/,/g, ', ');
  return /^[\w.+-]+$/.test(value) ? value : JSON.stringify(value);
}
