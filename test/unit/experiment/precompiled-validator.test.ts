/**
 * The compiled program validates with a validator compiled at build time (ajv standalone,
 * schema/compile-validator.mjs). It must be the same validator as the one compiled at run time from
 * the sources: same verdict and the same errors (with the schema nodes that messages are written
 * from) on every fixture, valid or not, and on mutated documents.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { experimentJsonSchema } from '../../../src/experiment/schema.ts';
import { VALIDATOR_OPTIONS } from '../../../src/experiment/validate.ts';
import { requires } from '../../support/requires.ts';

const PRECOMPILED = path.resolve('dist/experiment/experiment-validator.cjs');

function documents(): [string, unknown][] {
  const found: [string, unknown][] = [];
  for (const dir of ['test/fixtures/invalid', 'test/fixtures/valid', 'experiments']) {
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      try {
        found.push([`${dir}/${name}`, parse(readFileSync(path.join(dir, name), 'utf8'), { merge: true })]);
      } catch {
        /* not YAML: nothing to validate */
      }
    }
  }
  // Wrong types at every level of a valid document.
  const report = parse(readFileSync('experiments/report.yaml', 'utf8')) as Record<string, unknown>;
  for (const key of Object.keys(report)) {
    for (const wrong of [null, 3, 'x', [1], { a: 1 }]) found.push([`report.yaml with ${key}: ${JSON.stringify(wrong)}`, { ...report, [key]: wrong }]);
  }
  return found;
}

const outcome = (validate: ValidateFunction, data: unknown) => {
  const valid = validate(data);
  return { valid, errors: JSON.parse(JSON.stringify(validate.errors ?? [])) as unknown };
};

requires('the build', existsSync(PRECOMPILED) ? null : `no ${PRECOMPILED} (npm run build; npm test builds first)`).describe(
  'the validator compiled at build time',
  () => {
    it('gives the same verdicts and errors as the schema compiled at run time', () => {
      const precompiled = createRequire(import.meta.url)(PRECOMPILED) as ValidateFunction;
      const compiled = new Ajv2020(VALIDATOR_OPTIONS).compile(experimentJsonSchema());
      const cases = documents();
      expect(cases.length).toBeGreaterThan(60);
      let invalid = 0;
      for (const [name, data] of cases) {
        const want = outcome(compiled, data);
        if (!want.valid) invalid++;
        expect(outcome(precompiled, data), name).toEqual(want);
      }
      expect(invalid).toBeGreaterThan(30);
    });
  },
);

it('dist/ carries the precompiled validator (npm test builds it before the suite)', () => {
  expect(existsSync(PRECOMPILED)).toBe(true);
});
