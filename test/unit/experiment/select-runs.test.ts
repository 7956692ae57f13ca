import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { loadAll } from '../../../src/cli/experiments.ts';
import { selectRuns } from '../../../src/experiment/select-runs.ts';
import { reportInput, variantLabel } from '../../../src/publish/report-input.ts';

const { loaded } = loadAll(['experiments/relu-vs-sigmoid.yaml'], { sets: [] });
const experiments = loaded.map((l) => reportInput(l));
const select = (...only: string[]) => selectRuns(experiments, loaded, only)[0]!.selected;
const problemOf = (...only: string[]) => {
  try {
    select(...only);
  } catch (error) {
    if (error instanceof UserError) return error.problems[0]!;
    throw error;
  }
  throw new Error('expected a problem');
};

describe('--only', () => {
  it('picks runs by a parameter value that varies (activation=relu: half of the grid)', () => {
    const picked = select('activation=relu');
    expect(picked).toHaveLength(27);
    expect(picked.every((r) => r.config.activations[0] === 'relu')).toBe(true);
  });

  it("reads the value as YAML, as --set does: 1e-1, 0.10 and .1 are the plan's 0.1", () => {
    const planned = select('learning_rate=0.1').map((r) => r.id);
    expect(planned).toHaveLength(18);
    for (const spelling of ['1e-1', '0.10', '.1', ' 0.1 ']) expect(select(`learning_rate=${spelling}`).map((r) => r.id)).toEqual(planned);
    expect(problemOf('learning_rate=[0.1').message).toMatch(/^--only learning_rate=\[0\.1 matches no run/);
  });

  it('combines selectors as a union', () => {
    expect(select('learning_rate=0.1', 'activation=relu')).toHaveLength(27 + 9);
  });

  it('says which values a parameter takes when none matches', () => {
    const p = problemOf('activation=softsign');
    expect(p.message).toBe('--only activation=softsign matches no run: `activation` takes the values relu, sigmoid');
  });

  it('says when the parameter does not vary', () => {
    expect(problemOf('epochs=3').message).toBe('--only epochs=3: `epochs` does not vary in this plan');
  });

  it('asks for 4 characters of a run id instead of saying nothing matches', () => {
    const prefix = experiments[0]!.runs[0]!.id.slice(0, 3);
    expect(problemOf(prefix).message).toBe(`--only ${prefix} is too short to pick runs by their id: give 4 or more characters`);
  });

  it('still picks by a 4-character prefix', () => {
    const id = experiments[0]!.runs[0]!.id;
    expect(select(id.slice(0, 4)).map((r) => r.id)).toContain(id);
  });
});

describe('several experiment files', () => {
  it('count the same file named twice (by two paths) once', () => {
    const { loaded } = loadAll(['experiments/report.yaml', './experiments/report.yaml', 'experiments/../experiments/report.yaml'], { sets: [] });
    expect(loaded).toHaveLength(1);
  });

  it('refuse two files with the same name, which would share a results folder', async () => {
    const { mkdtempSync, copyFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-names-'));
    try {
      const copy = path.join(dir, 'copy.yaml');
      copyFileSync('experiments/report.yaml', copy);
      let problems: readonly { code: string; file: string | null }[] = [];
      try {
        loadAll(['experiments/report.yaml', copy], { sets: [] });
      } catch (error) {
        if (error instanceof UserError) problems = error.problems;
      }
      expect(problems.map((p) => [p.code, p.file])).toEqual([['duplicate-name', copy]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('names of variants in a grid experiment', () => {
  const yaml = [
    'name: named',
    'dataset: {train_limit: 100, test_limit: 50}',
    'defaults: {epochs: 1}',
    'variants:',
    '  - {id: five, label: Five units, layers: [784, 5, 10]}',
    '  - {id: nine, layers: [784, 9, 10]}',
    'grid: {learning_rate: [0.1, 0.01]}',
    'compare: [{by: variant, baseline: Five units}]',
    '',
  ].join('\n');
  let dir = '';
  const load = async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    if (!dir) {
      dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-variant-names-'));
      writeFileSync(path.join(dir, 'named.yaml'), yaml);
    }
    const { loaded } = loadAll([path.join(dir, 'named.yaml')], { sets: [] });
    return { loaded, experiments: loaded.map((l) => reportInput(l)) };
  };
  afterAll(async () => {
    const { rmSync } = await import('node:fs');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("picks a variant's runs by its id or its label, bare or as variant=NAME, as plan shows them", async () => {
    const { loaded, experiments } = await load();
    const pick = (...only: string[]) => selectRuns(experiments, loaded, only)[0]!.selected.map((r) => r.label);
    expect(pick('five')).toEqual(['Five units learning_rate=0.1', 'Five units learning_rate=0.01']);
    for (const name of ['Five units', 'variant=five', 'variant=Five units', 'variant = five']) expect(pick(name)).toEqual(pick('five'));
    expect(pick('variant=nine', 'learning_rate=0.1')).toEqual(['Five units learning_rate=0.1', 'nine learning_rate=0.1', 'nine learning_rate=0.01']);
  });

  it('says which variants there are when a name matches none', async () => {
    const { loaded, experiments } = await load();
    let message = '';
    try {
      selectRuns(experiments, loaded, ['variant=seven']);
    } catch (error) {
      message = (error as UserError).problems[0]!.message;
    }
    expect(message).toBe('--only variant=seven matches no variant: the variants are five (Five units), nine');
  });

  it("takes a comparison's baseline by the variant's label as well as its id", async () => {
    const { loaded } = await load();
    expect(variantLabel(loaded[0]!, 'variant', 'Five units')).toBe('Five units');
    expect(variantLabel(loaded[0]!, 'variant', 'five')).toBe('Five units');
  });
});
