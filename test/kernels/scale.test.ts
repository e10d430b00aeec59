// The scaling kernels, on every backend: against float64 math written here, and wasm against the TS reference
// bit for bit (both do the same f32 operations). Every output starts as poison (NaN), so an unwritten element shows.
import { describe, expect, it } from 'vitest';
import * as reference from '../../src/kernels/scale.js';
import { AWKWARD_LENGTHS, backends, onHeap, outputOnHeap, poison, randomBytes, randomFloats } from '../helpers.js';

const f32 = Math.fround;

/** One channel's (mul, add) in the backend's heap: affine with channels = 1 is x * mul + add. */
function coefficientsOnHeap(backend: (typeof backends)[number], mul: number, add: number) {
  const m = onHeap(backend, new Float32Array([mul]));
  const a = onHeap(backend, new Float32Array([add]));
  return { mul: m.view, add: a.view, free: () => { m.free(); a.free(); } };
}

for (const backend of backends) {
  const k = backend.kernels;
  describe(`scale kernels (${backend.name})`, () => {
    it('affineU8 with one channel maps 0..255 by x * mul + add on awkward lengths and unaligned starts', () => {
      for (const n of AWKWARD_LENGTHS) {
        for (const misalign of [0, 1, 3]) {
          const x = randomBytes(n, n * 7 + misalign);
          const input = onHeap(backend, x, misalign);
          const out = outputOnHeap(backend, 'f32', n, misalign);
          const one = coefficientsOnHeap(backend, 1 / 255, -0.5);
          k.affineU8(out.view(), input.view(), n, 1, one.mul(), one.add());
          const expected = poison(new Float32Array(n));
          reference.affineU8(expected, x, n, 1, new Float32Array([1 / 255]), new Float32Array([-0.5]));
          one.free();
          expect(out.view()).toEqual(expected);
          for (let i = 0; i < n; i++) expect(Math.abs(out.view()[i] - (x[i] / 255 - 0.5))).toBeLessThan(1e-7);
          input.free();
          out.free();
        }
      }
    });

    it('affineU8 with one channel gives exactly 0 and 1 for the extreme pixels under 1/255', () => {
      const input = onHeap(backend, new Uint8Array([0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 255]));
      const out = outputOnHeap(backend, 'f32', 17);
      const one = coefficientsOnHeap(backend, 1 / 255, 0);
      k.affineU8(out.view(), input.view(), 17, 1, one.mul(), one.add());
      one.free();
      expect(Array.from(out.view())).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1]);
      input.free();
      out.free();
    });

    it('affineF32 with one channel handles negative, huge and tiny floats, and runs in place', () => {
      for (const n of AWKWARD_LENGTHS) {
        const x = randomFloats(n, n + 11, -1e30, 1e30);
        if (n > 2) { x[1] = -3e38; x[2] = 1e-40; }
        const input = onHeap(backend, x, 1);
        const out = outputOnHeap(backend, 'f32', n, 2);
        const one = coefficientsOnHeap(backend, 0.5, 3);
        k.affineF32(out.view(), input.view(), n, 1, one.mul(), one.add());
        const expected = poison(new Float32Array(n));
        reference.affineF32(expected, x, n, 1, new Float32Array([0.5]), new Float32Array([3]));
        expect(out.view()).toEqual(expected);
        for (let i = 0; i < n; i++) {
          const exact = x[i] * 0.5 + 3;
          expect(Math.abs(out.view()[i] - exact)).toBeLessThanOrEqual(Math.abs(exact) * 2 ** -23);
        }
        k.affineF32(input.view(), input.view(), n, 1, one.mul(), one.add());
        expect(input.view()).toEqual(expected);
        one.free();
        input.free();
        out.free();
      }
    });

    for (const channels of [1, 2, 3, 4]) {
      it(`affineU8 and affineF32 apply per-channel coefficients, C=${channels}`, () => {
        const mulValues = new Float32Array([1 / 255, 2 / 255, -1 / 100, 0.25]).subarray(0, channels);
        const addValues = new Float32Array([-0.5, 0.125, 3, -7]).subarray(0, channels);
        const mul = onHeap(backend, mulValues);
        const add = onHeap(backend, addValues);
        for (const pixels of [0, 1, 4, 5, 16, 17, 333]) {
          const n = pixels * channels;
          const x = randomBytes(n, pixels + channels);
          const input = onHeap(backend, x, 1);
          const out = outputOnHeap(backend, 'f32', n, 1);
          k.affineU8(out.view(), input.view(), n, channels, mul.view(), add.view());
          const expected = poison(new Float32Array(n));
          reference.affineU8(expected, x, n, channels, mulValues, addValues);
          expect(out.view()).toEqual(expected);
          for (let i = 0; i < n; i++) {
            const c = i % channels;
            const exact = x[i] * mulValues[c] + addValues[c];
            expect(Math.abs(out.view()[i] - exact)).toBeLessThan(1e-6 * (1 + Math.abs(exact)));
          }
          const xf = randomFloats(n, pixels * 3 + channels, -300, 300);
          const inputF = onHeap(backend, xf, 3);
          out.refill();
          k.affineF32(out.view(), inputF.view(), n, channels, mul.view(), add.view());
          reference.affineF32(poison(expected), xf, n, channels, mulValues, addValues);
          expect(out.view()).toEqual(expected);
          for (let i = 0; i < n; i++) {
            const c = i % channels;
            const exact = xf[i] * mulValues[c] + addValues[c];
            expect(Math.abs(out.view()[i] - exact)).toBeLessThan(1e-6 * (1 + Math.abs(exact)));
          }
          input.free();
          inputF.free();
          out.free();
        }
        mul.free();
        add.free();
      });
    }

    it('scales one MNIST-sized pass (47,040,000 u8) exactly as the float64 formula rounds to f32', () => {
      const n = 60_000 * 28 * 28;
      const input = backend.heap.block('u8', n);
      const out = backend.heap.block('f32', n);
      const one = coefficientsOnHeap(backend, 1 / 255, -0.25);
      poison(out.view);
      const x = input.view;
      for (let i = 0; i < n; i++) x[i] = (i * 2654435761) >>> 24;
      k.affineU8(out.view, input.view, n, 1, one.mul(), one.add());
      one.free();
      const y = out.view;
      const scale = f32(1 / 255);
      let wrong = 0;
      for (let i = 0; i < n; i++) if (y[i] !== f32(f32(x[i] * scale) - 0.25)) wrong++;
      expect(wrong).toBe(0);
      input.free();
      out.free();
    });

    it('calling a scaling kernel 10,000 times does not grow kernel memory after the first call', () => {
      const input = onHeap(backend, randomBytes(1001, 5));
      const out = onHeap(backend, new Float32Array(1001));
      const one = coefficientsOnHeap(backend, 1 / 255, 0);
      k.affineU8(out.view(), input.view(), 1001, 1, one.mul(), one.add());
      const bytes = backend.heap.byteLength;
      const grows = backend.heap.growCount;
      for (let i = 0; i < 10_000; i++) k.affineU8(out.view(), input.view(), 1001, 1, one.mul(), one.add());
      expect(backend.heap.byteLength).toBe(bytes);
      expect(backend.heap.growCount).toBe(grows);
      one.free();
      input.free();
      out.free();
    });
  });
}

for (const backend of backends) {
  describe(`gatherRows (${backend.name})`, () => {
    it('copies the indexed rows in order, repeated and out-of-order indices included, for awkward row sizes', () => {
      for (const rowBytes of [1, 3, 16, 17, 784, 1001]) {
        const rows = 9;
        const source = onHeap(backend, randomBytes(rows * rowBytes, rowBytes));
        const indices = backend.heap.block('i32', 6);
        indices.view.set([8, 0, 3, 3, 7, 1]);
        const out = outputOnHeap(backend, 'u8', 7 * rowBytes);
        backend.kernels.gatherRows(out.view(), source.view(), indices.view, 6, rowBytes);
        const expected = poison(new Uint8Array(7 * rowBytes));
        [8, 0, 3, 3, 7, 1].forEach((r, k) => expected.set(source.view().subarray(r * rowBytes, (r + 1) * rowBytes), k * rowBytes));
        expect(out.view()).toEqual(expected); // and the 7th row, not asked for, is untouched
        backend.kernels.gatherRows(out.view(), source.view(), indices.view, 0, rowBytes);
        expect(out.view()).toEqual(expected); // count 0 copies nothing
        source.free();
        indices.free();
        out.free();
      }
    });
  });
}
