/**
 * `npm run bench`, the cost of dropout: one training epoch of the report's relu model
 * ([784, 128, 64, 10] relu/relu/softmax, batch 30, SGD lr 0.01, the 60,000 bundled MNIST images, no
 * evaluation) without dropout and with dropout p on both hidden layers, stepped exactly as
 * src/core/train.ts does (masks drawn by DropoutMasks from their own stream, then
 * Network.computeGradients with them). The variants are interleaved repetition by repetition and
 * medians compared; the goal is an epoch with dropout under 10% slower. Beside wall time, the
 * process's CPU time: on a shared machine other processes stretch the wall time of whichever
 * variant they overlap, much less its CPU time. `BENCH_ONLY=dropout` runs only this table.
 */
import type { ModelConfig } from '../src/core/config.ts';
import type { LabelledImages } from '../src/core/dataset.ts';
import { DropoutMasks } from '../src/core/dropout.ts';
import type { Kernels } from '../src/core/kernels/kernels.ts';
import { InputRows } from '../src/core/input-rows.ts';
import { Network } from '../src/core/network.ts';
import { createOptimizer } from '../src/core/optimizer.ts';
import { Rng } from '../src/core/rng.ts';
import { EVAL_CHUNK_ROWS } from '../src/core/train.ts';

const MODEL: ModelConfig = { layers: [784, 128, 64, 10], activations: ['relu', 'relu', 'softmax'] };
const BATCH = 30;
const LEARNING_RATE = 0.01;
/** The rates measured: a common one, and the one where a kept/dropped branch is least predictable. */
const RATES = [0.2, 0.5];
const GOAL = 0.1;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Wall and CPU seconds of one epoch with dropout rate `p` on both hidden layers (0: none, no masks drawn). */
function epochSeconds(kernels: Kernels, train: LabelledImages, p: number): { wall: number; cpu: number } {
  const maxRows = Math.max(BATCH, EVAL_CHUNK_ROWS);
  const network = new Network(kernels, MODEL, maxRows);
  network.initialize({ scheme: 'he', std: 0.1 }, Rng.fromSeed(42), 42);
  const optimizer = createOptimizer(
    { type: 'sgd' },
    kernels,
    network.layers.flatMap((l) => [
      { value: l.W, gradient: l.dW, decays: true },
      { value: l.b, gradient: l.db },
    ]),
  );
  const dropout = p > 0 ? new DropoutMasks(kernels, network, [p, p], Rng.fromSeed(7)) : null;
  const input = new InputRows(kernels, maxRows, train.features);
  const order = Uint32Array.from({ length: train.count }, (_, i) => i);
  Rng.fromSeed(1).shuffle(order);
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let start = 0; start < train.count; start += BATCH) {
    const rows = Math.min(BATCH, train.count - start);
    input.gather(train, order, start, rows);
    const masks = dropout?.draw(rows) ?? null;
    network.computeGradients(input.X, input.labels, rows, masks);
    optimizer.step(LEARNING_RATE);
  }
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
}

/** Prints the table: per backend, the epoch without dropout, with each rate, and the extra cost (wall and CPU). */
export function benchDropout(backends: readonly { label: string; kernels: Kernels }[], train: LabelledImages, repetitions: number): void {
  const rates = [0, ...RATES];
  const seconds = new Map(backends.map((b) => [b.label, rates.map((): { wall: number; cpu: number }[] => [])]));
  for (let rep = 0; rep < repetitions; rep++) {
    for (const b of backends) rates.forEach((p, i) => seconds.get(b.label)![i]!.push(epochSeconds(b.kernels, train, p)));
  }
  console.log(`\nDropout: one epoch of [784,128,64,10] relu/relu/softmax, batch ${BATCH}, SGD lr ${LEARNING_RATE}, 60,000 images, no evaluation`);
  console.log(`(median of ${repetitions}, variants and backends interleaved; wall / CPU seconds; goal: under ${GOAL * 100}% more per epoch)\n`);
  console.log(['backend'.padEnd(10), 'no dropout s'.padStart(13), ...RATES.flatMap((p) => [`p=${p} s`.padStart(13), 'extra'.padStart(13)])].join(' '));
  const pair = (a: string, b: string) => `${a} / ${b}`.padStart(13);
  for (const b of backends) {
    const runs = seconds.get(b.label)!;
    const wall = runs.map((r) => median(r.map((x) => x.wall)));
    const cpu = runs.map((r) => median(r.map((x) => x.cpu)));
    const extra = (s: number[], i: number) => `${(((s[i]! - s[0]!) / s[0]!) * 100).toFixed(1)}%`;
    const cells = RATES.flatMap((_, i) => [pair(wall[i + 1]!.toFixed(3), cpu[i + 1]!.toFixed(3)), pair(extra(wall, i + 1), extra(cpu, i + 1))]);
    console.log([b.label.padEnd(10), pair(wall[0]!.toFixed(3), cpu[0]!.toFixed(3)), ...cells].join(' '));
  }
}
