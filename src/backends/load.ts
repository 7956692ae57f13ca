import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import type { BackendName, Kernels } from '../core/kernels/kernels.ts';
import { createNativeKernels, type NativeAddon } from '../core/kernels/native.ts';
import { referenceKernels } from '../core/kernels/reference.ts';
import { createWasmKernels, type WasmKernelExports, type WasmMemory } from '../core/kernels/wasm.ts';

/** `auto` picks the fastest backend that loads: native, then wasm, then js. */
export type BackendChoice = 'auto' | BackendName;

export interface LoadOptions {
  /** Where the native addon is (default: native/build/Release/mlp_kernels.node); for tests. */
  addonPath?: URL;
}

export interface LoadedKernels {
  kernels: Kernels;
  /** One line for the user when `auto` fell back from native (why, and what it uses); else null. */
  note: string | null;
}

const root = new URL('../../', import.meta.url);
const ADDON_PATH = new URL('native/build/Release/mlp_kernels.node', root);
const WASM_SIMD = new URL('wasm/build/kernels-simd.wasm', root);
const WASM_RELAXED = new URL('wasm/build/kernels-relaxed.wasm', root);

/**
 * Kernels for a backend choice. Cheap enough to call once per worker thread: the addon and the
 * compiled wasm module are cached per thread, and each call gets its own wasm memory.
 * An explicit choice that cannot load throws an Error saying why; `auto` never throws for a
 * missing fast backend, it returns the next one with a one-line `note`.
 */
export async function loadKernels(choice: BackendChoice, options: LoadOptions = {}): Promise<LoadedKernels> {
  const addonPath = options.addonPath ?? ADDON_PATH;
  switch (choice) {
    case 'js':
      return { kernels: referenceKernels, note: null };
    case 'wasm':
      return { kernels: await loadWasmKernels(), note: null };
    case 'native':
      return { kernels: createNativeKernels(loadNativeAddon(addonPath)), note: null };
    case 'auto': {
      let nativeProblem: string;
      try {
        return { kernels: createNativeKernels(loadNativeAddon(addonPath)), note: null };
      } catch (error) {
        nativeProblem = (error as Error).message;
      }
      try {
        return { kernels: await loadWasmKernels(), note: `${nativeProblem}; using wasm` };
      } catch (error) {
        return { kernels: referenceKernels, note: `${nativeProblem}; ${(error as Error).message}; using js` };
      }
    }
    default:
      throw new Error(`unknown backend '${String(choice)}' (expected auto, native, wasm or js)`);
  }
}

/**
 * What exactly computes with these kernels, for deciding whether a checkpoint continues
 * bit-identically: the backend, its instruction set or wasm module, and the JavaScript engine (the
 * reference kernels and the parts every backend takes from them use its Math functions).
 */
export function kernelsIdentity(kernels: Kernels, options: LoadOptions = {}): string {
  const detail =
    kernels.name === 'native' ? ` ${loadNativeAddon(options.addonPath ?? ADDON_PATH).isa}` : kernels.name === 'wasm' ? ` ${wasmVariant ?? 'simd'}` : '';
  return `${kernels.name}${detail} (V8 ${process.versions.v8})`;
}

/** The files of the loaded backend's compiled kernels (none for js), for the code fingerprint. */
export function kernelFiles(name: BackendName): URL[] {
  if (name === 'native') return [ADDON_PATH];
  if (name === 'wasm') return [wasmVariant === 'relaxed-simd' ? WASM_RELAXED : WASM_SIMD];
  return [];
}

const addons = new Map<string, NativeAddon>();

/**
 * The native addon (cached per thread), built by native/build.mjs during npm install.
 * Throws an Error saying why it is not there or does not load.
 */
export function loadNativeAddon(path: URL = ADDON_PATH): NativeAddon {
  const cached = addons.get(path.href);
  if (cached) return cached;
  if (!existsSync(path)) {
    let reason = 'not built';
    try {
      const status = JSON.parse(readFileSync(new URL('../status.json', path), 'utf8')) as { reason?: string | null };
      if (status.reason) reason = `not built (${status.reason})`;
    } catch {
      reason = 'not built (run npm install, or node native/build.mjs)';
    }
    throw new Error(`native addon ${reason}`);
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(fileURLToPath(path)) as NativeAddon;
  } catch (error) {
    throw new Error(`native addon failed to load: ${(error as Error).message.split('\n')[0]}`);
  }
  addons.set(path.href, addon);
  return addon;
}

/**
 * The native addon's file mapping (see NativeAddon.mapFile), or null where the addon does not load
 * or cannot map: data sets are then read into memory.
 */
export function fileMapper(path: URL = ADDON_PATH): ((file: string) => ArrayBuffer | null) | null {
  try {
    const addon = loadNativeAddon(path);
    return addon.mapFile ? (file) => addon.mapFile!(file) : null;
  } catch {
    return null;
  }
}

/** The slice of the WebAssembly global used here (the project's TS lib has no DOM/wasm types). */
interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<{ exports: object }>;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let wasmModule: Promise<WasmModule> | null = null;

/** Which wasm module this thread runs: with relaxed-SIMD FMA when the engine accepts it. */
export let wasmVariant: 'relaxed-simd' | 'simd' | null = null;

/**
 * Compiles (once per thread) the relaxed-SIMD module if this Node accepts it, else the plain
 * SIMD one. Node 20 has relaxed SIMD behind a V8 flag, which can be set at run time before the
 * first compile; V8 flags are process-wide, so worker threads see it too.
 */
function compileWasm(): Promise<WasmModule> {
  if (wasmModule) return wasmModule;
  const relaxed = readFileSync(WASM_RELAXED);
  if (!WebAssembly.validate(relaxed)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  if (WebAssembly.validate(relaxed)) {
    wasmVariant = 'relaxed-simd';
    wasmModule = WebAssembly.compile(relaxed);
    return wasmModule;
  }
  const simd = readFileSync(WASM_SIMD);
  if (!WebAssembly.validate(simd)) throw new Error('wasm unavailable: this engine has no WebAssembly SIMD');
  wasmVariant = 'simd';
  wasmModule = WebAssembly.compile(simd);
  return wasmModule;
}

/** A fresh instance of the wasm kernels with its own shared memory. */
export async function loadWasmKernels(variant?: 'relaxed-simd' | 'simd'): Promise<Kernels> {
  let module: WasmModule;
  try {
    module = variant === 'simd' ? await WebAssembly.compile(readFileSync(WASM_SIMD)) : await compileWasm();
  } catch (error) {
    wasmModule = null;
    throw new Error(`wasm kernels failed to load: ${(error as Error).message}`);
  }
  if (variant === 'relaxed-simd' && wasmVariant !== 'relaxed-simd') throw new Error('wasm relaxed SIMD unavailable in this engine');
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: wasmAbort } });
  return createWasmKernels(instance.exports as unknown as WasmKernelExports, memory);
}

function wasmAbort(): never {
  throw new Error('wasm kernels aborted');
}
