/**
 * `npm run bench`, evaluation against the products: the forward pass of the 10,000 test images
 * (evaluateSet as training calls it: chunks of 256 rows, one thread) through the report's relu model
 * [784, 128, 64, 10] and through M1, [784, 10] softmax, in GFLOP/s of their products (2·Σ nIn·nOut
 * per image, dense: the multiply-adds by zero pixels that the native and wasm products skip count
 * as done; biases, activations, softmax and the unpacking of bytes are not counted, so they lower
 * it), beside the products of a training step (bench/products.ts) and the ratio. Wall and CPU time: on a shared machine other processes stretch the wall time of whatever they overlap,
 * much less its CPU time, so the ratio is taken on each clock. Best of `repetitions` runs (js: 2),
 * backends and models interleaved. `BENCH_ONLY=evaluation` runs the products and this table.
 */
import type { LabelledImages } from '../src/core/dataset.ts';
import type { Activation, Kernels } from '../src/core/kernels/kernels.ts';
import { InputRows } from '../src/core/input-rows.ts';
import { Network } from '../src/core/network.ts';
import { Rng } from '../src/core/rng.ts';
import { EVAL_CHUNK_ROWS, evaluateSet } from '../src/core/train.ts';
import type { StepRate } from './products.ts';

const MODELS: { name: string; layers: number[]; activations: Activation[] }[] = [
  { name: 'relu', layers: [784, 128, 64, 10], activations: ['relu', 'relu', 'softmax'] },
  { name: 'M1', layers: [784, 10], activations: ['softmax'] },
];
const JS_REPETITIONS = 2;

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Prints the table: per backend, each model's evaluation in ms and GFLOP/s, and its share of the step's rate. */
export function benchEvaluation(
  backends: readonly { label: string; kernels: Kernels }[],
  test: LabelledImages,
  steps: Map<string, StepRate>,
  repetitions: number,
): void {
  const runs = backends.flatMap((b) =>
    MODELS.map((model) => {
      const network = new Network(b.kernels, model, EVAL_CHUNK_ROWS);
      network.initialize({ scheme: 'he', std: 0.1 }, Rng.fromSeed(42), 42);
      const flop = 2 * test.count * model.layers.slice(1).reduce((s, n, i) => s + n * model.layers[i]!, 0);
      return {
        label: b.label,
        model: model.name,
        network,
        input: new InputRows(b.kernels, EVAL_CHUNK_ROWS, test.features),
        flop,
        wall: Infinity,
        cpu: Infinity,
      };
    }),
  );
  for (let rep = 0; rep < repetitions; rep++) {
    for (const run of runs) {
      if (run.label === 'js' && rep >= JS_REPETITIONS) continue;
      const started = performance.now();
      const cpu = cpuNow();
      evaluateSet(run.network, test, run.input);
      run.cpu = Math.min(run.cpu, cpuNow() - cpu);
      run.wall = Math.min(run.wall, (performance.now() - started) / 1000);
    }
  }
  console.log(`\nEvaluation of the ${test.count.toLocaleString('en')} test images against the step's products: GFLOP/s of the products, wall / CPU`);
  console.log(`(best of ${repetitions}, js ${JS_REPETITIONS}; chunks of ${EVAL_CHUNK_ROWS} rows, one thread; relu = [784,128,64,10], M1 = [784,10];`);
  console.log("dense GFLOP: the multiply-adds by zero pixels that native and wasm skip count as done, so a rate may pass the step's)\n");
  const pair = (a: string, b: string, width: number): string => `${a} / ${b}`.padStart(width);
  const columns = MODELS.flatMap((m) => [`${m.name} ms`, `${m.name} GFLOP/s`, `${m.name} % step`]);
  console.log(['backend'.padEnd(10), 'step GFLOP/s'.padStart(13), ...columns.map((c) => c.padStart(15))].join(' '));
  for (const b of backends) {
    const step = steps.get(b.label)!;
    const cells = MODELS.flatMap((m) => {
      const run = runs.find((r) => r.label === b.label && r.model === m.name)!;
      const rate = { wall: run.flop / run.wall / 1e9, cpu: run.flop / run.cpu / 1e9 };
      return [
        pair((run.wall * 1000).toFixed(1), (run.cpu * 1000).toFixed(1), 15),
        pair(rate.wall.toFixed(1), rate.cpu.toFixed(1), 15),
        pair(`${((100 * rate.wall) / step.wall).toFixed(0)}%`, `${((100 * rate.cpu) / step.cpu).toFixed(0)}%`, 15),
      ];
    });
    console.log([b.label.padEnd(10), pair(step.wall.toFixed(1), step.cpu.toFixed(1), 13), ...cells].join(' '));
  }
}
