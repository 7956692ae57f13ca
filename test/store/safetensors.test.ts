import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/store/safetensors.ts';

const tensors = [
  { name: 'W1', shape: [3, 2], data: Float32Array.of(1, -2, 3.5, 0, 1e-8, -1e30) },
  { name: 'b1', shape: [2], data: Float32Array.of(0.25, -0.5) },
];

function hasNumpy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('safetensors', () => {
  it('round-trips tensors, their order and metadata', () => {
    const bytes = encodeSafetensors(tensors, { layers: '[3, 2]' });
    const { tensors: back, metadata } = decodeSafetensors(bytes);
    expect(back).toEqual(tensors);
    expect(metadata).toEqual({ layers: '[3, 2]' });
  });

  it.each<Record<string, string>>([{}, { note: 'W is n_in × n_out' }, { a: 'é', b: '≥' }])('aligns the data to 8 bytes, as the reference writer does (metadata %j)', (metadata) => {
    const bytes = encodeSafetensors(tensors, metadata);
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    expect(decodeSafetensors(bytes).metadata).toEqual(metadata);
  });

  it('rejects a tensor whose data does not fill its shape', () => {
    expect(() => encodeSafetensors([{ name: 'W', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/shape \[2,2\] needs 4 values, got 3/);
  });

  it.runIf(hasNumpy())('is read by an independent reader (numpy, parsing the documented layout)', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mlp-lab-st-')), 'w.safetensors');
    writeFileSync(file, encodeSafetensors(tensors));
    const script = `
import json, struct, sys, numpy as np
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
for k, v in h.items():
    s, e = v['data_offsets']
    a = np.frombuffer(b[8 + n + s:8 + n + e], dtype='<f4').reshape(v['shape'])
    print(k, a.shape, a.sum().item())`;
    const out = execFileSync('python3', ['-c', script, file], { encoding: 'utf8' });
    expect(out).toContain('W1 (3, 2)');
    expect(out).toContain('b1 (2,) -0.25');
  });
});
