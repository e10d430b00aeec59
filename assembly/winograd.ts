// Winograd F(4×4, 3×3) for 3×3 stride-1 convolutions (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016; interpolation points 0, ±1, ±2, ∞). Each 6×6 input tile d gives a 4×4 output tile
//   Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A,
// 36 multiplies per (tile, channel, filter) where the direct convolution spends 16·9 = 144. The channel sum for each
// of the 36 tile elements e is a matrix product: M[e] (tiles × filters) = V[e] (tiles × channels) · U[e]
// (channels × filters), run by the tile-product micro-kernels below (the gemm's 4×8 register block on panels packed
// once per plane). The input gradient is the forward's exact adjoint:
//   dM = A dY Aᵀ,  dV[e] = dM[e] · U[e]ᵀ,  dInput += B dV Bᵀ (overlapping tiles add),
// which only visits the tiles the forward computed (a 'full' correlation of dY would spend half its tiles on zeros).
//
// The kernel gradient is the kernel transform's adjoint, on the same tiles:
//   dU[e] = Σ_tiles V[e]ᵀ · dM[e] (channels × filters),  dKernel += Gᵀ dU G,
// with dM the input gradient's and V the forward's (src/nn/conv2d.ts keeps it): 36 products of channels × filters over
// the tiles, where im2col + gemm spends 9 · 16 = 144 multiplies per output tile element (4× as many, for a 4×4 tile).
//
// Tiles: the batch's outputs in 4×4 tiles, t = (b·ceil(outH/4) + ty)·ceil(outW/4) + tx. Every call but the kernel
// transform takes a block of them, tiles tile0 .. tile0 + tiles − 1 (row t − tile0 of the planes), so that a block's
// V and M stay in cache (L2 or L3) from the input transform through the products to the output transform
// (winogradBlockTiles).
// Layout: V, M and U are 36 planes, plane e holding rows × cols floats, planes winogradPlaneStride(rows, cols) apart.
// That stride is an odd multiple of 16 floats (64 bytes), so the 36 stores a tile transform makes land in 36 different
// cache sets: with the natural stride (a multiple of 4 KiB at the tutorial's sizes) they all hit one set and the
// transforms ran 10–20% slower. Channels (and filters) are the SIMD lanes: each transform moves 4 of them at a time,
// its first pass from the source into the PATCH scratch (36 v128, 6 rows of 6), its second from PATCH to the
// destination, and a partial group of lanes goes through the same path with the missing lanes zero and not stored.
import { gemm } from './gemm';
import { madd } from './madd';
import { scratch } from './thread-scratch';

const PATCH = memory.data(36 * 16, 16);
const ROW = memory.data(6 * 16, 16);

/** Floats between planes: rows·cols rounded up to an odd multiple of 16. */
export function winogradPlaneStride(rows: i32, cols: i32): i32 {
  const n = (rows * cols + 15) & ~15;
  return (n & 16) != 0 ? n : n + 16;
}

// ---- 1-D transforms: six (or four) vectors in, results stored at dst, dst + s, ... (storeLanes: `lanes` floats) ----
// A 2-D transform is two passes of these: the first (along a tile's columns) from the source into PATCH, the second
// (along PATCH's rows) from PATCH straight to the destination, so each tile element is loaded and stored once per pass
// (the transforms used to copy the tile into PATCH, run both passes in place there and copy it out: twice the memory
// traffic). The arithmetic and the order of the passes (columns, then rows) are unchanged: the same bits.

// Bᵀ x: rows [4 0 −5 0 1 0] [0 −4 −4 1 1 0] [0 4 −4 −1 1 0] [0 −2 −1 2 1 0] [0 2 −1 −2 1 0] [0 4 0 −5 0 1].
@inline function inputTransform6(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, dst: usize, s: usize,
  lanes: i32): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const a = f32x4.add(x3, x4), b = f32x4.add(x1, x2);
  const c = f32x4.sub(x4, x3), d = f32x4.sub(x1, x2);
  const e = f32x4.sub(x4, x2), f = f32x4.mul(two, f32x4.sub(x3, x1));
  storeLanes(dst, f32x4.add(f32x4.sub(f32x4.mul(four, x0), f32x4.mul(five, x2)), x4), lanes);
  storeLanes(dst + s, f32x4.sub(a, f32x4.mul(four, b)), lanes);
  storeLanes(dst + 2 * s, f32x4.add(c, f32x4.mul(four, d)), lanes);
  storeLanes(dst + 3 * s, f32x4.add(e, f), lanes);
  storeLanes(dst + 4 * s, f32x4.sub(e, f), lanes);
  storeLanes(dst + 5 * s, f32x4.add(f32x4.sub(f32x4.mul(four, x1), f32x4.mul(five, x3)), x5), lanes);
}

// Aᵀ m: rows [1 1 1 1 1 0] [0 1 −1 2 −2 0] [0 1 1 4 4 0] [0 1 −1 8 −8 1]; four results.
@inline function outputTransform6(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, dst: usize,
  s: usize): void {
  const sum12 = f32x4.add(m1, m2), dif12 = f32x4.sub(m1, m2);
  const sum34 = f32x4.add(m3, m4), dif34 = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, sum12), sum34));
  v128.store(dst + s, f32x4.add(dif12, f32x4.mul(f32x4.splat(2), dif34)));
  v128.store(dst + 2 * s, f32x4.add(sum12, f32x4.mul(f32x4.splat(4), sum34)));
  v128.store(dst + 3 * s, f32x4.add(f32x4.add(dif12, f32x4.mul(f32x4.splat(8), dif34)), m5));
}

// A y (the adjoint of outputTransform6): four values become six.
@inline function outputAdjoint4(y0: v128, y1: v128, y2: v128, y3: v128, dst: usize, s: usize, lanes: i32): void {
  const even = f32x4.add(y0, y2), odd = f32x4.add(y1, y3);
  const even4 = f32x4.add(y0, f32x4.mul(f32x4.splat(4), y2));
  const odd8 = f32x4.add(f32x4.mul(f32x4.splat(2), y1), f32x4.mul(f32x4.splat(8), y3));
  storeLanes(dst, y0, lanes);
  storeLanes(dst + s, f32x4.add(even, odd), lanes);
  storeLanes(dst + 2 * s, f32x4.sub(even, odd), lanes);
  storeLanes(dst + 3 * s, f32x4.add(even4, odd8), lanes);
  storeLanes(dst + 4 * s, f32x4.sub(even4, odd8), lanes);
  storeLanes(dst + 5 * s, y3, lanes);
}

// B v (the adjoint of inputTransform6): columns of Bᵀ as rows.
@inline function inputAdjoint6(v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, dst: usize, s: usize): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const d12 = f32x4.sub(v2, v1), d34 = f32x4.sub(v4, v3);
  const s12 = f32x4.add(v1, v2), s34 = f32x4.add(v3, v4);
  v128.store(dst, f32x4.mul(four, v0));
  // −4v1 + 4v2 − 2v3 + 2v4 + 4v5
  v128.store(dst + s, f32x4.add(f32x4.mul(four, f32x4.add(d12, v5)), f32x4.mul(two, d34)));
  // −5v0 − 4(v1 + v2) − (v3 + v4)
  v128.store(dst + 2 * s, f32x4.neg(f32x4.add(f32x4.add(f32x4.mul(five, v0), f32x4.mul(four, s12)), s34)));
  // v1 − v2 + 2v3 − 2v4 − 5v5
  v128.store(dst + 3 * s, f32x4.sub(f32x4.neg(f32x4.add(d12, f32x4.mul(two, d34))), f32x4.mul(five, v5)));
  v128.store(dst + 4 * s, f32x4.add(f32x4.add(v0, s12), s34));
  v128.store(dst + 5 * s, v5);
}

// ---- lane groups: `lanes` (1..4) consecutive floats at a pixel, the rest zero ----

@inline function loadLanes(src: usize, lanes: i32): v128 {
  if (lanes == 4) return v128.load(src);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(src));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(src, 4));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(src, 8));
  return v;
}

@inline function storeLanes(dst: usize, v: v128, lanes: i32): void {
  if (lanes == 4) {
    v128.store(dst, v);
    return;
  }
  store<f32>(dst, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(dst, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(dst, f32x4.extract_lane(v, 2), 8);
}

// ---- the kernels ----

/**
 * U[e][c][f] = (G g Gᵀ)[e] for the 3×3 kernel g = kernel[·][·][c][f] (Keras' [3, 3, channels, filters] layout).
 * G rows: [1/4 0 0] [−1/6 −1/6 −1/6] [−1/6 1/6 −1/6] [1/24 1/12 1/6] [1/24 −1/12 1/6] [0 0 1].
 */
export function winogradKernelTransform(u: usize, kernel: usize, channels: i32, filters: i32): void {
  const plane = <usize>winogradPlaneStride(channels, filters) << 2;
  const tap = <usize>(channels * filters) << 2;
  for (let c = 0; c < channels; c++) {
    for (let f = 0; f < filters; f += 4) {
      const lanes = min(4, filters - f);
      const src = kernel + (<usize>(c * filters + f) << 2);
      // 3×3 taps into rows 0..2, columns 0..2 of PATCH; G along columns (3 → 6 rows), then along rows.
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) v128.store(scratch(PATCH) + <usize>(i * 96 + j * 16), loadLanes(src + <usize>(i * 3 + j) * tap, lanes));
      }
      for (let pass = 0; pass < 2; pass++) {
        const count = pass == 0 ? 3 : 6;
        for (let q = 0; q < count; q++) {
          const p = pass == 0 ? scratch(PATCH) + <usize>(q * 16) : scratch(PATCH) + <usize>(q * 96);
          const s: usize = pass == 0 ? 96 : 16;
          const g0 = v128.load(p), g1 = v128.load(p + s), g2 = v128.load(p + 2 * s);
          const sixth = f32x4.splat(<f32>(1.0 / 6.0));
          const outer = f32x4.add(g0, g2);
          const a = f32x4.add(f32x4.mul(f32x4.splat(<f32>(1.0 / 24.0)), g0), f32x4.mul(sixth, g2));
          const b = f32x4.mul(f32x4.splat(<f32>(1.0 / 12.0)), g1);
          v128.store(p, f32x4.mul(f32x4.splat(0.25), g0));
          v128.store(p + s, f32x4.neg(f32x4.mul(sixth, f32x4.add(outer, g1))));
          v128.store(p + 2 * s, f32x4.neg(f32x4.mul(sixth, f32x4.sub(outer, g1))));
          v128.store(p + 3 * s, f32x4.add(a, b));
          v128.store(p + 4 * s, f32x4.sub(a, b));
          v128.store(p + 5 * s, g2);
        }
      }
      const dst = u + (<usize>(c * filters + f) << 2);
      for (let e = 0; e < 36; e++) storeLanes(dst + <usize>e * plane, v128.load(scratch(PATCH) + (<usize>e << 4)), lanes);
    }
  }
}

/**
 * V[e][t − tile0][c] = (Bᵀ d B)[e] for the block's tiles t = (b, ty, tx), whose 6×6 input patch starts at
 * (4·ty − padTop, 4·tx − padLeft); pixels outside the image are zeros (padding, or tiles past the edge).
 */
export function winogradInputTransform(v: usize, input: usize, height: i32, width: i32, channels: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, tile0: i32, tiles: i32): void {
  winogradInputTransformRows(v, input, height, width, channels, padTop, padLeft, outH, outW, tile0, tiles, 0, tiles);
}

/** Rows t0 .. t1 − 1 of the block (its tiles tile0 + t0 ..) only, in planes laid out for all `tiles`: one thread's share. */
export function winogradInputTransformRows(v: usize, input: usize, height: i32, width: i32, channels: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, tile0: i32, tiles: i32, t0: i32, t1: i32): void {
  const tilesW = (outW + 3) >> 2, perImage = ((outH + 3) >> 2) * tilesW;
  const plane = <usize>winogradPlaneStride(tiles, channels) << 2;
  const pixel = <usize>channels << 2, line = <usize>(width * channels) << 2;
  const patch = scratch(PATCH);
  const zero = f32x4.splat(0);
  for (let t = t0; t < t1; t++) {
    const b = (tile0 + t) / perImage, r = (tile0 + t) % perImage, ty = r / tilesW, tx = r % tilesW;
    const y0 = ty * 4 - padTop;
    const x0 = tx * 4 - padLeft;
    // The patch's rows iLo .. iHi − 1 and columns jLo .. jHi − 1 are inside the image; the rest are zeros.
    const iLo = max(0, -y0), iHi = min(6, height - y0);
    const jLo = max(0, -x0), jHi = min(6, width - x0);
    const rowsInside = iLo == 0 && iHi == 6;
    // Pixel (y0 + i, x0 + j), channel c, is at corner + i·line + j·pixel + 4c (only formed for pixels inside).
    const corner = input + <usize>(((b * height + y0) * width + x0) * channels) * 4;
    for (let c = 0; c < channels; c += 4) {
      const lanes = min(4, channels - c);
      const at = corner + (<usize>c << 2);
      // Bᵀ down each column j of the patch, into PATCH column j.
      for (let j = 0; j < 6; j++) {
        const dst = patch + <usize>(j * 16);
        if (j < jLo || j >= jHi) {
          for (let i = 0; i < 6; i++) v128.store(dst + <usize>(i * 96), zero);
          continue;
        }
        const col = at + <usize>j * pixel;
        if (rowsInside) {
          inputTransform6(loadLanes(col, lanes), loadLanes(col + line, lanes), loadLanes(col + 2 * line, lanes),
            loadLanes(col + 3 * line, lanes), loadLanes(col + 4 * line, lanes), loadLanes(col + 5 * line, lanes),
            dst, 96, 4);
        } else {
          inputTransform6(iLo <= 0 && iHi > 0 ? loadLanes(col, lanes) : zero,
            iLo <= 1 && iHi > 1 ? loadLanes(col + line, lanes) : zero,
            iLo <= 2 && iHi > 2 ? loadLanes(col + 2 * line, lanes) : zero,
            iLo <= 3 && iHi > 3 ? loadLanes(col + 3 * line, lanes) : zero,
            iLo <= 4 && iHi > 4 ? loadLanes(col + 4 * line, lanes) : zero,
            iLo <= 5 && iHi > 5 ? loadLanes(col + 5 * line, lanes) : zero, dst, 96, 4);
        }
      }
      // Bᵀ along each row i of PATCH, into planes 6i .. 6i + 5.
      const dst = v + (<usize>(t * channels + c) << 2);
      for (let i = 0; i < 6; i++) {
        const src = patch + <usize>(i * 96);
        inputTransform6(v128.load(src), v128.load(src, 16), v128.load(src, 32), v128.load(src, 48),
          v128.load(src, 64), v128.load(src, 80), dst + <usize>(i * 6) * plane, plane, lanes);
      }
    }
  }
}

/**
 * The tile products, 36 gemms. Forward (adjoint false): out[e] (tiles × filters) = input[e] (tiles × channels) ·
 * U[e]. Adjoint: out[e] (tiles × channels) = input[e] (tiles × filters) · U[e]ᵀ.
 */
export function winogradMultiply(out: usize, input: usize, u: usize, tiles: i32, channels: i32, filters: i32,
  adjoint: bool): void {
  winogradMultiplyPlanes(out, input, u, tiles, channels, filters, adjoint, 0, 36);
}

/**
 * winogradMultiply's products for planes e0 .. e1 − 1 only: one thread's share (src/runtime/threads/split.ts). Each
 * plane is computed the same way whoever computes it, so the planes are the same bytes however they are shared out.
 */
export function winogradMultiplyPlanes(out: usize, input: usize, u: usize, tiles: i32, channels: i32, filters: i32,
  adjoint: bool, e0: i32, e1: i32): void {
  const inCols = adjoint ? filters : channels;
  const outCols = adjoint ? channels : filters;
  const inPlane = <usize>winogradPlaneStride(tiles, inCols) << 2;
  const outPlane = <usize>winogradPlaneStride(tiles, outCols) << 2;
  const uPlane = <usize>winogradPlaneStride(channels, filters) << 2;
  for (let e = <usize>e0; e < <usize>e1; e++) {
    planeProduct(out + e * outPlane, input + e * inPlane, u + e * uPlane, tiles, channels, filters, adjoint);
  }
}

// ---- the tile products' micro-kernels ----
//
// One plane's product C (tiles × n) = A (tiles × k) · op(U) runs 8 columns at a time: op(U)'s 8 columns are copied
// into PANEL (k rows of 8 floats, zeros past n; for the adjoint a transpose of U's rows), then every 4 rows of A
// times the panel make a 4×8 block of C in 8 f32x4 accumulators (4 broadcast A elements × 2 panel vectors per step of
// k, as in assembly/gemm.ts). Not unrolled: V8 schedules a loop body's loads first, and two steps' 12 loaded vectors
// with the 8 accumulators spill (measured: unrolled by 4, the products ran 25% slower than this loop). Each element of C is one sequential f32 sum over k from 0 (the order assembly/gemm.ts sums in for k ≤
// 256), so the planes are the bytes the gemm calls gave. With the panel in L1 and no per-call packing of a whole
// operand, the products ran at ~1.4× the gemm's speed on the tutorial's planes (36 × 32 · 32 × 64).

const PANEL_FLOATS = 16384;                    // op(U) packed, 64 KiB: k·n up to 16,384 through the micro-kernels
const PANEL = memory.data(PANEL_FLOATS * 4, 16);
const A_PANEL_K = 1024;                         // 4 rows of A interleaved: k up to 1024
const A_PANEL = memory.data(A_PANEL_K * 16, 16);
const EDGE = memory.data(4 * 8 * 4, 16);        // a block past the last row or column goes through here

function planeProduct(c: usize, a: usize, u: usize, tiles: i32, channels: i32, filters: i32, adjoint: bool): void {
  const k = adjoint ? filters : channels;
  const n = adjoint ? channels : filters;
  if (tiles <= 0 || n <= 0) return;
  const panels = (n + 7) >> 3;
  if (k <= 0 || panels * k > PANEL_FLOATS >> 3 || k > A_PANEL_K) {
    gemm(c, a, u, tiles, n, k, false, adjoint, false);
    return;
  }
  const lda = <usize>k << 2, ldc = <usize>n << 2;
  const panel = scratch(PANEL), aPanel = scratch(A_PANEL);
  const panelBytes = <usize>k << 5;
  for (let j = 0; j < n; j += 8) {
    const cols = min(8, n - j);
    const dst = panel + <usize>(j >> 3) * panelBytes;
    if (!adjoint) packRows(dst, u + (<usize>j << 2), <usize>filters << 2, k, cols);
    else packColumns(dst, u + (<usize>j * <usize>filters << 2), <usize>filters << 2, k, cols);
  }
  for (let i = 0; i < tiles; i += 4) {
    const rows = min(4, tiles - i);
    packA(aPanel, a + <usize>i * lda, lda, rows, k);
    const cRow = c + <usize>i * ldc;
    for (let jp = 0; jp < panels; jp++) {
      block4x8(cRow + (<usize>jp << 5), ldc, rows, min(8, n - (jp << 3)), aPanel, panel + <usize>jp * panelBytes, k);
    }
  }
}

// A_PANEL[p][r] = A(r, p) for the block's rows r < rows (rows past the last repeat it): 4 rows of A interleaved, so
// that the micro-kernel broadcasts all four from one pointer.
function packA(dst: usize, src: usize, lda: usize, rows: i32, k: i32): void {
  const s1 = rows > 1 ? src + lda : src, s2 = rows > 2 ? src + 2 * lda : s1, s3 = rows > 3 ? src + 3 * lda : s2;
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const o = <usize>p << 2;
    const r0 = v128.load(src + o), r1 = v128.load(s1 + o), r2 = v128.load(s2 + o), r3 = v128.load(s3 + o);
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    const d = dst + (<usize>p << 4);
    v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
    v128.store(d, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
    v128.store(d, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
    v128.store(d, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
  }
  for (; p < k; p++) {
    const o = <usize>p << 2, d = dst + (<usize>p << 4);
    store<f32>(d, load<f32>(src + o));
    store<f32>(d, load<f32>(s1 + o), 4);
    store<f32>(d, load<f32>(s2 + o), 8);
    store<f32>(d, load<f32>(s3 + o), 12);
  }
}

// PANEL[p][jj] = src[p·ld + jj] for jj < cols, zeros after: 8 columns of a row-major matrix.
function packRows(panel: usize, src: usize, ld: usize, k: i32, cols: i32): void {
  if (cols == 8) {
    for (let p = 0; p < k; p++) {
      const d = panel + (<usize>p << 5);
      v128.store(d, v128.load(src));
      v128.store(d, v128.load(src, 16), 16);
      src += ld;
    }
    return;
  }
  for (let p = 0; p < k; p++) {
    const d = panel + (<usize>p << 5);
    v128.store(d, f32x4.splat(0));
    v128.store(d, f32x4.splat(0), 16);
    for (let jj = 0; jj < cols; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(src + (<usize>jj << 2)));
    src += ld;
  }
}

// PANEL[p][jj] = src[jj·ld + p] for jj < cols, zeros after: 8 rows of a row-major matrix, transposed.
function packColumns(panel: usize, src: usize, ld: usize, k: i32, cols: i32): void {
  if (cols == 8) {
    // 4×4 transposes: rows jj .. jj + 3, columns p .. p + 3 become panel rows p .. p + 3, lanes jj .. jj + 3.
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      for (let half = 0; half < 2; half++) {
        const s = src + <usize>(half * 4) * ld + (<usize>p << 2);
        const r0 = v128.load(s), r1 = v128.load(s + ld), r2 = v128.load(s + 2 * ld), r3 = v128.load(s + 3 * ld);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const d = panel + (<usize>p << 5) + <usize>(half * 16);
        v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(d, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
        v128.store(d, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
        v128.store(d, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
      }
    }
    for (; p < k; p++) {
      const d = panel + (<usize>p << 5);
      for (let jj = 0; jj < 8; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(src + <usize>jj * ld + (<usize>p << 2)));
    }
    return;
  }
  for (let p = 0; p < k; p++) {
    const d = panel + (<usize>p << 5);
    v128.store(d, f32x4.splat(0));
    v128.store(d, f32x4.splat(0), 16);
    for (let jj = 0; jj < cols; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(src + <usize>jj * ld + (<usize>p << 2)));
  }
}

// A 4×8 block of C = A · PANEL over k, A packed by packA (rows past the last are not stored) and columns past
// `cols` the panel's zeros (not stored).
function block4x8(c: usize, ldc: usize, rows: i32, cols: i32, ap: usize, bp: usize, k: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = ap + (<usize>k << 4);
  while (ap < end) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    const a4 = v128.load(ap);
    let a = v128.shuffle<f32>(a4, a4, 0, 0, 0, 0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.shuffle<f32>(a4, a4, 1, 1, 1, 1);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.shuffle<f32>(a4, a4, 2, 2, 2, 2);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.shuffle<f32>(a4, a4, 3, 3, 3, 3);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    ap += 16; bp += 32;
  }
  storeBlock(c, ldc, rows, cols, false, c00, c01, c10, c11, c20, c21, c30, c31);
}

// Stores (or, when addC, adds to C) the valid rows × cols of a 4×8 block.
@inline function storeBlock(c: usize, ldc: usize, rows: i32, cols: i32, addC: bool, c00: v128, c01: v128, c10: v128,
  c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  if (rows == 4 && cols == 8) {
    if (addC) {
      c00 = f32x4.add(v128.load(c), c00); c01 = f32x4.add(v128.load(c, 16), c01);
      c10 = f32x4.add(v128.load(c + ldc), c10); c11 = f32x4.add(v128.load(c + ldc, 16), c11);
      c20 = f32x4.add(v128.load(c + 2 * ldc), c20); c21 = f32x4.add(v128.load(c + 2 * ldc, 16), c21);
      c30 = f32x4.add(v128.load(c + 3 * ldc), c30); c31 = f32x4.add(v128.load(c + 3 * ldc, 16), c31);
    }
    v128.store(c, c00); v128.store(c, c01, 16);
    v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
    v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
    v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
    return;
  }
  const edge = scratch(EDGE);
  v128.store(edge, c00); v128.store(edge, c01, 16);
  v128.store(edge, c10, 32); v128.store(edge, c11, 48);
  v128.store(edge, c20, 64); v128.store(edge, c21, 80);
  v128.store(edge, c30, 96); v128.store(edge, c31, 112);
  for (let r = 0; r < rows; r++) {
    const row = c + <usize>r * ldc;
    for (let jj = 0; jj < cols; jj++) {
      const at = row + (<usize>jj << 2);
      const x = load<f32>(edge + (<usize>(r * 8 + jj) << 2));
      store<f32>(at, addC ? load<f32>(at) + x : x);
    }
  }
}

/**
 * out[b][y][x][f] = (Aᵀ M A)[y mod 4][x mod 4] of tile (b, y/4, x/4), plus bias[f] when bias ≠ 0, then max(·, 0)
 * when relu; only the outH × outW valid outputs are stored.
 */
export function winogradOutputTransform(out: usize, m: usize, bias: usize, relu: bool, outH: i32, outW: i32,
  filters: i32, tile0: i32, tiles: i32): void {
  winogradOutputTransformRows(out, m, bias, relu, outH, outW, filters, tile0, tiles, 0, tiles);
}

/** The outputs of rows t0 .. t1 − 1 of the block only: one thread's share. */
export function winogradOutputTransformRows(out: usize, m: usize, bias: usize, relu: bool, outH: i32, outW: i32,
  filters: i32, tile0: i32, tiles: i32, t0: i32, t1: i32): void {
  const tilesW = (outW + 3) >> 2, perImage = ((outH + 3) >> 2) * tilesW;
  const plane = <usize>winogradPlaneStride(tiles, filters) << 2;
  const patch = scratch(PATCH);
  const zero = f32x4.splat(0);
  for (let t = t0; t < t1; t++) {
    const b = (tile0 + t) / perImage, r = (tile0 + t) % perImage, ty = r / tilesW, tx = r % tilesW;
    const rows = min(4, outH - ty * 4);
    const cols = min(4, outW - tx * 4);
    const corner = out + (<usize>(((b * outH + ty * 4) * outW + tx * 4) * filters) << 2);
    const line = <usize>(outW * filters) << 2, pixel = <usize>filters << 2;
    for (let f = 0; f < filters; f += 4) {
      const lanes = min(4, filters - f);
      // Aᵀ down each column j of M (planes j, 6 + j, ..., 30 + j), into rows 0..3 of PATCH column j.
      const src = m + (<usize>(t * filters + f) << 2);
      for (let j = 0; j < 6; j++) {
        const col = src + <usize>j * plane;
        outputTransform6(loadLanes(col, lanes), loadLanes(col + 6 * plane, lanes), loadLanes(col + 12 * plane, lanes),
          loadLanes(col + 18 * plane, lanes), loadLanes(col + 24 * plane, lanes), loadLanes(col + 30 * plane, lanes),
          patch + <usize>(j * 16), 96);
      }
      // Aᵀ along each valid row i of PATCH, into ROW; then + bias, relu, stored.
      const add = bias != 0 ? loadLanes(bias + (<usize>f << 2), lanes) : zero;
      for (let i = 0; i < rows; i++) {
        const p = patch + <usize>(i * 96);
        const row = scratch(ROW);
        outputTransform6(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), v128.load(p, 64),
          v128.load(p, 80), row, 16);
        const dst = corner + <usize>i * line + (<usize>f << 2);
        for (let j = 0; j < cols; j++) {
          let y = v128.load(row + <usize>(j * 16));
          if (bias != 0) y = f32x4.add(y, add);
          if (relu) y = f32x4.max(y, zero);
          storeLanes(dst + <usize>j * pixel, y, lanes);
        }
      }
    }
  }
}

/** dM[e][t][f] = (A dY Aᵀ)[e], dY the tile's 4×4 block of dOut (zeros past outH × outW): outputTransform's adjoint. */
export function winogradOutputAdjoint(dm: usize, dOut: usize, outH: i32, outW: i32, filters: i32, tile0: i32,
  tiles: i32): void {
  winogradOutputAdjointRows(dm, dOut, outH, outW, filters, tile0, tiles, 0, tiles);
}

/** Rows t0 .. t1 − 1 of dM only: one thread's share. */
export function winogradOutputAdjointRows(dm: usize, dOut: usize, outH: i32, outW: i32, filters: i32, tile0: i32,
  tiles: i32, t0: i32, t1: i32): void {
  const tilesW = (outW + 3) >> 2, perImage = ((outH + 3) >> 2) * tilesW;
  const plane = <usize>winogradPlaneStride(tiles, filters) << 2;
  const patch = scratch(PATCH);
  const zero = f32x4.splat(0);
  const line = <usize>(outW * filters) << 2, pixel = <usize>filters << 2;
  for (let t = t0; t < t1; t++) {
    const b = (tile0 + t) / perImage, r = (tile0 + t) % perImage, ty = r / tilesW, tx = r % tilesW;
    const rows = min(4, outH - ty * 4);
    const cols = min(4, outW - tx * 4);
    const corner = dOut + (<usize>(((b * outH + ty * 4) * outW + tx * 4) * filters) << 2);
    for (let f = 0; f < filters; f += 4) {
      const lanes = min(4, filters - f);
      // A down each column j of dY (zeros past the outputs), into PATCH column j.
      for (let j = 0; j < 4; j++) {
        const col = corner + <usize>j * pixel + (<usize>f << 2);
        const dst = patch + <usize>(j * 16);
        if (j >= cols) {
          for (let i = 0; i < 6; i++) v128.store(dst + <usize>(i * 96), zero);
          continue;
        }
        outputAdjoint4(loadLanes(col, lanes), rows > 1 ? loadLanes(col + line, lanes) : zero,
          rows > 2 ? loadLanes(col + 2 * line, lanes) : zero, rows > 3 ? loadLanes(col + 3 * line, lanes) : zero,
          dst, 96, 4);
      }
      // A along each row i of PATCH, into planes 6i .. 6i + 5.
      const dst = dm + (<usize>(t * filters + f) << 2);
      for (let i = 0; i < 6; i++) {
        const p = patch + <usize>(i * 96);
        outputAdjoint4(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48),
          dst + <usize>(i * 6) * plane, plane, lanes);
      }
    }
  }
}

/** dInput += B dV Bᵀ of every tile at its patch's place (pixels outside the image dropped): inputTransform's adjoint. */
export function winogradInputAdjoint(dInput: usize, dv: usize, height: i32, width: i32, channels: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, tile0: i32, tiles: i32): void {
  winogradInputAdjointChannels(dInput, dv, height, width, channels, padTop, padLeft, outH, outW, tile0, tiles, 0, channels);
}

/**
 * Channels c0 .. c1 − 1 only (c0 a multiple of 4): one thread's share. Neighbouring tiles' patches overlap, so the
 * tiles cannot be shared out; the channels can, each pixel still summing its tiles in the same order.
 */
export function winogradInputAdjointChannels(dInput: usize, dv: usize, height: i32, width: i32, channels: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, tile0: i32, tiles: i32, c0: i32, c1: i32): void {
  const tilesW = (outW + 3) >> 2, perImage = ((outH + 3) >> 2) * tilesW;
  const plane = <usize>winogradPlaneStride(tiles, channels) << 2;
  const pixel = <usize>channels << 2, line = <usize>(width * channels) << 2;
  const patch = scratch(PATCH), row = scratch(ROW);
  for (let t = 0; t < tiles; t++) {
    const b = (tile0 + t) / perImage, r = (tile0 + t) % perImage, ty = r / tilesW, tx = r % tilesW;
    const y0 = ty * 4 - padTop;
    const x0 = tx * 4 - padLeft;
    const iLo = max(0, -y0), iHi = min(6, height - y0);
    const jLo = max(0, -x0), jHi = min(6, width - x0);
    const corner = dInput + <usize>(((b * height + y0) * width + x0) * channels) * 4;
    for (let c = c0; c < c1; c += 4) {
      const lanes = min(4, c1 - c);
      // B down each column j of dV (planes j, 6 + j, ..., 30 + j), into PATCH column j.
      const src = dv + (<usize>(t * channels + c) << 2);
      for (let j = 0; j < 6; j++) {
        const col = src + <usize>j * plane;
        inputAdjoint6(loadLanes(col, lanes), loadLanes(col + 6 * plane, lanes), loadLanes(col + 12 * plane, lanes),
          loadLanes(col + 18 * plane, lanes), loadLanes(col + 24 * plane, lanes), loadLanes(col + 30 * plane, lanes),
          patch + <usize>(j * 16), 96);
      }
      // B along each row i of PATCH inside the image, into ROW, added to the pixels inside.
      for (let i = iLo; i < iHi; i++) {
        const p = patch + <usize>(i * 96);
        inputAdjoint6(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), v128.load(p, 64),
          v128.load(p, 80), row, 16);
        const dst = corner + <usize>i * line + (<usize>c << 2);
        for (let j = jLo; j < jHi; j++) {
          const at = dst + <usize>j * pixel;
          storeLanes(at, f32x4.add(loadLanes(at, lanes), v128.load(row + <usize>(j * 16))), lanes);
        }
      }
    }
  }
}

/**
 * The kernel gradient's products, 36 gemms: dU[e] (channels × filters) = V[e]ᵀ (channels × tiles) · dM[e]
 * (tiles × filters), added to dU when accumulate (every block after a batch's first).
 */
export function winogradKernelGradient(du: usize, v: usize, dm: usize, tiles: i32, channels: i32, filters: i32,
  accumulate: bool): void {
  winogradKernelGradientPlanes(du, v, dm, tiles, channels, filters, accumulate, 0, 36);
}

/**
 * winogradKernelGradient's products for planes e0 .. e1 − 1 only: one thread's share (src/runtime/threads/split.ts).
 * The whole call is this one over all 36 planes, so the planes are the same bytes however they are shared out.
 */
export function winogradKernelGradientPlanes(du: usize, v: usize, dm: usize, tiles: i32, channels: i32,
  filters: i32, accumulate: bool, e0: i32, e1: i32): void {
  const vPlane = <usize>winogradPlaneStride(tiles, channels) << 2;
  const mPlane = <usize>winogradPlaneStride(tiles, filters) << 2;
  const uPlane = <usize>winogradPlaneStride(channels, filters) << 2;
  for (let e = <usize>e0; e < <usize>e1; e++) {
    gradientPlane(du + e * uPlane, v + e * vPlane, dm + e * mPlane, tiles, channels, filters, accumulate);
  }
}

// One plane of dU (+)= Vᵀ · dM in 4×8 blocks (4 channels × 8 filters), each a sequential f32 sum over the tiles from
// 0 added to dU at the end (assembly/gemm.ts's order for tiles ≤ 256). Neither operand needs packing: per tile, the
// block's 4 channels are 4 adjacent floats of V's row (broadcast) and its 8 filters 2 vectors of dM's row. Blocks
// past the last channel or filter read only valid floats (a slower path: sizes off the SIMD width).
function gradientPlane(du: usize, v: usize, dm: usize, tiles: i32, channels: i32, filters: i32, accumulate: bool): void {
  const ldv = <usize>channels << 2, ldm = <usize>filters << 2;
  if (tiles <= 0) {
    if (!accumulate) memory.fill(du, 0, <usize>(channels * filters) << 2);
    return;
  }
  for (let c = 0; c < channels; c += 4) {
    const rows = min(4, channels - c);
    for (let f = 0; f < filters; f += 8) {
      const cols = min(8, filters - f);
      const out = du + (<usize>(c * filters + f) << 2);
      let vp = v + (<usize>c << 2), mp = dm + (<usize>f << 2);
      if (rows < 4 || cols < 8) {
        gradientEdge(out, ldm, rows, cols, vp, ldv, mp, ldm, tiles, accumulate);
        continue;
      }
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      for (let t = 0; t < tiles; t++) {
        const b0 = v128.load(mp), b1 = v128.load(mp, 16);
        let a = v128.load32_splat(vp);
        c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
        a = v128.load32_splat(vp, 4);
        c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
        a = v128.load32_splat(vp, 8);
        c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
        a = v128.load32_splat(vp, 12);
        c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
        vp += ldv; mp += ldm;
      }
      storeBlock(out, ldm, 4, 8, accumulate, c00, c01, c10, c11, c20, c21, c30, c31);
    }
  }
}

// A block of dU at the last channels or filters, element by element in the same order (sum over tiles, then + dU).
function gradientEdge(out: usize, ldo: usize, rows: i32, cols: i32, vp: usize, ldv: usize, mp: usize, ldm: usize,
  tiles: i32, accumulate: bool): void {
  for (let r = 0; r < rows; r++) {
    for (let jj = 0; jj < cols; jj++) {
      let sum: f32 = 0;
      let a = vp + (<usize>r << 2), b = mp + (<usize>jj << 2);
      for (let t = 0; t < tiles; t++) {
        sum += load<f32>(a) * load<f32>(b);
        a += ldv; b += ldm;
      }
      const at = out + <usize>r * ldo + (<usize>jj << 2);
      store<f32>(at, accumulate ? load<f32>(at) + sum : sum);
    }
  }
}

// Gᵀ u: six values at p .. p + 5s become three at p .. p + 2s (the adjoint of the kernel transform's G g).
@inline function kernelAdjoint6(p: usize, s: usize): void {
  const u0 = v128.load(p), u1 = v128.load(p + s), u2 = v128.load(p + 2 * s);
  const u3 = v128.load(p + 3 * s), u4 = v128.load(p + 4 * s), u5 = v128.load(p + 5 * s);
  const sixth = f32x4.splat(<f32>(1.0 / 6.0));
  const s12 = f32x4.add(u1, u2), d12 = f32x4.sub(u2, u1);
  const s34 = f32x4.add(u3, u4), d34 = f32x4.sub(u3, u4);
  // u0/4 − (u1 + u2)/6 + (u3 + u4)/24
  v128.store(p, f32x4.add(f32x4.sub(f32x4.mul(f32x4.splat(0.25), u0), f32x4.mul(sixth, s12)),
    f32x4.mul(f32x4.splat(<f32>(1.0 / 24.0)), s34)));
  // (u2 − u1)/6 + (u3 − u4)/12
  v128.store(p + s, f32x4.add(f32x4.mul(sixth, d12), f32x4.mul(f32x4.splat(<f32>(1.0 / 12.0)), d34)));
  // (u3 + u4 − u1 − u2)/6 + u5
  v128.store(p + 2 * s, f32x4.add(f32x4.mul(sixth, f32x4.sub(s34, s12)), u5));
}

/**
 * dKernel[·][·][c][f] += Gᵀ dU[·][c][f] G for each channel and filter (Keras' [3, 3, channels, filters] layout):
 * the kernel transform's adjoint.
 */
export function winogradKernelAdjoint(dKernel: usize, du: usize, channels: i32, filters: i32): void {
  winogradKernelAdjointChannels(dKernel, du, channels, filters, 0, channels);
}

/**
 * winogradKernelAdjoint for channels c0 .. c1 − 1 only: one thread's share (src/runtime/threads/split.ts); each
 * channel's taps are its own outputs. PATCH through scratch(): each thread has its own.
 */
export function winogradKernelAdjointChannels(dKernel: usize, du: usize, channels: i32, filters: i32, c0: i32,
  c1: i32): void {
  const plane = <usize>winogradPlaneStride(channels, filters) << 2;
  const tap = <usize>(channels * filters) << 2;
  const patch = scratch(PATCH);
  for (let c = c0; c < c1; c++) {
    for (let f = 0; f < filters; f += 4) {
      const lanes = min(4, filters - f);
      const src = du + (<usize>(c * filters + f) << 2);
      for (let e = 0; e < 36; e++) v128.store(patch + (<usize>e << 4), loadLanes(src + <usize>e * plane, lanes));
      for (let j = 0; j < 6; j++) kernelAdjoint6(patch + <usize>(j * 16), 96);
      for (let i = 0; i < 3; i++) kernelAdjoint6(patch + <usize>(i * 96), 16);
      const dst = dKernel + (<usize>(c * filters + f) << 2);
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const at = dst + <usize>(i * 3 + j) * tap;
          storeLanes(at, f32x4.add(loadLanes(at, lanes), v128.load(patch + <usize>(i * 96 + j * 16))), lanes);
        }
      }
    }
  }
}

// ---- A Winograd layer's forward over its blocks of tiles, in one call (issue 16) ----------------------------------

/**
 * The forward of a layer over all its tiles, block after block of `block` tiles (the last may be shorter): for each
 * block, its V (its own region of v, 36 · winogradPlaneStride(block, channels) floats apart: the layer keeps them for
 * the kernel gradient) = the input transform, M = V · U, and the output transform into out: winogradInputTransform,
 * winogradMultiply and winogradOutputTransform, called on each block in turn. A block's three steps touch only its
 * own tiles, so blocks may run on different threads with no barrier between the steps (src/runtime/threads/split.ts);
 * each thread then needs an M of its own: m holds `slots` of them, 36 · winogradPlaneStride(block, filters) floats
 * apart, and this whole call uses the first.
 */
export function winogradForward(out: usize, v: usize, m: usize, input: usize, u: usize, bias: usize, relu: bool,
  height: i32, width: i32, channels: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32, filters: i32, tiles: i32,
  block: i32, slots: i32): void {
  const blocks = block > 0 ? (tiles + block - 1) / block : 0;
  winogradForwardBlocks(out, v, m, input, u, bias, relu, height, width, channels, padTop, padLeft, outH, outW, filters,
    tiles, block, slots, 0, blocks, 0);
}

/** Blocks b0 .. b1 − 1 only, with M slot `slot`: one thread's share. */
export function winogradForwardBlocks(out: usize, v: usize, m: usize, input: usize, u: usize, bias: usize, relu: bool,
  height: i32, width: i32, channels: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32, filters: i32, tiles: i32,
  block: i32, slots: i32, b0: i32, b1: i32, slot: i32): void {
  const vBlock = <usize>(36 * winogradPlaneStride(block, channels)) << 2;
  const mSlot = m + (<usize>(slot * 36 * winogradPlaneStride(block, filters)) << 2);
  for (let i = b0; i < b1; i++) {
    const t0 = i * block, n = min(block, tiles - t0);
    const vi = v + <usize>i * vBlock;
    winogradInputTransform(vi, input, height, width, channels, padTop, padLeft, outH, outW, t0, n);
    winogradMultiply(mSlot, vi, u, n, channels, filters, false);
    winogradOutputTransform(out, mSlot, bias, relu, outH, outW, filters, t0, n);
  }
}

// ---- A Winograd layer's backward over its blocks of tiles, in four calls (issue 16) -------------------------------
// The backward of a block is: dM = the output adjoint of its dOut tiles; dU += Vᵀ dM (the kernel gradient, summed
// over the blocks in block order); dV = dM · Uᵀ (into its V, once dU has it); dInput += the input adjoint of dV
// (neighbouring tiles, in different blocks too, add into the same pixels, in tile order). Done one block at a time
// that is four calls per block, each shared out over threads by its own rule; done step by step over every block,
// four calls per layer: the output adjoints and dV by blocks (each block's own), the kernel gradient by planes and
// the input adjoint by channels (each walking the blocks in order, as one thread does). dm holds every block's dM,
// 36 · winogradPlaneStride(block, filters) floats apart; v every block's V, 36 · winogradPlaneStride(block,
// channels) apart. The same calls, in the same order for every output, as block by block: the same bytes.

/** dM of every block: winogradOutputAdjoint on each block into its own region of dm. */
export function winogradOutputAdjoints(dm: usize, dOut: usize, outH: i32, outW: i32, filters: i32, tiles: i32,
  block: i32): void {
  winogradOutputAdjointsBlocks(dm, dOut, outH, outW, filters, tiles, block, 0, block > 0 ? (tiles + block - 1) / block : 0);
}

/** Blocks b0 .. b1 − 1 only: one thread's share. */
export function winogradOutputAdjointsBlocks(dm: usize, dOut: usize, outH: i32, outW: i32, filters: i32, tiles: i32,
  block: i32, b0: i32, b1: i32): void {
  const mBlock = <usize>(36 * winogradPlaneStride(block, filters)) << 2;
  for (let i = b0; i < b1; i++) {
    const t0 = i * block;
    winogradOutputAdjoint(dm + <usize>i * mBlock, dOut, outH, outW, filters, t0, min(block, tiles - t0));
  }
}

/** dU = Σ over the blocks, in order, of V[e]ᵀ · dM[e]: winogradKernelGradient on each block, accumulating after the first. */
export function winogradKernelGradients(du: usize, v: usize, dm: usize, tiles: i32, block: i32, channels: i32,
  filters: i32): void {
  winogradKernelGradientsPlanes(du, v, dm, tiles, block, channels, filters, 0, 36);
}

/** Planes e0 .. e1 − 1 only, every block in order: one thread's share. */
export function winogradKernelGradientsPlanes(du: usize, v: usize, dm: usize, tiles: i32, block: i32, channels: i32,
  filters: i32, e0: i32, e1: i32): void {
  const vBlock = <usize>(36 * winogradPlaneStride(block, channels)) << 2;
  const mBlock = <usize>(36 * winogradPlaneStride(block, filters)) << 2;
  for (let t0 = 0, i = 0; t0 < tiles; t0 += block, i++) {
    winogradKernelGradientPlanes(du, v + <usize>i * vBlock, dm + <usize>i * mBlock, min(block, tiles - t0), channels,
      filters, t0 > 0, e0, e1);
  }
}

/** dV = dM · Uᵀ of every block, into its V: winogradMultiply (adjoint) on each block. */
export function winogradMultiplyAdjoints(v: usize, dm: usize, u: usize, tiles: i32, block: i32, channels: i32,
  filters: i32): void {
  winogradMultiplyAdjointsBlocks(v, dm, u, tiles, block, channels, filters, 0, block > 0 ? (tiles + block - 1) / block : 0);
}

/** Blocks b0 .. b1 − 1 only: one thread's share. */
export function winogradMultiplyAdjointsBlocks(v: usize, dm: usize, u: usize, tiles: i32, block: i32, channels: i32,
  filters: i32, b0: i32, b1: i32): void {
  const vBlock = <usize>(36 * winogradPlaneStride(block, channels)) << 2;
  const mBlock = <usize>(36 * winogradPlaneStride(block, filters)) << 2;
  for (let i = b0; i < b1; i++) {
    winogradMultiply(v + <usize>i * vBlock, dm + <usize>i * mBlock, u, min(block, tiles - i * block), channels, filters,
      true);
  }
}

/** dInput += the input adjoint of every block's dV (in v), block after block: winogradInputAdjoint on each. */
export function winogradInputAdjoints(dInput: usize, v: usize, height: i32, width: i32, channels: i32, padTop: i32,
  padLeft: i32, outH: i32, outW: i32, tiles: i32, block: i32): void {
  winogradInputAdjointsChannels(dInput, v, height, width, channels, padTop, padLeft, outH, outW, tiles, block, 0,
    channels);
}

/** Channels c0 .. c1 − 1 only (c0 a multiple of 4), every block in order: one thread's share. */
export function winogradInputAdjointsChannels(dInput: usize, v: usize, height: i32, width: i32, channels: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, tiles: i32, block: i32, c0: i32, c1: i32): void {
  const vBlock = <usize>(36 * winogradPlaneStride(block, channels)) << 2;
  for (let t0 = 0, i = 0; t0 < tiles; t0 += block, i++) {
    winogradInputAdjointChannels(dInput, v + <usize>i * vBlock, height, width, channels, padTop, padLeft, outH, outW,
      t0, min(block, tiles - t0), c0, c1);
  }
}
