// Build step (after tsc): compiles the experiment schema into a standalone ajv validator,
// dist/experiment/experiment-validator.cjs, which the compiled program loads instead of compiling
// the schema at every start (src/experiment/validate.ts). Same schema and options as at run time:
// both come from the compiled sources themselves.
import { writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const dist = new URL('../dist/experiment/', import.meta.url);
const { experimentJsonSchema } = await import(new URL('schema.js', dist).href);
const { VALIDATOR_OPTIONS } = await import(new URL('validate.js', dist).href);

const ajv = new Ajv2020({ ...VALIDATOR_OPTIONS, code: { source: true } });
const validate = ajv.compile(experimentJsonSchema());
writeFileSync(new URL('experiment-validator.cjs', dist), standaloneCode.default(ajv, validate));
