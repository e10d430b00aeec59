// The warp kernels: wasm against the TypeScript twin bit for bit, on awkward sizes, both layouts, every fill mode and
// order, byte and float input, fused scaling; and both against a float64 reference written from the modes'
// definitions (test/warp-reference.ts: scipy's extension rules, stated independently of the kernels' code), within
// the float32 coordinates' stated bound. The kernels' agreement with
// scipy itself is test/generator/augment-scipy.test.ts.
import { describe, expect, it } from 'vitest';
import * as reference from '../../src/kernels/warp.js';
import { backends, onHeap, Random, randomBytes, randomFloats } from '../helpers.js';
import { float64Warp, MODES, outsideBound } from '../warp-reference.js';

const SIZES: [number, number][] = [[1, 1], [1, 3], [3, 17], [17, 1], [13, 11], [7, 28], [1, 1001]];

function randomParams(rng: Random, n: number, h: number, w: number): Float64Array {
  const p = new Float64Array(n * 8);
  for (let i = 0; i < n; i++) {
    const t = rng.uniform(-Math.PI, Math.PI);
    const z = rng.uniform(0.4, 1.8);
    p.set([z * Math.cos(t), -z * Math.sin(t), rng.uniform(-h, 2 * h), z * Math.sin(t), z * Math.cos(t), rng.uniform(-w, 2 * w),
      rng.int(2), rng.int(2)], i * 8);
  }
  return p;
}

for (const backend of backends) {
  const k = backend.kernels;
  describe(`warp kernels (${backend.name})`, () => {
    it('match the TypeScript twin bit for bit and float64 math on awkward sizes, layouts, modes and orders', () => {
      const rng = new Random(17);
      let checked = 0;
      for (const [h, w] of SIZES) {
        for (const C of [1, 3, 4]) {
          for (const planar of [false, true]) {
            const nImages = 2;
            const n = nImages * h * w * C;
            const bytes = randomBytes(n, h * 31 + w + C);
            const floats = randomFloats(n, h + w * 7 + C, -50, 300);
            const params = randomParams(rng, nImages, h, w);
            const mul = Float32Array.from({ length: C }, (_, c) => 0.5 + c);
            const add = Float32Array.from({ length: C }, (_, c) => -3 + c);
            const ones = new Float32Array(C).fill(1);
            const zeros = new Float32Array(C);
            for (let mode = 0; mode < 4; mode++) {
              for (const order of [0, 1]) {
                for (const input of [bytes, floats]) {
                  const u8 = input instanceof Uint8Array;
                  const inHeap = onHeap(backend, input, 1);
                  const p = backend.heap.block('f64', params.length);
                  p.view.set(params);
                  const m = onHeap(backend, mul);
                  const a = onHeap(backend, add);
                  const out = onHeap(backend, new Float32Array(n).fill(NaN), 2);
                  const run = (o: Float32Array, mm: Float32Array, aa: Float32Array, f: typeof k) => u8
                    ? f.warpU8(o, inHeap.view() as Uint8Array, p.view, nImages, h, w, C, planar, mode, order, 7.25, mm, aa)
                    : f.warpF32(o, inHeap.view() as Float32Array, p.view, nImages, h, w, C, planar, mode, order, 7.25, mm, aa);
                  run(out.view(), m.view(), a.view(), k);
                  const twin = new Float32Array(n).fill(NaN);
                  run(twin, mul, add, reference as unknown as typeof k);
                  expect(out.view()).toEqual(twin);
                  // Unscaled, against float64.
                  const o1 = onHeap(backend, ones);
                  const o0 = onHeap(backend, zeros);
                  run(out.view(), o1.view(), o0.view(), k);
                  // Against float64 within the stated bound (src/kernels/warp.ts: warpCoordinateError, warpValueError).
                  let dy = 0;
                  let dx = 0;
                  for (let img = 0; img < nImages; img++) {
                    const e = reference.warpCoordinateError(params, img * 8, h, w, mode);
                    dy = Math.max(dy, e.y);
                    dx = Math.max(dx, e.x);
                  }
                  let lo = Infinity;
                  let hi = -Infinity;
                  for (const v of input) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
                  const bound = reference.warpValueError(hi - lo, Math.max(Math.abs(lo), Math.abs(hi)), { y: dy, x: dx });
                  const far = outsideBound(out.view(), (sy, sx) => float64Warp(input, params, nImages, h, w, C, planar, MODES[mode], order, 7.25, sy, sx),
                    () => bound, dy, dx);
                  expect(far).toEqual([]);
                  // Fused scaling = f32(f32(v)·mul) + add of the unscaled value.
                  const unscaled = out.view().slice();
                  run(out.view(), m.view(), a.view(), k);
                  let wrong = 0;
                  for (let i = 0; i < n; i++) {
                    const c = planar ? Math.floor(i / (h * w)) % C : i % C;
                    if (out.view()[i] !== Math.fround(Math.fround(unscaled[i] * mul[c]) + add[c])) wrong++;
                  }
                  expect(wrong).toBe(0);
                  for (const b of [inHeap, m, a, out, o1, o0]) b.free();
                  p.free();
                  checked++;
                }
              }
            }
          }
        }
      }
      expect(checked).toBe(SIZES.length * 3 * 2 * 4 * 2 * 2);
    }, 60_000);

    // Byte planes of up to 16384 pixels are turned into quads of their bilinear taps in kernel scratch before an
    // order-1 warp; larger ones are read as bytes (assembly/warp.ts, QUAD_PLANE). The loop above covers the first; here the second, in
    // every mode and order, both layouts of two channels, bit for bit with the twin.
    it('byte planes larger than the quad copy match the twin bit for bit in every mode and order', () => {
      const [h, w, C, nImages] = [131, 127, 2, 2];
      const n = nImages * h * w * C;
      const input = onHeap(backend, randomBytes(n, 5));
      const params = randomParams(new Random(9), nImages, h, w);
      const p = backend.heap.block('f64', params.length);
      p.view.set(params);
      const mul = new Float32Array([0.5, 2]);
      const add = new Float32Array([-3, 1]);
      const m = onHeap(backend, mul);
      const a = onHeap(backend, add);
      const out = onHeap(backend, new Float32Array(n));
      let checked = 0;
      for (const planar of [false, true]) {
        for (let mode = 0; mode < 4; mode++) {
          for (const order of [0, 1]) {
            out.view().fill(NaN);
            k.warpU8(out.view(), input.view(), p.view, nImages, h, w, C, planar, mode, order, 7.25, m.view(), a.view());
            const twin = new Float32Array(n).fill(NaN);
            reference.warpU8(twin, input.view(), params, nImages, h, w, C, planar, mode, order, 7.25, mul, add);
            let wrong = 0;
            const o = out.view();
            for (let i = 0; i < n; i++) if (!Object.is(o[i], twin[i])) wrong++;
            expect(wrong, `planar ${planar}, mode ${mode}, order ${order}`).toBe(0);
            checked++;
          }
        }
      }
      expect(checked).toBe(16);
      for (const b of [input, m, a, out]) b.free();
      p.free();
    });

    // The vector path computes tap indices in float32, exact below 2^23 pixels a plane; a plane that large or larger
    // takes the scalar path (assembly/warp.ts, warp). Both sides of the limit, bit for bit with the twin.
    it.skipIf(backend.name === 'js')('planes on both sides of 2^23 pixels match the twin bit for bit', () => {
      for (const [h, w, order] of [[2048, 4095, 1], [2048, 4095, 0], [2100, 4096, 1], [2100, 4096, 0]]) {
        const n = h * w;
        const input = onHeap(backend, randomBytes(n, 23));
        const t = 0.05;
        const params = new Float64Array([Math.cos(t), -Math.sin(t), 0.3 * h, Math.sin(t), Math.cos(t), -0.2 * w, 0, 0]);
        const p = backend.heap.block('f64', 8);
        p.view.set(params);
        const one = onHeap(backend, new Float32Array([1]));
        const zero = onHeap(backend, new Float32Array([0]));
        const out = onHeap(backend, new Float32Array(n).fill(NaN));
        k.warpU8(out.view(), input.view(), p.view, 1, h, w, 1, false, 0, order, 0, one.view(), zero.view());
        const twin = new Float32Array(n).fill(NaN);
        reference.warpU8(twin, input.view(), params, 1, h, w, 1, false, 0, order, 0, new Float32Array([1]), new Float32Array([0]));
        let wrong = 0;
        const o = out.view();
        for (let i = 0; i < n; i++) if (!Object.is(o[i], twin[i])) wrong++;
        expect(wrong).toBe(0);
        for (const b of [input, one, zero, out]) b.free();
        p.free();
      }
    }, 60_000);

    it('an identity map returns the image, and nImages = 0 writes nothing', () => {
      const x = randomBytes(5 * 7 * 3, 3);
      const input = onHeap(backend, x);
      const p = backend.heap.block('f64', 8);
      p.view.set([1, 0, 0, 0, 1, 0, 0, 0]);
      const one = onHeap(backend, new Float32Array([1, 1, 1]));
      const zero = onHeap(backend, new Float32Array(3));
      const out = onHeap(backend, new Float32Array(x.length).fill(NaN));
      for (const mode of [0, 1, 2, 3]) {
        k.warpU8(out.view(), input.view(), p.view, 1, 5, 7, 3, false, mode, 1, 0, one.view(), zero.view());
        expect(Array.from(out.view())).toEqual(Array.from(x));
      }
      out.view().fill(NaN);
      k.warpU8(out.view(), input.view(), p.view, 0, 5, 7, 3, false, 0, 1, 0, one.view(), zero.view());
      expect(out.view().every(Number.isNaN)).toBe(true);
      for (const b of [input, one, zero, out]) b.free();
      p.free();
    });
  });
}
