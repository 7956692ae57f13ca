import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';

/**
 * Every limit that training enforces must be found by `validate` first: a file that passes
 * validation and then fails in every run is the worst way to learn about a limit. This test reads
 * every RangeError the numeric core and the native addon can throw, and requires each to be either
 * twinned with an experiment file that validation refuses (with the code it reports), or named as
 * internal (a state or buffer that no experiment file controls).
 */

interface Twin {
  /** A part of the thrown message that identifies it. */
  thrown: string;
  /** An experiment file that would make training throw it, and the code validation gives instead; or why no file can. */
  twin: { yaml: string; code: string } | { internal: string };
}

const model = (layers: string, more = '') => `name: t\ndataset: {train_limit: 100, test_limit: 50}\ndefaults: {layers: ${layers}, epochs: 1${more}}\n`;
const tooDeep = `[784, ${Array.from({ length: 64 }, () => 8).join(', ')}, 10]`;

const TWINS: Twin[] = [
  { thrown: 'the optimizer state does not match', twin: { internal: 'a checkpoint of another model; checkpoints are keyed by run id' } },
  {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of the source's template, as the test reads it
    thrown: '${rates.length} dropout rates for ${hidden} hidden layers',
    twin: { yaml: model('[784, 16, 8, 10]', ', dropout: [0.1, 0.2, 0.3]'), code: 'dropout-count' },
  },
  { thrown: 'dropout rates must be in [0, 1), got [${rates.join', twin: { yaml: model('[784, 16, 10]', ', dropout: 1'), code: 'out-of-range' } },
  {
    thrown: 'the training state has no dropout generator, but this run has dropout',
    twin: { internal: 'a checkpoint written before dropout; checkpoints are keyed by run id, and dropout is part of it' },
  },
  { thrown: 'threshold must be an integer from 0 to 2^31', twin: { internal: 'the keep threshold is computed by the core from the validated rate' } },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of the source's template, as the test reads it
  { thrown: 'is not below the ${cols} classes', twin: { yaml: model('[784, 9]'), code: 'layer-mismatch' } },
  { thrown: 'elements, the shape needs', twin: { internal: 'the training loop sizes every buffer from the model' } },
  { thrown: 'length must be a non-negative integer', twin: { internal: 'the training loop sizes every buffer from the model' } },
  { thrown: 'the wasm backend cannot allocate', twin: { yaml: model('[784, 40000, 40000, 10]', ', backend: wasm'), code: 'too-large' } },
  {
    thrown: 'needs a validation set',
    twin: { yaml: model('[784, 10]', ', early_stopping: {patience: 2, metric: validation_cost}'), code: 'no-validation-set' },
  },
  { thrown: 'seed must be an integer', twin: { yaml: `${model('[784, 10]', `, seed: ${Number.MAX_SAFE_INTEGER}`)}repeats: 2\n`, code: 'out-of-range' } },
  { thrown: 'an Rng state is four 32-bit integers', twin: { internal: "a checkpoint's state, written by the core itself" } },
  {
    thrown: 'the training set is empty',
    twin: { yaml: 'name: t\ndataset: {train_limit: 100, validation: 100}\ndefaults: {layers: [784, 10]}\n', code: 'bad-split' },
  },
  { thrown: "the model's input size is", twin: { yaml: model('[700, 10]'), code: 'layer-mismatch' } },
  { thrown: 'but the model has only', twin: { yaml: model('[784, 12]'), code: 'layer-mismatch' } },
  { thrown: 'the training state does not match', twin: { internal: 'a checkpoint of another run; checkpoints are keyed by run id' } },
  { thrown: 'the training state is not between two iterations', twin: { internal: 'a checkpoint written by the core itself' } },
  { thrown: 'a model needs at least 2 layer sizes', twin: { yaml: model('[784]'), code: 'too-few-items' } },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of the source's template, as the test reads it
  { thrown: 'a model has at most ${MAX_LAYER_SIZES} layer sizes', twin: { yaml: model(tooDeep), code: 'too-many-items' } },
  { thrown: 'layer sizes must be positive integers', twin: { yaml: model('[784, 0, 10]'), code: 'out-of-range' } },
  { thrown: 'activations for layers', twin: { yaml: model('[784, 10]', ', activations: [relu, softmax]'), code: 'activation-count' } },
  { thrown: 'the last activation must be softmax', twin: { yaml: model('[784, 8, 10]', ', activations: [relu, relu]'), code: 'softmax-position' } },
  { thrown: 'softmax may only be the last activation', twin: { yaml: model('[784, 8, 10]', ', activations: [softmax, softmax]'), code: 'softmax-position' } },
  // The native addon's checks of its arguments.
  { thrown: 'activation code must be 0 (relu), 1 (sigmoid) or 2 (tanh)', twin: { internal: "codes are mapped from the schema's activation names" } },
  { thrown: 'a label is not below cols', twin: { yaml: model('[784, 9]'), code: 'layer-mismatch' } },
  { thrown: 'order names a row past the end of src', twin: { internal: 'the shuffle order is a permutation of the training rows' } },
  { thrown: 'sizes must list 2 to 64 layer sizes', twin: { yaml: model(tooDeep), code: 'too-many-items' } },
  { thrown: 'layer sizes must be positive', twin: { yaml: model('[784, 0, 10]'), code: 'out-of-range' } },
  { thrown: 'activations must be hidden codes', twin: { internal: "codes are mapped from the schema's activation names" } },
  { thrown: 'chunkRows must be positive and threads from 1 to 256', twin: { internal: "the evaluation chunk and thread count are the core's constants" } },
  { thrown: 'a label is not below the number of classes', twin: { yaml: model('[784, 9]'), code: 'layer-mismatch' } },
];

function files(dir: string, ending: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => ending.test(f))
    .map((f) => join(dir, f));
}

/** The message of every RangeError thrown in the core's TypeScript and the addon's C++. */
function thrownRangeErrors(): string[] {
  const messages: string[] = [];
  for (const file of files('src/core', /\.ts$/)) {
    // Each string in the argument is a message: `throw new RangeError(last ? 'a' : 'b')` throws two.
    for (const [, argument] of readFileSync(file, 'utf8').matchAll(/throw new RangeError\(([\s\S]*?)\);/g)) {
      for (const m of argument!.matchAll(/(['`])((?:\\.|(?!\1)[^\\])*)\1/g)) messages.push(m[2]!);
    }
  }
  for (const file of files('native/src', /\.cc$/)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/napi_throw_range_error\(env, nullptr, "([^"]*)"/g)) messages.push(m[1]!);
  }
  return messages;
}

const dir = mkdtempSync(join(tmpdir(), 'mlp-lab-twins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every limit of training has a twin in validation', () => {
  const thrown = thrownRangeErrors();

  it('finds the RangeErrors (the reading of the sources works)', () => {
    expect(thrown.length).toBeGreaterThan(20);
  });

  it.each(thrown)('%s: twinned, or internal', (message) => {
    expect(
      TWINS.filter((t) => message.includes(t.thrown)).length,
      `add this RangeError to TWINS with an experiment file that validation refuses: ${message}`,
    ).toBeGreaterThan(0);
  });

  it('lists no RangeError that is gone', () => {
    expect(TWINS.filter((t) => !thrown.some((m) => m.includes(t.thrown))).map((t) => t.thrown)).toEqual([]);
  });

  it.each(TWINS.flatMap((t) => ('yaml' in t.twin ? [[t.thrown, t.twin.yaml, t.twin.code] as const] : [])))('%s: refused by validation', (_, yaml, code) => {
    const file = join(dir, `${code}-${Math.random().toString(16).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    let problems: readonly { code: string; line: number | null; severity: string }[] = [];
    try {
      loadExperiment(file);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      problems = error.problems;
    }
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.code)).toContain(code);
    expect(problems.find((p) => p.code === code)?.line).toBeGreaterThan(0);
  });
});
