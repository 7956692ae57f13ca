import { it } from 'vitest';
import { loadNativeAddon, loadWasmKernels } from '../../src/backends/load.ts';
import type { Kernels } from '../../src/core/kernels/kernels.ts';
import { createNativeKernels } from '../../src/core/kernels/native.ts';
import { referenceKernels } from '../../src/core/kernels/reference.ts';

/** One backend (or ISA variant of one) under test; `kernels` null with the reason when unavailable. */
export interface BackendCase {
  label: string;
  kernels: Kernels | null;
  skipReason: string | null;
}

/**
 * Every backend the test run can exercise, the same list for every kernel and training test:
 * js, wasm (relaxed-SIMD when the engine has it), wasm with plain SIMD, native (best ISA for this
 * CPU), and the addon's other paths this CPU can run (AVX2 when the best is AVX-512, portable). When CI is set, an addon that does not load is a
 * failure (CI must build it), so the native cases carry the error and the tests rethrow it.
 */
export async function backendCases(): Promise<BackendCase[]> {
  const cases: BackendCase[] = [
    { label: 'js', kernels: referenceKernels, skipReason: null },
    { label: 'wasm', kernels: await loadWasmKernels(), skipReason: null },
    { label: 'wasm (plain simd)', kernels: await loadWasmKernels('simd'), skipReason: null },
  ];
  try {
    const addon = loadNativeAddon();
    cases.push({ label: `native (${addon.isa})`, kernels: createNativeKernels(addon), skipReason: null });
    for (const variant of [addon.variants.avx2, addon.variants.generic]) {
      if (variant && variant.isa !== addon.isa) {
        cases.push({ label: `native (${variant.isa})`, kernels: createNativeKernels(variant), skipReason: null });
      }
    }
  } catch (error) {
    cases.push({ label: 'native', kernels: null, skipReason: (error as Error).message });
  }
  return cases;
}

/**
 * The kernels of a case, or null when the test should be skipped. Throws when CI is set and the
 * backend is missing, so that a CI without a built addon fails instead of skipping.
 */
export function kernelsOrSkip(c: BackendCase): Kernels | null {
  if (c.kernels) return c.kernels;
  if (process.env.CI) throw new Error(`CI is set but ${c.label} is unavailable: ${c.skipReason}`);
  return null;
}

/**
 * `it` for a case's tests: `it.skip` (with one warning naming the reason) when the backend is
 * unavailable and CI is not set; plain `it` otherwise, whose kernelsOrSkip then fails under CI.
 */
export function itFor(c: BackendCase): ReturnType<typeof it.skipIf> {
  const skip = !c.kernels && !process.env.CI;
  if (skip) console.warn(`skipping ${c.label} tests: ${c.skipReason}`);
  return it.skipIf(skip);
}
