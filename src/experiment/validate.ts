import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Problem, ProblemCode } from '../errors.ts';
import { experimentJsonSchema, PARAMETER_NAMES, SETTING_GROUPS, SETTING_NAMES } from './schema.ts';
import { problemAt, type NodePath, type Source } from './source.ts';
import { didYouMean, wrapList } from './suggest.ts';

/**
 * Stage 2, validate against the schema: ajv (compiled once, strict, all errors) turned into one
 * problem per real mistake, worded in the file's terms and placed on the offending key or value.
 */

/** A schema problem before it is given a place: the path of the node and whether the key is meant. */
export interface Issue {
  code: ProblemCode;
  path: NodePath;
  key: boolean;
  message: string;
  hint?: string | undefined;
}

/** ajv's options for the experiment schema; schema/compile-validator.mjs compiles with the same. */
export const VALIDATOR_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true, verbose: true } as const;

let compiled: ValidateFunction | null = null;

/**
 * The experiment validator. The compiled program (dist/) ships it compiled at build time by ajv's
 * standalone mode: compiling the schema took about half of the experiment layer's start-up, paid by
 * every command. Run from source, it is compiled on first use.
 */
export function experimentValidator(): ValidateFunction {
  compiled ??= precompiledValidator() ?? new Ajv2020(VALIDATOR_OPTIONS).compile(experimentJsonSchema());
  return compiled;
}

function precompiledValidator(): ValidateFunction | null {
  if (!import.meta.url.endsWith('.js')) return null;
  // Spelled from the parent folder so that it resolves the same from dist/bundle/ (scripts/bundle.mjs).
  const file = new URL('../experiment/experiment-validator.cjs', import.meta.url);
  return existsSync(file) ? (createRequire(import.meta.url)(fileURLToPath(file)) as ValidateFunction) : null;
}

/** Schema problems of the parsed file, each at its node; empty when the file matches the schema. */
export function schemaProblems(source: Source, data: unknown): Problem[] {
  const validate = experimentValidator();
  if (validate(data)) return [];
  return schemaIssues(validate.errors ?? []).map((i) => problemAt(source, i.path, i.code, i.message, { key: i.key, hint: i.hint }));
}

/**
 * ajv's errors as issues: one per instance location (a wrong type hides the other complaints
 * about the same value), with the message written for a person. `name` renames the path in
 * messages (used for `--set` keys).
 */
export function schemaIssues(errors: readonly ErrorObject[], name?: (path: NodePath) => string): Issue[] {
  const byPlace = new Map<string, ErrorObject>();
  for (const error of errors) {
    const extra = error.params as { missingProperty?: string; additionalProperty?: string };
    const place = `${error.instancePath} ${extra.missingProperty ?? ''} ${extra.additionalProperty ?? ''}`;
    const previous = byPlace.get(place);
    if (!previous || rank(error) < rank(previous)) byPlace.set(place, error);
  }
  return [...byPlace.values()].map((error) => describe(error, name ?? displayPath));
}

const RANK: Record<string, number> = { type: 0, enum: 1, required: 2, additionalProperties: 2 };
const rank = (e: ErrorObject): number => RANK[e.keyword] ?? 5;

function describe(error: ErrorObject, name: (path: NodePath) => string): Issue {
  const path = parsePointer(error.instancePath);
  const what = `\`${name(path)}\``;
  const schema = error.parentSchema as SchemaNode | undefined;
  const got = showValue(error.data);
  const issue = (code: ProblemCode, message: string, hint?: string, at: NodePath = path, key = false): Issue => ({ code, path: at, key, message, hint });

  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const where = path.length === 0 ? 'the experiment' : what;
      return issue('missing-key', `${where} is missing the required key \`${missing}\``);
    }
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(schema?.properties ?? {});
      return unknownKey(path, key, allowed, name);
    }
    case 'type': {
      const expected = describeSchema(schema ?? {});
      return issue('wrong-type', `${what} must be ${expected}, got ${got}`, typeHint(error.data, schema ?? {}));
    }
    case 'enum': {
      const values = (schema?.enum ?? []) as unknown[];
      const close = typeof error.data === 'string' ? didYouMean(error.data, values.map(String)) : null;
      let hint = close ? `did you mean \`${close}\`?` : undefined;
      if (error.data === 'softmax' && path.at(-1) === 'activation')
        hint = "the output layer is always softmax; `activation` names the hidden layers' activation";
      return issue('bad-value', `${what} must be one of ${values.join(', ')}; got ${got}`, hint);
    }
    case 'pattern': {
      const close = typeof error.data === 'string' && schema?.enum === undefined && schema?.pattern === '^epoch$' ? didYouMean(error.data, ['epoch']) : null;
      return issue('bad-value', `${what} must be ${describeSchema(schema ?? {})}, got ${got}`, close ? `did you mean \`${close}\`?` : undefined);
    }
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const limit = (error.params as { limit: number }).limit;
      const relation = { minimum: 'at least', exclusiveMinimum: 'greater than', maximum: 'at most', exclusiveMaximum: 'less than' }[error.keyword];
      const hint =
        path.includes('log_uniform') && limit === 0
          ? 'log_uniform draws the logarithm uniformly: both bounds must be > 0 (use uniform to include 0)'
          : path[0] === 'search' && path.at(-1) === 'eta'
            ? 'eta is the reduction factor: each rung keeps the best 1/eta of its trials; 3 is usual'
            : undefined;
      return issue('out-of-range', `${what} must be ${relation} ${limit}, got ${got}`, hint);
    }
    case 'minItems': {
      const limit = (error.params as { limit: number }).limit;
      const count = Array.isArray(error.data) ? error.data.length : 0;
      if (path.at(-1) === 'layers') return issue('too-few-items', `${what} needs at least 2 sizes (the input and the output), got ${count}`);
      if (path[0] === 'search' && path.at(-1) === 'choice')
        return issue('too-few-items', `${what} is empty: a choice needs at least one value`, 'list the values to try, e.g. `choice: [relu, sigmoid]`');
      if (path[0] === 'search') return issue('too-few-items', `${what} needs [low, high], got ${count} ${count === 1 ? 'value' : 'values'}`);
      return issue('too-few-items', `${what} needs at least ${limit} ${limit === 1 ? 'entry' : 'entries'}, got ${count}`);
    }
    case 'maxItems': {
      const limit = (error.params as { limit: number }).limit;
      const count = Array.isArray(error.data) ? error.data.length : 0;
      if (path.at(-1) === 'layers')
        return issue('too-many-items', `${what} may list at most ${limit} layer sizes, got ${count}`, 'the native kernels take at most this many');
      // A search range is [low, high]: more values are most likely meant as a choice.
      if (path[0] === 'search')
        return issue(
          'too-many-items',
          `${what} needs [low, high], got ${count} values`,
          path.includes('choice') ? undefined : 'list values to pick from with `choice: [...]`',
        );
      return issue('too-many-items', `${what} may hold at most ${limit} ${limit === 1 ? 'entry' : 'entries'}, got ${count}`);
    }
    case 'uniqueItems': {
      const { i, j } = error.params as { i: number; j: number };
      const item = Array.isArray(error.data) ? showValue(error.data[Math.max(i, j)]) : 'a value';
      return issue('duplicate-value', `${what} lists ${item} twice`, undefined, [...path, Math.max(i, j)]);
    }
    case 'minProperties': {
      if (path.at(-2) === 'zip')
        return issue('too-few-items', 'a zip group needs at least 2 parameters that vary together', 'a single list belongs directly under `grid:`');
      return issue('too-few-items', `${what} needs at least one key`);
    }
    case 'maxProperties':
      return issue(
        'search-kinds',
        `${what} gives ${Object.keys(error.data as object).join(' and ')}: one kind per parameter`,
        'keep the one kind to search this parameter with',
      );
    case 'minLength':
      return issue('bad-value', `${what} must not be empty`);
    case 'maxLength':
      return issue('bad-value', `${what} is too long (at most ${(error.params as { limit: number }).limit} characters)`);
    default:
      return issue('schema', `${what} ${error.message ?? 'is invalid'}`);
  }
}

function unknownKey(path: NodePath, key: string, allowed: string[], name: (path: NodePath) => string): Issue {
  const inSearch = searchIssue(path, key, allowed);
  if (inSearch) return inSearch;
  const inGrid = path[0] === 'grid';
  const at: NodePath = [...path, key];
  const placement = path.length === 0 ? 'at the top level' : `in \`${name(path)}\``;
  let hint: string | undefined;
  const close = didYouMean(key, allowed) ?? allowed.find((a) => a === `dataset.${key}` || SETTING_GROUPS.some((g) => a === `${g}.${key}`)) ?? null;
  if (close) hint = `did you mean \`${close}\`?`;
  else if ((path.length === 0 && (SETTING_NAMES as string[]).includes(key)) || (SETTING_GROUPS as readonly string[]).includes(key))
    hint = `\`${key}\` is a setting: put it under \`defaults:\` (or in a variant)`;
  else if (path.length === 0 && (PARAMETER_NAMES as string[]).includes(`dataset.${key}`)) hint = `\`${key}\` belongs under \`dataset:\``;
  else if (path.at(-1) === 'defaults' && (PARAMETER_NAMES as string[]).includes(`dataset.${key}`)) hint = `\`${key}\` belongs under \`dataset:\``;
  else if (inGrid && key === 'backend') hint = 'the backend is not part of a run (like a device): choose it per invocation with --set backend=...';
  else if (inGrid && key === 'checkpoint.every') hint = 'checkpoints do not change a run: set `checkpoint: {every: ...}` under `defaults:` or with --set';
  else if (inGrid && (key === 'seeds' || key === 'repeats')) hint = `\`${key}\` is a top-level key, or use \`seed: [...]\` in the grid`;
  else hint = wrapList(`expected one of: ${allowed.join(', ')}`);
  if (inGrid) {
    const where = path.length === 1 ? 'grid key' : path.includes('zip') ? 'zip key' : 'exclude key';
    return { code: 'unknown-parameter', path: at, key: true, message: `${where} \`${key}\` names no parameter`, hint };
  }
  return { code: 'unknown-key', path: at, key: true, message: `unknown key \`${key}\` ${placement}`, hint };
}

/** An unknown key of `search.space` (no such parameter) or of one of its entries (no such kind), or null elsewhere. */
function searchIssue(path: NodePath, key: string, allowed: string[]): Issue | null {
  if (path[0] !== 'search' || path[1] !== 'space') return null;
  const close = didYouMean(key, allowed);
  if (path.length === 2) {
    const hint = close
      ? `did you mean \`${close}\`?`
      : key === 'seed'
        ? "trials keep the runs' seeds: list seeds under `seeds:` to train every trial on each"
        : key === 'backend' || key === 'checkpoint.every'
          ? `\`${key}\` does not change what a run computes: it cannot be searched`
          : wrapList(`expected a parameter, one of: ${allowed.join(', ')}`);
    return { code: 'unknown-parameter', path: [...path, key], key: true, message: `search key \`${key}\` names no parameter`, hint };
  }
  const parameter = String(path[2]);
  const kinds = ['uniform', 'log_uniform', 'int_uniform', 'choice'];
  const message = kinds.includes(key)
    ? `\`${key}\` does not fit \`${parameter}\`: it takes ${allowed.join(' or ')}`
    : `\`${key}\` is not a kind of search range`;
  return {
    code: 'unknown-kind',
    path: [...path, key],
    key: true,
    message,
    hint: close && !kinds.includes(key) ? `did you mean \`${close}\`?` : `kinds for \`${parameter}\`: ${allowed.join(', ')}`,
  };
}

interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  properties?: Record<string, unknown>;
}

const PATTERN_WORDS: Record<string, string> = {
  '^[a-z0-9][a-z0-9._-]*$': 'lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit',
  '^[A-Za-z0-9][A-Za-z0-9._-]*$': 'letters, digits, `.`, `_` and `-`, starting with a letter or digit',
};

/** What a schema accepts, in words: "a whole number ≥ 1 or `epoch`". */
export function describeSchema(schema: SchemaNode): string {
  if (schema.enum) return `one of ${schema.enum.join(', ')}`;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const parts = types.map((type) => {
    if (type === 'string' && schema.pattern === '^epoch$') return '`epoch`';
    if (type === 'string' && schema.pattern) return PATTERN_WORDS[schema.pattern] ?? `text matching ${schema.pattern}`;
    const bound = schema.minimum !== undefined ? ` ≥ ${schema.minimum}` : schema.exclusiveMinimum !== undefined ? ` > ${schema.exclusiveMinimum}` : '';
    switch (type) {
      case 'integer':
        return `a whole number${bound}`;
      case 'number':
        return `a number${bound}`;
      case 'string':
        return 'text';
      case 'boolean':
        return 'true or false';
      case 'array':
        return 'a list';
      case 'object':
        return 'a mapping (key: value lines)';
      case 'null':
        return 'null';
      default:
        return type;
    }
  });
  return parts.join(' or ') || 'valid';
}

function typeHint(data: unknown, schema: SchemaNode): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (typeof data === 'string' && types.includes('boolean') && /^(yes|no|on|off|y|n)$/i.test(data)) {
    return `YAML 1.2 reads \`${data}\` as text: write true or false`;
  }
  if (typeof data === 'string' && (types.includes('number') || types.includes('integer')) && /^[\d_.,e+-]+$/i.test(data)) {
    return 'write the number without quotes, `_` or `,`';
  }
  if (data === null) return 'the key has no value: give one or remove the key';
  return undefined;
}

/** `defaults.history.every`, `variants[1].layers`. */
export function displayPath(path: NodePath): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), '');
}

/** A value as it would be written in YAML, shortened (to about 60 characters). */
export function showValue(value: unknown): string {
  const shown = fullValue(value);
  return shown.length > 64 ? `${shown.slice(0, 60)}…${shown.endsWith(']') ? ']' : ''}` : shown;
}

function fullValue(value: unknown): string {
  if (typeof value === 'string') return `\`${value.length > 40 ? `${value.slice(0, 37)}...` : value}\``;
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'object') {
    if (Array.isArray(value))
      return `a list [${
        value.length > 6
          ? `${value
              .slice(0, 6)
              .map((v) => JSON.stringify(v))
              .join(', ')}, ...`
          : value.map((v) => JSON.stringify(v)).join(', ')
      }]`;
    return 'a mapping';
  }
  return String(value);
}

function parsePointer(pointer: string): NodePath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => {
      const key = s.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^\d+$/.test(key) ? Number(key) : key;
    });
}
