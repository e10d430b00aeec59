// The split rules (src/runtime/threads/split.ts) cut a kernel call into parts that together write every output
// element exactly once, as the whole call writes it: run the parts one after another on the one-thread module and
// the output is the whole call's, bit for bit, on awkward sizes; and with the pool, on 2, 3 and 4 threads.
import { afterAll, describe, expect, it } from 'vitest';
import { availableBackends, currentBackend, setThreads, type Backend } from '../../src/runtime/backend.js';
import { SPLIT_RULES, MIN_WORK_PER_THREAD, PART_EXPORTS, type Part, type SplitRule } from '../../src/runtime/threads/split.js';
import { KERNELS, kernelArgs } from '../../src/kernels/types.js';
import { instantiateWasm } from '../../src/runtime/wasm-kernels.js';
import { winogradPlanesFloats } from '../../src/kernels/winograd.js';
import { randomBytes, randomFloats, poison } from '../helpers.js';

/** The rules by name, for calls with names computed at run time. */
const RULES = SPLIT_RULES as Readonly<Record<string, SplitRule>>;

type Exports = Record<string, (...args: number[]) => unknown>;

const plain = instantiateWasm();
const raw = plain.exports as unknown as Exports;
const memory = plain.memory;

/** A bump allocator over the plain module's memory, above its static data. */
function arena() {
  let top = Math.ceil(Number(raw.heapBase()) / 16) * 16;
  return (floats: number, fill?: Float32Array): number => {
    const bytes = Math.ceil((floats * 4) / 16) * 16 + 16;
    while (top + bytes > memory.buffer.byteLength) memory.grow(16);
    const at = top;
    top += bytes;
    const view = new Float32Array(memory.buffer, at, floats);
    if (fill) view.set(fill);
    return at;
  };
}

const f32 = (at: number, n: number) => new Float32Array(memory.buffer, at, n).slice();

/** Runs `name(args)` whole into `out` and again by parts (each part on this thread), both over the same poison. */
function wholeAndParts(name: string, args: number[], out: number, outFloats: number, threads: number) {
  // A call too small to cut (one tile, one image) is its own single part.
  const parts = RULES[name](args, threads, 1) ?? [{ name, args }];
  const poisoned = new Float32Array(outFloats);
  poison(poisoned);
  new Float32Array(memory.buffer, out, outFloats).set(poisoned);
  raw[name](...args);
  const whole = f32(out, outFloats);
  new Float32Array(memory.buffer, out, outFloats).set(poisoned);
  for (const part of parts) raw[part.name](...part.args);
  return { whole, byParts: f32(out, outFloats), parts };
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('split rules and the kernel table', () => {
  // The rules read sizes and move pointers by argument position: the declarations they were written against.
  const WRITTEN_AGAINST: Record<string, string[]> = {
    gemm: ['c', 'a', 'b', 'm', 'n', 'k', 'transA', 'transB', 'accumulate'],
    conv2dDirect: ['out', 'input', 'kernel', 'bias', 'relu', 'batch', 'height', 'width', 'channels', 'kernelH', 'kernelW', 'stride', 'padTop', 'padLeft', 'outH', 'outW', 'filters'],
    im2col: ['cols', 'input', 'batch', 'height', 'width', 'channels', 'kernelH', 'kernelW', 'stride', 'padTop', 'padLeft', 'outH', 'outW'],
    col2im: ['dInput', 'cols', 'batch', 'height', 'width', 'channels', 'kernelH', 'kernelW', 'stride', 'padTop', 'padLeft', 'outH', 'outW'],
    winogradMultiply: ['out', 'input', 'u', 'tiles', 'channels', 'filters', 'adjoint'],
    winogradInputTransform: ['v', 'input', 'height', 'width', 'channels', 'padTop', 'padLeft', 'outH', 'outW', 'tile0', 'tiles'],
    winogradOutputTransform: ['out', 'm', 'bias', 'relu', 'outH', 'outW', 'filters', 'tile0', 'tiles'],
    winogradOutputAdjoint: ['dm', 'dOut', 'outH', 'outW', 'filters', 'tile0', 'tiles'],
    winogradInputAdjoint: ['dInput', 'dv', 'height', 'width', 'channels', 'padTop', 'padLeft', 'outH', 'outW', 'tile0', 'tiles'],
    affineU8: ['out', 'input', 'n', 'channels', 'mul', 'add'],
    affineF32: ['out', 'input', 'n', 'channels', 'mul', 'add'],
    winogradKernelGradient: ['du', 'v', 'dm', 'tiles', 'channels', 'filters', 'accumulate'],
    winogradKernelAdjoint: ['dKernel', 'du', 'channels', 'filters'],
    maxPoolForward: ['out', 'input', 'batch', 'height', 'width', 'channels', 'pool', 'stride', 'outH', 'outW'],
    maxPoolBackward: ['dInput', 'dOut', 'input', 'out', 'batch', 'height', 'width', 'channels', 'pool', 'stride', 'outH', 'outW', 'relu'],
    biasGrad: ['dBias', 'dOut', 'rows', 'cols'],
    biasAdd: ['out', 'bias', 'rows', 'cols'],
    reluForward: ['out', 'input', 'n'],
    reluBackward: ['dInput', 'dOut', 'output', 'n'],
    adam: ['param', 'grad', 'm', 'v', 'n', 'learningRate', 'beta1', 'beta2', 'epsilon', 'step'],
    sgd: ['param', 'grad', 'n', 'learningRate'],
    conv2dDirectKernelGradient: ['dKernel', 'dBias', 'dOut', 'out', 'input', 'batch', 'height', 'width', 'channels',
      'kernelH', 'kernelW', 'stride', 'padTop', 'padLeft', 'outH', 'outW', 'filters'],
    conv2dDirectPooledKernelGradient: ['dKernel', 'dBias', 'dPooled', 'pooled', 'out', 'input', 'batch', 'height', 'width',
      'channels', 'kernelH', 'kernelW', 'stride', 'padTop', 'padLeft', 'outH', 'outW', 'filters', 'pool', 'relu'],
    winogradForward: ['out', 'v', 'm', 'input', 'u', 'bias', 'relu', 'height', 'width', 'channels', 'padTop', 'padLeft',
      'outH', 'outW', 'filters', 'tiles', 'block', 'slots'],
    winogradOutputAdjoints: ['dm', 'dOut', 'outH', 'outW', 'filters', 'tiles', 'block'],
    winogradKernelGradients: ['du', 'v', 'dm', 'tiles', 'block', 'channels', 'filters'],
    winogradMultiplyAdjoints: ['v', 'dm', 'u', 'tiles', 'block', 'channels', 'filters'],
    winogradInputAdjoints: ['dInput', 'v', 'height', 'width', 'channels', 'padTop', 'padLeft', 'outH', 'outW', 'tiles', 'block'],
  };
  // The part exports take the whole call's arguments, then the filter range.
  const PART_ARGS: Record<string, string[]> = {
    conv2dDirectKernelGradientFilters: [...WRITTEN_AGAINST.conv2dDirectKernelGradient, 'f0', 'f1'],
    conv2dDirectPooledKernelGradientFilters: [...WRITTEN_AGAINST.conv2dDirectPooledKernelGradient, 'f0', 'f1'],
  };

  it('every split kernel is declared in the table with the arguments its rule was written against', () => {
    expect(Object.keys(SPLIT_RULES).sort()).toEqual(Object.keys(WRITTEN_AGAINST).sort());
    for (const [name, args] of Object.entries(WRITTEN_AGAINST)) {
      expect(kernelArgs(KERNELS[name as keyof typeof KERNELS]).map((a) => a.name), name).toEqual(args);
    }
    for (const [name, args] of Object.entries(PART_ARGS)) {
      expect(kernelArgs(KERNELS[name as keyof typeof KERNELS]).map((a) => a.name), name).toEqual(args);
      expect(PART_EXPORTS, name).toContain(name);
    }
  });
});

describe('split rules: the parts write what the whole call writes, bit for bit', () => {
  const sizes = [[1, 1, 1], [3, 17, 5], [17, 3, 33], [5, 40, 300], [33, 9, 1001], [64, 1, 7], [2, 100, 3]];
  for (const [m, n, k] of sizes) {
    for (const transA of [0, 1]) {
      for (const transB of [0, 1]) {
        for (const accumulate of [0, 1]) {
          it(`gemm ${m}×${n}×${k} transA ${transA} transB ${transB} accumulate ${accumulate}, 2 to 5 parts`, () => {
            const alloc = arena();
            const a = alloc(m * k, randomFloats(m * k, m + k));
            const b = alloc(k * n, randomFloats(k * n, n + 7 * k));
            const c = alloc(m * n);
            for (const threads of [2, 3, 5]) {
              const start = randomFloats(m * n, 3);
              const args = [c, a, b, m, n, k, transA, transB, accumulate];
              const parts = RULES.gemm(args, threads, 1);
              if (parts === null) {
                expect(Math.max(Math.ceil(m / 4), Math.ceil(n / 8))).toBe(1);
                continue;
              }
              new Float32Array(memory.buffer, c, m * n).set(start);
              raw.gemm(...args);
              const whole = f32(c, m * n);
              new Float32Array(memory.buffer, c, m * n).set(start);
              for (const part of parts) raw[part.name](...part.args);
              expect(bits(f32(c, m * n))).toEqual(bits(whole));
              expect(parts.length).toBe(Math.min(threads, Math.max(Math.ceil(m / 4), Math.ceil(n / 8))));
              // No part is empty, and the whole call's values are right (a float64 product, loosely).
              const av = randomFloats(m * k, m + k), bv = randomFloats(k * n, n + 7 * k);
              const i = m - 1, j = n - 1;
              let sum = accumulate ? start[i * n + j] : 0;
              for (let p = 0; p < k; p++) {
                sum += (transA ? av[p * m + i] : av[i * k + p]) * (transB ? bv[j * k + p] : bv[p * n + j]);
              }
              expect(whole[i * n + j]).toBeCloseTo(sum, 3);
            }
          });
        }
      }
    }
  }

  it('conv2dDirect, im2col and col2im by images; the Winograd products by planes', () => {
    const alloc = arena();
    for (const batch of [2, 3, 17]) {
      const [h, w, c, kh, kw, f] = [9, 7, 2, 3, 3, 11];
      const outH = h - 2, outW = w - 2;
      const input = alloc(batch * h * w * c, randomFloats(batch * h * w * c, batch));
      const kernel = alloc(kh * kw * c * f, randomFloats(kh * kw * c * f, 2));
      const bias = alloc(f, randomFloats(f, 3));
      const out = alloc(batch * outH * outW * f);
      const conv = wholeAndParts('conv2dDirect', [out, input, kernel, bias, 1, batch, h, w, c, kh, kw, 1, 0, 0, outH, outW, f],
        out, batch * outH * outW * f, 3);
      expect(conv.parts.length).toBe(Math.min(3, batch));
      expect(bits(conv.byParts)).toEqual(bits(conv.whole));
      expect(conv.whole.some(Number.isNaN)).toBe(false);

      const colsFloats = batch * outH * outW * kh * kw * c;
      const cols = alloc(colsFloats);
      const geometry = [batch, h, w, c, kh, kw, 1, 1, 1, outH, outW];
      const unfolded = wholeAndParts('im2col', [cols, input, ...geometry], cols, colsFloats, 4);
      expect(bits(unfolded.byParts)).toEqual(bits(unfolded.whole));
      new Float32Array(memory.buffer, cols, colsFloats).set(randomFloats(colsFloats, 9));
      const dInput = alloc(batch * h * w * c);
      // col2im adds into dInput: the poison is replaced by zeros first in both runs.
      const folded = (() => {
        const zero = () => new Float32Array(memory.buffer, dInput, batch * h * w * c).fill(0);
        zero();
        raw.col2im(dInput, cols, ...geometry);
        const whole = f32(dInput, batch * h * w * c);
        zero();
        for (const part of RULES.col2im([dInput, cols, ...geometry], 2, 1) as Part[]) raw[part.name](...part.args);
        return { whole, byParts: f32(dInput, batch * h * w * c) };
      })();
      expect(bits(folded.byParts)).toEqual(bits(folded.whole));
    }
    for (const adjoint of [0, 1]) {
      const [tiles, channels, filters] = [13, 5, 9];
      const planes = (rows: number, cols: number) => 36 * (rows * cols + 64);
      const input = alloc(planes(tiles, adjoint ? filters : channels), randomFloats(planes(tiles, adjoint ? filters : channels), 4));
      const u = alloc(planes(channels, filters), randomFloats(planes(channels, filters), 5));
      const outFloats = planes(tiles, adjoint ? channels : filters);
      const out = alloc(outFloats);
      const r = wholeAndParts('winogradMultiply', [out, input, u, tiles, channels, filters, adjoint], out, outFloats, 4);
      expect(r.parts.map((p) => p.args.slice(-2))).toEqual([[0, 9], [9, 18], [18, 27], [27, 36]]);
      expect(bits(r.byParts)).toEqual(bits(r.whole));
    }
  });

  it('the Winograd transforms by tile rows, and the input adjoint by groups of 4 channels', () => {
    const alloc = arena();
    for (const [batch, h, w, c, f] of [[1, 6, 6, 1, 1], [3, 13, 11, 5, 9], [2, 9, 17, 17, 6]]) {
      const outH = h - 2, outW = w - 2;
      const tilesAll = batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
      // A block in the middle of the batch's tiles, as the layer makes them.
      const tile0 = Math.floor(tilesAll / 3), tiles = tilesAll - tile0;
      const planes = winogradPlanesFloats;
      const input = alloc(batch * h * w * c, randomFloats(batch * h * w * c, 11));
      const v = alloc(planes(tiles, c));
      const name = `${batch}×${h}×${w}×${c}→${f}`;
      const forward = wholeAndParts('winogradInputTransform', [v, input, h, w, c, 0, 0, outH, outW, tile0, tiles], v,
        planes(tiles, c), 3);
      expect(bits(forward.byParts), name).toEqual(bits(forward.whole));
      const m = alloc(planes(tiles, f), randomFloats(planes(tiles, f), 12));
      const bias = alloc(f, randomFloats(f, 13));
      const out = alloc(batch * outH * outW * f);
      const transformed = wholeAndParts('winogradOutputTransform', [out, m, bias, 1, outH, outW, f, tile0, tiles], out,
        batch * outH * outW * f, 4);
      // Outputs of tiles before tile0 are not the block's: both runs leave them as poison.
      expect(bits(transformed.byParts), name).toEqual(bits(transformed.whole));
      const dOut = alloc(batch * outH * outW * f, randomFloats(batch * outH * outW * f, 14));
      const dm = alloc(planes(tiles, f));
      const adjoint = wholeAndParts('winogradOutputAdjoint', [dm, dOut, outH, outW, f, tile0, tiles], dm, planes(tiles, f), 2);
      expect(bits(adjoint.byParts), name).toEqual(bits(adjoint.whole));
      const dv = alloc(planes(tiles, c), randomFloats(planes(tiles, c), 15));
      const dInput = alloc(batch * h * w * c);
      const start = randomFloats(batch * h * w * c, 16);
      const args = [dInput, dv, h, w, c, 0, 0, outH, outW, tile0, tiles];
      new Float32Array(memory.buffer, dInput, start.length).set(start);
      raw.winogradInputAdjoint(...args);
      const whole = f32(dInput, start.length);
      new Float32Array(memory.buffer, dInput, start.length).set(start);
      const parts = RULES.winogradInputAdjoint(args, 3, 1) ?? [];
      expect(parts.length, name).toBe(Math.min(3, Math.ceil(c / 4)) > 1 ? Math.min(3, Math.ceil(c / 4)) : 0);
      if (parts.length > 0) {
        for (const part of parts) raw[part.name](...part.args);
        expect(bits(f32(dInput, start.length)), name).toEqual(bits(whole));
        expect(parts.every((p) => p.args[11] % 4 === 0)).toBe(true);
      }
    }
  });

  it('the scaling passes by element ranges on channel and SIMD-block boundaries', () => {
    const alloc = arena();
    for (const channels of [1, 3, 4]) {
      for (const n of [1, 47, 48 * channels + 1, 1001 * channels, 48 * channels * 7 + 5]) {
        const bytes = randomBytes(n, n + channels);
        const floats = randomFloats(n, n, -300, 300);
        const inU8 = alloc(Math.ceil(n / 4));
        new Uint8Array(memory.buffer, inU8, n).set(bytes);
        const inF32 = alloc(n, floats);
        const mul = alloc(channels, randomFloats(channels, 1, 0.001, 0.1));
        const add = alloc(channels, randomFloats(channels, 2, -3, 3));
        const out = alloc(n);
        const calls: [string, number[]][] = [
          ['affineU8', [out, inU8, n, channels, mul, add]], ['affineF32', [out, inF32, n, channels, mul, add]],
        ];
        for (const [name, args] of calls) {
          const r = wholeAndParts(name, args, out, n, 3);
          expect(bits(r.byParts), `${name} n ${n} channels ${channels}`).toEqual(bits(r.whole));
          expect(r.whole.some(Number.isNaN)).toBe(false);
          const unit = 48 * (name.startsWith('affine') ? channels : 1);
          expect(r.parts.length).toBe(Math.min(3, Math.ceil(n / unit)));
          let next = 0;
          for (const part of r.parts) {
            const start = (part.args[0] - out) / 4;
            expect(start).toBe(next);
            expect(start % unit).toBe(0);
            next = start + part.args[2];
          }
          expect(next).toBe(n);
        }
      }
    }
  });

  it('small calls stay whole: each part must be worth MIN_WORK_PER_THREAD', () => {
    expect(RULES.gemm([0, 0, 0, 64, 8, 8, 0, 0, 0], 2)).toBeNull();
    const m = 64, n = 64, k = Math.ceil((2 * MIN_WORK_PER_THREAD) / (m * n));
    expect(RULES.gemm([0, 0, 0, m, n, k, 0, 0, 0], 2)?.length).toBe(2);
    expect(RULES.gemm([0, 0, 0, m, n, k - 1, 0, 0, 0], 2)).toBeNull();
    expect(RULES.conv2dDirect([0, 0, 0, 0, 1, 1, 28, 28, 1, 3, 3, 1, 0, 0, 26, 26, 32], 2)).toBeNull();
  });
});

/**
 * The arrays a call writes, each given its starting content (poison for an output the kernel writes whole, values for
 * one it updates in place): runs the call whole, then again by the rule's parts (each on this thread) from the same
 * start, and returns both contents of every array.
 */
function wholeAndPartsOf(name: string, args: number[], written: { at: number; start: Float32Array }[], threads: number) {
  const parts = RULES[name](args, threads, 1);
  const reset = () => { for (const w of written) new Float32Array(memory.buffer, w.at, w.start.length).set(w.start); };
  const read = () => written.map((w) => f32(w.at, w.start.length));
  reset();
  raw[name](...args);
  const whole = read();
  reset();
  for (const part of parts ?? [{ name, args }]) raw[part.name](...part.args);
  return { whole, byParts: read(), parts };
}

const poisoned = (n: number) => poison(new Float32Array(n));

describe('split rules of the rest of the training step: parts write what the whole call writes, bit for bit', () => {
  it('winogradKernelGradient by planes, accumulating or not, on awkward sizes', () => {
    const alloc = arena();
    for (const [tiles, channels, filters] of [[1, 1, 1], [3, 5, 9], [17, 3, 17], [36, 32, 64]]) {
      const v = alloc(winogradPlanesFloats(tiles, channels), randomFloats(winogradPlanesFloats(tiles, channels), tiles));
      const dm = alloc(winogradPlanesFloats(tiles, filters), randomFloats(winogradPlanesFloats(tiles, filters), filters));
      const uFloats = winogradPlanesFloats(channels, filters);
      const du = alloc(uFloats);
      for (const accumulate of [0, 1]) {
        for (const threads of [2, 3, 4]) {
          const start = accumulate ? randomFloats(uFloats, 7) : poisoned(uFloats);
          const r = wholeAndPartsOf('winogradKernelGradient', [du, v, dm, tiles, channels, filters, accumulate],
            [{ at: du, start }], threads);
          const name = `${tiles}×${channels}×${filters} accumulate ${accumulate}, ${threads} threads`;
          expect(r.parts?.map((p) => p.args.slice(-2)), name).toEqual(
            Array.from({ length: threads }, (_, p) => [Math.floor((36 * p) / threads), Math.floor((36 * (p + 1)) / threads)]));
          expect(bits(r.byParts[0]), name).toEqual(bits(r.whole[0]));
          // Every element of every plane's channels × filters block was written (no poison left), and one is right:
          // plane 35, the last channel and filter, against a float64 sum.
          const stride = uFloats / 36, plane = 35;
          const vs = randomFloats(winogradPlanesFloats(tiles, channels), tiles);
          const ms = randomFloats(winogradPlanesFloats(tiles, filters), filters);
          const vStride = vs.length / 36, mStride = ms.length / 36;
          let sum = accumulate ? start[plane * stride + (channels - 1) * filters + filters - 1] : 0;
          for (let t = 0; t < tiles; t++) {
            sum += vs[plane * vStride + t * channels + channels - 1] * ms[plane * mStride + t * filters + filters - 1];
          }
          expect(r.whole[0][plane * stride + (channels - 1) * filters + filters - 1]).toBeCloseTo(sum, 4);
          for (let e = 0; e < 36; e++) {
            expect(r.whole[0].subarray(e * stride, e * stride + channels * filters).some(Number.isNaN), name).toBe(false);
          }
        }
      }
    }
  });

  it('winogradKernelAdjoint by channels (it adds into dKernel)', () => {
    const alloc = arena();
    for (const [channels, filters] of [[1, 1], [3, 5], [17, 9], [32, 64]]) {
      const uFloats = winogradPlanesFloats(channels, filters);
      const du = alloc(uFloats, randomFloats(uFloats, channels));
      const dKernel = alloc(9 * channels * filters);
      const start = randomFloats(9 * channels * filters, filters);
      for (const threads of [2, 3]) {
        const r = wholeAndPartsOf('winogradKernelAdjoint', [dKernel, du, channels, filters], [{ at: dKernel, start }], threads);
        expect(r.parts?.length ?? 1).toBe(Math.min(threads, channels));
        expect(bits(r.byParts[0])).toEqual(bits(r.whole[0]));
        // Every tap moved (the adjoint added something to each).
        expect(r.whole[0].every((x, i) => x !== start[i])).toBe(true);
      }
    }
  });

  it('maxPoolForward and maxPoolBackward by images, tiling and overlapping windows', () => {
    const alloc = arena();
    for (const [batch, h, w, c, pool, stride] of [[2, 4, 4, 1, 2, 2], [3, 7, 9, 5, 2, 2], [17, 9, 7, 3, 3, 2], [5, 8, 8, 4, 2, 3]]) {
      const outH = Math.floor((h - pool) / stride) + 1, outW = Math.floor((w - pool) / stride) + 1;
      const inFloats = batch * h * w * c, outFloats = batch * outH * outW * c;
      // Repeated values make ties, which must go to the same (first) element in both runs.
      const values = randomFloats(inFloats, batch + c).map((x) => Math.round(x * 4) / 4);
      const input = alloc(inFloats, values);
      const out = alloc(outFloats);
      const name = `${batch}×${h}×${w}×${c} pool ${pool} stride ${stride}`;
      const fwd = wholeAndPartsOf('maxPoolForward', [out, input, batch, h, w, c, pool, stride, outH, outW],
        [{ at: out, start: poisoned(outFloats) }], 3);
      expect(fwd.parts?.length, name).toBe(Math.min(3, batch));
      expect(bits(fwd.byParts[0]), name).toEqual(bits(fwd.whole[0]));
      expect(fwd.whole[0].some(Number.isNaN), name).toBe(false);
      // The last image's last window, against its maximum taken here.
      const b = batch - 1, oy = outH - 1, ox = outW - 1, ch = c - 1;
      let best = -Infinity;
      for (let ky = 0; ky < pool; ky++) {
        for (let kx = 0; kx < pool; kx++) best = Math.max(best, values[((b * h + oy * stride + ky) * w + ox * stride + kx) * c + ch]);
      }
      expect(fwd.whole[0][outFloats - 1], name).toBe(best);
      new Float32Array(memory.buffer, out, outFloats).set(fwd.whole[0]);
      const dOut = alloc(outFloats, randomFloats(outFloats, 31));
      const dInput = alloc(inFloats);
      // Without and with the relu mask of the layer below (1: a window whose maximum is not > 0 passes nothing).
      for (const relu of [0, 1]) {
        const bwd = wholeAndPartsOf('maxPoolBackward', [dInput, dOut, input, out, batch, h, w, c, pool, stride, outH, outW, relu],
          [{ at: dInput, start: poisoned(inFloats) }], 4);
        expect(bwd.parts?.length, name).toBe(Math.min(4, batch));
        expect(bits(bwd.byParts[0]), `${name}, relu ${relu}`).toEqual(bits(bwd.whole[0]));
        expect(bwd.whole[0].some(Number.isNaN), name).toBe(false);
        expect(bwd.parts!.every((part) => part.args[12] === relu), name).toBe(true);
      }
    }
  });

  it('biasGrad by blocks of 8 columns, biasAdd by rows', () => {
    const alloc = arena();
    for (const [rows, cols] of [[1, 1], [3, 7], [100, 9], [17, 33], [1001, 64]]) {
      const dOut = alloc(rows * cols, randomFloats(rows * cols, rows + cols));
      const dBias = alloc(cols);
      const start = randomFloats(cols, cols);
      const name = `${rows}×${cols}`;
      for (const threads of [2, 3, 5]) {
        const r = wholeAndPartsOf('biasGrad', [dBias, dOut, rows, cols], [{ at: dBias, start }], threads);
        expect(r.parts?.length ?? 1, name).toBe(Math.min(threads, Math.ceil(cols / 8)));
        expect(r.parts?.every((p) => p.args[4] % 8 === 0) ?? true).toBe(true);
        expect(bits(r.byParts[0]), name).toEqual(bits(r.whole[0]));
        // The last column's sum in float64.
        const d = randomFloats(rows * cols, rows + cols);
        let sum = 0;
        for (let i = 0; i < rows; i++) sum += d[i * cols + cols - 1];
        expect(r.whole[0][cols - 1]).toBeCloseTo(start[cols - 1] + sum, 3);
        const out = alloc(rows * cols);
        const bias = alloc(cols, randomFloats(cols, 3));
        const outStart = randomFloats(rows * cols, 4);
        const added = wholeAndPartsOf('biasAdd', [out, bias, rows, cols], [{ at: out, start: outStart }], threads);
        expect(added.parts?.length ?? 1, name).toBe(Math.min(threads, rows));
        expect(bits(added.byParts[0]), name).toEqual(bits(added.whole[0]));
        expect(added.whole[0][rows * cols - 1]).toBe(Math.fround(outStart[rows * cols - 1] + randomFloats(cols, 3)[cols - 1]));
      }
    }
  });

  it('reluForward, reluBackward (in place too), adam and sgd by element ranges on 48-element boundaries', () => {
    const alloc = arena();
    for (const n of [1, 3, 47, 48, 49, 1001, 48 * 7 + 5]) {
      const input = alloc(n, randomFloats(n, n));
      const out = alloc(n);
      const name = `n ${n}`;
      const checkRanges = (parts: Part[] | null, base: number, nAt: number) => {
        let next = 0;
        for (const part of parts ?? []) {
          expect((part.args[0] - base) / 4, name).toBe(next);
          expect(next % 48).toBe(0);
          next += part.args[nAt];
        }
        if (parts) expect(next, name).toBe(n);
        expect(parts?.length ?? 1, name).toBe(Math.min(3, Math.ceil(n / 48)));
      };
      const fwd = wholeAndPartsOf('reluForward', [out, input, n], [{ at: out, start: poisoned(n) }], 3);
      checkRanges(fwd.parts, out, 2);
      expect(bits(fwd.byParts[0]), name).toEqual(bits(fwd.whole[0]));
      expect(Array.from(fwd.whole[0])).toEqual(Array.from(randomFloats(n, n), (x) => Math.max(x, 0)));
      const dOut = randomFloats(n, n + 1);
      const dIn = alloc(n);
      for (const inPlace of [false, true]) {
        const target = inPlace ? alloc(n) : dIn;
        const dOutAt = inPlace ? target : alloc(n, dOut);
        const written = inPlace ? [{ at: target, start: dOut }] : [{ at: dIn, start: poisoned(n) }];
        const bwd = wholeAndPartsOf('reluBackward', [target, dOutAt, out, n], written, 3);
        checkRanges(bwd.parts, target, 3);
        expect(bits(bwd.byParts[0]), name).toEqual(bits(bwd.whole[0]));
        expect(Array.from(bwd.whole[0])).toEqual(Array.from(dOut, (g, i) => (fwd.whole[0][i] > 0 ? g : 0)));
      }
      const grad = alloc(n, randomFloats(n, 5));
      const param = alloc(n), m = alloc(n), v = alloc(n);
      const starts = [randomFloats(n, 6), randomFloats(n, 7, -0.1, 0.1), randomFloats(n, 8, 0, 0.01)];
      const adam = wholeAndPartsOf('adam', [param, grad, m, v, n, 0.001, 0.9, 0.999, 1e-7, 3],
        [param, m, v].map((at, i) => ({ at, start: starts[i] })), 3);
      checkRanges(adam.parts, param, 4);
      for (let i = 0; i < 3; i++) expect(bits(adam.byParts[i]), `${name} adam array ${i}`).toEqual(bits(adam.whole[i]));
      expect(adam.whole[0].some((x, i) => x === starts[0][i])).toBe(false);
      const sgd = wholeAndPartsOf('sgd', [param, grad, n, 0.01], [{ at: param, start: starts[0] }], 3);
      checkRanges(sgd.parts, param, 2);
      expect(bits(sgd.byParts[0]), name).toEqual(bits(sgd.whole[0]));
      const g = randomFloats(n, 5);
      expect(sgd.whole[0][n - 1]).toBe(Math.fround(starts[0][n - 1] - Math.fround(Math.fround(0.01) * g[n - 1])));
    }
  });

  it('the new rules keep small calls whole: a batch of one image pays no round trip', () => {
    // conv2 of the tutorial network at one image: 9 tiles of 32 channels and 64 filters. (Its products, 663,552
    // multiply-adds, split as winogradMultiply does; the transforms around them do not. The layer's forward is one
    // winogradForward of one block, which stays whole: test/threads/small-calls.test.ts.)
    expect(RULES.winogradKernelGradient([0, 0, 0, 9, 32, 64, 0], 2)?.length).toBe(RULES.winogradMultiply([0, 0, 0, 9, 32, 64, 0], 2)?.length);
    expect(RULES.winogradKernelGradient([0, 0, 0, 1, 32, 64, 0], 2)).toBeNull();
    expect(RULES.winogradInputTransform([0, 0, 13, 13, 32, 0, 0, 11, 11, 0, 9], 2)).toBeNull();
    expect(RULES.winogradInputAdjoint([0, 0, 13, 13, 32, 0, 0, 11, 11, 0, 9], 2)).toBeNull();
    expect(RULES.maxPoolForward([0, 0, 1, 26, 26, 32, 2, 2, 13, 13], 2)).toBeNull();
    expect(RULES.maxPoolBackward([0, 0, 0, 0, 1, 26, 26, 32, 2, 2, 13, 13, 0], 2)).toBeNull();
    expect(RULES.reluBackward([0, 0, 0, 26 * 26 * 32], 2)).toBeNull();
    expect(RULES.biasGrad([0, 0, 26 * 26, 32], 2)).toBeNull();
    expect(RULES.adam([0, 0, 0, 0, 650, 0.001, 0.9, 0.999, 1e-7, 1], 2)).toBeNull();
    // The batch of 64 splits them: the block of 36 tiles, the first pooling, the tutorial network's 121,930 weights.
    expect(RULES.winogradKernelGradient([0, 0, 0, 36, 32, 64, 0], 2)?.length).toBe(2);
    expect(RULES.winogradInputTransform([0, 0, 13, 13, 32, 0, 0, 11, 11, 0, 36], 2)?.length).toBe(2);
    expect(RULES.maxPoolBackward([0, 0, 0, 0, 64, 26, 26, 32, 2, 2, 13, 13, 0], 2)?.length).toBe(2);
    expect(RULES.adam([0, 0, 0, 0, 121930, 0.001, 0.9, 0.999, 1e-7, 1], 2)?.length).toBe(2);
  });
});

describe('split rules of the first layer\'s kernel gradients: by groups of 4 filters, bit for bit', () => {
  // 'valid' and 'same' geometries with odd heights and widths, 1 or 2 channels, 3×3 kernels (and one 5×3 at stride
  // 2), pooled by 2 or 3 (odd outputs leave rows and columns outside every window).
  const geometries = [
    { h: 9, w: 7, c: 1, kh: 3, kw: 3, stride: 1, same: false, pool: 2 },
    { h: 7, w: 11, c: 2, kh: 3, kw: 3, stride: 1, same: true, pool: 3 },
    { h: 11, w: 9, c: 1, kh: 5, kw: 3, stride: 2, same: true, pool: 2 },
  ];
  const shapeOf = (g: typeof geometries[number]) => {
    if (!g.same) return { outH: Math.floor((g.h - g.kh) / g.stride) + 1, outW: Math.floor((g.w - g.kw) / g.stride) + 1, padTop: 0, padLeft: 0 };
    const outH = Math.ceil(g.h / g.stride), outW = Math.ceil(g.w / g.stride);
    return {
      outH, outW, padTop: Math.floor(Math.max((outH - 1) * g.stride + g.kh - g.h, 0) / 2),
      padLeft: Math.floor(Math.max((outW - 1) * g.stride + g.kw - g.w, 0) / 2),
    };
  };
  const SENTINEL = 12345.5;

  for (const g of geometries) {
    for (const filters of [1, 3, 4, 5, 32]) {
      for (const batch of [1, 3]) {
        it(`${batch}×${g.h}×${g.w}×${g.c} k${g.kh}×${g.kw} s${g.stride} ${g.same ? 'same' : 'valid'} → ${filters}, pool ${g.pool}`, () => {
          const alloc = arena();
          const { outH, outW, padTop, padLeft } = shapeOf(g);
          const pooledH = Math.floor(outH / g.pool), pooledW = Math.floor(outW / g.pool);
          const depth = g.kh * g.kw * g.c;
          const outFloats = batch * outH * outW * filters, pooledFloats = batch * pooledH * pooledW * filters;
          const x = randomFloats(batch * g.h * g.w * g.c, filters + batch);
          const input = alloc(x.length, x);
          // A relu output with ties in the pooling windows and exact zeros (masked).
          const y = randomFloats(outFloats, 2 * filters).map((v) => Math.max(0, Math.round(v * 3) / 2));
          const out = alloc(outFloats, y);
          const dy = randomFloats(outFloats, 3 * filters);
          const dOut = alloc(outFloats, dy);
          const pooled = alloc(pooledFloats);
          raw.maxPoolForward(pooled, out, batch, outH, outW, filters, g.pool, g.pool, pooledH, pooledW);
          const dPooled = alloc(pooledFloats, randomFloats(pooledFloats, 4 * filters));
          // dKernel and dBias with a sentinel after each (part of what is written, so both runs check it).
          const dKernel = alloc(depth * filters + 1), dBias = alloc(filters + 1);
          const geometry = [batch, g.h, g.w, g.c, g.kh, g.kw, g.stride, padTop, padLeft, outH, outW, filters];
          const calls: [string, number[]][] = [
            ['conv2dDirectKernelGradient', [dKernel, dBias, dOut, out, input, ...geometry]],
            ['conv2dDirectKernelGradient', [dKernel, 0, dOut, 0, input, ...geometry]],
            ['conv2dDirectPooledKernelGradient', [dKernel, dBias, dPooled, pooled, out, input, ...geometry, g.pool, 1]],
            ['conv2dDirectPooledKernelGradient', [dKernel, dBias, dPooled, pooled, out, input, ...geometry, g.pool, 0]],
          ];
          for (const [kernel, args] of calls) {
            for (const poisonedStart of [false, true]) {
              // They accumulate: from non-zero gradients, and from NaN poison (which every written filter keeps).
              const withSentinel = (a: Float32Array) => Float32Array.from([...a, SENTINEL]);
              const kernelStart = withSentinel(poisonedStart ? poisoned(depth * filters) : randomFloats(depth * filters, 5));
              const biasStart = withSentinel(poisonedStart ? poisoned(filters) : randomFloats(filters, 6));
              for (const threads of [2, 3, 4]) {
                const name = `${kernel}${args[1] === 0 ? ' without dBias' : ''}, ${args[3] === 0 ? 'no mask, ' : ''}` +
                  `relu ${args[19] ?? '-'}, ${poisonedStart ? 'poisoned' : 'random'} start, ${threads} threads`;
                const r = wholeAndPartsOf(kernel, args, [{ at: dKernel, start: kernelStart }, { at: dBias, start: biasStart }], threads);
                // Parts: contiguous ranges of whole groups of 4, covering [0, filters), as many as threads and groups allow.
                const groups = Math.ceil(filters / 4);
                expect(r.parts?.length ?? 1, name).toBe(Math.min(threads, groups));
                let next = 0;
                for (const part of r.parts ?? []) {
                  expect(part.name, name).toBe(`${kernel}Filters`);
                  expect(part.args.slice(0, args.length), name).toEqual(args);
                  const [f0, f1] = part.args.slice(-2);
                  expect([f0, f0 % 4], name).toEqual([next, 0]);
                  expect(f1 === filters || f1 % 4 === 0, name).toBe(true);
                  expect(f1, name).toBeGreaterThan(f0);
                  next = f1;
                }
                if (r.parts) expect(next, name).toBe(filters);
                expect(bits(r.byParts[0]), name).toEqual(bits(r.whole[0]));
                expect(bits(r.byParts[1]), name).toEqual(bits(r.whole[1]));
                expect(r.whole[0][depth * filters], name).toBe(SENTINEL);
                expect(r.whole[1][filters], name).toBe(SENTINEL);
                if (args[1] === 0) expect(bits(r.whole[1]), name).toEqual(bits(biasStart));
                if (poisonedStart) continue;
                // Each filter's taps moved, and one sum (the last tap of the last filter, unpooled) in float64.
                expect(r.whole[0].subarray(0, depth * filters).some((v, i) => v !== kernelStart[i]), name).toBe(true);
                if (kernel === 'conv2dDirectKernelGradient') {
                  const masked = args[3] !== 0;
                  const t = depth - 1, f = filters - 1;
                  const ky = Math.floor(t / (g.kw * g.c)), kx = Math.floor(t / g.c) % g.kw, ch = t % g.c;
                  let sum = kernelStart[t * filters + f];
                  for (let b = 0; b < batch; b++) {
                    for (let oy = 0; oy < outH; oy++) {
                      for (let ox = 0; ox < outW; ox++) {
                        const yy = oy * g.stride + ky - padTop, xx = ox * g.stride + kx - padLeft;
                        if (yy < 0 || yy >= g.h || xx < 0 || xx >= g.w) continue;
                        const i = ((b * outH + oy) * outW + ox) * filters + f;
                        if (masked && !(y[i] > 0)) continue;
                        sum += x[((b * g.h + yy) * g.w + xx) * g.c + ch] * dy[i];
                      }
                    }
                  }
                  expect(r.whole[0][t * filters + f], name).toBeCloseTo(sum, 4);
                }
              }
            }
          }
        });
      }
    }
  }

  it('small calls stay whole: the tutorial\'s first layer splits at batch 64, not at batch 1', () => {
    // conv1: 28×28×1 → 26×26×32 by 3×3 'valid', pooled by 2 to 13×13.
    const conv1 = (batch: number) => [0, 0, 0, 0, 0, batch, 28, 28, 1, 3, 3, 1, 0, 0, 26, 26, 32];
    expect(RULES.conv2dDirectKernelGradient(conv1(1), 2)).toBeNull();
    expect(RULES.conv2dDirectPooledKernelGradient([0, ...conv1(1), 2, 1], 2)).toBeNull();
    expect(RULES.conv2dDirectKernelGradient(conv1(64), 2)?.map((p) => p.args.slice(-2))).toEqual([[0, 16], [16, 32]]);
    expect(RULES.conv2dDirectPooledKernelGradient([0, ...conv1(64), 2, 1], 4)?.map((p) => p.args.slice(-2)))
      .toEqual([[0, 8], [8, 16], [16, 24], [24, 32]]);
    // One filter is one group: nothing to share.
    expect(RULES.conv2dDirectKernelGradient([0, 0, 0, 0, 0, 64, 28, 28, 1, 3, 3, 1, 0, 0, 26, 26, 1], 4, 1)).toBeNull();
  });
});

describe('winogradForward by whole blocks of tiles, each part with its own M (issue 16)', () => {
  /** The tutorial's conv2 shape or an awkward one: input, U, bias on the plain module; out, V and M poisoned. */
  function forwardCall(alloc: ReturnType<typeof arena>, g: { batch: number; h: number; w: number; c: number; f: number },
    block: number, slots: number) {
    const outH = g.h - 2, outW = g.w - 2;
    const tiles = g.batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
    const blocks = Math.ceil(tiles / block);
    const vFloats = blocks * winogradPlanesFloats(block, g.c), mFloats = slots * winogradPlanesFloats(block, g.f);
    const outFloats = g.batch * outH * outW * g.f;
    const input = alloc(g.batch * g.h * g.w * g.c, randomFloats(g.batch * g.h * g.w * g.c, 51));
    const u = alloc(winogradPlanesFloats(g.c, g.f), randomFloats(winogradPlanesFloats(g.c, g.f), 52));
    const bias = alloc(g.f, randomFloats(g.f, 53));
    const out = alloc(outFloats), v = alloc(vFloats), m = alloc(mFloats);
    const args = [out, v, m, input, u, bias, 1, g.h, g.w, g.c, 0, 0, outH, outW, g.f, tiles, block, slots];
    const poisonAll = () => {
      for (const [at, n] of [[out, outFloats], [v, vFloats], [m, mFloats]]) poison(new Float32Array(memory.buffer, at, n));
    };
    const read = () => ({ out: f32(out, outFloats), v: f32(v, vFloats) });
    return { args, blocks, poisonAll, read };
  }

  for (const [g, block] of [[{ batch: 3, h: 13, w: 11, c: 5, f: 9 }, 4], [{ batch: 17, h: 7, w: 6, c: 3, f: 17 }, 5],
    [{ batch: 8, h: 13, w: 13, c: 32, f: 64 }, 12]] as const) {
    it(`${g.batch}×${g.h}×${g.w}×${g.c} → ${g.f}, blocks of ${block}: the parts (blocks, M slot p) write the whole call's out and V`, () => {
      for (const [threads, slots] of [[2, 2], [3, 3], [5, 5], [4, 2]]) {
        const alloc = arena();
        const call = forwardCall(alloc, g, block, slots);
        call.poisonAll();
        raw.winogradForward(...call.args);
        const whole = call.read();
        expect(whole.out.some(Number.isNaN)).toBe(false);
        call.poisonAll();
        const parts = RULES.winogradForward(call.args, threads, 1) as Part[];
        // At most one part per M slot and per block, each its own slot, the blocks covered in order.
        expect(parts.length).toBe(Math.min(threads, slots, call.blocks));
        expect(parts.map((p) => p.args.at(-1))).toEqual(parts.map((_, i) => i));
        expect(parts.map((p) => p.args.slice(-3, -1)).flat()).toEqual(
          parts.flatMap((_, i) => [Math.floor((call.blocks * i) / parts.length), Math.floor((call.blocks * (i + 1)) / parts.length)]));
        // Last part first: a part must not depend on an earlier one having run.
        for (const part of [...parts].reverse()) raw[part.name](...part.args);
        const byParts = call.read();
        expect(bits(byParts.out)).toEqual(bits(whole.out));
        expect(bits(byParts.v)).toEqual(bits(whole.v));
      }
    });
  }

  it('a batch of one image (one block) stays whole; the batch of 64 splits into one part per thread', () => {
    // conv2 of the tutorial network: 11×11 outputs, 9 tiles an image, blocks of 96 tiles (winogradBlockTiles(32, 64)).
    const call = (tiles: number, slots: number) => [0, 0, 0, 0, 0, 0, 1, 13, 13, 32, 0, 0, 11, 11, 64, tiles, Math.min(96, tiles), slots];
    expect(RULES.winogradForward(call(9, 1), 2)).toBeNull();
    expect(RULES.winogradForward(call(9, 2), 2)).toBeNull();
    expect(RULES.winogradForward(call(576, 2), 2)?.length).toBe(2);
    expect(RULES.winogradForward(call(576, 2), 4)?.length).toBe(2); // two M slots: two parts
    expect(RULES.winogradForward(call(576, 4), 4)?.length).toBe(4);
    expect(RULES.winogradForward(call(576, 1), 2)).toBeNull();
  });
});

/**
 * A Winograd layer's backward in its four calls over every block (issue 16), on `run(name, args)`: returns dM, dU,
 * dV and dInput. Inputs from fixed seeds; the outputs poisoned first (dInput from a fixed start: it is added into).
 */
function backwardFourCalls(heapFloats: (n: number, fill?: Float32Array) => { at: number; read(): Float32Array },
  run: (name: string, args: number[]) => void, g: { batch: number; h: number; w: number; c: number; f: number }, block: number) {
  const outH = g.h - 2, outW = g.w - 2;
  const tiles = g.batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
  const blocks = Math.ceil(tiles / block);
  const dOut = heapFloats(g.batch * outH * outW * g.f, randomFloats(g.batch * outH * outW * g.f, 81));
  const u = heapFloats(winogradPlanesFloats(g.c, g.f), randomFloats(winogradPlanesFloats(g.c, g.f), 82));
  const v = heapFloats(blocks * winogradPlanesFloats(block, g.c), randomFloats(blocks * winogradPlanesFloats(block, g.c), 83));
  const dm = heapFloats(blocks * winogradPlanesFloats(block, g.f), poison(new Float32Array(blocks * winogradPlanesFloats(block, g.f))));
  const du = heapFloats(winogradPlanesFloats(g.c, g.f), poison(new Float32Array(winogradPlanesFloats(g.c, g.f))));
  const dInput = heapFloats(g.batch * g.h * g.w * g.c, randomFloats(g.batch * g.h * g.w * g.c, 84));
  run('winogradOutputAdjoints', [dm.at, dOut.at, outH, outW, g.f, tiles, block]);
  const dmBits = bits(dm.read());
  run('winogradKernelGradients', [du.at, v.at, dm.at, tiles, block, g.c, g.f]);
  run('winogradMultiplyAdjoints', [v.at, dm.at, u.at, tiles, block, g.c, g.f]);
  run('winogradInputAdjoints', [dInput.at, v.at, g.h, g.w, g.c, 0, 0, outH, outW, tiles, block]);
  return { dm: dmBits, du: bits(du.read()), dv: bits(v.read()), dInput: bits(dInput.read()), blocks };
}

describe('a Winograd layer\'s backward in four calls: by blocks, planes, blocks and channel groups (issue 16)', () => {
  const heapFloats = (alloc: ReturnType<typeof arena>) => (n: number, fill?: Float32Array) => {
    const at = alloc(n, fill);
    return { at, read: () => f32(at, n) };
  };
  for (const [g, block] of [[{ batch: 3, h: 13, w: 11, c: 5, f: 9 }, 4], [{ batch: 17, h: 7, w: 6, c: 3, f: 17 }, 5],
    [{ batch: 8, h: 13, w: 13, c: 32, f: 64 }, 12]] as const) {
    it(`${g.batch}×${g.h}×${g.w}×${g.c} → ${g.f}, blocks of ${block}: the parts write what the whole calls write`, () => {
      const whole = backwardFourCalls(heapFloats(arena()), (name, args) => raw[name](...args), g, block);
      for (const threads of [2, 3, 5]) {
        const counts: Record<string, number> = {};
        const byParts = backwardFourCalls(heapFloats(arena()), (name, args) => {
          // A call too small to cut (one group of 4 channels) is its own single part.
          const parts = RULES[name](args, threads, 1) ?? [{ name, args }];
          counts[name] = parts.length;
          // Last part first: no part may depend on another having run.
          for (const part of [...parts].reverse()) raw[part.name](...part.args);
        }, g, block);
        expect(counts).toEqual({
          winogradOutputAdjoints: Math.min(threads, whole.blocks), winogradKernelGradients: threads,
          winogradMultiplyAdjoints: Math.min(threads, whole.blocks), winogradInputAdjoints: Math.min(threads, Math.ceil(g.c / 4)),
        });
        expect(byParts.dm).toEqual(whole.dm);
        expect(byParts.du).toEqual(whole.du);
        expect(byParts.dv).toEqual(whole.dv);
        expect(byParts.dInput).toEqual(whole.dInput);
      }
    });
  }
});

/** The pool's counters and its test switch (src/runtime/threads/thread-pool.ts), as these tests read them. */
type PoolProbe = { callerTakes: string; splitsByKernel: Map<string, number>; parallelCalls: number };

/**
 * `run` on the backend of 1, 2, 3 and 4 threads (the shared build above one), this thread taking only each split
 * call's first part so that the workers run the others; every count must give the same result. Returns them.
 */
async function onOneToFourThreads<T>(run: (backend: Backend, pool: PoolProbe | undefined, threads: number) => T): Promise<T[]> {
  const results: T[] = [];
  for (const threads of [1, 2, 3, 4]) {
    setThreads(threads);
    const backend: Backend = currentBackend();
    expect(backend.shared === undefined).toBe(threads === 1);
    await backend.shared?.pool?.started();
    const pool = backend.shared?.pool as unknown as PoolProbe | undefined;
    if (pool) pool.callerTakes = 'first';
    try {
      results.push(run(backend, pool, threads));
    } finally {
      if (pool) pool.callerTakes = 'any';
    }
  }
  for (const r of results) expect(r).toEqual(results[0]);
  return results;
}

describe('the pool: the same bytes on 1 to 4 threads', () => {
  afterAll(() => setThreads(1));

  it('a large gemm through the shared build equals the one-thread module, and ran on the workers', async () => {
    const [m, n, k] = [67, 45, 301];
    // The workers take every part but the first (the default lets this thread take any part a worker has not).
    await onOneToFourThreads((backend, pool, threads) => {
      const heap = backend.heap;
      const a = heap.block('f32', m * k), b = heap.block('f32', k * n), c = heap.block('f32', m * n);
      a.view.set(randomFloats(m * k, 1));
      b.view.set(randomFloats(k * n, 2));
      poison(c.view);
      const before = pool?.parallelCalls ?? 0;
      backend.kernels.gemm(c.view, a.view, b.view, m, n, k, true, false, false);
      if (threads > 1) expect(pool?.parallelCalls).toBe(before + 1);
      const result = bits(c.view.slice());
      a.free(); b.free(); c.free();
      return result;
    });
    expect(availableBackends().length).toBeGreaterThan(0);
  });

  it('winogradForward through the shared build: whole blocks on the workers, the same out and V on 1 to 4 threads', async () => {
    // conv2 of the tutorial network at batch 24 (216 tiles, blocks of 24: 9 blocks), M slots for 4 threads.
    const [batch, h, c, f, block, slots] = [24, 13, 32, 64, 24, 4];
    const outH = h - 2, tiles = batch * 9, blocks = Math.ceil(tiles / block);
    await onOneToFourThreads((backend, pool, threads) => {
      const heap = backend.heap;
      const input = heap.block('f32', batch * h * h * c), u = heap.block('f32', winogradPlanesFloats(c, f));
      const bias = heap.block('f32', f), out = heap.block('f32', batch * outH * outH * f);
      const v = heap.block('f32', blocks * winogradPlanesFloats(block, c)), m = heap.block('f32', slots * winogradPlanesFloats(block, f));
      input.view.set(randomFloats(input.view.length, 61));
      bias.view.set(randomFloats(f, 62));
      const kernel = heap.block('f32', 9 * c * f);
      kernel.view.set(randomFloats(9 * c * f, 63));
      backend.kernels.winogradKernelTransform(u.view, kernel.view, c, f);
      for (const b of [out, v, m]) poison(b.view);
      const before = [pool?.splitsByKernel.get('winogradForward') ?? 0, pool?.parallelCalls ?? 0];
      backend.kernels.winogradForward(out.view, v.view, m.view, input.view, u.view, bias.view, true, h, h, c, 0, 0, outH,
        outH, f, tiles, block, slots);
      if (threads > 1) {
        // One round trip for the layer's forward, and the workers ran blocks of it.
        expect(pool?.splitsByKernel.get('winogradForward')).toBe(before[0] + 1);
        expect(pool?.parallelCalls).toBe(before[1] + 1);
      }
      const result = [bits(out.view.slice()), bits(v.view.slice())];
      expect(Array.from(out.view).some(Number.isNaN)).toBe(false);
      for (const b of [input, kernel, u, bias, out, v, m]) b.free();
      return result;
    });
  });

  it('a Winograd layer\'s backward in four calls through the shared build, on the workers, the same bytes on 1 to 4 threads', async () => {
    const g = { batch: 24, h: 13, w: 13, c: 32, f: 64 }, block = 24;
    await onOneToFourThreads((backend, pool, threads) => {
      const heap = backend.heap;
      const blocks: { free(): void }[] = [];
      const before = pool?.parallelCalls ?? 0;
      const names = ['winogradOutputAdjoints', 'winogradKernelGradients', 'winogradMultiplyAdjoints', 'winogradInputAdjoints'];
      const splitsBefore = names.map((n) => pool?.splitsByKernel.get(n) ?? 0);
      const kernels = backend.kernels as unknown as Record<string, (...args: unknown[]) => void>;
      const views = new Map<number, { view: Float32Array }>();
      const result = backwardFourCalls((n, fill) => {
        const b = heap.block('f32', n);
        if (fill) b.view.set(fill);
        blocks.push(b);
        // The kernels take views: the 'at' handed to the four calls is an index into this map of blocks.
        views.set(views.size, b);
        const at = views.size - 1;
        return { at, read: () => b.view.slice() };
      }, (name, args) => {
        const pointers: Record<string, number> = { winogradOutputAdjoints: 2, winogradKernelGradients: 3,
          winogradMultiplyAdjoints: 3, winogradInputAdjoints: 2 };
        // .view now: the heap may have grown since the block was made.
        kernels[name](...args.map((a, i) => (i < pointers[name] ? views.get(a)?.view : a)));
      }, g, block);
      if (threads > 1) {
        expect(names.map((n, i) => (pool?.splitsByKernel.get(n) ?? 0) - splitsBefore[i])).toEqual([1, 1, 1, 1]);
        expect(pool?.parallelCalls).toBe(before + 4);
      }
      for (const b of blocks) b.free();
      return result;
    });
  });

  it('the first layer\'s kernel gradients through the shared build, by filter groups on the workers', async () => {
    // conv1 of the tutorial network at batch 16 ('valid' 3×3, 28×28×1 → 26×26×32), pooled by 2 with the relu mask,
    // and unpooled with it: each adds into dKernel and dBias, from the same non-zero start on every thread count.
    const [batch, h, w, kh, filters, outH, pooledH] = [16, 28, 28, 3, 32, 26, 13];
    const results = await onOneToFourThreads((backend, pool, threads) => {
      const heap = backend.heap;
      const block = (n: number, seed: number, map = (v: number) => v) => {
        const b = heap.block('f32', n);
        b.view.set(randomFloats(n, seed).map(map));
        return b;
      };
      const input = block(batch * h * w, 1), out = block(batch * outH * outH * filters, 2, (v) => Math.max(0, v));
      const dOut = block(batch * outH * outH * filters, 3), dPooled = block(batch * pooledH * pooledH * filters, 4);
      const pooled = heap.block('f32', batch * pooledH * pooledH * filters);
      backend.kernels.maxPoolForward(pooled.view, out.view, batch, outH, outH, filters, 2, 2, pooledH, pooledH);
      const dKernel = block(kh * kh * filters, 5), dBias = block(filters, 6);
      const splits = (name: string) => pool?.splitsByKernel.get(name) ?? 0;
      const before = [splits('conv2dDirectKernelGradient'), splits('conv2dDirectPooledKernelGradient'), pool?.parallelCalls ?? 0];
      const geometry = [batch, h, w, 1, kh, kh, 1, 0, 0, outH, outH, filters] as const;
      backend.kernels.conv2dDirectKernelGradient(dKernel.view, dBias.view, dOut.view, out.view, input.view, ...geometry);
      backend.kernels.conv2dDirectPooledKernelGradient(dKernel.view, dBias.view, dPooled.view, pooled.view, out.view,
        input.view, ...geometry, 2, true);
      if (threads > 1) {
        expect(splits('conv2dDirectKernelGradient')).toBe(before[0] + 1);
        expect(splits('conv2dDirectPooledKernelGradient')).toBe(before[1] + 1);
        // The workers ran parts of both calls (this thread takes only part 0).
        expect(pool?.parallelCalls).toBe(before[2] + 2);
      }
      const result = [bits(dKernel.view.slice()), bits(dBias.view.slice())];
      for (const b of [input, out, dOut, dPooled, pooled, dKernel, dBias]) b.free();
      return result;
    });
    expect(Array.from(results[0][0]).some((b, i) => b !== bits(randomFloats(kh * kh * filters, 5))[i])).toBe(true);
  });
});
