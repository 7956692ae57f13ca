import type { it } from 'vitest';
import { loadNativeAddon, loadWasmKernels } from '../../../src/backends/load.ts';
import type { Kernels } from '../../../src/core/kernels/kernels.ts';
import { createNativeKernels } from '../../../src/core/kernels/native.ts';
import { referenceKernels } from '../../../src/core/kernels/reference.ts';
import { requires } from '../../support/requires.ts';

/** One backend (or ISA variant of one) under test; `kernels` null with the reason when unavailable. */
export interface BackendCase {
  label: string;
  kernels: Kernels | null;
  skipReason: string | null;
}

/**
 * Every backend the test run can exercise, the same list for every kernel and training test:
 * js, wasm (relaxed-SIMD when the engine has it), wasm with plain SIMD, native (best ISA for this
 * CPU), and the addon's other paths this CPU can run (AVX-512 or AVX2, whichever is not the best; portable). An addon that does not load is a case
 * without kernels that carries the error (its tests are skipped locally and fail under CI).
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
    for (const variant of [addon.variants.avx512, addon.variants.avx2, addon.variants.generic]) {
      if (variant && variant.isa !== addon.isa) {
        cases.push({ label: `native (${variant.isa})`, kernels: createNativeKernels(variant), skipReason: null });
      }
    }
  } catch (error) {
    cases.push({ label: 'native', kernels: null, skipReason: (error as Error).message });
  }
  return cases;
}

/** The kernels of a case whose tests run (itFor skips them when the backend is unavailable). */
export function kernelsOf(c: BackendCase): Kernels {
  if (!c.kernels) throw new Error(`${c.label} is unavailable: ${c.skipReason}`);
  return c.kernels;
}

/** `it` for a case's tests: skipped locally when the backend is unavailable, a failure under CI (which must build it). */
export function itFor(c: BackendCase): typeof it {
  return requires(`the ${c.label} kernels`, c.kernels ? null : c.skipReason).it;
}
