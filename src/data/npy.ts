import { DataFileError } from './data-file-error.ts';

/**
 * The .npy format (numpy's `np.save`; numpy.lib.format): the magic `\x93NUMPY`, a major and a minor
 * version byte, the header's length (uint16 little-endian in version 1, uint32 in 2 and 3), the
 * header (a Python dict literal, `{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }`,
 * latin-1 in versions 1 and 2, UTF-8 in 3), then the values in that dtype, C order when
 * `fortran_order` is False.
 */
export interface NpyHeader {
  /** e.g. `<f4`, `|u1`, `<i8`. */
  descr: string;
  kind: 'f' | 'u' | 'i';
  itemSize: number;
  littleEndian: boolean;
  shape: number[];
  /** Byte offset of the first value. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Reads and checks a .npy header, and that the file holds exactly the values it declares. Throws DataFileError naming `file`. */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length === 0) throw new DataFileError(file, 'the file is empty; expected a .npy file (numpy.save)');
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const hint = bytes[0] === 0x50 && bytes[1] === 0x4b ? ' (it is a zip archive: an .npz holds several arrays; save each with numpy.save)' : '';
    throw new DataFileError(file, `not a .npy file: it does not start with \\x93NUMPY${hint}`);
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new DataFileError(file, `unknown .npy format version ${major}.${bytes[7]}; versions 1, 2 and 3 are read`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new DataFileError(file, 'truncated header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (bytes.length < dataOffset)
    throw new DataFileError(file, `truncated header: it declares ${headerLength} bytes, the file has ${bytes.length - 8 - lengthBytes} after the length`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataOffset));
  const dict = parseHeaderDict(text, file);

  const match = /^([<>|=])([fuiObSUVMmc])(\d*)$/.exec(dict.descr);
  if (!match) throw new DataFileError(file, `unsupported dtype ${dict.descr}; features are float32, float64 or uint8, labels integers`);
  const [, order, kind, size] = match;
  if (kind === 'O')
    throw new DataFileError(
      file,
      'an object array (dtype O) holds Python objects, not numbers',
      null,
      null,
      'convert it first, e.g. np.save(f, a.astype(np.float32))',
    );
  if (kind !== 'f' && kind !== 'u' && kind !== 'i')
    throw new DataFileError(file, `unsupported dtype ${dict.descr}; features are float32, float64 or uint8, labels integers`);
  const itemSize = Number(size);
  if (!(kind === 'f' ? [4, 8] : [1, 2, 4, 8]).includes(itemSize)) throw new DataFileError(file, `unsupported dtype ${dict.descr}`);
  if (dict.fortranOrder && dict.shape.length > 1) {
    throw new DataFileError(
      file,
      'the array is in Fortran (column-major) order; rows must be contiguous (C order)',
      null,
      null,
      'save np.ascontiguousarray(a) instead',
    );
  }
  const count = dict.shape.reduce((a, b) => a * b, 1);
  const expected = dataOffset + count * itemSize;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'too long';
    throw new DataFileError(file, `${what}: shape (${dict.shape.join(', ')}) of ${dict.descr} needs ${expected} bytes, the file has ${bytes.length}`);
  }
  return { descr: dict.descr, kind, itemSize, littleEndian: order !== '>', shape: dict.shape, dataOffset };
}

function parseHeaderDict(text: string, file: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const body = text.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) throw new DataFileError(file, 'the header is not a Python dict literal');
  if (/'descr'\s*:\s*\[/.test(body))
    throw new DataFileError(
      file,
      'a structured array (a dtype with fields) is not a matrix of numbers',
      null,
      null,
      'save the numeric fields as one plain array',
    );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(body)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(body)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(body)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataFileError(file, 'the header lacks one of descr, fortran_order and shape');
  }
  const parts = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const shape = parts.map((part) => {
    const dim = /^(\d+)L?$/.exec(part);
    if (!dim || !Number.isSafeInteger(Number(dim[1]))) throw new DataFileError(file, `the header's shape (${shapeText}) is not a tuple of sizes`);
    return Number(dim[1]);
  });
  return { descr, fortranOrder: fortran === 'True', shape };
}

/**
 * Features as the core takes them, in shared memory: uint8 stays bytes (scaled to [0, 1] by 1/255
 * as they are gathered, like IDX pixels), float32 and float64 become float32. Needs rank ≥ 2
 * (rows, features…); throws DataFileError otherwise.
 */
export function npyFeatures(bytes: Uint8Array, file: string): { shape: number[]; values: Uint8Array | Float32Array } {
  const header = parseNpyHeader(bytes, file);
  const { shape, kind, itemSize, dataOffset, littleEndian } = header;
  if (shape.length < 2)
    throw new DataFileError(
      file,
      `features need at least 2 dimensions (rows, features…), the shape is (${shape.join(', ')})`,
      null,
      null,
      'a single feature is a column: np.save(f, x.reshape(-1, 1))',
    );
  const count = shape.reduce((a, b) => a * b, 1);
  if (kind === 'u' && itemSize === 1) {
    const values = new Uint8Array(new SharedArrayBuffer(count));
    values.set(bytes.subarray(dataOffset, dataOffset + count));
    return { shape, values };
  }
  if (kind !== 'f')
    throw new DataFileError(file, `features of dtype ${header.descr}; features are float32, float64 or uint8`, null, null, 'np.save(f, x.astype(np.float32))');
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, count * itemSize);
  const values = new Float32Array(new SharedArrayBuffer(count * 4));
  for (let i = 0; i < count; i++) {
    const x = itemSize === 4 ? view.getFloat32(4 * i, littleEndian) : view.getFloat64(8 * i, littleEndian);
    if (!Number.isFinite(x))
      throw new DataFileError(file, `value ${x} at index ${i} (row ${Math.floor(i / (count / shape[0]!))}): features must be finite numbers`);
    values[i] = x;
  }
  return { shape, values };
}

/** Labels: one integer class index from 0 to 255 per row, shape (rows,). Throws DataFileError otherwise. */
export function npyLabels(bytes: Uint8Array, file: string): Uint8Array {
  const header = parseNpyHeader(bytes, file);
  const { shape, kind, itemSize, dataOffset, littleEndian } = header;
  if (shape.length !== 1)
    throw new DataFileError(file, `labels need 1 dimension (rows,), the shape is (${shape.join(', ')})`, null, null, 'np.save(f, y.ravel())');
  if (kind === 'f')
    throw new DataFileError(file, `labels of dtype ${header.descr}; labels are integer class indices`, null, null, 'np.save(f, y.astype(np.int64))');
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, shape[0]! * itemSize);
  const labels = new Uint8Array(new SharedArrayBuffer(shape[0]!));
  for (let i = 0; i < shape[0]!; i++) {
    const label = readInteger(view, i, kind, itemSize, littleEndian);
    if (label < 0 || label > 255) throw new DataFileError(file, `label ${label} at index ${i} is not a class index from 0 to 255`);
    labels[i] = label;
  }
  return labels;
}

function readInteger(view: DataView, i: number, kind: 'u' | 'i', size: number, little: boolean): number {
  switch (size) {
    case 1:
      return kind === 'u' ? view.getUint8(i) : view.getInt8(i);
    case 2:
      return kind === 'u' ? view.getUint16(2 * i, little) : view.getInt16(2 * i, little);
    case 4:
      return kind === 'u' ? view.getUint32(4 * i, little) : view.getInt32(4 * i, little);
    default:
      return Number(kind === 'u' ? view.getBigUint64(8 * i, little) : view.getBigInt64(8 * i, little));
  }
}

/** Serialises a C-order .npy file, version 1 (for tests and for users preparing data without numpy). */
export function encodeNpy(descr: string, shape: readonly number[], data: Uint8Array): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = `${dict + ' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC);
  out[6] = 1;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}
