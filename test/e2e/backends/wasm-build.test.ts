import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;

describe('committed wasm modules', () => {
  it('are exactly what wasm/build.mjs builds from wasm/assembly/kernels.ts', () => {
    const out = mkdtempSync(join(tmpdir(), 'mlp-wasm-'));
    try {
      execFileSync(process.execPath, [join(root, 'wasm/build.mjs'), out], { stdio: 'pipe' });
      for (const name of ['kernels-simd.wasm', 'kernels-relaxed.wasm']) {
        const built = readFileSync(join(out, name));
        const committed = readFileSync(join(root, 'wasm/build', name));
        expect(built.equals(committed), `${name} differs from a fresh build: run npm run build:wasm and commit`).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
