import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import { decodeSafetensors, encodeSafetensors } from '../../../src/store/safetensors.ts';
import { pythonWith } from '../../support/python.ts';
import { requires } from '../../support/requires.ts';
import { workspace } from '../../support/workspace.ts';

const tensors = [
  { name: 'W1', shape: [3, 2], data: Float32Array.of(1, -2, 3.5, 0, 1e-8, -1e30) },
  { name: 'b1', shape: [2], data: Float32Array.of(0.25, -0.5) },
];

const python = pythonWith(['numpy']);

describe('safetensors', () => {
  it('round-trips tensors, their order and metadata', () => {
    const bytes = encodeSafetensors(tensors, { layers: '[3, 2]' });
    const { tensors: back, metadata } = decodeSafetensors(bytes);
    expect(back).toEqual(tensors);
    expect(metadata).toEqual({ layers: '[3, 2]' });
  });

  it.each<Record<string, string>>([{}, { note: 'W is n_in × n_out' }, { a: 'é', b: '≥' }])(
    'aligns the data to 8 bytes, as the reference writer does (metadata %j)',
    (metadata) => {
      const bytes = encodeSafetensors(tensors, metadata);
      const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect((8 + headerLength) % 8).toBe(0);
      expect(decodeSafetensors(bytes).metadata).toEqual(metadata);
    },
  );

  it('rejects a tensor whose data does not fill its shape', () => {
    expect(() => encodeSafetensors([{ name: 'W', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/shape \[2,2\] needs 4 values, got 3/);
  });

  // Without numpy, skipped with the reason locally; under CI (which has it), a failure.
  const numpy = requires(
    'python3 with numpy',
    python !== null ? null : 'the safetensors files cannot be checked by an independent reader; Debian: apt-get install python3-numpy',
  );
  numpy.it('is read by an independent reader (numpy, parsing the documented layout): every tensor, every value, bit for bit', () => {
    const rng = Rng.fromSeed(5);
    const many = [
      ...tensors,
      { name: 'W2', shape: [784, 16], data: Float32Array.from({ length: 784 * 16 }, () => (rng.uniform() - 0.5) * 10 ** Math.floor(rng.uniform() * 10 - 5)) },
      { name: 'b2', shape: [16], data: Float32Array.of(-0, 1e-45, 1.17e-38, 3.4e38, -3.4e38, Infinity, -Infinity, 1, 2, 3, 4, 5, 6, 7, 8, 9) },
    ];
    const file = path.join(workspace('st').dir, 'w.safetensors');
    writeFileSync(file, encodeSafetensors(many, { layers: '[784, 16]', note: 'é' }));
    const script = `
import json, struct, sys, numpy as np
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
out = {'aligned': (8 + n) % 8 == 0, 'metadata': h.pop('__metadata__', None), 'tensors': []}
for k, v in sorted(h.items(), key=lambda kv: kv[1]['data_offsets'][0]):
    s, e = v['data_offsets']
    assert v['dtype'] == 'F32'
    a = np.frombuffer(b[8 + n + s:8 + n + e], dtype='<f4').reshape(v['shape'])
    out['tensors'].append({'name': k, 'shape': list(a.shape), 'bits': a.reshape(-1).view('<u4').tolist()})
print(json.dumps(out))`;
    const read = JSON.parse(execFileSync(python!, ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as {
      aligned: boolean;
      metadata: Record<string, string>;
      tensors: { name: string; shape: number[]; bits: number[] }[];
    };
    expect(read.aligned).toBe(true);
    expect(read.metadata).toEqual({ layers: '[784, 16]', note: 'é' });
    expect(read.tensors.map((t) => [t.name, t.shape])).toEqual(many.map((t) => [t.name, t.shape]));
    read.tensors.forEach((t, i) => expect(t.bits).toEqual([...new Uint32Array(many[i]!.data.buffer, many[i]!.data.byteOffset, many[i]!.data.length)]));
  });
});
