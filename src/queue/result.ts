import { Type } from '@sinclair/typebox';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { RunConfig } from '../experiment/index.ts';
import type { RunOutcome } from '../run/messages.ts';

/**
 * A finished run's outcome as it crosses Redis (the BullMQ job's return value): JSON, with
 * non-finite numbers spelled out (JSON would turn a diverged run's NaN cost into null) and the
 * weights as base64 float32 little-endian, so that the store receives exactly what the worker
 * computed. A run stopped at a pruner's rung has no weights but its checkpoint there, the state the
 * next rung goes on from. Bump RESULT_FORMAT when the shape changes.
 */
export const RESULT_FORMAT = 'mlp-lab/queue-result/3';

/** How JSON carries NaN and ±Infinity. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const NON_FINITE = '$nonfinite';

export interface EncodedResult {
  format: typeof RESULT_FORMAT;
  /** The worker that trained it (its --name), for the record. */
  worker: string;
  outcome: Json;
  /** At a rung: the run's checkpoint file there, base64; null otherwise. */
  checkpoint: string | null;
}

/** The outcome of a run (and at a rung, its checkpoint file's bytes), ready to return from a BullMQ processor. */
export function encodeResult(outcome: RunOutcome, worker: string, checkpoint: Uint8Array | null = null): EncodedResult {
  const weights = outcome.weights.map((w) => ({
    name: w.name,
    shape: w.shape,
    float32: Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).toString('base64'),
  }));
  return {
    format: RESULT_FORMAT,
    worker,
    outcome: toJson({ ...outcome, weights }),
    checkpoint: checkpoint === null ? null : Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength).toString('base64'),
  };
}

const NumberLike = Type.Union([
  Type.Number(),
  Type.Object({ [NON_FINITE]: Type.String({ enum: ['NaN', 'Infinity', '-Infinity'] }) }, { additionalProperties: false }),
]);
const NumberOrNull = Type.Union([NumberLike, Type.Null()]);
const ResultSchema = Type.Object(
  {
    format: Type.Literal(RESULT_FORMAT),
    worker: Type.String(),
    outcome: Type.Object(
      {
        status: Type.String({ enum: ['completed', 'early-stopped', 'diverged', 'stopped'] }),
        message: Type.Union([Type.String(), Type.Null()]),
        history: Type.Array(
          Type.Object(
            {
              iteration: Type.Integer(),
              epoch: Type.Integer(),
              trainCost: NumberLike,
              trainAccuracy: NumberLike,
              testCost: NumberLike,
              testAccuracy: NumberLike,
              validationCost: NumberOrNull,
              validationAccuracy: NumberOrNull,
              learningRate: Type.Number(),
              seconds: Type.Number(),
            },
            { additionalProperties: false },
          ),
        ),
        final: Type.Object(
          {
            trainCost: NumberLike,
            trainAccuracy: NumberLike,
            testCost: NumberLike,
            testAccuracy: NumberLike,
            validationCost: NumberOrNull,
            validationAccuracy: NumberOrNull,
          },
          { additionalProperties: false },
        ),
        iterations: Type.Integer({ minimum: 0 }),
        totalIterations: Type.Integer({ minimum: 0 }),
        epoch: Type.Integer({ minimum: 0 }),
        seconds: Type.Number({ minimum: 0 }),
        backend: Type.String({ enum: ['native', 'wasm', 'js'] }),
        backendNote: Type.Union([Type.String(), Type.Null()]),
        best: Type.Union([Type.Null(), Type.Object({ epoch: Type.Integer(), iteration: Type.Integer(), value: NumberLike }, { additionalProperties: false })]),
        resumedFrom: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
        checkpointNote: Type.Union([Type.String(), Type.Null()]),
        checkpointed: Type.Boolean(),
        checkpointSeconds: Type.Number({ minimum: 0 }),
        checkpoints: Type.Integer({ minimum: 0 }),
        weights: Type.Array(
          Type.Object(
            {
              name: Type.String(),
              shape: Type.Array(Type.Integer({ minimum: 1 })),
              float32: Type.String({ contentEncoding: 'base64' }),
            },
            { additionalProperties: false },
          ),
        ),
        rung: Type.Optional(Type.Object({ epoch: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
    checkpoint: Type.Union([Type.String({ contentEncoding: 'base64' }), Type.Null()]),
  },
  { additionalProperties: false },
);

let compiled: ValidateFunction | null = null;

/**
 * The outcome a worker returned, checked (shape, and weights matching the run's layers; at a rung,
 * no weights but a checkpoint) before it goes into the store. Throws an Error saying what is wrong
 * with it.
 */
export function decodeResult(value: unknown, config: RunConfig): { outcome: RunOutcome; worker: string; checkpoint: Uint8Array | null } {
  compiled ??= new Ajv2020({ strict: true, allowUnionTypes: true }).compile(ResultSchema);
  if (!compiled(value)) {
    const first = compiled.errors?.[0];
    throw new Error(`malformed result from the queue: ${first ? `${first.instancePath || 'the result'} ${first.message}` : 'invalid'}`);
  }
  const encoded = value as EncodedResult;
  const plain = fromJson(encoded.outcome) as Omit<RunOutcome, 'weights'> & { weights: { name: string; shape: number[]; float32: string }[] };
  if (plain.rung || encoded.checkpoint !== null) {
    if (!plain.rung || encoded.checkpoint === null || plain.status !== 'stopped' || plain.weights.length > 0) {
      throw new Error('malformed result from the queue: a run at a rung is stopped there and comes with its checkpoint, not weights');
    }
    return { outcome: { ...plain, weights: [] }, worker: encoded.worker, checkpoint: new Uint8Array(Buffer.from(encoded.checkpoint, 'base64')) };
  }
  const expected = config.layers.slice(1).flatMap((nOut, i) => [
    { name: `W${i + 1}`, shape: [config.layers[i]!, nOut] },
    { name: `b${i + 1}`, shape: [nOut] },
  ]);
  const weights = plain.weights.map((w, i) => {
    const want = expected[i];
    const bytes = Buffer.from(w.float32, 'base64');
    const count = w.shape.reduce((a, b) => a * b, 1);
    if (!want || want.name !== w.name || want.shape.join() !== w.shape.join() || bytes.byteLength !== count * 4) {
      throw new Error(`malformed result from the queue: tensor ${w.name} [${w.shape.join(', ')}] does not fit layers [${config.layers.join(', ')}]`);
    }
    // Copy into a fresh, aligned buffer: the decoded bytes may sit at any offset of a pooled one.
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes);
    return { name: w.name, shape: w.shape, data };
  });
  if (weights.length !== expected.length)
    throw new Error(`malformed result from the queue: ${weights.length} tensors for layers [${config.layers.join(', ')}]`);
  return { outcome: { ...plain, weights }, worker: encoded.worker, checkpoint: null };
}

/** Plain data with every non-finite number replaced by `{ $nonfinite: 'NaN' }` (JSON has no NaN). */
export function toJson(value: unknown): Json {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { [NON_FINITE]: String(value) };
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toJson(v)]),
    );
  }
  return value as Json;
}

/** The inverse of toJson. */
export function fromJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === NON_FINITE) return Number(entries[0]![1]);
    return Object.fromEntries(entries.map(([k, v]) => [k, fromJson(v)]));
  }
  return value;
}
