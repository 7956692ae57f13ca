// The wasm backend's kernels (AssemblyScript), over byte offsets into an imported, shared
// linear memory that src/core/kernels/wasm.ts allocates from. Built twice by wasm/build.mjs:
// plain SIMD (f32x4 mul + add) and relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add on
// x86 with FMA), selected at compile time through ASC_FEATURE_RELAXED_SIMD.
//
// Products use a 2 × 16 register tile (8 v128 accumulators): more accumulators or an unrolled
// k loop measured slower here (register spills). Sizes that are not multiples of the tile fall
// back to 4-row × 4-column tiles and 4-row vectors of the last columns (then single rows), so no
// buffer needs padding.

/** Where the JS allocator may start handing out memory. */
export function heapBase(): usize {
  return __heap_base;
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function fmaddScalar(a: f32, b: f32, c: f32): f32 {
  return a * b + c;
}

// Lanes of x (rows r..r+3 of one column) to C at c, ldc bytes apart, the rows below `rows`.
@inline function storeColumn(x: v128, c: usize, ldc: usize, rows: i32): void {
  store<f32>(c, f32x4.extract_lane(x, 0));
  if (rows > 1) store<f32>(c + ldc, f32x4.extract_lane(x, 1));
  if (rows > 2) store<f32>(c + 2 * ldc, f32x4.extract_lane(x, 2));
  if (rows > 3) store<f32>(c + 3 * ldc, f32x4.extract_lane(x, 3));
}

// Zeros skipped (as native/src/zero_skip.h explains): a multiply-add by a zero of A with a finite
// B leaves the accumulator's bits unchanged, so the 16-column tiles leave out the positions where
// both their rows of A are zero (the bits of ±0 shifted left by one are 0): each element gets the
// dense loop's operations minus no-ops, the same floats. Pixels are mostly zero (MNIST: 81%; the
// union of 2 images' 29%).

// True when none of the `count` floats at X is an infinity or a NaN (all exponent bits set).
function allFinite(count: i32, X: usize): bool {
  const exponent = i32x4.splat(0x7f800000);
  let bad = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    bad = v128.or(bad, i32x4.eq(v128.and(v128.load(X + (<usize>i << 2)), exponent), exponent));
  }
  if (v128.any_true(bad)) return false;
  for (; i < count; i++) if ((load<u32>(X + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return false;
  return true;
}

// Whether a product may skip zeros: its first two rows of A are both zero at an eighth of the
// positions or more (else, as for most hidden layers, it runs dense without looking at B), and B
// is finite (an infinite or NaN weight times a zero must give the dense loop's NaN). `finite`: 1 or
// 0 when the caller knows it (gemmBytes, once for all its panels), −1 to look.
function skipsZeros(m: i32, n: i32, k: i32, A: usize, aRow: usize, aCol: usize, B: usize, finite: i32): bool {
  if (k < 8 || m < 1) return false;
  const second = m > 1 ? aRow : 0;
  let zeros = 0;
  let a = A;
  for (let p = 0; p < k; p++) {
    if (((load<u32>(a) | load<u32>(a + second)) << 1) == 0) zeros++;
    a += aCol;
  }
  return zeros >= k >> 3 && (finite < 0 ? allFinite(k * n, B) : finite == 1);
}

// The positions a row tile keeps, for k up to SKIP_LIST (a longer product runs dense).
const SKIP_LIST = 8192;
const skipList = memory.data(SKIP_LIST * 4, 16);

// The positions p < k where the row at a0 or the one at a1 (a0 again for a single row) is not
// zero, written to skipList; returns their count. Without a branch: each p is written, and kept by
// counting it.
@inline function activePositions(k: i32, a0: usize, a1: usize, aCol: usize): i32 {
  let count = 0;
  let x = a0;
  let y = a1;
  for (let p = 0; p < k; p++) {
    store<i32>(skipList + (<usize>count << 2), p);
    count += i32(((load<u32>(x) | load<u32>(y)) << 1) != 0);
    x += aCol;
    y += aCol;
  }
  return count;
}

// The 16-column panels [0, n16) of C by 2-row tiles that leave out the positions where both rows
// of A are zero, one list of positions per tile for all its panels: each element gets the same
// multiply-adds as in gemmStrided's 2 × 16 and 1 × 16 tiles, minus no-ops.
function skippingPanels(m: i32, n16: i32, k: i32, A: usize, aRow: usize, aCol: usize, B: usize, ldb: usize, C: usize, ldc: usize): void {
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const a0 = A + <usize>i * aRow;
    const a1 = two ? a0 + aRow : a0;
    const count = activePositions(k, a0, a1, aCol);
    for (let j = 0; j < n16; j += 16) {
      const bj = B + (<usize>j << 2);
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
      for (let q = 0; q < count; q++) {
        const p = <usize>load<i32>(skipList + (<usize>q << 2));
        const b = bj + p * ldb;
        const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
        const x = v128.load32_splat(a0 + p * aCol);
        const y = v128.load32_splat(a1 + p * aCol);
        c00 = madd(x, b0, c00); c01 = madd(x, b1, c01); c02 = madd(x, b2, c02); c03 = madd(x, b3, c03);
        c10 = madd(y, b0, c10); c11 = madd(y, b1, c11); c12 = madd(y, b2, c12); c13 = madd(y, b3, c13);
      }
      const c = C + <usize>i * ldc + (<usize>j << 2);
      v128.store(c, c00); v128.store(c, c01, 16); v128.store(c, c02, 32); v128.store(c, c03, 48);
      if (two) {
        v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16); v128.store(c + ldc, c12, 32); v128.store(c + ldc, c13, 48);
      }
    }
  }
}

// C (m × n) = Σ_p A(i, p) · B[p, j], A(i, p) at A + 4·(i·rsA + p·csA): gemm (rsA = k, csA = 1)
// and gemmTN (rsA = 1, csA = m) share this loop nest. B is k × n row-major.
function gemmStrided(m: i32, n: i32, k: i32, A: usize, rsA: i32, csA: i32, B: usize, C: usize, finite: i32 = -1): void {
  const ldb = <usize>n << 2;
  const ldc = <usize>n << 2;
  const aRow = <usize>rsA << 2;
  const aCol = <usize>csA << 2;
  let j = 0;
  if (n >= 16 && k <= SKIP_LIST && skipsZeros(m, n, k, A, aRow, aCol, B, finite)) {
    j = n & ~15;
    skippingPanels(m, j, k, A, aRow, aCol, B, ldb, C, ldc);
  }
  for (; j + 16 <= n; j += 16) {
    const bj = B + (<usize>j << 2);
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      let a0 = A + <usize>i * aRow;
      let a1 = a0 + aRow;
      let b = bj;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
        const x = v128.load32_splat(a0);
        const y = v128.load32_splat(a1);
        c00 = madd(x, b0, c00); c01 = madd(x, b1, c01); c02 = madd(x, b2, c02); c03 = madd(x, b3, c03);
        c10 = madd(y, b0, c10); c11 = madd(y, b1, c11); c12 = madd(y, b2, c12); c13 = madd(y, b3, c13);
        a0 += aCol;
        a1 += aCol;
        b += ldb;
      }
      const c = C + <usize>i * ldc + (<usize>j << 2);
      v128.store(c, c00); v128.store(c, c01, 16); v128.store(c, c02, 32); v128.store(c, c03, 48);
      v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16); v128.store(c + ldc, c12, 32); v128.store(c + ldc, c13, 48);
    }
    if (i < m) {
      let a0 = A + <usize>i * aRow;
      let b = bj;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const x = v128.load32_splat(a0);
        c00 = madd(x, v128.load(b), c00); c01 = madd(x, v128.load(b, 16), c01);
        c02 = madd(x, v128.load(b, 32), c02); c03 = madd(x, v128.load(b, 48), c03);
        a0 += aCol;
        b += ldb;
      }
      const c = C + <usize>i * ldc + (<usize>j << 2);
      v128.store(c, c00); v128.store(c, c01, 16); v128.store(c, c02, 32); v128.store(c, c03, 48);
    }
  }
  // The last n mod 16 columns: 4 rows at a time (4 independent chains, where one chain waits on the
  // latency of each multiply-add), then the last rows one by one.
  for (; j + 4 <= n; j += 4) {
    const bj = B + (<usize>j << 2);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      let a0 = A + <usize>i * aRow;
      let b = bj;
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const v = v128.load(b);
        c0 = madd(v128.load32_splat(a0), v, c0);
        c1 = madd(v128.load32_splat(a0 + aRow), v, c1);
        c2 = madd(v128.load32_splat(a0 + 2 * aRow), v, c2);
        c3 = madd(v128.load32_splat(a0 + 3 * aRow), v, c3);
        a0 += aCol;
        b += ldb;
      }
      const c = C + <usize>i * ldc + (<usize>j << 2);
      v128.store(c, c0); v128.store(c + ldc, c1); v128.store(c + 2 * ldc, c2); v128.store(c + 3 * ldc, c3);
    }
    for (; i < m; i++) {
      let a0 = A + <usize>i * aRow;
      let b = bj;
      let c0 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        c0 = madd(v128.load32_splat(a0), v128.load(b), c0);
        a0 += aCol;
        b += ldb;
      }
      v128.store(C + <usize>i * ldc + (<usize>j << 2), c0);
    }
  }
  // The last n mod 4 columns, a product then a sum: 4 rows in the lanes of one vector (the same
  // two roundings per element as the scalar loop), every such column at once; then the last rows.
  const cols = n - j;
  if (cols > 0) {
    const o1: usize = cols > 1 ? 4 : 0; // a missing column reads the first one's weights, and is not stored
    const o2: usize = cols > 2 ? 8 : 0;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      let a0 = A + <usize>i * aRow;
      let b = B + (<usize>j << 2);
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        let x = v128.load32_zero(a0);
        x = v128.load32_lane(a0 + aRow, x, 1);
        x = v128.load32_lane(a0 + 2 * aRow, x, 2);
        x = v128.load32_lane(a0 + 3 * aRow, x, 3);
        s0 = f32x4.add(f32x4.mul(x, v128.load32_splat(b)), s0);
        s1 = f32x4.add(f32x4.mul(x, v128.load32_splat(b + o1)), s1);
        s2 = f32x4.add(f32x4.mul(x, v128.load32_splat(b + o2)), s2);
        a0 += aCol;
        b += ldb;
      }
      const c = C + <usize>i * ldc + (<usize>j << 2);
      storeColumn(s0, c, ldc, 4);
      if (cols > 1) storeColumn(s1, c + 4, ldc, 4);
      if (cols > 2) storeColumn(s2, c + 8, ldc, 4);
    }
    for (; i < m; i++) {
      for (let jj = j; jj < n; jj++) {
        let a0 = A + <usize>i * aRow;
        let b = B + (<usize>jj << 2);
        let s: f32 = 0;
        for (let p = 0; p < k; p++) {
          s = fmaddScalar(load<f32>(a0), load<f32>(b), s);
          a0 += aCol;
          b += ldb;
        }
        store<f32>(C + <usize>i * ldc + (<usize>jj << 2), s);
      }
    }
  }
}

/** C = A·B. A: m × k, B: k × n, C: m × n. */
export function gemm(m: i32, n: i32, k: i32, A: usize, B: usize, C: usize): void {
  gemmStrided(m, n, k, A, k, 1, B, C);
}

/** C = Aᵀ·B. A: k × m, B: k × n, C: m × n. */
export function gemmTN(m: i32, n: i32, k: i32, A: usize, B: usize, C: usize): void {
  gemmStrided(m, n, k, A, 1, m, B, C);
}

// gemmBytes: C = (A / 255)·B with A as bytes, bit for bit unpackBytes then gemm, without a float
// copy of the whole input. Rows are unpacked into the caller's scratch memory a panel at a time.
// A layer narrower than 16 columns (gemm runs it 1 row × 4 columns at a time, one accumulator: bound
// by the FMA's latency, and the last n mod 4 columns as scalars) is computed 8 rows at a time from
// a transposed panel instead, the rows in the lanes: the same operation per element as gemm's
// (relaxed_madd for the columns of its 4-wide loop, a product then a sum for the last n mod 4), in
// the same order of p, so the same floats.

/** Rows of A unpacked at a time for a layer of 16 columns or more: about 96 KB of floats, whole 4-row tiles. */
function panelRows(k: i32): i32 {
  const tiles = k > 0 ? 6144 / k : 1;
  return 4 * (tiles > 1 ? tiles : 1);
}

/** Floats of scratch memory gemmBytes needs for rows of k bytes (at least 8 rows). */
export function gemmBytesScratch(k: i32): i32 {
  const rows = panelRows(k);
  return (rows > 8 ? rows : 8) * (k > 0 ? k : 1);
}

// Rows i..i+7 of A (m × k bytes) into P transposed, P[p·8 + r] = A[i + r, p] / 255 (division:
// unpackBytes' floats); rows past m repeat the last one (their lanes are never stored).
function packTransposed(m: i32, k: i32, A: usize, i: i32, P: usize): void {
  const last = m - 1;
  const k4 = k & ~3;
  const d = f32x4.splat(255);
  for (let g = 0; g < 2; g++) {
    const r0 = i + 4 * g;
    const a0 = A + <usize>min(r0, last) * <usize>k;
    const a1 = A + <usize>min(r0 + 1, last) * <usize>k;
    const a2 = A + <usize>min(r0 + 2, last) * <usize>k;
    const a3 = A + <usize>min(r0 + 3, last) * <usize>k;
    let out = P + (<usize>g << 4);
    for (let p = 0; p < k4; p += 4) {
      const o = <usize>p;
      let v = v128.load32_zero(a0 + o);
      v = v128.load32_lane(a1 + o, v, 1);
      v = v128.load32_lane(a2 + o, v, 2);
      v = v128.load32_lane(a3 + o, v, 3);
      // Four bytes of each row → for each p, its four rows.
      const t = i8x16.shuffle(v, v, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
      const lo = i16x8.extend_low_i8x16_u(t);
      const hi = i16x8.extend_high_i8x16_u(t);
      v128.store(out, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), d));
      v128.store(out, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), d), 32);
      v128.store(out, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), d), 64);
      v128.store(out, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), d), 96);
      out += 128;
    }
    for (let p = k4; p < k; p++) {
      const o = <usize>p;
      store<f32>(out, <f32>load<u8>(a0 + o) / <f32>255);
      store<f32>(out, <f32>load<u8>(a1 + o) / <f32>255, 4);
      store<f32>(out, <f32>load<u8>(a2 + o) / <f32>255, 8);
      store<f32>(out, <f32>load<u8>(a3 + o) / <f32>255, 12);
      out += 32;
    }
  }
}

// C[i..i+rows, j..j+4) from the transposed panel P: 8 rows × 4 columns, madd as gemm's 4-wide loop.
function narrowQuad(k: i32, P: usize, B: usize, ldb: usize, C: usize, ldc: usize, rows: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  let a = P;
  let b = B;
  for (let p = 0; p < k; p++) {
    const x = v128.load(a), y = v128.load(a, 16);
    const b0 = v128.load32_splat(b), b1 = v128.load32_splat(b, 4), b2 = v128.load32_splat(b, 8), b3 = v128.load32_splat(b, 12);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01); c02 = madd(x, b2, c02); c03 = madd(x, b3, c03);
    c10 = madd(y, b0, c10); c11 = madd(y, b1, c11); c12 = madd(y, b2, c12); c13 = madd(y, b3, c13);
    a += 32;
    b += ldb;
  }
  storeColumn(c00, C, ldc, rows); storeColumn(c01, C + 4, ldc, rows); storeColumn(c02, C + 8, ldc, rows); storeColumn(c03, C + 12, ldc, rows);
  if (rows > 4) {
    const C4 = C + 4 * ldc;
    const rest = rows - 4;
    storeColumn(c10, C4, ldc, rest); storeColumn(c11, C4 + 4, ldc, rest); storeColumn(c12, C4 + 8, ldc, rest); storeColumn(c13, C4 + 12, ldc, rest);
  }
}

// The last `cols` (1 to 3) columns, a product then a sum as gemm's scalar loop. A missing column
// reads column 0's weights, and is not stored.
function narrowTail(k: i32, P: usize, B: usize, ldb: usize, C: usize, ldc: usize, rows: i32, cols: i32): void {
  const o1: usize = cols > 1 ? 4 : 0;
  const o2: usize = cols > 2 ? 8 : 0;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let a = P;
  let b = B;
  for (let p = 0; p < k; p++) {
    const x = v128.load(a), y = v128.load(a, 16);
    const b0 = v128.load32_splat(b), b1 = v128.load32_splat(b + o1), b2 = v128.load32_splat(b + o2);
    c00 = f32x4.add(f32x4.mul(x, b0), c00); c01 = f32x4.add(f32x4.mul(x, b1), c01); c02 = f32x4.add(f32x4.mul(x, b2), c02);
    c10 = f32x4.add(f32x4.mul(y, b0), c10); c11 = f32x4.add(f32x4.mul(y, b1), c11); c12 = f32x4.add(f32x4.mul(y, b2), c12);
    a += 32;
    b += ldb;
  }
  const C4 = C + 4 * ldc;
  const rest = rows - 4;
  storeColumn(c00, C, ldc, rows);
  if (rest > 0) storeColumn(c10, C4, ldc, rest);
  if (cols > 1) {
    storeColumn(c01, C + 4, ldc, rows);
    if (rest > 0) storeColumn(c11, C4 + 4, ldc, rest);
  }
  if (cols > 2) {
    storeColumn(c02, C + 8, ldc, rows);
    if (rest > 0) storeColumn(c12, C4 + 8, ldc, rest);
  }
}

/**
 * C = (A / 255)·B. A: m × k bytes, B: k × n, C: m × n; scratch: gemmBytesScratch(k) floats.
 * Bit for bit unpackBytes of A followed by gemm (see above).
 */
export function gemmBytes(m: i32, n: i32, k: i32, A: usize, B: usize, C: usize, scratch: usize): void {
  const ldc = <usize>n << 2;
  if (n >= 16 || k == 0) {
    const block = panelRows(k);
    const finite = allFinite(k * n, B) ? 1 : 0;
    for (let i = 0; i < m; i += block) {
      const rows = min(block, m - i);
      unpackBytes(rows * k, A + <usize>i * <usize>k, scratch);
      gemmStrided(rows, n, k, scratch, k, 1, B, C + <usize>i * ldc, finite);
    }
    return;
  }
  const ldb = <usize>n << 2;
  const n4 = n & ~3;
  for (let i = 0; i < m; i += 8) {
    const rows = min(8, m - i);
    packTransposed(m, k, A, i, scratch);
    const c = C + <usize>i * ldc;
    for (let j = 0; j < n4; j += 4) narrowQuad(k, scratch, B + (<usize>j << 2), ldb, c + (<usize>j << 2), ldc, rows);
    if (n4 < n) narrowTail(k, scratch, B + (<usize>n4 << 2), ldb, c + (<usize>n4 << 2), ldc, rows, n - n4);
  }
}

// {Σ lanes of x0, Σ x1, Σ x2, Σ x3}
@inline function hsum4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), v128.shuffle<f32>(x0, x1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), v128.shuffle<f32>(x2, x3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

// Σ_p a[p]·b[p] over the k4·4 vector part is done by the caller; this adds the scalar tail.
@inline function dotTail(a: usize, b: usize, from: i32, k: i32): f32 {
  let s: f32 = 0;
  for (let p = from; p < k; p++) s = fmaddScalar(load<f32>(a + (<usize>p << 2)), load<f32>(b + (<usize>p << 2)), s);
  return s;
}

/**
 * C = A·Bᵀ. A: m × k, B: n × k, C: m × n. Each output is a dot product of two contiguous rows,
 * computed 2 rows × 4 columns at a time (8 accumulators) with a horizontal sum at the end.
 */
export function gemmNT(m: i32, n: i32, k: i32, A: usize, B: usize, C: usize): void {
  const ld = <usize>k << 2;
  const ldc = <usize>n << 2;
  const k4 = k & ~3;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = A + <usize>i * ld;
    const a1 = a0 + ld;
    const c0 = C + <usize>i * ldc;
    const c1 = c0 + ldc;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = B + <usize>j * ld, b1 = b0 + ld, b2 = b1 + ld, b3 = b2 + ld;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const o = <usize>p << 2;
        const x = v128.load(a0 + o), y = v128.load(a1 + o);
        const v0 = v128.load(b0 + o), v1 = v128.load(b1 + o), v2 = v128.load(b2 + o), v3 = v128.load(b3 + o);
        s00 = madd(x, v0, s00); s01 = madd(x, v1, s01); s02 = madd(x, v2, s02); s03 = madd(x, v3, s03);
        s10 = madd(y, v0, s10); s11 = madd(y, v1, s11); s12 = madd(y, v2, s12); s13 = madd(y, v3, s13);
      }
      let r0 = hsum4(s00, s01, s02, s03);
      let r1 = hsum4(s10, s11, s12, s13);
      if (k4 < k) {
        r0 = f32x4.add(r0, f32x4(dotTail(a0, b0, k4, k), dotTail(a0, b1, k4, k), dotTail(a0, b2, k4, k), dotTail(a0, b3, k4, k)));
        r1 = f32x4.add(r1, f32x4(dotTail(a1, b0, k4, k), dotTail(a1, b1, k4, k), dotTail(a1, b2, k4, k), dotTail(a1, b3, k4, k)));
      }
      v128.store(c0 + (<usize>j << 2), r0);
      v128.store(c1 + (<usize>j << 2), r1);
    }
    for (; j < n; j++) {
      const b0 = B + <usize>j * ld;
      store<f32>(c0 + (<usize>j << 2), dot(a0, b0, k));
      store<f32>(c1 + (<usize>j << 2), dot(a1, b0, k));
    }
  }
  if (i < m) {
    const a0 = A + <usize>i * ld;
    const c0 = C + <usize>i * ldc;
    for (let j = 0; j < n; j++) store<f32>(c0 + (<usize>j << 2), dot(a0, B + <usize>j * ld, k));
  }
}

function dot(a: usize, b: usize, k: i32): f32 {
  const k4 = k & ~3;
  let s = f32x4.splat(0);
  for (let p = 0; p < k4; p += 4) {
    const o = <usize>p << 2;
    s = madd(v128.load(a + o), v128.load(b + o), s);
  }
  const h = hsum4(s, f32x4.splat(0), f32x4.splat(0), f32x4.splat(0));
  return f32x4.extract_lane(h, 0) + dotTail(a, b, k4, k);
}

// e^x in f32 lanes (Cephes expf, as native/src/kernels_avx2.cc): x = n·ln2 + r, |r| ≤ ln2/2, a
// degree-6 polynomial, then 2ⁿ built in the exponent bits. x is clamped to [−87, 88] so that 2ⁿ
// stays normal; wasm's f32x4.min/max propagate NaN, so a NaN comes out NaN.
@inline function exp4(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(88.0)), f32x4.splat(-87.0));
  const n = f32x4.floor(madd(x, f32x4.splat(1.44269504088896341), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = madd(p, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1)));
  const bits = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, bits);
}

// 1 / (1 + e^−x); below x ≈ −87 a tiny normal value instead of the reference's subnormal or 0.
@inline function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

// tanh (Cephes tanhf): an odd polynomial for |x| < 0.625, where 1 − 2/(e^2|x| + 1) would lose the
// relative precision of small values; that formula elsewhere, with the sign put back.
@inline function tanh4(x: v128): v128 {
  const signBit = f32x4.splat(-0.0);
  const ax = f32x4.abs(x);
  const one = f32x4.splat(1);
  const large = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(exp4(f32x4.add(ax, ax)), one)));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = madd(p, x2, f32x4.splat(2.06390887954e-2));
  p = madd(p, x2, f32x4.splat(-5.37397155531e-2));
  p = madd(p, x2, f32x4.splat(1.33314422036e-1));
  p = madd(p, x2, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, x2), x, x);
  const signedLarge = v128.or(large, v128.and(signBit, x));
  // NaN fails the comparison and takes the large branch, where it has stayed NaN.
  return v128.bitselect(small, signedLarge, f32x4.lt(ax, f32x4.splat(0.625)));
}

// Z ← g(Z + b) row by row; the last (cols mod 4) columns go through one vector staged in scratch
// memory, so that every column gets the same arithmetic.
@inline function biasActivation4(rows: i32, cols: i32, Z: usize, b: usize, activation: i32): void {
  const c4 = cols & ~3;
  const tail = cols - c4;
  for (let i = 0; i < rows; i++) {
    const z = Z + (<usize>i * <usize>cols << 2);
    for (let j = 0; j < c4; j += 4) {
      const o = <usize>j << 2;
      const v = f32x4.add(v128.load(z + o), v128.load(b + o));
      v128.store(z + o, activation == 1 ? sigmoid4(v) : tanh4(v));
    }
    if (tail > 0) {
      const o = <usize>c4 << 2;
      let v = f32x4.splat(0);
      for (let t = 0; t < tail; t++) {
        const x = load<f32>(z + o + (<usize>t << 2)) + load<f32>(b + o + (<usize>t << 2));
        v = t == 0 ? f32x4.replace_lane(v, 0, x) : t == 1 ? f32x4.replace_lane(v, 1, x) : f32x4.replace_lane(v, 2, x);
      }
      const g = activation == 1 ? sigmoid4(v) : tanh4(v);
      store<f32>(z + o, f32x4.extract_lane(g, 0));
      if (tail > 1) store<f32>(z + o + 4, f32x4.extract_lane(g, 1));
      if (tail > 2) store<f32>(z + o + 8, f32x4.extract_lane(g, 2));
    }
  }
}

/** In place: Z ← sigmoid(Z + b), b broadcast over the rows. */
export function biasSigmoid(rows: i32, cols: i32, Z: usize, b: usize): void {
  biasActivation4(rows, cols, Z, b, 1);
}

/** In place: Z ← tanh(Z + b), b broadcast over the rows. */
export function biasTanh(rows: i32, cols: i32, Z: usize, b: usize): void {
  biasActivation4(rows, cols, Z, b, 2);
}

/** In place: dA ← dA · g'(A) for sigmoid (A(1 − A), activation 1) or tanh (1 − A², activation 2). */
export function smoothBackward(length: i32, dA: usize, A: usize, activation: i32): void {
  const one = f32x4.splat(1);
  const l4 = length & ~3;
  for (let i = 0; i < l4; i += 4) {
    const o = <usize>i << 2;
    const a = v128.load(A + o);
    const slope = activation == 1 ? f32x4.mul(a, f32x4.sub(one, a)) : f32x4.sub(one, f32x4.mul(a, a));
    v128.store(dA + o, f32x4.mul(v128.load(dA + o), slope));
  }
  for (let i = l4; i < length; i++) {
    const o = <usize>i << 2;
    const a = load<f32>(A + o);
    const slope: f32 = activation == 1 ? a * (1 - a) : 1 - a * a;
    store<f32>(dA + o, load<f32>(dA + o) * slope);
  }
}

/** dst[i] = src[i] / 255 (f32 division is correctly rounded: the same floats as every backend). */
export function unpackBytes(length: i32, src: usize, dst: usize): void {
  const d = f32x4.splat(255);
  const l8 = length & ~7;
  for (let i = 0; i < l8; i += 8) {
    const halves = v128.load8x8_u(src + <usize>i);
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(halves)), d));
    v128.store(dst + o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(halves)), d), 16);
  }
  for (let i = l8; i < length; i++) {
    store<f32>(dst + (<usize>i << 2), <f32>load<u8>(src + <usize>i) / <f32>255);
  }
}

/** In place: Z ← max(Z + b, 0), b broadcast over the rows. */
export function biasRelu(rows: i32, cols: i32, Z: usize, b: usize): void {
  const zero = f32x4.splat(0);
  const c4 = cols & ~3;
  for (let i = 0; i < rows; i++) {
    const z = Z + (<usize>i * <usize>cols << 2);
    for (let j = 0; j < c4; j += 4) {
      const o = <usize>j << 2;
      const v = f32x4.add(v128.load(z + o), v128.load(b + o));
      // pmax(0, v) = v > 0 ? v : 0, which turns NaN into 0 as the reference does.
      v128.store(z + o, f32x4.pmax(zero, v));
    }
    for (let j = c4; j < cols; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(z + o) + load<f32>(b + o);
      store<f32>(z + o, v > 0 ? v : 0);
    }
  }
}

/** In place: Z ← Z + b, b broadcast over the rows. */
export function addBias(rows: i32, cols: i32, Z: usize, b: usize): void {
  const c4 = cols & ~3;
  for (let i = 0; i < rows; i++) {
    const z = Z + (<usize>i * <usize>cols << 2);
    for (let j = 0; j < c4; j += 4) {
      const o = <usize>j << 2;
      v128.store(z + o, f32x4.add(v128.load(z + o), v128.load(b + o)));
    }
    for (let j = c4; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(z + o, load<f32>(z + o) + load<f32>(b + o));
    }
  }
}

/** In place: dA ← dA · [A > 0]. */
export function reluBackward(length: i32, dA: usize, A: usize): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const l4 = length & ~3;
  for (let i = 0; i < l4; i += 4) {
    const o = <usize>i << 2;
    const gate = v128.and(f32x4.gt(v128.load(A + o), zero), one);
    v128.store(dA + o, f32x4.mul(v128.load(dA + o), gate));
  }
  for (let i = l4; i < length; i++) {
    const o = <usize>i << 2;
    store<f32>(dA + o, load<f32>(dA + o) * (load<f32>(A + o) > 0 ? <f32>1 : <f32>0));
  }
}

/** out[j] = Σ_i X[i, j]. X: rows × cols. */
export function columnSums(rows: i32, cols: i32, X: usize, out: usize): void {
  const ldx = <usize>cols << 2;
  const c4 = cols & ~3;
  for (let j = 0; j < c4; j += 4) {
    let s = f32x4.splat(0);
    let x = X + (<usize>j << 2);
    for (let i = 0; i < rows; i++) {
      s = f32x4.add(s, v128.load(x));
      x += ldx;
    }
    v128.store(out + (<usize>j << 2), s);
  }
  for (let j = c4; j < cols; j++) {
    let s: f32 = 0;
    let x = X + (<usize>j << 2);
    for (let i = 0; i < rows; i++) {
      s += load<f32>(x);
      x += ldx;
    }
    store<f32>(out + (<usize>j << 2), s);
  }
}

/** y ← y + alpha·x. */
export function axpy(length: i32, alpha: f32, x: usize, y: usize): void {
  const a = f32x4.splat(alpha);
  const l4 = length & ~3;
  for (let i = 0; i < l4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, madd(a, v128.load(x + o), v128.load(y + o)));
  }
  for (let i = l4; i < length; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, fmaddScalar(alpha, load<f32>(x + o), load<f32>(y + o)));
  }
}

/** out[i] = x[i]·y[i]; out may alias x or y. */
export function multiply(length: i32, x: usize, y: usize, out: usize): void {
  const l4 = length & ~3;
  for (let i = 0; i < l4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  for (let i = l4; i < length; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(x + o) * load<f32>(y + o));
  }
}

/**
 * Inverted dropout's mask from the xoroshiro128+ state at `state` (four i32: s0 high, s0 low, s1
 * high, s1 low), advanced in place: out[i] = value when the top 31 bits of the low 32 bits of
 * s0 + s1 are below threshold (≤ 2^31), else 0.
 */
export function bernoulliMask(length: i32, state: usize, threshold: u32, value: f32, out: usize): void {
  let s0: u64 = (<u64>load<u32>(state) << 32) | <u64>load<u32>(state + 4);
  let s1: u64 = (<u64>load<u32>(state + 8) << 32) | <u64>load<u32>(state + 12);
  const valueBits = reinterpret<u32>(value);
  for (let i = 0; i < length; i++) {
    const draw = <u32>(s0 + s1);
    // Without a branch: the sign bit of (draw >>> 1) − threshold selects value's bits or zero's.
    const keep = ((draw >>> 1) - threshold) >>> 31;
    store<u32>(out + (<usize>i << 2), valueBits & (0 - keep));
    s1 ^= s0;
    s0 = rotl<u64>(s0, 24) ^ s1 ^ (s1 << 16);
    s1 = rotl<u64>(s1, 37);
  }
  store<u32>(state, <u32>(s0 >>> 32));
  store<u32>(state + 4, <u32>s0);
  store<u32>(state + 8, <u32>(s1 >>> 32));
  store<u32>(state + 12, <u32>s1);
}
