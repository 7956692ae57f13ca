/**
 * Fuzzing the command line in-process: `--set` values, `--only` selectors and option values (the
 * functions the commands call). Whole argument vectors go through the real CLI in
 * test/e2e/fuzz/argument-vectors.test.ts.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { positiveInteger } from '../../../src/cli/common.ts';
import { loadAll } from '../../../src/cli/experiments.ts';
import { selectRuns } from '../../../src/experiment/select-runs.ts';
import { reportInput } from '../../../src/publish/report-input.ts';
import { UserError } from '../../../src/errors.ts';
import { parseOverrides, SET_KEYS } from '../../../src/experiment/index.ts';
import { checkPrinted, count, fuzzOptions, tried, validateAtBoundary } from '../../support/fuzz.ts';

const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 1000) / 2;
afterAll(() => {
  process.stdout.write(`fuzz cases tried (command line): ${[...tried].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
});

const yamlish = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '1',
    '0',
    '-1',
    '1e-3',
    '1e400',
    '2e9',
    'null',
    '~',
    '[]',
    '{}',
    '[784, 10]',
    '[784, 2000000000, 10]',
    'epoch',
    'relu',
    'softmax',
    'true',
    'yes',
    '"1"',
    '[1, [2, [3]]]',
    '&a [*a]',
    '*a',
    '{a: 1}',
    '- 1',
    ': x',
    '\t',
    '\u0000',
    'é',
    '\ufeff1',
    `${'['.repeat(500)}${']'.repeat(500)}`,
  ),
  fc.integer().map(String),
  fc.double().map(String),
);
const setArgument = fc.oneof(
  fc.tuple(fc.constantFrom(...SET_KEYS, 'defaults.epochs', 'epoch', 'dataset', 'history', 'backend', ' epochs '), yamlish).map(([k, v]) => `${k}=${v}`),
  fc.string({ maxLength: 30 }),
);

describe('fuzzed --set', () => {
  it('parseOverrides never throws; every problem is a `--set: error:` line', () => {
    fc.assert(
      fc.property(fc.array(setArgument, { maxLength: 4 }), (sets) => {
        count('set-parse');
        const { problems } = parseOverrides(sets);
        for (const p of problems) expect(p.file).toBe('--set');
      }),
      fuzzOptions(NUM_RUNS, 2_000),
    );
  });

  it('validation with fuzzed --set ends valid or with printable problems, never an exception', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('experiments/report.yaml', 'experiments/relu-vs-sigmoid.yaml', 'test/fixtures/valid/variants-and-grid.yaml'),
        fc.array(setArgument, { minLength: 1, maxLength: 3 }),
        (file, sets) => {
          count('set-validate');
          const outcome = validateAtBoundary(file, sets);
          if (!outcome.ok) {
            const wrong = checkPrinted(outcome.problems, file);
            if (wrong) throw new Error(`${wrong} (--set ${sets.join(' --set ')})`);
          }
        },
      ),
      fuzzOptions(NUM_RUNS / 2, 4_000),
    );
  });
});

describe('fuzzed options', () => {
  const { loaded } = loadAll(['test/fixtures/valid/variants-and-grid.yaml'], { sets: [] });
  const experiments = loaded.map((l) => reportInput(l));
  const selector = fc.oneof(
    fc.string({ maxLength: 14 }),
    fc.constantFrom(...experiments[0]!.runs.flatMap((r) => [r.id, r.id.slice(0, 3), r.id.slice(0, 4), r.label, `init=${r.config.init.scheme}`])),
    fc.tuple(fc.constantFrom('init', 'optimizer', 'seed', 'epochs', '', '='), fc.string({ maxLength: 6 })).map(([k, v]) => `${k}=${v}`),
  );

  it('--only selects runs or throws a UserError, nothing else', () => {
    fc.assert(
      fc.property(fc.array(selector, { minLength: 1, maxLength: 3 }), (only) => {
        count('only');
        try {
          const [picked] = selectRuns(experiments, loaded, only);
          expect(picked!.selected.length).toBeGreaterThan(0);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          for (const p of error.problems) expect(p.file).toBe('--only');
        }
      }),
      fuzzOptions(NUM_RUNS, 1_000),
    );
  });

  it("--jobs / --max-runs values are a whole number ≥ 1 or commander's usage error", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.double().map(String), fc.integer().map(String)), (value) => {
        count('integer-option');
        try {
          const n = positiveInteger(value);
          expect(Number.isSafeInteger(n) && n >= 1).toBe(true);
        } catch (error) {
          expect((error as Error).name).toBe('InvalidArgumentError');
        }
      }),
      fuzzOptions(NUM_RUNS, 1_000),
    );
  });
});
