/**
 * `npm run bench`, the CSV part (`BENCH_ONLY=csv` runs only it): reading and encoding a
 * 1,000,000-row × 20-column table (17 numeric columns, 2 categorical ones of 5 and 12 categories,
 * an integer label of 3 classes; about 150 MB), by mlp-lab (the compiled dist/ module, in a process
 * of its own, as a run reads it: streamed, z-scored, one-hot, a stratified 20% test split) against
 * pandas.read_csv of the same file followed by the same encoding (bench/csv_pandas.py), in the
 * same run. Seconds inside each process (start-up excluded) and each process's peak RSS; the
 * float32 matrix itself is 1,000,000 × 34 × 4 = 136 MB. Repetitions interleaved, medians reported.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ROWS = 1_000_000;
const NUMERIC = 17;
const COLOURS = ['red', 'green', 'blue', 'cyan', 'magenta'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The table, written from a fixed linear congruential sequence (the same file every time). */
function writeTable(file: string): void {
  const fd = openSync(file, 'w');
  writeSync(fd, `${[...Array.from({ length: NUMERIC }, (_, i) => `x${i}`), 'colour', 'month', 'label'].join(',')}\n`);
  let seed = 12345;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  for (let start = 0; start < ROWS; start += 20_000) {
    const lines: string[] = [];
    for (let r = start; r < start + 20_000; r++) {
      const values = Array.from({ length: NUMERIC }, (_, i) => (next() * 10 ** (i % 4)).toFixed(4));
      lines.push(`${values.join(',')},${COLOURS[r % 5]},${MONTHS[(r * 7) % 12]},${Math.floor(next() * 3)}`);
    }
    writeSync(fd, `${lines.join('\n')}\n`);
  }
  closeSync(fd);
}

const MLP_LAB_CHILD = `
const { loadCsvDataset } = await import(${JSON.stringify(path.join(ROOT, 'dist/data/csv-dataset.js'))});
const started = performance.now();
const data = loadCsvDataset({ kind: 'csv', train: process.argv[1], test: null, split: { test: 0.2, seed: 0 }, label: 'label',
  features: 'all', categorical: [], standardize: true, missing: 'error', delimiter: ',' });
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, rows: data.train.count + data.test.count, inputs: data.train.features, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
`;

interface ReaderResult {
  seconds: number;
  read_seconds?: number;
  rows: number;
  inputs: number;
  peak_rss_mb: number;
}

function run(command: string, args: string[]): ReaderResult {
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ReaderResult;
}

/** Prints the comparison; `repetitions` of each reader, interleaved. */
export function benchCsv(repetitions: number): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-bench-csv-'));
  try {
    const file = path.join(dir, 'table.csv');
    const writing = performance.now();
    writeTable(file);
    console.log(
      `\nCSV: ${ROWS.toLocaleString('en-US')} rows × 20 columns, ${(statSync(file).size / 1e6).toFixed(0)} MB (written in ${((performance.now() - writing) / 1000).toFixed(1)} s)`,
    );
    const ours: ReaderResult[] = [];
    const pandas: ReaderResult[] = [];
    let pandasError: string | null = null;
    for (let i = 0; i < repetitions; i++) {
      ours.push(run(process.execPath, ['--input-type=module', '-e', MLP_LAB_CHILD, file]));
      if (pandasError === null) {
        try {
          pandas.push(run('python3', [path.join(ROOT, 'bench/csv_pandas.py'), file]));
        } catch (error) {
          pandasError = (error as Error).message.split('\n')[0]!;
        }
      }
    }
    const line = (name: string, results: ReaderResult[]) =>
      `  ${name.padEnd(28)} ${median(results.map((r) => r.seconds))
        .toFixed(2)
        .padStart(7)} s   peak RSS ${median(results.map((r) => r.peak_rss_mb))
        .toFixed(0)
        .padStart(5)} MB   ${results[0]!.rows.toLocaleString('en-US')} rows, ${results[0]!.inputs} inputs`;
    console.log(`  (medians of ${repetitions}; seconds inside each process, read + encode)`);
    console.log(line('mlp-lab (csv-parse, stream)', ours));
    if (pandas.length) {
      console.log(line('pandas.read_csv + encode', pandas));
      console.log(
        `  ${'  of which read_csv'.padEnd(28)} ${median(pandas.map((r) => r.read_seconds ?? NaN))
          .toFixed(2)
          .padStart(7)} s`,
      );
    } else console.log(`  pandas: not run (${pandasError}); pip install pandas`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) benchCsv(Number(process.env.BENCH_CSV_REPETITIONS ?? 3));
