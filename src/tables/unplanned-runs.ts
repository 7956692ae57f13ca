import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runDir, runsDir } from '../store/layout.ts';

/**
 * Finished runs in an experiment's results folder that the current plan does not contain: runs
 * made with other `--set` overrides (or an older version of the file). `report` without the
 * `--set` a run used finds none of its plan finished; this says why, and which `--set` would
 * show them.
 */
export interface UnplannedRuns {
  count: number;
  /** `KEY=VALUE` settings shared by every unplanned run and by no planned one: the likely `--set`. */
  suggestedSets: string[];
}

/** Settings of a config.json as dotted keys (`epochs`, `dataset.train_limit`), as `--set` names them. */
function flatten(config: Record<string, unknown>): Map<string, string> {
  const flat = new Map<string, string>();
  for (const [key, value] of Object.entries(config)) {
    if (key === 'dataset' || key === 'history') {
      for (const [inner, v] of Object.entries(value as Record<string, unknown>)) {
        if (['train_limit', 'test_limit', 'validation', 'every', 'eval_limit'].includes(inner)) flat.set(`${key}.${inner}`, JSON.stringify(v));
      }
    } else if (key === 'optimizer') {
      for (const [inner, v] of Object.entries(value as Record<string, unknown>)) flat.set(inner === 'type' ? 'optimizer' : inner, JSON.stringify(v));
    } else if (key === 'init') {
      flat.set('init', JSON.stringify((value as { scheme: string }).scheme));
    } else if (key !== 'backend' && key !== 'activations') {
      flat.set(key, JSON.stringify(value));
    }
  }
  return flat;
}

export function unplannedRuns(out: string, name: string, planned: readonly { id: string; config: unknown }[]): UnplannedRuns {
  const runs = runsDir(out, name);
  if (!existsSync(runs)) return { count: 0, suggestedSets: [] };
  const plannedIds = new Set(planned.map((r) => r.id));
  const configs: Map<string, string>[] = [];
  for (const id of readdirSync(runs)) {
    if (plannedIds.has(id) || !existsSync(path.join(runDir(out, name, id), 'metrics.json'))) continue;
    try {
      configs.push(flatten(JSON.parse(readFileSync(path.join(runDir(out, name, id), 'config.json'), 'utf8')) as Record<string, unknown>));
    } catch {
      configs.push(new Map()); // counted, but suggests nothing
    }
  }
  if (configs.length === 0) return { count: 0, suggestedSets: [] };
  const plannedValues = planned.map((r) => flatten(r.config as Record<string, unknown>));
  const suggestedSets = [...configs[0]!.entries()]
    .filter(([key, value]) => configs.every((c) => c.get(key) === value) && plannedValues.every((p) => p.get(key) !== value))
    .map(([key, value]) => `${key}=${value.replace(/^"(.*)"$/, '$1')}`);
  return { count: configs.length, suggestedSets };
}
