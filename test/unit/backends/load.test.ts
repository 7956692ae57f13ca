import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadKernels, wasmVariant } from '../../../src/backends/load.ts';
import { referenceKernels } from '../../../src/core/kernels/reference.ts';
import { underCI } from '../../support/requires.ts';

const addonBuilt = existsSync(new URL('../../../native/build/Release/mlp_kernels.node', import.meta.url));

describe('loadKernels', () => {
  it('js is the reference kernels', async () => {
    expect(await loadKernels('js')).toEqual({ kernels: referenceKernels, note: null });
  });

  it('wasm loads, with relaxed-SIMD FMA where the engine accepts it', async () => {
    const { kernels, note } = await loadKernels('wasm');
    expect(kernels.name).toBe('wasm');
    expect(note).toBeNull();
    expect(['relaxed-simd', 'simd']).toContain(wasmVariant);
  });

  it('each wasm load gets its own memory', async () => {
    const a = (await loadKernels('wasm')).kernels.alloc(4);
    const b = (await loadKernels('wasm')).kernels.alloc(4);
    expect(a.buffer).not.toBe(b.buffer);
  });

  it('auto picks native when the addon is built, else wasm with a one-line note', async () => {
    if (underCI) expect(addonBuilt, 'CI must build the native addon').toBe(true);
    const { kernels, note } = await loadKernels('auto');
    if (addonBuilt) {
      expect(kernels.name).toBe('native');
      expect(note).toBeNull();
    } else {
      expect(kernels.name).toBe('wasm');
      expect(note).toMatch(/^native addon .*; using wasm$/);
      expect(note).not.toContain('\n');
    }
  });

  it('an explicit native choice that cannot load throws why', async () => {
    if (addonBuilt) return expect((await loadKernels('native')).kernels.name).toBe('native');
    await expect(loadKernels('native')).rejects.toThrow(/native addon not built/);
  });

  it('without the addon, auto falls back to wasm with a one-line note, and native throws why', async () => {
    const addonPath = new URL('file:///nonexistent/build/Release/mlp_kernels.node');
    const { kernels, note } = await loadKernels('auto', { addonPath });
    expect(kernels.name).toBe('wasm');
    expect(note).toBe('native addon not built (run npm install, or node native/build.mjs); using wasm');
    await expect(loadKernels('native', { addonPath })).rejects.toThrow('native addon not built');
  });

  it('names the reason native/build.mjs recorded when the build failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlp-native-'));
    try {
      mkdirSync(join(dir, 'build'));
      writeFileSync(join(dir, 'build/status.json'), JSON.stringify({ ok: false, reason: 'no C++ compiler or make' }));
      const addonPath = pathToFileURL(join(dir, 'build/Release/mlp_kernels.node'));
      expect((await loadKernels('auto', { addonPath })).note).toBe('native addon not built (no C++ compiler or make); using wasm');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown choice', async () => {
    await expect(loadKernels('cuda' as 'js')).rejects.toThrow(/unknown backend 'cuda'/);
  });
});
