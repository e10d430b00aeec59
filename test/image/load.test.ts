// loadImg end to end against Keras' load_img (computed with PIL by scripts/reference/image_fixtures.py), and the
// decode pool (decodeMany: worker threads, input order, bounded prefetch, errors) on the built package (its workers
// load dist/). imgToArray / arrayToImg against Keras' formulas, saveImg round trips.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayToImg, imgToArray, decodeImage, type ColorMode, type Interpolation } from '../../src/index.js';
import { loadImg, saveImg } from '../../src/node.js';

const F = join(import.meta.dirname, 'fixtures');
const DIST = join(import.meta.dirname, '../../dist/node.js');
const loads = JSON.parse(readFileSync(join(F, 'load.json'), 'utf8')) as { file: string; colorMode: ColorMode;
  targetSize: [number, number]; interpolation: Interpolation; keepAspectRatio: boolean; shape: number[]; data: string }[];

describe('loadImg vs Keras load_img (PIL)', () => {
  for (const c of loads) {
    it(`${c.file} ${c.colorMode} ${c.targetSize} ${c.interpolation} keep=${c.keepAspectRatio}`, async () => {
      const { colorMode, targetSize, interpolation, keepAspectRatio } = c;
      const img = await loadImg(join(F, 'files', c.file), { colorMode, targetSize, interpolation, keepAspectRatio });
      expect(img.shape).toEqual(c.shape);
      expect(Buffer.from(img.data).equals(Buffer.from(c.data, 'base64'))).toBe(true);
      // A Blob gives the same.
      const blob = new Blob([readFileSync(join(F, 'files', c.file))]);
      expect(await loadImg(blob, { colorMode, targetSize, interpolation, keepAspectRatio })).toEqual(img);
    });
  }
});

describe.skipIf(!existsSync(DIST))('decodeMany (built package)', () => {
  const files = readdirSync(join(F, 'files')).sort().map((f) => join(F, 'files', f));
  it('yields every file in input order, as loadImg does, on 0, 1 and 2 workers', async () => {
    const { decodeMany, loadImg: load } = await import(DIST) as typeof import('../../src/node.js');
    const options = { targetSize: [12, 10] as [number, number], colorMode: 'rgb' as const, interpolation: 'bilinear' as const };
    const want = await Promise.all(files.map((f) => load(f, options)));
    for (const concurrency of [0, 1, 2]) {
      const got = [];
      for await (const img of decodeMany(files, options, { concurrency, prefetch: 3 })) got.push(img);
      expect(got.length).toBe(files.length);
      for (let i = 0; i < files.length; i++) expect(got[i], `${concurrency} ${files[i]}`).toEqual(want[i]);
    }
  });

  it('throws the first bad file (named), or skips and counts it with onError: skip', async () => {
    const { decodeMany, DecodePool } = await import(DIST) as typeof import('../../src/node.js');
    const dir = mkdtempSync(join(tmpdir(), 'pixprep-many-'));
    writeFileSync(join(dir, 'bad.png'), 'not a png');
    const list = [files[0], join(dir, 'bad.png'), join(dir, 'missing.png'), files[1]];
    const seen: number[][] = [];
    await expect((async () => {
      for await (const img of decodeMany(list, {}, { concurrency: 2 })) seen.push(img.shape);
    })()).rejects.toThrow(`${join(dir, 'bad.png')}: not an image pixprep can read`);
    expect(seen.length).toBe(1);
    const stream = decodeMany(list, {}, { concurrency: 1, onError: 'skip' });
    const shapes = [];
    for await (const img of stream) shapes.push(img.shape);
    expect(shapes.length).toBe(2);
    expect(stream.skipped.map((s) => s.message)).toEqual([
      `${join(dir, 'bad.png')}: not an image pixprep can read: its first bytes match no PNG, JPEG, BMP or PPM/PGM signature`,
      `decodeMany: cannot read ${join(dir, 'missing.png')}: no such file`,
    ]);
    expect(() => new DecodePool({ concurrency: -1 })).toThrow('DecodePool: concurrency must be an integer from 0 to 256, received -1');
    expect(() => new DecodePool({ workers: 2 } as never)).toThrow('DecodePool: unknown option `workers`.');
    const pool = new DecodePool({ concurrency: 1 });
    await pool.dispose();
    expect(() => pool.decodeMany(files)).toThrow('DecodePool: used after dispose()');
  });

  it('a worker that dies fails the pass with a clear error instead of hanging', async () => {
    const { DecodePool } = await import(DIST) as typeof import('../../src/node.js');
    const pool = new DecodePool({ concurrency: 1, prefetch: 2 });
    const seen: number[][] = [];
    await expect((async () => {
      for await (const img of pool.decodeMany([...files, ...files])) {
        seen.push(img.shape);
        if (seen.length === 1) await (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0].terminate();
      }
    })()).rejects.toThrow(/a decode worker exited unexpectedly \(code 1\)/);
    expect(seen.length).toBeLessThan(files.length);
    await pool.dispose();
  });

  it('stops its workers when the loop breaks early', async () => {
    const { decodeMany } = await import(DIST) as typeof import('../../src/node.js');
    for await (const img of decodeMany(files, {}, { concurrency: 2 })) {
      expect(img.shape.length).toBe(3);
      break;
    }
  });
});

describe('imgToArray, arrayToImg, saveImg', () => {
  it("imgToArray: float32 of the bytes; channelsFirst transposes (Keras' img_to_array)", () => {
    const img = { data: new Uint8Array([1, 2, 3, 4, 5, 6]), shape: [1, 2, 3] as [number, number, number] };
    expect(imgToArray(img)).toEqual({ data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [1, 2, 3] });
    expect(imgToArray(img, { dataFormat: 'channelsFirst' })).toEqual({ data: new Float32Array([1, 4, 2, 5, 3, 6]), shape: [3, 1, 2] });
  });

  it('arrayToImg: shifts to 0, stretches to 255 in float32 and truncates, as Keras (numpy float32) does', () => {
    const x = { data: new Float32Array([-1, 0, 0.5, 2, 1, 0.25]), shape: [2, 1, 3] };
    // (x − min) / max · 255 in float32, then astype(uint8) truncates: [0, 85, 127.5, 255, 170, 106.25].
    expect(Array.from(arrayToImg(x).data)).toEqual([0, 85, 127, 255, 170, 106]);
    expect(Array.from(arrayToImg({ data: [300, -5, 7.9], shape: [1, 1, 3] }, { scale: false }).data)).toEqual([255, 0, 7]);
  });

  it('saveImg writes a PNG that decodes to the same bytes (gray, RGB, RGBA), and refuses other formats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pixprep-save-'));
    for (const c of [1, 3, 4]) {
      const img = { data: Uint8Array.from({ length: 7 * 5 * c }, (_, i) => (i * 37) % 256), shape: [7, 5, c] as [number, number, number] };
      const path = join(dir, `x${c}.png`);
      await saveImg(path, img);
      expect(await decodeImage(new Uint8Array(readFileSync(path)), path)).toEqual(img);
    }
    await expect(saveImg(join(dir, 'x.jpg'), { data: new Uint8Array(3), shape: [1, 1, 3] })).rejects.toThrow('saveImg: path must name a .png file (pixprep writes PNG only), received');
  });
});
