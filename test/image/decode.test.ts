// Decoding against PIL: every file in test/image/fixtures/files (written by scripts/reference/image_fixtures.py,
// by PIL or by its own PNG writer for the variants PIL does not write) decodes and converts to L, RGB and RGBA
// exactly as PIL's Image.open(f).convert(mode) does. Checked to fail: swapping PNG filter types 3 and 4, or
// dropping the tRNS colour key, breaks the listed files.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, toColorMode, type ColorMode, type Img } from '../../src/index.js';
import { decodePng } from '../../src/image/png.js';
import { getBackend, setBackend } from '../../src/runtime/backend.js';
import { backends } from '../helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'decode.json'), 'utf8')) as
  Record<string, Record<'L' | 'RGB' | 'RGBA', { shape: number[]; data: string }>>;
const MODES: [ColorMode, 'L' | 'RGB' | 'RGBA'][] = [['grayscale', 'L'], ['rgb', 'RGB'], ['rgba', 'RGBA']];
const bytesOf = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe('decodeImage vs PIL', () => {
  const files = readdirSync(join(FIXTURES, 'files')).sort();
  it('covers every fixture file', () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(20);
  });
  for (const file of files) {
    it(`${file}: L, RGB and RGBA exactly as PIL`, async () => {
      const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'files', file)));
      const img = await decodeImage(bytes, file);
      for (const [mode, pil] of MODES) {
        const want = expected[file][pil];
        const got = toColorMode(img, mode);
        expect(got.shape, `${file} ${mode}`).toEqual(want.shape);
        expect(Buffer.from(got.data).equals(Buffer.from(bytesOf(want.data))), `${file} ${mode}`).toBe(true);
      }
    });
  }

  it('JPEG: the same bytes on every backend (its IDCT, upsampling and colour kernels: wasm vs their TS twins)', () => {
    const initial = getBackend();
    try {
      for (const file of files.filter((f) => f.endsWith('.jpg'))) {
        const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'files', file)));
        for (const b of backends) {
          setBackend(b.name);
          const img = decodeImage(bytes, file) as Img;
          const want = expected[file][img.shape[2] === 1 ? 'L' : 'RGB'];
          expect(Buffer.from(img.data).equals(Buffer.from(bytesOf(want.data))), `${file} on ${b.name}`).toBe(true);
        }
      }
    } finally {
      setBackend(initial);
    }
    expect(backends.map((b) => b.name)).toContain('js');
  });

  it('decodes PNG synchronously in Node (node:zlib), and the same through DecompressionStream', async () => {
    const file = 'rgb-interlaced-10x9.png';
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'files', file)));
    const sync = decodePng(bytes, file);
    expect(sync).not.toBeInstanceOf(Promise);
    const { inflateStream } = await import('../../src/image/inflate.js');
    const viaStream = await decodePng(bytes, file, inflateStream);
    expect(Buffer.from((viaStream as Img).data).equals(Buffer.from((sync as Img).data))).toBe(true);
  });
});
