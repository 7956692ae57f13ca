/**
 * The IDX format, in which MNIST, Fashion-MNIST and KMNIST are distributed:
 * two zero bytes, a type byte, a dimension count byte, one big-endian uint32 per dimension,
 * then the values, big-endian, row-major.
 */

import { DataFileError } from './data-file-error.ts';

export { DataFileError };

const ELEMENT_TYPES = {
  0x08: { name: 'unsigned byte', size: 1 },
  0x09: { name: 'signed byte', size: 1 },
  0x0b: { name: 'short', size: 2 },
  0x0c: { name: 'int', size: 4 },
  0x0d: { name: 'float', size: 4 },
  0x0e: { name: 'double', size: 8 },
} as const;
type ElementCode = keyof typeof ELEMENT_TYPES;

export interface IdxHeader {
  /** The element type code (0x08 unsigned byte … 0x0e double). */
  type: number;
  dims: number[];
  /** Byte offset of the first value. */
  dataOffset: number;
}

export interface IdxArray {
  dims: number[];
  /** The values in file order, converted to numbers. */
  values: Uint8Array | Float64Array;
}

/**
 * Reads and checks the header of an IDX file: the magic number, the element type, the dimensions,
 * and that the file length is exactly header + values. Throws DataFileError naming `file`.
 */
export function parseIdxHeader(bytes: Uint8Array, file: string): IdxHeader {
  if (bytes.length === 0) throw new DataFileError(file, 'the file is empty; expected an IDX file');
  if (bytes.length < 4) throw new DataFileError(file, `the file is only ${bytes.length} bytes, too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (it is gzip-compressed: gunzip it first)' : '';
    throw new DataFileError(file, `wrong magic number: an IDX file starts with two zero bytes${hint}`);
  }
  const type = bytes[2]!;
  const element = ELEMENT_TYPES[type as ElementCode];
  if (element === undefined) {
    throw new DataFileError(file, `unknown IDX element type 0x${type.toString(16).padStart(2, '0')}`);
  }
  const rank = bytes[3]!;
  if (rank === 0) throw new DataFileError(file, 'the IDX header declares 0 dimensions');
  const dataOffset = 4 + 4 * rank;
  if (bytes.length < dataOffset) {
    throw new DataFileError(file, `truncated header: ${rank} dimensions need ${dataOffset} bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dataOffset + dims.reduce((a, b) => a * b, 1) * element.size;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'too long';
    throw new DataFileError(file, `${what}: dimensions [${dims.join(', ')}] of ${element.name} need ${expected} bytes, the file has ${bytes.length}`);
  }
  return { type, dims, dataOffset };
}

/** Parses a whole IDX file. Unsigned bytes stay a Uint8Array view (no copy); other types become float64. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const { type, dims, dataOffset } = parseIdxHeader(bytes, file);
  if (type === 0x08) return { dims, values: bytes.subarray(dataOffset) };
  const count = dims.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, bytes.byteLength - dataOffset);
  const read: (i: number) => number = {
    0x09: (i: number) => view.getInt8(i),
    0x0b: (i: number) => view.getInt16(2 * i, false),
    0x0c: (i: number) => view.getInt32(4 * i, false),
    0x0d: (i: number) => view.getFloat32(4 * i, false),
    0x0e: (i: number) => view.getFloat64(8 * i, false),
  }[type as 0x09 | 0x0b | 0x0c | 0x0d | 0x0e];
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = read(i);
  return { dims, values };
}

/** Serialises an unsigned-byte IDX file (for tests and for users preparing their own data). */
export function encodeIdxUint8(dims: readonly number[], values: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(values, header.length);
  return out;
}
