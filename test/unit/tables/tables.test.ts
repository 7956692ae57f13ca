import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../../../src/tables/result-row.ts';
import { resultsCsv } from '../../../src/tables/results-csv.ts';
import { latexTable, markdownTable } from '../../../src/tables/render-tables.ts';
import { configurationTable, pivotTables } from '../../../src/tables/tables.ts';

function row(id: string, activation: string, lr: number, seed: number, accuracy: number | null, status: 'completed' | 'diverged' = 'completed'): ResultRow {
  return {
    runId: id,
    label: `${activation} lr=${lr} seed=${seed}`,
    model: null,
    varying: { activation, learning_rate: lr, seed },
    layers: [784, 128, 64, 10],
    activations: [activation, activation, 'softmax'],
    learningRate: lr,
    batchSize: 30,
    epochs: 2,
    init: 'he',
    optimizer: 'sgd',
    seed,
    outcome: { status, trainCost: 0.1, testCost: 0.2, trainAccuracy: 99, testAccuracy: accuracy, seconds: 12.34 },
  };
}

const sweep = [
  row('a1', 'relu', 0.1, 1, 97),
  row('a2', 'relu', 0.1, 2, 98),
  row('b1', 'sigmoid', 0.1, 1, 94),
  row('b2', 'sigmoid', 0.1, 2, 95),
  row('c1', 'relu', 0.01, 1, 92),
  row('c2', 'relu', 0.01, 2, 93),
  row('d1', 'sigmoid', 0.01, 1, null, 'diverged'),
  row('d2', 'sigmoid', 0.01, 2, 96),
];

describe('results tables', () => {
  it('one configuration row per seed group, mean ± sample std, best in bold', () => {
    const table = configurationTable(sweep);
    expect(table.header).toEqual(['Model', 'Layers', 'Activation', 'learning_rate', 'Accuracy (%)']);
    expect(table.rows.map((r) => r.cells.at(-1))).toEqual(['97.50 ± 0.71', '94.50 ± 0.71', '92.50 ± 0.71', '96.00 (1 diverged)']);
    expect(table.rows.map((r) => r.bold.at(-1))).toEqual([true, false, false, false]);
  });

  it('pivots learning rate × activation with the best per column in bold', () => {
    const [table] = pivotTables(sweep, { rows: 'learning_rate', columns: 'activation' });
    expect(table!.header).toEqual(['learning_rate \\ activation', 'relu', 'sigmoid']);
    expect(table!.rows.map((r) => r.cells)).toEqual([
      ['0.1', '97.50 ± 0.71', '94.50 ± 0.71'],
      ['0.01', '92.50 ± 0.71', '96.00 (1 diverged)'],
    ]);
    expect(table!.rows.map((r) => r.bold)).toEqual([
      [false, true, false],
      [false, false, true],
    ]);
    expect(markdownTable(table!)).toContain('| 0.1 | **97.50 ± 0.71** | 94.50 ± 0.71 |');
    expect(latexTable(table!)).toContain('0.1 & \\textbf{97.50 $\\pm$ 0.71} & 94.50 $\\pm$ 0.71 \\\\');
  });

  it('escapes the header of a LaTeX table as LaTeX, and names models by what varies in a grid', () => {
    const configurations = configurationTable(sweep);
    // `%` is LaTeX's comment sign: the header must keep its \% (a URL-encoding of it once slipped in).
    expect(latexTable(configurations)).toContain('Model & Layers & Activation & learning\\_rate & Accuracy (\\%) \\\\');
    // Without variants, a row is named by the part of the model that varies: here its activation.
    for (const r of configurations.rows) expect(r.cells[0]).toBe(r.cells[2]!.split(',')[0]);
    expect(new Set(configurations.rows.map((r) => r.cells[0]))).toEqual(new Set(['relu', 'sigmoid']));
    const one = configurationTable(sweep.filter((r) => r.varying.activation === 'relu'));
    expect(new Set(one.rows.map((r) => r.cells[0]))).toEqual(new Set(['[784,128,64,10] relu']));
  });

  it('writes results.csv with a stable header and one row per run in order', () => {
    const csv = resultsCsv(sweep);
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([
      'run_id',
      'label',
      'activation',
      'layers',
      'activations',
      'learning_rate',
      'batch_size',
      'epochs',
      'init',
      'optimizer',
      'seed',
      'train_cost',
      'test_cost',
      'train_accuracy',
      'test_accuracy',
      'status',
      'seconds',
    ]);
    expect(records.map((r) => r.run_id)).toEqual(sweep.map((r) => r.runId));
    expect(records[6]).toMatchObject({ status: 'diverged', test_accuracy: '', layers: '[784,128,64,10]', seconds: '12.3' });
    expect(resultsCsv(sweep)).toBe(csv);
  });

  it('gives a diverged run no numbers in results.csv, only its status (its "accuracy" is the share of one class)', () => {
    const diverged = { ...row('x', 'relu', 1e6, 1, 9.8, 'diverged') };
    const [record] = parse(resultsCsv([diverged]), { columns: true }) as Record<string, string>[];
    expect(record).toMatchObject({ status: 'diverged', train_cost: '', test_cost: '', train_accuracy: '', test_accuracy: '' });
    expect(configurationTable([diverged]).rows[0]!.cells.at(-1)).toBe('diverged');
  });
});

describe('labels in the tables are text, not markup', () => {
  it('are escaped in Markdown: emphasis, HTML and cell breaks; underscores inside words stay', async () => {
    const { escapeMarkdown } = await import('../../../src/tables/render-tables.ts');
    expect(escapeMarkdown('_c_ <script>alert(1)</script> a|b *x* `y`')).toBe('\\_c\\_ &lt;script&gt;alert(1)&lt;/script&gt; a\\|b \\*x\\* \\`y\\`');
    expect(escapeMarkdown('learning_rate=0.1 [784,10] softmax')).toBe('learning_rate=0.1 [784,10] softmax');
  });

  it('are escaped in LaTeX in one pass', async () => {
    const { escapeLatex } = await import('../../../src/tables/render-tables.ts');
    expect(escapeLatex('a\\b _c_ 50% <x> ~^| 1 ± 2')).toBe(
      'a\\textbackslash{}b \\_c\\_ 50\\% \\textless{}x\\textgreater{} \\textasciitilde{}\\textasciicircum{}\\textbar{} 1 $\\pm$ 2',
    );
  });
});

describe('parameters that change with the variant', () => {
  const variantRow = (model: string, layers: number[], init: string, lr: number, seed: number, accuracy: number): ResultRow => ({
    runId: `${model}-${lr}-${seed}`,
    label: `${model} learning_rate=${lr} seed=${seed}`,
    model,
    varying: { learning_rate: lr, seed, layers: `[${layers.join(',')}]`, init },
    layers,
    activations: [...layers.slice(2).map(() => 'relu'), 'softmax'],
    learningRate: lr,
    batchSize: 30,
    epochs: 1,
    init,
    optimizer: 'sgd',
    seed,
    outcome: { status: 'completed', trainCost: 0.1, testCost: 0.2, trainAccuracy: 99, testAccuracy: accuracy, seconds: 1 },
  });
  const rows = ['five', 'nine'].flatMap((model, m) =>
    [0.1, 0.01].flatMap((lr) =>
      [1, 2].map((seed) => variantRow(model, m === 0 ? [784, 5, 10] : [784, 9, 10], m === 0 ? 'he' : 'xavier', lr, seed, 90 + m + seed)),
    ),
  );

  it('are part of the variant in a pivot: one 2×2 table, not one-row tables per layers value', () => {
    const tables = pivotTables(rows, { rows: 'variant', columns: 'learning_rate' });
    expect(tables).toHaveLength(1);
    expect(tables[0]!.caption).toBe('Test accuracy (%) by variant and learning_rate');
    expect(tables[0]!.rows.map((r) => r.cells[0])).toEqual(['five', 'nine']);
  });

  it('get no sweep chart of their own', async () => {
    const { chartRoles } = await import('../../../src/charts/parameters.ts');
    expect(chartRoles(rows, { color: null, facet: null, tableColumns: null }).parameters).toEqual(['variant', 'learning_rate']);
  });
});
