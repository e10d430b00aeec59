// The resize and JPEG kernels on every backend, on sizes around the SIMD widths (16 bytes; 16 pixels for the
// colour conversion): each against an independent formula (integer where the kernel's contract is integer, float64
// where it approximates a real-valued transform), and wasm against its TypeScript twin bit for bit.
import { describe, expect, it } from 'vitest';
import { jsKernels } from '../../src/kernels/index.js';
import { FILTERS, resampleTable } from '../../src/image/resample-tables.js';
import { backends, randomBytes, Random } from '../helpers.js';
import type { Backend } from '../../src/runtime/backend.js';

const SIZES = [1, 3, 15, 16, 17, 33, 1001];

/** Copies arrays into the backend's heap; call() runs with views (taken after every allocation). */
function onHeap(backend: Backend, arrays: (Uint8Array | Int32Array | Int16Array)[]) {
  const blocks = arrays.map((a) => backend.heap.block('u8', Math.max(1, a.byteLength)));
  const views = () => arrays.map((a, i) => {
    const v = blocks[i].view;
    const ctor = a.constructor as typeof Uint8Array | typeof Int32Array | typeof Int16Array;
    return new ctor(v.buffer as ArrayBuffer, v.byteOffset, a.length);
  });
  views().forEach((v, i) => v.set(arrays[i] as never));
  return { views, free: () => blocks.forEach((b) => b.free()) };
}

const clip8 = (ss: number) => (ss >= 2 ** 30 ? 255 : ss <= 0 ? 0 : Math.floor(ss / 2 ** 22));

for (const backend of backends) {
  const k = backend.kernels;
  describe(`resize and JPEG kernels (${backend.name})`, () => {
    it('resampleVerticalU8: (2^21 + Σ pixel · weight) >> 22, clipped, for row lengths around 16', () => {
      for (const rowLength of SIZES) {
        for (const [inH, outH] of [[7, 3], [3, 8], [1, 2]] as const) {
          const input = randomBytes(inH * rowLength, rowLength + inH);
          const t = resampleTable(inH, 0, inH, outH, FILTERS.bicubic);
          const out = new Uint8Array(outH * rowLength).fill(77);
          const h = onHeap(backend, [out, input, t.bounds, t.weights]);
          const [o, i, b, w] = h.views();
          k.resampleVerticalU8(o as Uint8Array, i as Uint8Array, b as Int32Array, w as Int32Array, t.taps, outH, rowLength);
          const got = Array.from(o);
          h.free();
          const want = [];
          for (let y = 0; y < outH; y++) {
            for (let j = 0; j < rowLength; j++) {
              let ss = 2 ** 21;
              for (let n = 0; n < t.bounds[2 * y + 1]; n++) ss += input[(t.bounds[2 * y] + n) * rowLength + j] * t.weights[y * t.taps + n];
              want.push(clip8(ss));
            }
          }
          expect(got, `${rowLength} ${inH}→${outH}`).toEqual(want);
        }
      }
    });

    it('resampleHorizontalU8 and resizeNearestU8 agree with the formula and with the js twin, channels 1, 3, 4', () => {
      for (const channels of [1, 3, 4]) {
        for (const inW of [1, 3, 17]) {
          const outW = inW * 2 + 1;
          const rows = 3;
          const input = randomBytes(rows * inW * channels, inW * channels);
          const t = resampleTable(inW, 0, inW, outW, FILTERS.bilinear);
          const out = new Uint8Array(rows * outW * channels);
          const h = onHeap(backend, [out, input, t.bounds, t.weights]);
          const [o, i, b, w] = h.views();
          k.resampleHorizontalU8(o as Uint8Array, i as Uint8Array, b as Int32Array, w as Int32Array, t.taps, rows - 1, 1, inW, outW, channels);
          const got = Array.from((o as Uint8Array).subarray(0, (rows - 1) * outW * channels));
          h.free();
          const twin = new Uint8Array(rows * outW * channels);
          jsKernels.resampleHorizontalU8(twin, input, t.bounds, t.weights, t.taps, rows - 1, 1, inW, outW, channels);
          expect(got).toEqual(Array.from(twin.subarray(0, got.length)));
          // Independent: row 1 of the input (firstRow = 1), output column x, channel c.
          for (let x = 0; x < outW; x++) {
            for (let c = 0; c < channels; c++) {
              let ss = 2 ** 21;
              for (let n = 0; n < t.bounds[2 * x + 1]; n++) ss += input[(inW + t.bounds[2 * x] + n) * channels + c] * t.weights[x * t.taps + n];
              expect(got[x * channels + c]).toBe(clip8(ss));
            }
          }
          // Nearest, with columns and a row outside the source (−1: zeros), the last and first columns in the middle
          // of a row, rows out of order and the lowest one first (wasm moves 3 channels as a u32 above it).
          const cols = Int32Array.from({ length: outW }, (_, x) => (x === outW - 1 || x === 1 ? -1 : x === 2 ? inW - 1 : Math.floor(x / 2) % inW));
          const rowsT = Int32Array.from([2, -1, 0, 1]);
          const nOut = new Uint8Array(rowsT.length * outW * channels).fill(9);
          const hn = onHeap(backend, [nOut, input, rowsT, cols]);
          const [no, ni, nr, nc] = hn.views();
          k.resizeNearestU8(no as Uint8Array, ni as Uint8Array, nr as Int32Array, nc as Int32Array, rowsT.length, outW, inW, channels);
          const gotN = Array.from(no as Uint8Array);
          hn.free();
          const wantN = [];
          for (const r of rowsT) for (const c of cols) for (let ch = 0; ch < channels; ch++) wantN.push(c < 0 || r < 0 ? 0 : input[(r * inW + c) * channels + ch]);
          expect(gotN).toEqual(wantN);
        }
      }
    });

    it('jpegYccToRgb: libjpeg-turbo tables (built here from FIX(x) = round(x·2^16)) for widths around 16', () => {
      const fix = (x: number) => Math.floor(x * 65536 + 0.5);
      for (const width of [0, ...SIZES]) {
        const height = 2;
        const stride = width + 5;
        const y = randomBytes(stride * height, width + 1);
        const cb = randomBytes(stride * height, width + 2);
        const cr = randomBytes(stride * height, width + 3);
        const out = new Uint8Array(width * height * 3);
        const h = onHeap(backend, [out, y, cb, cr]);
        const [o, yy, bb, rr] = h.views();
        k.jpegYccToRgb(o as Uint8Array, yy as Uint8Array, bb as Uint8Array, rr as Uint8Array, width, height, stride);
        const got = Array.from(o as Uint8Array);
        h.free();
        const want = [];
        const clamp = (v: number) => Math.min(255, Math.max(0, v));
        for (let row = 0; row < height; row++) {
          for (let x = 0; x < width; x++) {
            const i = row * stride + x;
            const b = cb[i] - 128;
            const r = cr[i] - 128;
            want.push(clamp(y[i] + Math.floor((fix(1.402) * r + 32768) / 65536)),
              clamp(y[i] + Math.floor((-fix(0.34414) * b + 32768 - fix(0.71414) * r) / 65536)),
              clamp(y[i] + Math.floor((fix(1.772) * b + 32768) / 65536)));
          }
        }
        expect(got, `width ${width}`).toEqual(want);
      }
    });

    it('jpegIdctIslow: within 1 of the float64 inverse DCT, and equal to the js twin', () => {
      const rng = new Random(18);
      const blocksPerLine = 3;
      const blocksPerColumn = 2;
      const n = blocksPerLine * blocksPerColumn;
      const coef = new Int32Array(n * 64);
      const quant = Int32Array.from({ length: 64 }, (_, i) => 1 + (i % 7));
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < 64; i++) {
          // Photograph-like: a DC term and decaying AC terms, some blocks DC only (the shortcut paths).
          const u = i % 8;
          const v = Math.floor(i / 8);
          coef[b * 64 + i] = i === 0 ? rng.int(400) - 200 : b % 3 === 0 ? 0 : Math.round((rng.uniform(-1, 1) * 60) / (1 + u + v));
        }
      }
      const out = new Uint8Array(blocksPerLine * 8 * blocksPerColumn * 8).fill(1);
      const h = onHeap(backend, [out, coef, quant]);
      const [o, c, q] = h.views();
      k.jpegIdctIslow(o as Uint8Array, c as Int32Array, q as Int32Array, blocksPerLine, blocksPerColumn);
      const got = Uint8Array.from(o as Uint8Array);
      h.free();
      const twin = new Uint8Array(out.length);
      jsKernels.jpegIdctIslow(twin, coef, quant, blocksPerLine, blocksPerColumn);
      expect(Array.from(got)).toEqual(Array.from(twin));
      const stride = blocksPerLine * 8;
      let worst = 0;
      for (let b = 0; b < n; b++) {
        const br = Math.floor(b / blocksPerLine);
        const bc = b % blocksPerLine;
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            let s = 0;
            for (let v = 0; v < 8; v++) {
              for (let u = 0; u < 8; u++) {
                const cu = u === 0 ? Math.SQRT1_2 : 1;
                const cv = v === 0 ? Math.SQRT1_2 : 1;
                s += cu * cv * coef[b * 64 + v * 8 + u] * quant[v * 8 + u] *
                  Math.cos(((2 * x + 1) * u * Math.PI) / 16) * Math.cos(((2 * y + 1) * v * Math.PI) / 16);
              }
            }
            const want = Math.min(255, Math.max(0, Math.round(s / 4 + 128)));
            worst = Math.max(worst, Math.abs(got[(br * 8 + y) * stride + bc * 8 + x] - want));
          }
        }
      }
      expect(worst).toBeLessThanOrEqual(1);
    });

    it('jpegIdctIslow: the js twin bit for bit on any i32 input (wrapping products, 16-bit tables), and DC-only blocks flat at libjpeg\'s value', () => {
      const rng = new Random(1818);
      for (const [blocksPerLine, blocksPerColumn] of [[1, 1], [3, 2], [17, 1]] as const) {
        const n = blocksPerLine * blocksPerColumn;
        const coef = new Int32Array(n * 64);
        const quant = Int32Array.from({ length: 64 }, () => 1 + rng.int(65535));
        for (let b = 0; b < n; b++) {
          // Every third block DC only; the rest full of JCOEF-range values: products that wrap i32 on purpose.
          for (let i = 0; i < 64; i++) coef[b * 64 + i] = i === 0 || b % 3 !== 0 ? rng.int(65536) - 32768 : 0;
        }
        const out = new Uint8Array(n * 64).fill(3);
        const h = onHeap(backend, [out, coef, quant]);
        const [o, c, q] = h.views();
        k.jpegIdctIslow(o as Uint8Array, c as Int32Array, q as Int32Array, blocksPerLine, blocksPerColumn);
        const got = Uint8Array.from(o as Uint8Array);
        h.free();
        const twin = new Uint8Array(out.length);
        jsKernels.jpegIdctIslow(twin, coef, quant, blocksPerLine, blocksPerColumn);
        expect(Array.from(got), `${blocksPerLine}×${blocksPerColumn}`).toEqual(Array.from(twin));
      }
      // In range (every real image, |dc·q| < 4096): a DC-only block is flat at ((dc·q + 4) >> 3) + 128, clamped
      // (jidctint.c's shortcut: (dc·q << 2 + 16) >> 5).
      const dcs = [-100, -27, -26, -25, -3, -1, 0, 1, 3, 25, 26, 27, 100];
      const coef = new Int32Array(dcs.length * 64);
      dcs.forEach((dc, b) => { coef[b * 64] = dc; });
      const quant = new Int32Array(64).fill(1);
      quant[0] = 5;
      const out = new Uint8Array(dcs.length * 64);
      const h = onHeap(backend, [out, coef, quant]);
      const [o, c, q] = h.views();
      k.jpegIdctIslow(o as Uint8Array, c as Int32Array, q as Int32Array, dcs.length, 1);
      const got = Uint8Array.from(o as Uint8Array);
      h.free();
      dcs.forEach((dc, b) => {
        const want = Math.min(255, Math.max(0, Math.floor((dc * 5 + 4) / 8) + 128));
        for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(got[y * dcs.length * 8 + b * 8 + x], `dc ${dc}`).toBe(want);
      });
    });

    it('jpegUpsampleFancy: equal to the js twin, and within 1 of the 9-3-3-1 triangle filter in float64', () => {
      for (const inWidth of [3, 8, 9, 17, 501]) {
        for (const vertical of [false, true]) {
          const inHeight = 5;
          const stride = inWidth + 7;
          const width = 2 * inWidth - (inWidth % 2);
          const height = vertical ? 2 * inHeight - 1 : inHeight;
          const plane = randomBytes(stride * inHeight, inWidth + (vertical ? 1 : 0));
          const outStride = width + 3;
          const out = new Uint8Array(outStride * height);
          const h = onHeap(backend, [out, plane]);
          const [o, p] = h.views();
          k.jpegUpsampleFancy(o as Uint8Array, outStride, p as Uint8Array, stride, inWidth, inHeight, width, height, vertical);
          const got = Uint8Array.from(o as Uint8Array);
          h.free();
          const twin = new Uint8Array(out.length);
          jsKernels.jpegUpsampleFancy(twin, outStride, plane, stride, inWidth, inHeight, width, height, vertical);
          for (let y = 0; y < height; y++) expect(Array.from(got.subarray(y * outStride, y * outStride + width))).toEqual(Array.from(twin.subarray(y * outStride, y * outStride + width)));
          const at = (r: number, c: number) => plane[Math.min(Math.max(r, 0), inHeight - 1) * stride + Math.min(Math.max(c, 0), inWidth - 1)];
          for (let y = 0; y < height; y++) {
            for (let x = 0; x < width; x++) {
              const cx = x >> 1;
              const fx = x % 2 === 0 ? cx - 1 : cx + 1;
              const cy = vertical ? y >> 1 : y;
              const fy = vertical ? (y % 2 === 0 ? cy - 1 : cy + 1) : y;
              const want = vertical
                ? (9 * at(cy, cx) + 3 * at(cy, fx) + 3 * at(fy, cx) + at(fy, fx)) / 16
                : (3 * at(cy, cx) + at(cy, fx)) / 4;
              expect(Math.abs(got[y * outStride + x] - want), `${inWidth} ${vertical} ${y} ${x}`).toBeLessThanOrEqual(1);
            }
          }
        }
      }
    });
  });
}
