import { Rng } from '../core/rng.ts';

/**
 * A stratified train/test split of rows by their class: of each class's rows, round(fraction × n)
 * (at most n − 1, so every class is trained on) drawn by a Fisher–Yates shuffle seeded with `seed`
 * go to the test set. Both sets keep the file's order. Pure: the same labels, fraction and seed
 * give the same split everywhere.
 */
export function stratifiedSplit(classOf: Int32Array, classes: number, fraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`the test fraction must be between 0 and 1, got ${fraction}`);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let row = 0; row < classOf.length; row++) byClass[classOf[row]!]!.push(row);
  const rng = Rng.fromSeed(seed);
  const inTest = new Uint8Array(classOf.length);
  for (const rows of byClass) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    const take = Math.min(Math.max(rows.length - 1, 0), Math.round(fraction * rows.length));
    for (let i = 0; i < take; i++) inTest[rows[i]!] = 1;
  }
  const test: number[] = [];
  const train: number[] = [];
  for (let row = 0; row < classOf.length; row++) (inTest[row] ? test : train).push(row);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
