// Resizing against PIL: Keras' load_img resize (crop box for keepAspectRatio, then Image.resize) computed by PIL in
// scripts/reference/image_fixtures.py, on noise images (L, RGB, RGBA), growing and shrinking, every interpolation,
// on every backend (wasm SIMD, relaxed SIMD, js). Exact: the kernels reproduce PIL's fixed-point arithmetic.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resizeImage, setBackend, getBackend, type Img, type Interpolation } from '../../src/index.js';
import { backends } from '../helpers.js';
import { sourceBox } from '../../src/image/resize.js';

const fixtures = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'resize.json'), 'utf8')) as {
  sources: Record<string, { shape: [number, number, number]; data: string }>;
  cases: { mode: string; interpolation: Interpolation; target: [number, number]; keepAspectRatio: boolean; data: string }[];
};
const bytesOf = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const sources: Record<string, Img> = Object.fromEntries(Object.entries(fixtures.sources)
  .map(([mode, s]) => [mode, { data: bytesOf(s.data), shape: s.shape }]));

const initial = getBackend();
afterAll(() => setBackend(initial));

describe.each(backends.map((b) => b.name))('resizeImage on %s vs PIL', (name) => {
  it(`all ${fixtures.cases.length} cases byte for byte`, () => {
    setBackend(name);
    const wrong: string[] = [];
    for (const c of fixtures.cases) {
      const source = sources[c.mode];
      const before = source.data.slice();
      const got = resizeImage(source, c.target, c.interpolation, c.keepAspectRatio);
      const want = bytesOf(c.data);
      expect(source.data).toEqual(before);
      expect(got.shape).toEqual([c.target[0], c.target[1], source.shape[2]]);
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(want[i] - got.data[i]));
      if (got.data.length !== want.length || diff !== 0) wrong.push(`${c.mode} ${c.interpolation} ${c.target} keep=${c.keepAspectRatio}: max diff ${diff}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('resizeImage', () => {
  it("computes Keras' centred crop box", () => {
    // 37 wide × 29 high to 16×16: the centred 29×29 square.
    expect(sourceBox(29, 37, 16, 16, true)).toEqual([4, 0, 33, 29]);
    expect(sourceBox(29, 37, 100, 37, true)).toEqual([13, 0, 23, 29]); // crop width (29 · 37) // 100 = 10
    expect(sourceBox(29, 37, 16, 16, false)).toEqual([0, 0, 37, 29]);
  });

  it('returns every byte of kernel memory it takes: repeated calls neither grow the heap nor keep blocks', async () => {
    const { currentBackend } = await import('../../src/runtime/backend.js');
    const { decodeImage } = await import('../../src/index.js');
    const jpeg = new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', 'files', 'photo-420-q90-61x45.jpg')));
    const heap = currentBackend().heap;
    const run = () => {
      resizeImage(sources.RGBA, [40, 23], 'bicubic', true);
      resizeImage(sources.RGB, [9, 31], 'nearest', false);
      decodeImage(jpeg, 'photo.jpg');
    };
    run();
    const used = heap.usedBytes;
    const grown = heap.growCount;
    for (let i = 0; i < 20; i++) run();
    expect(heap.usedBytes).toBe(used);
    expect(heap.growCount).toBe(grown);
  });

  it('rejects bad arguments with messages naming them', () => {
    const img = sources.RGB;
    expect(() => resizeImage(img, [0, 3], 'nearest', false)).toThrow('resizeImage: targetSize must be [height, width], two positive integers, received [0, 3]');
    expect(() => resizeImage(img, [3, 3], 'lanczos' as Interpolation, false)).toThrow("resizeImage: interpolation must be one of 'nearest', 'bilinear', 'bicubic', received \"lanczos\"");
    expect(() => resizeImage({ data: new Uint8Array(5), shape: [2, 2, 1] }, [3, 3])).toThrow('resizeImage: data has 5 bytes, the shape [2, 2, 1] needs 4');
  });
});
