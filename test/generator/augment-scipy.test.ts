// Augmentation against Keras' own computation: scripts/reference/augment_fixtures.py runs Keras' apply_transform
// (mirrored in numpy, with scipy.ndimage.affine_transform for the geometry and PIL for brightness) on real digits
// and small RGB photos — every fill mode, both orders, flips, odd and degenerate sizes, channelsFirst, the colour
// steps — and stores inputs and float32 outputs. pixprep computes coordinates in float32 (src/kernels/warp.ts), so
// it must give scipy's values within that file's stated bound, on every backend: every pixel within the bound of
// scipy's, or, where the exact warp jumps (order 0 between two samples, the edge of 'constant', the seam of 'wrap'),
// of the float64 warp at a point within the coordinate error (test/warp-reference.ts); a brightness step truncates
// to bytes, so there a warped value within the bound of an integer may land one PIL step away.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { setBackend } from '../../src/runtime/backend.js';
import { warpParams, type TransformParams } from '../../src/generator/augment.js';
import { FILL_MODES, warpCoordinateError, warpValueError } from '../../src/kernels/warp.js';
import { backends } from '../helpers.js';
import { float64Warp, outsideBound } from '../warp-reference.js';

interface Fixture {
  name: string;
  dataFormat: 'channelsLast' | 'channelsFirst';
  shape: number[];
  dtype: 'u8' | 'f32';
  image: string;
  params: Record<string, unknown>;
  fillMode: 'nearest' | 'constant' | 'reflect' | 'wrap';
  cval: number;
  interpolationOrder: 0 | 1;
  expected: string;
}

const file = new URL('./fixtures/augment-scipy.json', import.meta.url);
const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: Fixture[] };

function decode(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}
function floats(b64: string): Float32Array {
  const bytes = decode(b64);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

export function runCase(c: Fixture) {
  const gen = new ImageDataGenerator({ fillMode: c.fillMode, cval: c.cval, interpolationOrder: c.interpolationOrder, dataFormat: c.dataFormat });
  const data = c.dtype === 'u8' ? decode(c.image) : floats(c.image).slice();
  return gen.applyTransform({ data, shape: c.shape }, c.params);
}

it('the fixtures cover every fill mode with both orders, flips, channelsFirst and the colour steps', () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
  for (const mode of ['nearest', 'constant', 'reflect', 'wrap']) {
    for (const order of [0, 1]) expect(cases.some((c) => c.fillMode === mode && c.interpolationOrder === order)).toBe(true);
  }
  expect(cases.some((c) => c.dataFormat === 'channelsFirst')).toBe(true);
  expect(cases.some((c) => c.params.flipHorizontal && c.params.flipVertical)).toBe(true);
  expect(cases.some((c) => c.params.brightness !== null)).toBe(true);
  expect(cases.some((c) => c.params.channelShiftIntensity !== null)).toBe(true);
});

/** The pixels where pixprep's output is not explained by the stated bound (see the file comment). */
function disagreements(c: Fixture, got: Float32Array, expected: Float32Array): number[] {
  const planar = c.dataFormat === 'channelsFirst';
  const [h, w, C] = planar ? [c.shape[1], c.shape[2], c.shape[0]] : c.shape;
  const params = { theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1, flipHorizontal: false, flipVertical: false,
    channelShiftIntensity: null, brightness: null, ...c.params } as TransformParams;
  const map = new Float64Array(8);
  warpParams(params, h, w, map);
  const mode = FILL_MODES.indexOf(c.fillMode);
  const e = warpCoordinateError(map, 0, h, w, mode);
  const input = c.dtype === 'u8' ? decode(c.image) : floats(c.image);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const shift = Math.abs(params.channelShiftIntensity ?? 0);
  // A channel shift clips to the warped image's min and max, which move by the bound too: twice the bound.
  const bound = (shift ? 2 : 1) * warpValueError(hi - lo, Math.max(Math.abs(lo), Math.abs(hi)) + shift, e);
  const warped = (dy: number, dx: number) => float64Warp(input, map, 1, h, w, C, planar, c.fillMode, c.interpolationOrder, c.cval, dy, dx);
  const geometric = params.channelShiftIntensity === null && params.brightness === null;
  let far = outsideBound(got, (dy, dx) => (dy === 0 && dx === 0) || !geometric ? expected : warped(dy, dx), () => bound, e.y, e.x);
  if (params.brightness !== null && far.length > 0) {
    // PIL truncates the warped value to a byte, then factor·byte: a value within the bound of an integer may go to
    // either byte, which moves the result by at most floor(factor) + 1 (in the fixtures the values stay in
    // 0..255, so no rescaling).
    expect(lo >= 0 && hi <= 255).toBe(true);
    const raw = runCase({ ...c, params: { ...c.params, brightness: null } }).data;
    const step = Math.floor(params.brightness) + 1;
    far = far.filter((i) => !(Math.abs(raw[i] - Math.round(raw[i])) <= bound && Math.abs(got[i] - expected[i]) <= step));
  }
  return far;
}

for (const backend of backends) {
  describe(`applyTransform matches Keras' scipy path (${backend.name})`, () => {
    for (const c of cases) {
      it(c.name, () => {
        setBackend(backend.name);
        const out = runCase(c);
        const expected = floats(c.expected);
        expect(out.shape).toEqual(c.shape);
        expect(out.data.length).toBe(expected.length);
        const far = disagreements(c, out.data, expected);
        expect(far.map((i) => ({ i, got: out.data[i], want: expected[i] }))).toEqual([]);
      });
    }
  });
}
