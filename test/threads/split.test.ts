// The split rules (src/runtime/threads/split.ts) cut a kernel call into parts that together write every output
// element exactly once, as the whole call writes it: run the parts one after another on the one-thread module and
// the output is the whole call's, bit for bit, on awkward sizes; and with the pool, on 2, 3 and 4 threads.
import { afterAll, describe, expect, it } from 'vitest';
import { availableBackends, currentBackend, setThreads, type Backend } from '../../src/runtime/backend.js';
import { SPLIT_RULES, MIN_WORK_PER_THREAD, type Part, type SplitRule } from '../../src/runtime/threads/split.js';
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
  };

  it('every split kernel is declared in the table with the arguments its rule was written against', () => {
    expect(Object.keys(SPLIT_RULES).sort()).toEqual(Object.keys(WRITTEN_AGAINST).sort());
    for (const [name, args] of Object.entries(WRITTEN_AGAINST)) {
      expect(kernelArgs(KERNELS[name as keyof typeof KERNELS]).map((a) => a.name), name).toEqual(args);
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

describe('the pool: the same bytes on 1 to 4 threads', () => {
  afterAll(() => setThreads(1));

  it('a large gemm through the shared build equals the one-thread module, and ran on the workers', async () => {
    const [m, n, k] = [67, 45, 301];
    const results: Uint32Array[] = [];
    for (const threads of [1, 2, 3, 4]) {
      setThreads(threads);
      const backend: Backend = currentBackend();
      expect(backend.shared === undefined).toBe(threads === 1);
      await backend.shared?.pool?.started();
      const heap = backend.heap;
      const a = heap.block('f32', m * k), b = heap.block('f32', k * n), c = heap.block('f32', m * n);
      a.view.set(randomFloats(m * k, 1));
      b.view.set(randomFloats(k * n, 2));
      poison(c.view);
      const before = backend.shared?.pool?.parallelCalls ?? 0;
      backend.kernels.gemm(c.view, a.view, b.view, m, n, k, true, false, false);
      if (threads > 1) expect(backend.shared?.pool?.parallelCalls).toBe(before + 1);
      results.push(bits(c.view.slice()));
      a.free(); b.free(); c.free();
    }
    for (const r of results) expect(r).toEqual(results[0]);
    expect(availableBackends().length).toBeGreaterThan(0);
  });
});
