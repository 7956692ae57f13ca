import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const loadUrl = new URL('../../../src/backends/load.ts', import.meta.url).href;

// The worker entry is plain JS that registers tsx itself, so it can import the TS sources.
const ENTRY = new URL('./fixtures/load-worker.mjs', import.meta.url);

function inWorker(choices: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { loadUrl, choices } });
    worker.once('message', (message) => {
      void worker.terminate();
      resolve(message);
    });
    worker.once('error', reject);
  });
}

describe('loading in worker threads', () => {
  it('two workers each load their own wasm instance (and native/auto where built) and compute', async () => {
    const choices = ['wasm', 'auto', 'js'];
    const [a, b] = await Promise.all([inWorker(choices), inWorker(choices)]);
    for (const result of [a, b]) {
      expect(result).not.toHaveProperty('error');
      for (const r of result as { C: number[] }[]) expect(r.C).toEqual([7, 10, 15, 22]);
    }
  });
});
