/**
 * What the products' zero skipping (docs/performance.md, "Zeros skipped, bit for bit") leaves of a
 * first layer's multiply-adds on a byte image set, computed from the images with the rules of the
 * kernels: tiles of `tileRows` rows keep the positions where any of their rows is non-zero, a tile
 * with fewer than an eighth of its positions zero runs dense, and so does a whole product (or
 * gemmBytes panel) whose first tile would. Shares in [0, 1] of the dense multiply-adds.
 */
import { Rng } from '../src/core/rng.ts';

/** Tile rows of the native AVX-512 and AVX2 products (native/src/kernels_avx*.cc); null for the other backends, whose rules differ. */
export function tileRowsOf(backend: string): number | null {
  if (/avx512/.test(backend)) return 10;
  if (/avx2/.test(backend)) return 6;
  return null;
}

const worth = (active: number, k: number): boolean => k >= 8 && active <= k - Math.floor(k / 8);

/** Active positions of the tile of rows rows[first .. first + count) of images (× k bytes each). */
function tileActive(images: Uint8Array, k: number, rows: number[], first: number, count: number): number {
  let active = 0;
  for (let p = 0; p < k; p++) {
    for (let r = first; r < first + count; r++) {
      if (images[rows[r]! * k + p] !== 0) {
        active++;
        break;
      }
    }
  }
  return active;
}

/** The share of gemm's multiply-adds over consecutive groups of `group` rows (a chunk's panel, a batch), tiles of tileRows. */
function forwardShare(images: Uint8Array, k: number, rows: number[], group: number, tileRows: number): number {
  let done = 0;
  for (let start = 0; start < rows.length; start += group) {
    const end = Math.min(start + group, rows.length);
    const tiles: number[] = [];
    for (let t = start; t < end; t += tileRows) tiles.push(tileActive(images, k, rows, t, Math.min(tileRows, end - t)));
    const skipping = worth(tiles[0]!, k);
    tiles.forEach((active, i) => {
      const rowsOfTile = Math.min(tileRows, end - (start + i * tileRows));
      done += rowsOfTile * (skipping && worth(active, k) ? active : k);
    });
  }
  return done / (rows.length * k);
}

/** Native gemmBytes panel rows (native/src/kernels.h panelRows): about 96 KB of floats, whole tiles. */
function panelRows(k: number, tileRows: number): number {
  const tiles = Math.floor(24576 / (tileRows * k));
  return tileRows * Math.max(tiles, 1);
}

export interface ZeroShares {
  /** Of an evaluation's first layer (chunks of 256 rows in set order). */
  evaluation: number;
  /** Of a training step's first-layer forward product (batches of 30 in a shuffled order). */
  forward: number;
  /** Of a training step's first-layer weight gradient Xᵀ·dZ (tiles of consecutive pixels, positions the batch's images). */
  gradient: number;
}

/** The shares for the report job's data: MNIST's training images (`train`, count × 784) and test images. */
export function zeroShares(train: Uint8Array, test: Uint8Array, k: number, tileRows: number): ZeroShares {
  const trainCount = train.length / k;
  const testCount = test.length / k;
  const group = panelRows(k, tileRows);
  const inOrder = (count: number) => Array.from({ length: count }, (_, i) => i);
  // Chunks of 256 rows are cut into panels of `group` rows; the last panel of a chunk is shorter.
  const evaluationOf = (images: Uint8Array, count: number): number => {
    let done = 0;
    for (let start = 0; start < count; start += 256) {
      const rows = inOrder(Math.min(256, count - start)).map((i) => start + i);
      done += forwardShare(images, k, rows, group, tileRows) * rows.length;
    }
    return done / count;
  };
  const evaluation = (evaluationOf(train, trainCount) * trainCount + evaluationOf(test, testCount) * testCount) / (trainCount + testCount);

  const shuffled = Uint32Array.from(inOrder(trainCount));
  Rng.fromSeed(42).shuffle(shuffled);
  const order = Array.from(shuffled);
  const forward = forwardShare(train, k, order, 30, tileRows);

  // Xᵀ·dZ: tiles of tileRows consecutive pixels; its positions are a batch's 30 images.
  let done = 0;
  let dense = 0;
  for (let start = 0; start + 30 <= trainCount; start += 30) {
    const batch = order.slice(start, start + 30);
    const actives: number[] = [];
    for (let p0 = 0; p0 < k; p0 += tileRows) {
      let active = 0;
      for (const image of batch) {
        for (let p = p0; p < Math.min(p0 + tileRows, k); p++) {
          if (train[image * k + p] !== 0) {
            active++;
            break;
          }
        }
      }
      actives.push(active);
    }
    const skipping = worth(actives[0]!, 30);
    actives.forEach((active, t) => {
      const rows = Math.min(tileRows, k - t * tileRows);
      done += rows * (skipping && worth(active, 30) ? active : 30);
      dense += rows * 30;
    });
  }
  return { evaluation, forward, gradient: done / dense };
}
