import { parseDocument, visit } from 'yaml';
import { problem, type Problem, type ProblemCode } from '../errors.ts';
import type { Override } from './grid.ts';
import { PARAMETER_NAMES, SETTING_GROUPS, type ParameterName } from './schema.ts';
import { didYouMean, wrapList } from './suggest.ts';
import { experimentValidator, schemaIssues } from './validate.ts';

/** Keys `--set` accepts: every parameter, plus `seeds` and `repeats`. */
export const SET_KEYS: readonly string[] = [...PARAMETER_NAMES, 'seeds', 'repeats'];

/**
 * Parses `--set KEY=VALUE` arguments. VALUE is read as YAML (`1e-3`, `[784, 10]`, `null`, `epoch`)
 * and validated against the same schema as the file. A `defaults.` prefix is accepted and dropped.
 * Problems are reported with the file `--set`.
 */
export function parseOverrides(sets: readonly string[]): { overrides: Override[]; problems: Problem[] } {
  const overrides: Override[] = [];
  const problems: Problem[] = [];
  const fail = (code: ProblemCode, message: string, hint?: string) => problems.push(problem(code, message, { file: '--set', ...(hint ? { hint } : {}) }));
  for (const argument of sets) {
    const eq = argument.indexOf('=');
    const key = (eq < 0 ? argument : argument.slice(0, eq)).trim().replace(/^defaults\./, '');
    if (eq < 0 || key === '') {
      fail('bad-set', `expected KEY=VALUE, got \`${argument}\``, 'e.g. --set epochs=1 --set dataset.train_limit=5000');
      continue;
    }
    if (!SET_KEYS.includes(key)) {
      const close = didYouMean(key, SET_KEYS) ?? SET_KEYS.find((k) => k.endsWith(`.${key}`)) ?? null;
      const group = SET_KEYS.filter((k) => k.startsWith(`${key}.`));
      fail(
        'unknown-key',
        `unknown setting \`${key}\``,
        close
          ? `did you mean \`${close}\`?`
          : group.length > 0
            ? `\`${key}\` is a group of settings: ${group.join(', ')}`
            : wrapList(`settings: ${SET_KEYS.join(', ')}`),
      );
      continue;
    }
    let value: unknown;
    try {
      const doc = parseDocument(argument.slice(eq + 1), { version: '1.2', prettyErrors: false });
      if (doc.errors.length > 0) throw doc.errors[0]!;
      // An alias can make a value refer to itself (`&a [*a]`): a value on the command line has no use for one.
      let alias = false;
      visit(doc, {
        Alias: () => {
          alias = true;
          return visit.BREAK;
        },
      });
      if (alias) {
        fail('bad-set', `the value of \`${key}\` uses a YAML alias (\`*name\`)`, 'write the value out in full');
        continue;
      }
      value = doc.toJS();
    } catch (error) {
      fail('yaml-syntax', `the value of \`${key}\` is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const validate = experimentValidator();
    if (!validate(probe(key, value))) {
      for (const issue of schemaIssues(validate.errors ?? [], () => key)) fail(issue.code, issue.message, issue.hint);
      continue;
    }
    const index = overrides.findIndex((o) => o.key === key);
    if (index >= 0) overrides.splice(index, 1);
    overrides.push({ key: key as ParameterName | 'seeds' | 'repeats', value });
  }
  return { overrides, problems };
}

/** A minimal experiment that holds `value` where `key` lives in a file. */
function probe(key: string, value: unknown): Record<string, unknown> {
  if (key === 'seeds' || key === 'repeats') return { name: 'set', [key]: value };
  if (key.startsWith('dataset.')) return { name: 'set', dataset: { [key.slice(8)]: value } };
  const group = SETTING_GROUPS.find((g) => key.startsWith(`${g}.`));
  if (group) return { name: 'set', defaults: { [group]: { [key.slice(group.length + 1)]: value } } };
  return { name: 'set', defaults: { [key]: value } };
}
