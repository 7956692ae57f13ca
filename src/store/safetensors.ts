/**
 * The safetensors format (the one PyTorch, numpy and JAX users load with `safetensors.numpy.load_file`):
 * an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, then the raw little-endian data. Only float32 tensors are written here.
 */

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Serialises tensors, in the order given, with optional string metadata. */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (expected !== t.data.length) throw new RangeError(`tensor ${t.name}: shape [${t.shape}] needs ${expected} values, got ${t.data.length}`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  // Pad the header with spaces so that the data starts 8-byte aligned, as the reference writer
  // does; the padding counts UTF-8 bytes, not characters (metadata may hold non-ASCII text).
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.length + ((8 - ((8 + json.length) % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(position + 4 * i, t.data[i]!, true);
    position += 4 * t.data.length;
  }
  return out;
}

/** Reads a safetensors file written by encodeSafetensors (float32 tensors). */
export function decodeSafetensors(bytes: Uint8Array): { tensors: NamedTensor[]; metadata: Record<string, string> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new RangeError('not a safetensors file: shorter than its 8-byte header length');
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new RangeError('not a safetensors file: header longer than the file');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  const { __metadata__: metadata = {}, ...entries } = header;
  const base = 8 + headerLength;
  const tensors = Object.entries(entries).map(([name, entry]) => {
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype !== 'F32') throw new RangeError(`tensor ${name}: dtype ${dtype} is not supported, only F32`);
    const data = new Float32Array((end - begin) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(base + begin + 4 * i, true);
    return { name, shape, data };
  });
  tensors.sort((a, b) => (entries[a.name] as { data_offsets: number[] }).data_offsets[0]! - (entries[b.name] as { data_offsets: number[] }).data_offsets[0]!);
  return { tensors, metadata: metadata as Record<string, string> };
}
