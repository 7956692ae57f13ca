import type { ProblemCode } from '../errors.ts';
import { parameterDefault, SETTING_GROUPS, type ParameterName } from './schema.ts';
import type { NodePath } from './source.ts';

/**
 * Settings as flat maps from dotted parameter names to values, each remembering where it was set,
 * so that a problem found after merging (layers from `defaults`, activations from a variant) is
 * reported at the value that caused it.
 */

/**
 * Where a value came from: a node of the file, a `--set` argument, or the schema's default; for a
 * problem in a data file the experiment names, a place in that file (`file` as the user would
 * name it, relative to the working folder when the experiment's path is).
 */
export type Origin =
  | { readonly kind: 'file'; readonly path: NodePath }
  | { readonly kind: 'set'; readonly key: string }
  | { readonly kind: 'default'; readonly name: ParameterName }
  | { readonly kind: 'data'; readonly file: string; readonly line: number | null; readonly col: number | null; readonly excerpt?: string | undefined };

export interface Setting {
  readonly value: unknown;
  readonly origin: Origin;
}

export type Settings = Map<ParameterName, Setting>;

/** A problem found while expanding, not yet given a line and column. */
export interface Finding {
  code: ProblemCode;
  severity: 'error' | 'warning';
  /** The node (or `--set`) to point at; `at` extends a file path into the value (e.g. a list index). */
  origin: Origin;
  at?: NodePath;
  key?: boolean;
  message: string;
  hint?: string | undefined;
}

/** `defaults:` or a variant as a flat map; `history: {every}` becomes `history.every` (likewise the other SETTING_GROUPS). */
export function flattenSettings(object: Record<string, unknown>, path: NodePath): Settings {
  const out: Settings = new Map();
  for (const [key, value] of Object.entries(object)) {
    if (key === 'id' || key === 'label') continue;
    if ((SETTING_GROUPS as readonly string[]).includes(key) && value !== null && typeof value === 'object') {
      for (const [sub, subValue] of Object.entries(value)) {
        out.set(`${key}.${sub}` as ParameterName, { value: subValue, origin: { kind: 'file', path: [...path, key, sub] } });
      }
      continue;
    }
    out.set(key as ParameterName, { value, origin: { kind: 'file', path: [...path, key] } });
  }
  return out;
}

/** The run-level part of `dataset:` (its limits and split) as a flat map. */
export function flattenDataset(object: Record<string, unknown> | undefined): Settings {
  const out: Settings = new Map();
  for (const key of ['train_limit', 'test_limit', 'validation']) {
    if (object?.[key] !== undefined) out.set(`dataset.${key}` as ParameterName, { value: object[key], origin: { kind: 'file', path: ['dataset', key] } });
  }
  return out;
}

/**
 * `base` overridden by `layer`, as a new map. `activation` and `activations` replace each other:
 * whichever the later layer gives wins.
 */
export function overlay(base: Settings, layer: Settings): Settings {
  const out = new Map(base);
  for (const [name, setting] of layer) {
    if (name === 'activation') out.delete('activations');
    if (name === 'activations') out.delete('activation');
    out.set(name, setting);
  }
  return out;
}

/** The value of a parameter, or its schema default. */
export function settingValue(settings: Settings, name: ParameterName): unknown {
  const setting = settings.get(name);
  return setting ? setting.value : parameterDefault(name);
}

/** Where a parameter's value came from (its default when not set). */
export function originOf(settings: Settings, name: ParameterName): Origin {
  return settings.get(name)?.origin ?? { kind: 'default', name };
}

/** Canonical JSON: object keys sorted, so equal values give equal strings whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
