// Compiles wasm/assembly/kernels.ts into the two committed modules:
//   build/kernels-simd.wasm     f32x4 SIMD (every engine with wasm SIMD: Node ≥ 16.4)
//   build/kernels-relaxed.wasm  + relaxed SIMD FMA (Node 20 behind --experimental-wasm-relaxed-simd)
// Usage: node wasm/build.mjs [outDir]   (test/e2e/backends/wasm-build.test.ts rebuilds into a temporary
// folder and checks the bytes equal the committed ones.)
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] ?? join(here, 'build'));
mkdirSync(outDir, { recursive: true });

const common = [
  join(here, 'assembly/kernels.ts'),
  '--runtime',
  'stub',
  '-O3',
  '--noAssert',
  '--converge',
  '--enable',
  'simd',
  '--enable',
  'threads',
  // Memory comes from JS as a shared WebAssembly.Memory, so views survive memory.grow.
  '--importMemory',
  '--sharedMemory',
  '--initialMemory',
  '1',
  '--maximumMemory',
  '65536',
];

for (const [name, extra] of [
  ['kernels-simd.wasm', []],
  ['kernels-relaxed.wasm', ['--enable', 'relaxed-simd']],
]) {
  const { error, stderr } = await asc.main([...common, ...extra, '--outFile', join(outDir, name)]);
  if (error) {
    console.error(stderr.toString());
    throw error;
  }
}
