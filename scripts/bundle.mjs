// Bundles the compiled program (dist/, from tsc) into dist/bundle/, which bin/mlp-lab.js starts.
//
// Why: `mlp-lab run` resolved, read and compiled more than 500 ES modules (vega and d3 alone ~250, TypeBox
// 200) before its first run could start: 0.85 s of one core on every invocation. As a handful of
// files the same code loads in about a third of that. Each command stays its own chunk, loaded
// only when that command runs, as before.
//
// Every output file sits two levels below the package, like dist/<folder>/<module>.js, so the
// paths the modules compute from import.meta.url (`../../package.json`, `../core/`,
// `../run/worker-process.js`, the kernels) resolve to the same files bundled or not. The worker
// processes run dist/run/worker-process.js unbundled: it loads only the numeric core (~35 ms).
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true }); // chunk names change with their content
const { metafile } = await build({
  entryPoints: { main: 'dist/cli/main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: '[name]-[hash]',
  // Native code and packages that read their own files at run time stay where npm put them.
  external: ['@resvg/resvg-js', 'bullmq', 'ioredis'],
  // Bundled CommonJS packages call require() for Node's built-ins; an ES module has none.
  banner: { js: "import { createRequire as __mlpLabRequire } from 'node:module'; const require = __mlpLabRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'linked',
  metafile: true,
});
// Which modules each output file holds: test/e2e/cli/startup.test.ts checks what a command loads by it.
writeFileSync('dist/bundle/meta.json', JSON.stringify(metafile));
