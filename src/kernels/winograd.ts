// TypeScript twin of assembly/winograd.ts: Winograd F(4×4, 3×3) for 3×3 stride-1 convolutions (Lavin & Gray 2016,
// points 0, ±1, ±2, ∞). A 6×6 input tile d gives the 4×4 output tile Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A; the
// channel sums are 36 matrix products over planes V[e] (tiles × channels) and U[e] (channels × filters). The input
// gradient runs the same steps transposed (A dY Aᵀ, · U[e]ᵀ, B dV Bᵀ added at the tile's place), and the kernel
// gradient is the kernel transform's adjoint (dU[e] = Σ V[e]ᵀ · dM[e], dKernel += Gᵀ dU G). One channel at a
// time through a 6×6 patch, rounded to f32 at every 1-D pass; the wasm kernel moves 4 channels at a time and agrees
// to rounding.
import { gemm } from './gemm.js';

/** Floats between the 36 planes: rows·cols rounded up to an odd multiple of 16 (see assembly/winograd.ts why). */
export function winogradPlaneStride(rows: number, cols: number): number {
  const n = (rows * cols + 15) & ~15;
  return (n & 16) !== 0 ? n : n + 16;
}

/**
 * Tiles per call for a layer: V and M of a block (36 planes each of tiles × channels and tiles × filters floats) take
 * at most 1.3125 MiB (344,064 floats), so that the output transform reads them from L2 or L3 where the input transform
 * and the products left them (a whole batch's planes, 8 MB at the tutorial's second layer, went out to memory and
 * back). A multiple of 4 tiles. At the tutorial's second layer that is 96 tiles (6 blocks per batch of 64): measured
 * against blocks of 36 (the old 512 KiB budget), 48, 72, 144, 192 and 288 tiles in one alternating run of the wasm
 * kernels (CPU time, loaded machine), 96 was fastest, 6% less for the layer's forward and backward than 36: fewer
 * blocks pack U's panels fewer times, and each packed panel serves more rows.
 */
export function winogradBlockTiles(channels: number, filters: number): number {
  return Math.max(4, Math.floor(344064 / (36 * (channels + filters)) / 4) * 4);
}

/** Floats of the 36 planes of a rows × cols operand (U, V or M). */
export function winogradPlanesFloats(rows: number, cols: number): number {
  return 36 * winogradPlaneStride(rows, cols);
}

const patch = new Float32Array(36);

/** Tile t of the batch: image b, tile row ty, tile column tx (ceil(outH/4) × ceil(outW/4) tiles per image). */
export function tileAt(t: number, outH: number, outW: number): { b: number; ty: number; tx: number } {
  const tilesW = (outW + 3) >> 2, perImage = ((outH + 3) >> 2) * tilesW;
  const r = t % perImage;
  return { b: Math.floor(t / perImage), ty: Math.floor(r / tilesW), tx: r % tilesW };
}

// Bᵀ x along six values at p, p + s, ...
function inputTransform6(p: number, s: number): void {
  const x0 = patch[p], x1 = patch[p + s], x2 = patch[p + 2 * s], x3 = patch[p + 3 * s], x4 = patch[p + 4 * s],
    x5 = patch[p + 5 * s];
  patch[p] = 4 * x0 - 5 * x2 + x4;
  patch[p + s] = x3 + x4 - 4 * (x1 + x2);
  patch[p + 2 * s] = x4 - x3 + 4 * (x1 - x2);
  patch[p + 3 * s] = x4 - x2 + 2 * (x3 - x1);
  patch[p + 4 * s] = x4 - x2 - 2 * (x3 - x1);
  patch[p + 5 * s] = 4 * x1 - 5 * x3 + x5;
}

// Aᵀ m: six values become four.
function outputTransform6(p: number, s: number): void {
  const m0 = patch[p], m1 = patch[p + s], m2 = patch[p + 2 * s], m3 = patch[p + 3 * s], m4 = patch[p + 4 * s],
    m5 = patch[p + 5 * s];
  patch[p] = m0 + (m1 + m2) + (m3 + m4);
  patch[p + s] = m1 - m2 + 2 * (m3 - m4);
  patch[p + 2 * s] = m1 + m2 + 4 * (m3 + m4);
  patch[p + 3 * s] = m1 - m2 + 8 * (m3 - m4) + m5;
}

// A y: four values become six (the adjoint of outputTransform6).
function outputAdjoint4(p: number, s: number): void {
  const y0 = patch[p], y1 = patch[p + s], y2 = patch[p + 2 * s], y3 = patch[p + 3 * s];
  patch[p + s] = y0 + y1 + y2 + y3;
  patch[p + 2 * s] = y0 - y1 + y2 - y3;
  patch[p + 3 * s] = y0 + 2 * y1 + 4 * y2 + 8 * y3;
  patch[p + 4 * s] = y0 - 2 * y1 + 4 * y2 - 8 * y3;
  patch[p + 5 * s] = y3;
}

// B v (the adjoint of inputTransform6).
function inputAdjoint6(p: number, s: number): void {
  const v0 = patch[p], v1 = patch[p + s], v2 = patch[p + 2 * s], v3 = patch[p + 3 * s], v4 = patch[p + 4 * s],
    v5 = patch[p + 5 * s];
  patch[p] = 4 * v0;
  patch[p + s] = -4 * v1 + 4 * v2 - 2 * v3 + 2 * v4 + 4 * v5;
  patch[p + 2 * s] = -5 * v0 - 4 * v1 - 4 * v2 - v3 - v4;
  patch[p + 3 * s] = v1 - v2 + 2 * v3 - 2 * v4 - 5 * v5;
  patch[p + 4 * s] = v0 + v1 + v2 + v3 + v4;
}

// G g: three values become six.
function kernelTransform3(p: number, s: number): void {
  const g0 = patch[p], g1 = patch[p + s], g2 = patch[p + 2 * s];
  patch[p] = g0 / 4;
  patch[p + s] = -(g0 + g1 + g2) / 6;
  patch[p + 2 * s] = -(g0 - g1 + g2) / 6;
  patch[p + 3 * s] = g0 / 24 + g1 / 12 + g2 / 6;
  patch[p + 4 * s] = g0 / 24 - g1 / 12 + g2 / 6;
  patch[p + 5 * s] = g2;
}

/** U[e][c][f] = (G g Gᵀ)[e] for the 3×3 kernel g = kernel[·][·][c][f] (Keras' [3, 3, channels, filters]). */
export function winogradKernelTransform(u: Float32Array, kernel: Float32Array, channels: number, filters: number): void {
  const plane = winogradPlaneStride(channels, filters);
  for (let c = 0; c < channels; c++) {
    for (let f = 0; f < filters; f++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) patch[i * 6 + j] = kernel[((i * 3 + j) * channels + c) * filters + f];
      }
      for (let j = 0; j < 3; j++) kernelTransform3(j, 6);
      for (let i = 0; i < 6; i++) kernelTransform3(i * 6, 1);
      for (let e = 0; e < 36; e++) u[e * plane + c * filters + f] = patch[e];
    }
  }
}

/**
 * V[e][t − tile0][c] = (Bᵀ d B)[e] for the block's tiles t = (b, ty, tx) (tileAt), whose 6×6 patch starts at
 * (4·ty − padTop, 4·tx − padLeft); pixels outside the image are zeros.
 */
export function winogradInputTransform(v: Float32Array, input: Float32Array, height: number, width: number,
  channels: number, padTop: number, padLeft: number, outH: number, outW: number, tile0: number, tiles: number): void {
  const plane = winogradPlaneStride(tiles, channels);
  for (let t = 0; t < tiles; t++) {
    const { b, ty, tx } = tileAt(tile0 + t, outH, outW);
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < 6; i++) {
        const y = ty * 4 - padTop + i;
        for (let j = 0; j < 6; j++) {
          const x = tx * 4 - padLeft + j;
          const inside = y >= 0 && y < height && x >= 0 && x < width;
          patch[i * 6 + j] = inside ? input[((b * height + y) * width + x) * channels + c] : 0;
        }
      }
      for (let j = 0; j < 6; j++) inputTransform6(j, 6);
      for (let i = 0; i < 6; i++) inputTransform6(i * 6, 1);
      for (let e = 0; e < 36; e++) v[e * plane + t * channels + c] = patch[e];
    }
  }
}

/**
 * 36 tile products. Forward: out[e] (tiles × filters) = input[e] (tiles × channels) · U[e]; adjoint:
 * out[e] (tiles × channels) = input[e] (tiles × filters) · U[e]ᵀ.
 */
export function winogradMultiply(out: Float32Array, input: Float32Array, u: Float32Array, tiles: number,
  channels: number, filters: number, adjoint: boolean): void {
  const inCols = adjoint ? filters : channels;
  const outCols = adjoint ? channels : filters;
  const inPlane = winogradPlaneStride(tiles, inCols);
  const outPlane = winogradPlaneStride(tiles, outCols);
  const uPlane = winogradPlaneStride(channels, filters);
  for (let e = 0; e < 36; e++) {
    gemm(out.subarray(e * outPlane, e * outPlane + tiles * outCols), input.subarray(e * inPlane, e * inPlane + tiles * inCols),
      u.subarray(e * uPlane, e * uPlane + channels * filters), tiles, outCols, inCols, false, adjoint, false);
  }
}

/**
 * out[b][y][x][f] = (Aᵀ M A) of tile (b, y/4, x/4) at (y mod 4, x mod 4), plus bias[f] (when given), then max(·, 0)
 * when relu; only the outH × outW valid outputs are written.
 */
export function winogradOutputTransform(out: Float32Array, m: Float32Array, bias: Float32Array | null, relu: boolean,
  outH: number, outW: number, filters: number, tile0: number, tiles: number): void {
  const plane = winogradPlaneStride(tiles, filters);
  for (let t = 0; t < tiles; t++) {
    const { b, ty, tx } = tileAt(tile0 + t, outH, outW);
    for (let f = 0; f < filters; f++) {
      for (let e = 0; e < 36; e++) patch[e] = m[e * plane + t * filters + f];
      for (let j = 0; j < 6; j++) outputTransform6(j, 6);
      for (let i = 0; i < 4; i++) outputTransform6(i * 6, 1);
      for (let i = 0; i < 4 && ty * 4 + i < outH; i++) {
        for (let j = 0; j < 4 && tx * 4 + j < outW; j++) {
          let y = patch[i * 6 + j];
          if (bias !== null) y = Math.fround(y + bias[f]);
          if (relu) y = Math.max(y, 0);
          out[((b * outH + ty * 4 + i) * outW + tx * 4 + j) * filters + f] = y;
        }
      }
    }
  }
}

/** dM[e][t][f] = (A dY Aᵀ)[e], dY the tile's 4×4 block of dOut (zeros past outH × outW). */
export function winogradOutputAdjoint(dm: Float32Array, dOut: Float32Array, outH: number, outW: number,
  filters: number, tile0: number, tiles: number): void {
  const plane = winogradPlaneStride(tiles, filters);
  for (let t = 0; t < tiles; t++) {
    const { b, ty, tx } = tileAt(tile0 + t, outH, outW);
    for (let f = 0; f < filters; f++) {
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          const y = ty * 4 + i, x = tx * 4 + j;
          patch[i * 6 + j] = y < outH && x < outW ? dOut[((b * outH + y) * outW + x) * filters + f] : 0;
        }
      }
      for (let j = 0; j < 4; j++) outputAdjoint4(j, 6);
      for (let i = 0; i < 6; i++) outputAdjoint4(i * 6, 1);
      for (let e = 0; e < 36; e++) dm[e * plane + t * filters + f] = patch[e];
    }
  }
}

/** dInput += B dV Bᵀ of every tile at its patch's place, pixels outside the image dropped. Caller zeroes dInput. */
export function winogradInputAdjoint(dInput: Float32Array, dv: Float32Array, height: number, width: number,
  channels: number, padTop: number, padLeft: number, outH: number, outW: number, tile0: number, tiles: number): void {
  const plane = winogradPlaneStride(tiles, channels);
  for (let t = 0; t < tiles; t++) {
    const { b, ty, tx } = tileAt(tile0 + t, outH, outW);
    for (let c = 0; c < channels; c++) {
      for (let e = 0; e < 36; e++) patch[e] = dv[e * plane + t * channels + c];
      for (let j = 0; j < 6; j++) inputAdjoint6(j, 6);
      for (let i = 0; i < 6; i++) inputAdjoint6(i * 6, 1);
      for (let i = 0; i < 6; i++) {
        const y = ty * 4 - padTop + i;
        if (y < 0 || y >= height) continue;
        for (let j = 0; j < 6; j++) {
          const x = tx * 4 - padLeft + j;
          if (x < 0 || x >= width) continue;
          dInput[((b * height + y) * width + x) * channels + c] += patch[i * 6 + j];
        }
      }
    }
  }
}

/**
 * The kernel gradient's 36 products: dU[e] (channels × filters) = V[e]ᵀ (channels × tiles) · dM[e] (tiles × filters),
 * added to dU when accumulate.
 */
export function winogradKernelGradient(du: Float32Array, v: Float32Array, dm: Float32Array, tiles: number,
  channels: number, filters: number, accumulate: boolean): void {
  const vPlane = winogradPlaneStride(tiles, channels);
  const mPlane = winogradPlaneStride(tiles, filters);
  const uPlane = winogradPlaneStride(channels, filters);
  for (let e = 0; e < 36; e++) {
    gemm(du.subarray(e * uPlane, e * uPlane + channels * filters), v.subarray(e * vPlane, e * vPlane + tiles * channels),
      dm.subarray(e * mPlane, e * mPlane + tiles * filters), channels, filters, tiles, true, false, accumulate);
  }
}

// Gᵀ u: six values become three (the adjoint of kernelTransform3), grouped as assembly/winograd.ts groups them.
function kernelAdjoint6(p: number, s: number): void {
  const u0 = patch[p], u1 = patch[p + s], u2 = patch[p + 2 * s], u3 = patch[p + 3 * s], u4 = patch[p + 4 * s],
    u5 = patch[p + 5 * s];
  patch[p] = u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24;
  patch[p + s] = (u2 - u1) / 6 + (u3 - u4) / 12;
  patch[p + 2 * s] = (u3 + u4 - (u1 + u2)) / 6 + u5;
}

/** dKernel[·][·][c][f] += Gᵀ dU[·][c][f] G (Keras' [3, 3, channels, filters]): the kernel transform's adjoint. */
export function winogradKernelAdjoint(dKernel: Float32Array, du: Float32Array, channels: number, filters: number): void {
  const plane = winogradPlaneStride(channels, filters);
  for (let c = 0; c < channels; c++) {
    for (let f = 0; f < filters; f++) {
      for (let e = 0; e < 36; e++) patch[e] = du[e * plane + c * filters + f];
      for (let j = 0; j < 6; j++) kernelAdjoint6(j, 6);
      for (let i = 0; i < 3; i++) kernelAdjoint6(i * 6, 1);
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) dKernel[((i * 3 + j) * channels + c) * filters + f] += patch[i * 6 + j];
      }
    }
  }
}

/**
 * The forward of a layer over all its tiles, block after block of `block` tiles (the last may be shorter): for each
 * block, its V (its own region of v, winogradPlanesFloats(block, channels) floats apart, kept for the kernel
 * gradient) = the input transform, M = V · U, then the output transform into out. m holds `slots` Ms of
 * winogradPlanesFloats(block, filters) floats, one per thread where the blocks are shared out (a block's steps touch
 * only its own tiles: src/runtime/threads/split.ts); this whole call uses the first.
 */
export function winogradForward(out: Float32Array, v: Float32Array, m: Float32Array, input: Float32Array,
  u: Float32Array, bias: Float32Array | null, relu: boolean, height: number, width: number, channels: number,
  padTop: number, padLeft: number, outH: number, outW: number, filters: number, tiles: number, block: number,
  _slots: number): void {
  const vFloats = winogradPlanesFloats(block, channels);
  const mBlock = m.subarray(0, winogradPlanesFloats(block, filters));
  for (let t0 = 0, i = 0; t0 < tiles; t0 += block, i++) {
    const n = Math.min(block, tiles - t0);
    const vBlock = v.subarray(i * vFloats, (i + 1) * vFloats);
    winogradInputTransform(vBlock, input, height, width, channels, padTop, padLeft, outH, outW, t0, n);
    winogradMultiply(mBlock, vBlock, u, n, channels, filters, false);
    winogradOutputTransform(out, mBlock, bias, relu, outH, outW, filters, t0, n);
  }
}

// A layer's backward over its blocks of tiles in four calls (each a loop of the kernels above over the blocks, so
// that threads share out a whole layer's step at once: assembly/winograd.ts). dm holds every block's dM,
// winogradPlanesFloats(block, filters) floats apart; v every block's V (then dV), winogradPlanesFloats(block,
// channels) apart.

/** The ith block of `tiles` tiles in blocks of `block`: its first tile, its tile count, its V and dM regions. */
function blockAt(i: number, tiles: number, block: number, v: Float32Array, vFloats: number, dm: Float32Array,
  mFloats: number) {
  const t0 = i * block;
  return {
    t0, n: Math.min(block, tiles - t0),
    v: v.subarray(i * vFloats, (i + 1) * vFloats), dm: dm.subarray(i * mFloats, (i + 1) * mFloats),
  };
}

/** dM of every block: winogradOutputAdjoint on each block into its own region of dm. */
export function winogradOutputAdjoints(dm: Float32Array, dOut: Float32Array, outH: number, outW: number,
  filters: number, tiles: number, block: number): void {
  const mFloats = winogradPlanesFloats(block, filters);
  for (let i = 0; i * block < tiles; i++) {
    const b = blockAt(i, tiles, block, dm, 0, dm, mFloats);
    winogradOutputAdjoint(b.dm, dOut, outH, outW, filters, b.t0, b.n);
  }
}

/** dU = Σ over the blocks, in order, of V[e]ᵀ · dM[e] (the first block's overwrites dU, the next add). */
export function winogradKernelGradients(du: Float32Array, v: Float32Array, dm: Float32Array, tiles: number,
  block: number, channels: number, filters: number): void {
  const vFloats = winogradPlanesFloats(block, channels), mFloats = winogradPlanesFloats(block, filters);
  for (let i = 0; i * block < tiles; i++) {
    const b = blockAt(i, tiles, block, v, vFloats, dm, mFloats);
    winogradKernelGradient(du, b.v, b.dm, b.n, channels, filters, b.t0 > 0);
  }
}

/** dV = dM · Uᵀ of every block, into its V. */
export function winogradMultiplyAdjoints(v: Float32Array, dm: Float32Array, u: Float32Array, tiles: number,
  block: number, channels: number, filters: number): void {
  const vFloats = winogradPlanesFloats(block, channels), mFloats = winogradPlanesFloats(block, filters);
  for (let i = 0; i * block < tiles; i++) {
    const b = blockAt(i, tiles, block, v, vFloats, dm, mFloats);
    winogradMultiply(b.v, b.dm, u, b.n, channels, filters, true);
  }
}

/** dInput += the input adjoint of every block's dV (in v), block after block. */
export function winogradInputAdjoints(dInput: Float32Array, v: Float32Array, height: number, width: number,
  channels: number, padTop: number, padLeft: number, outH: number, outW: number, tiles: number, block: number): void {
  const vFloats = winogradPlanesFloats(block, channels);
  for (let i = 0; i * block < tiles; i++) {
    const b = blockAt(i, tiles, block, v, vFloats, v, 0);
    winogradInputAdjoint(dInput, b.v, height, width, channels, padTop, padLeft, outH, outW, b.t0, b.n);
  }
}
