import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { experimentJsonSchema, schemaReference } from '../../../src/experiment/index.ts';

interface Node {
  title?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  items?: Node;
}

/** Every property in the schema, with its dotted location. */
function properties(node: Node, at = ''): [string, Node][] {
  const own = Object.entries(node.properties ?? {}).flatMap(([key, child]) => [[`${at}${key}`, child] as [string, Node], ...properties(child, `${at}${key}.`)]);
  return node.items ? [...own, ...properties(node.items, `${at}[].`)] : own;
}

/** Keys without a default, on purpose: required values, grid lists (a default list would be a value to try), a comparison's parameter and baseline (the first value in the file), a search and its space (absent: no search), its pruner (absent: no pruning), a table's files and columns. */
const NO_DEFAULT =
  /^(name|search|search\.(method|trials|space|pruner|pruner\.method|pruner\.max_epochs)|search\.space\..+|compare\.\[\]\.(by|baseline)|variants\.\[\]\.(id|label|layers|activations)|defaults\.(layers|activations)|dataset\.(train|test|split|split\.test|label|train_x|train_y|test_x|test_y)|grid\.(?!zip$|exclude$)(dataset\.|history\.|early_stopping\.)?[^.]+|grid\.zip\.\[\]\..+|grid\.exclude\.\[\]\..+)$/;

describe('schema/experiment.schema.json', () => {
  const schema = experimentJsonSchema();

  it('is the committed file (regenerate with `npm run schema:write`)', () => {
    expect(readFileSync('schema/experiment.schema.json', 'utf8')).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  it('is documented in schema/reference.md (regenerate with `npm run schema:write`)', () => {
    expect(readFileSync('schema/reference.md', 'utf8')).toBe(schemaReference());
  });

  it('is JSON Schema draft 2020-12 and compiles in strict mode', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(() => new Ajv2020({ strict: true, allowUnionTypes: true }).compile(schema)).not.toThrow();
  });

  it.each(properties(schema as Node))('%s has a title and a description', (_, node) => {
    expect(node.title).toBeTruthy();
    expect(node.description).toBeTruthy();
  });

  it.each(properties(schema as Node).filter(([key]) => !NO_DEFAULT.test(key)))('%s has a default that is valid for it', (_, node) => {
    expect(node.default).not.toBeUndefined();
    const validate = new Ajv2020({ strict: false, allowUnionTypes: true }).compile(node);
    expect(validate(node.default), JSON.stringify(validate.errors)).toBe(true);
  });
});
