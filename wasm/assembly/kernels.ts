// The wasm backend's kernels (AssemblyScript), over byte offsets into an imported, shared
// linear memory that src/core/kernels/wasm.ts allocates from. Built twice by wasm/build.mjs:
// plain SIMD (f32x4 mul + add) and relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add on
// x86 with FMA), selected at compile time through ASC_FEATURE_RELAXED_SIMD.
//
// Products use a 2 × 16 register tile (8 v128 accumulators): more accumulators or an unrolled
// k loop measured slower here (register spills). Sizes that are not multiples of the tile fall
// back to 1-row, 4-column and scalar loops, so no buffer needs padding.

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

// C (m × n) = Σ_p A(i, p) · B[p, j], A(i, p) at A + 4·(i·rsA + p·csA): gemm (rsA = k, csA = 1)
// and gemmTN (rsA = 1, csA = m) share this loop nest. B is k × n row-major.
function gemmStrided(m: i32, n: i32, k: i32, A: usize, rsA: i32, csA: i32, B: usize, C: usize): void {
  const ldb = <usize>n << 2;
  const ldc = <usize>n << 2;
  const aRow = <usize>rsA << 2;
  const aCol = <usize>csA << 2;
  let j = 0;
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
  for (; j + 4 <= n; j += 4) {
    const bj = B + (<usize>j << 2);
    for (let i = 0; i < m; i++) {
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
  for (; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let a0 = A + <usize>i * aRow;
      let b = B + (<usize>j << 2);
      let s: f32 = 0;
      for (let p = 0; p < k; p++) {
        s = fmaddScalar(load<f32>(a0), load<f32>(b), s);
        a0 += aCol;
        b += ldb;
      }
      store<f32>(C + <usize>i * ldc + (<usize>j << 2), s);
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

/** In place: Z ← max(Z + b, 0), b broadcast over the rows. (Sigmoid and tanh run in JS.) */
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
