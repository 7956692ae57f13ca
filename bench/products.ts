/**
 * `npm run bench`, the products of one training step: GFLOP/s of the eight products of a
 * [784, 128, 64, 10] step at batch 30 per backend, against numpy's on one thread and its 1024³
 * sgemm as the practical peak. Each product runs for at least 0.1 s (js 0.15 s), best of 3 runs
 * interleaved across backends. Beside the wall-clock table, the step's rate by CPU time is kept for
 * the evaluation table (bench/evaluation.ts), whose ratio to it is then taken on one clock.
 */
import type { Kernels } from '../src/core/kernels/kernels.ts';
import { Rng } from '../src/core/rng.ts';

/** The eight products of one step (m, n, k as in the Kernels interface). */
export const PRODUCTS: { kind: 'gemm' | 'gemmNT' | 'gemmTN'; m: number; n: number; k: number; what: string }[] = [
  { kind: 'gemm', m: 30, n: 128, k: 784, what: 'fwd L1 X·W1' },
  { kind: 'gemm', m: 30, n: 64, k: 128, what: 'fwd L2' },
  { kind: 'gemm', m: 30, n: 10, k: 64, what: 'fwd L3' },
  { kind: 'gemmTN', m: 64, n: 10, k: 30, what: 'dW3 = A2ᵀ·dZ3' },
  { kind: 'gemmNT', m: 30, n: 64, k: 10, what: 'dA2 = dZ3·W3ᵀ' },
  { kind: 'gemmTN', m: 128, n: 64, k: 30, what: 'dW2' },
  { kind: 'gemmNT', m: 30, n: 128, k: 64, what: 'dA1' },
  { kind: 'gemmTN', m: 784, n: 128, k: 30, what: 'dW1 = Xᵀ·dZ1' },
];

/** A step's rate in GFLOP/s, by wall-clock and by CPU time. */
export interface StepRate {
  wall: number;
  cpu: number;
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** GFLOP/s of one product shape over at least `seconds`, by wall-clock and by CPU time. */
function productGflops(kernels: Kernels, p: (typeof PRODUCTS)[number], seconds: number): StepRate {
  const rng = Rng.fromSeed(p.m * 7 + p.n);
  const fill = (length: number): Float32Array => {
    const a = kernels.alloc(length);
    for (let i = 0; i < length; i++) a[i] = rng.uniform() - 0.5;
    return a;
  };
  const A = fill(p.m * p.k);
  const B = fill(p.k * p.n);
  const C = kernels.alloc(p.m * p.n);
  const run = kernels[p.kind].bind(kernels);
  run(p.m, p.n, p.k, A, B, C);
  let reps = 0;
  const started = performance.now();
  const cpu = cpuNow();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    for (let i = 0; i < 20; i++) run(p.m, p.n, p.k, A, B, C);
    reps += 20;
    elapsed = performance.now() - started;
  }
  const flop = 2 * p.m * p.n * p.k * reps;
  return { wall: flop / (elapsed / 1000) / 1e9, cpu: flop / (cpuNow() - cpu) / 1e9 };
}

const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

/** Prints the products table; returns each backend's step rate (all eight as one step). */
export function benchProducts(
  backends: readonly { label: string; kernels: Kernels }[],
  numpy: { products: number[]; peakGflops: number } | null,
): Map<string, StepRate> {
  const best = new Map(backends.map((b) => [b.label, PRODUCTS.map(() => ({ wall: 0, cpu: 0 }))]));
  for (let rep = 0; rep < 3; rep++) {
    PRODUCTS.forEach((p, i) => {
      for (const b of backends) {
        const g = productGflops(b.kernels, p, b.label === 'js' ? 0.15 : 0.1);
        const row = best.get(b.label)!;
        row[i] = { wall: Math.max(row[i]!.wall, g.wall), cpu: Math.max(row[i]!.cpu, g.cpu) };
      }
    });
  }
  const peak = numpy?.peakGflops ?? NaN;
  const peakNote = numpy ? `practical peak = numpy 1024³ sgemm, 1 thread: ${peak.toFixed(1)} GFLOP/s` : 'numpy not run';
  console.log(`\nProducts of one training step, GFLOP/s (best of 3 runs of ≥0.1 s); ${peakNote}\n`);
  console.log(`${pad('product', 8)} ${pad('m×n×k', 12)} ${pad('', 15)}${backends.map((b) => lpad(b.label, 8)).join(' ')}${numpy ? lpad('numpy', 8) : ''}`);
  const flops = PRODUCTS.map((p) => 2 * p.m * p.n * p.k);
  PRODUCTS.forEach((p, i) => {
    console.log(
      `${pad(p.kind, 8)} ${pad(`${p.m}×${p.n}×${p.k}`, 12)} ${pad(p.what, 15)}` +
        backends.map((b) => lpad(best.get(b.label)![i]!.wall.toFixed(1), 8)).join(' ') +
        (numpy ? lpad(numpy.products[i]!.toFixed(1), 8) : ''),
    );
  });
  // All eight as one step: total FLOPs over the sum of their times.
  const step = (rates: number[]): number => flops.reduce((s, f) => s + f, 0) / flops.reduce((s, f, i) => s + f / rates[i]!, 0);
  const steps = new Map(
    backends.map((b) => {
      const row = best.get(b.label)!;
      return [b.label, { wall: step(row.map((r) => r.wall)), cpu: step(row.map((r) => r.cpu)) }];
    }),
  );
  console.log(
    `${pad('all 8', 8)} ${pad('(one step)', 12)} ${pad('', 15)}` +
      backends.map((b) => lpad(steps.get(b.label)!.wall.toFixed(1), 8)).join(' ') +
      (numpy ? lpad(step(numpy.products).toFixed(1), 8) : ''),
  );
  if (!numpy) return steps;
  console.log(
    `${pad('% peak', 8)} ${pad('', 12)} ${pad('', 15)}` +
      backends.map((b) => lpad(`${((100 * steps.get(b.label)!.wall) / peak).toFixed(0)}%`, 8)).join(' ') +
      lpad(`${((100 * step(numpy.products)) / peak).toFixed(0)}%`, 8),
  );
  return steps;
}
