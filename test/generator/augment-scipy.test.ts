// Augmentation against Keras' own computation: scripts/reference/augment_fixtures.py runs Keras' apply_transform
// (mirrored in numpy, with scipy.ndimage.affine_transform for the geometry and PIL for brightness) on real digits
// and small RGB photos — every fill mode, both orders, flips, odd and degenerate sizes, channelsFirst, the colour
// steps — and stores inputs and float32 outputs. pixprep must give the same float32 values on every backend.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { setBackend } from '../../src/runtime/backend.js';
import { backends } from '../helpers.js';

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

for (const backend of backends) {
  describe(`applyTransform matches Keras' scipy path (${backend.name})`, () => {
    for (const c of cases) {
      it(c.name, () => {
        setBackend(backend.name);
        const out = runCase(c);
        const expected = floats(c.expected);
        expect(out.shape).toEqual(c.shape);
        expect(out.data.length).toBe(expected.length);
        let worst = 0;
        let at = -1;
        for (let i = 0; i < expected.length; i++) {
          const d = Math.abs(out.data[i] - expected[i]);
          if (!(d <= worst)) { worst = d; at = i; }
        }
        expect({ worst, at, got: out.data[at], want: expected[at] }).toEqual({ worst: 0, at: -1, got: undefined, want: undefined });
      });
    }
  });
}
