import { createHash } from 'node:crypto';
import type { TrainState } from '../core/train.ts';

/**
 * A mid-run checkpoint as bytes, and back: the core's TrainState plus what decides whether it may
 * be trusted (the run, the mlp-lab version and the exact kernels that computed it). Files are
 * written elsewhere (checkpoint-files.ts); this module is pure so that other transports (a queue
 * handing a run to another worker) can reuse the format.
 *
 * Layout: the 8-byte magic `MLPCKPT1`, a little-endian uint32 header length, the header (UTF-8
 * JSON), the arrays' raw little-endian bytes one after the other (each 4-byte aligned), and the
 * sha256 of everything before it, so that a truncated or altered file is detected, not trusted.
 */

const MAGIC = 'MLPCKPT1';
const DIGEST_BYTES = 32;

/** Where a checkpoint came from: a result continued from it is bit-identical only if all of these match. */
export interface CheckpointOrigin {
  runId: string;
  mlpLabVersion: string;
  /** The kernels that computed it, e.g. `native avx512f (V8 11.3)`; see kernelsIdentity. */
  kernels: string;
}

export interface Checkpoint {
  origin: CheckpointOrigin;
  /** ISO time of writing; informative. */
  writtenAt: string;
  state: TrainState;
}

/** A checkpoint that cannot be read (truncated, corrupt, another format). */
export class CheckpointError extends Error {}

interface Blob {
  kind: 'f32' | 'u32';
  length: number;
}

/** Serialises a checkpoint. The arrays are copied; the input is not modified. */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const { state } = checkpoint;
  const arrays: (Float32Array | Uint32Array)[] = [state.order, ...state.parameters, ...state.optimizer.buffers, ...(state.earlyStopping?.bestParameters ?? [])];
  const header = {
    origin: checkpoint.origin,
    writtenAt: checkpoint.writtenAt,
    blobs: arrays.map((a): Blob => ({ kind: a instanceof Uint32Array ? 'u32' : 'f32', length: a.length })),
    counts: {
      parameters: state.parameters.length,
      optimizer: state.optimizer.buffers.length,
      best: state.earlyStopping?.bestParameters.length ?? 0,
    },
    state: {
      ...state,
      order: undefined,
      parameters: undefined,
      optimizer: { steps: state.optimizer.steps },
      earlyStopping: state.earlyStopping && { ...state.earlyStopping, bestParameters: undefined },
    },
  };
  const json = new TextEncoder().encode(JSON.stringify(header, (_, v: unknown) => encodeNumber(v)));
  const headerPadded = json.length + ((4 - (json.length % 4)) % 4);
  const body = arrays.reduce((sum, a) => sum + a.byteLength, 0);
  const out = new Uint8Array(12 + headerPadded + body + DIGEST_BYTES);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerPadded, true);
  out.fill(0x20, 12, 12 + headerPadded);
  out.set(json, 12);
  let offset = 12 + headerPadded;
  for (const a of arrays) {
    out.set(littleEndianBytes(a), offset);
    offset += a.byteLength;
  }
  out.set(createHash('sha256').update(out.subarray(0, offset)).digest(), offset);
  return out;
}

/** Reads a checkpoint written by encodeCheckpoint; throws CheckpointError if it is not intact. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < 12 + DIGEST_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new CheckpointError('not an mlp-lab checkpoint');
  }
  const end = bytes.length - DIGEST_BYTES;
  const digest = createHash('sha256').update(bytes.subarray(0, end)).digest();
  if (!digest.equals(bytes.subarray(end))) throw new CheckpointError('the checkpoint is damaged (its checksum does not match)');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  let header: {
    origin: CheckpointOrigin;
    writtenAt: string;
    blobs: Blob[];
    counts: { parameters: number; optimizer: number; best: number };
    state: Omit<TrainState, 'order' | 'parameters' | 'optimizer' | 'earlyStopping'> & {
      optimizer: { steps: number };
      earlyStopping: Omit<NonNullable<TrainState['earlyStopping']>, 'bestParameters'> | null;
    };
  };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)), (_, v: unknown) => decodeNumber(v));
  } catch (error) {
    throw new CheckpointError(`the checkpoint's header is not valid JSON: ${(error as Error).message}`);
  }
  let offset = 12 + headerLength;
  const arrays = header.blobs.map((blob) => {
    const byteLength = blob.length * 4;
    if (offset + byteLength > end) throw new CheckpointError('the checkpoint is shorter than its header says');
    const copy = bytes.slice(offset, offset + byteLength);
    offset += byteLength;
    return fromLittleEndian(copy, blob.kind);
  });
  const take = <T>(n: number) => arrays.splice(0, n) as T[];
  const [order] = take<Uint32Array>(1);
  const parameters = take<Float32Array>(header.counts.parameters);
  const buffers = take<Float32Array>(header.counts.optimizer);
  const best = take<Float32Array>(header.counts.best);
  if (!(order instanceof Uint32Array)) throw new CheckpointError('the checkpoint has no shuffled order');
  const s = header.state;
  return {
    origin: header.origin,
    writtenAt: header.writtenAt,
    state: {
      ...s,
      // Checkpoints from before dropout existed have no such generator: runs without dropout.
      dropoutRng: s.dropoutRng ?? null,
      order,
      parameters,
      optimizer: { steps: s.optimizer.steps, buffers },
      earlyStopping: s.earlyStopping && { ...s.earlyStopping, bestParameters: best },
    },
  };
}

// JSON has no NaN, ±Infinity or -0; the history and the cost sums may hold them.
function encodeNumber(value: unknown): unknown {
  if (typeof value !== 'number') return value;
  if (Number.isNaN(value)) return { $number: 'NaN' };
  if (value === Infinity) return { $number: 'Infinity' };
  if (value === -Infinity) return { $number: '-Infinity' };
  if (Object.is(value, -0)) return { $number: '-0' };
  return value;
}

function decodeNumber(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && '$number' in value) return Number((value as { $number: string }).$number);
  return value;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function littleEndianBytes(a: Float32Array | Uint32Array): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return LITTLE_ENDIAN ? bytes : swap32(bytes.slice());
}

function fromLittleEndian(bytes: Uint8Array, kind: Blob['kind']): Float32Array | Uint32Array {
  const own = LITTLE_ENDIAN ? bytes : swap32(bytes);
  return kind === 'f32' ? new Float32Array(own.buffer, own.byteOffset, own.length / 4) : new Uint32Array(own.buffer, own.byteOffset, own.length / 4);
}

function swap32(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i += 4) {
    [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]] = [bytes[i + 3]!, bytes[i + 2]!, bytes[i + 1]!, bytes[i]!];
  }
  return bytes;
}
