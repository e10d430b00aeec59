// The decode pool's per-file path (src/image/prepare.ts: a JPEG resized where its decoder left it in kernel memory)
// against loadImg's (decodeImage, then prepareImg: checked against PIL in decode.test.ts and resize.test.ts), and
// against Keras' load_img itself (load.json, PIL); and the pool's synchronous file read (load-node.ts).
// Checked to fail: resizing from the wrong block or shape in decodePrepared, or reading one byte short.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, type ColorMode, type Img, type Interpolation } from '../../src/index.js';
import { prepareImg } from '../../src/image/load.js';
import { readImageFile, readImageFileSync } from '../../src/image/load-node.js';
import { resolveLoadOptions } from '../../src/image/options.js';
import { decodePrepared } from '../../src/image/prepare.js';
import { currentBackend, getBackend, setBackend } from '../../src/runtime/backend.js';
import { backends } from '../helpers.js';

const F = join(import.meta.dirname, 'fixtures');
const files = readdirSync(join(F, 'files')).sort();
const jpegs = files.filter((f) => f.endsWith('.jpg'));
const read = (f: string) => new Uint8Array(readFileSync(join(F, 'files', f)));

/**
 * Fills the kernel heap's free memory near its start with `value` (a block taken, filled, given back): a byte a kernel
 * should write and does not then shows the poison, and two runs poisoned differently differ there.
 */
function poisonHeap(value: number): void {
  const { heap } = currentBackend();
  const block = heap.block('u8', 4 << 20);
  block.view.fill(value);
  block.free();
}

const MODES: ColorMode[] = ['grayscale', 'rgb', 'rgba'];
const INTERPOLATIONS: Interpolation[] = ['nearest', 'bilinear', 'bicubic'];

describe('decodePrepared (the decode pool path)', () => {
  it('gives loadImg\'s bytes for every JPEG fixture, colour mode, filter, crop and size, on every backend', async () => {
    const initial = getBackend();
    let cases = 0;
    try {
      for (const b of backends) {
        setBackend(b.name);
        const { heap } = currentBackend();
        for (const file of jpegs) {
          const bytes = read(file);
          const decodedShape = (decodeImage(bytes, file) as Img).shape;
          const [h, w] = decodedShape;
          // Shrink, grow, an odd target, the file's own size (no resize), and none.
          const sizes: ([number, number] | null)[] = [[Math.max(1, h >> 1), Math.max(1, (w * 2) / 3 | 0)], [h + 7, w * 2 + 1], [3, 1], [h, w], null];
          for (const colorMode of MODES) {
            for (const interpolation of INTERPOLATIONS) {
              for (const keepAspectRatio of [false, true]) {
                for (const targetSize of sizes) {
                  const o = resolveLoadOptions('test', { colorMode, interpolation, keepAspectRatio, targetSize });
                  poisonHeap(0xa5);
                  const want = prepareImg(decodeImage(bytes, file) as Img, o);
                  poisonHeap(0x5a);
                  const used = heap.usedBytes;
                  const got = await decodePrepared(bytes, file, o);
                  expect(heap.usedBytes, 'kernel memory handed back').toBe(used);
                  const what = `${file} ${colorMode} ${interpolation} keep=${keepAspectRatio} ${targetSize} on ${b.name}`;
                  expect(got.decoded, what).toEqual(decodedShape);
                  expect(got.img.shape, what).toEqual(want.shape);
                  expect(Buffer.from(got.img.data).equals(Buffer.from(want.data)), what).toBe(true);
                  cases++;
                }
              }
            }
          }
        }
      }
    } finally {
      setBackend(initial);
    }
    expect(cases).toBe(backends.length * jpegs.length * 3 * 3 * 2 * 5);
  });

  it('matches Keras\' load_img (PIL) on the load fixtures, and leaves other formats to decodeImage', async () => {
    const loads = JSON.parse(readFileSync(join(F, 'load.json'), 'utf8')) as { file: string; colorMode: ColorMode;
      targetSize: [number, number]; interpolation: Interpolation; keepAspectRatio: boolean; shape: number[]; data: string }[];
    expect(loads.filter((c) => c.file.endsWith('.jpg')).length).toBeGreaterThan(1);
    for (const c of loads) {
      const { colorMode, targetSize, interpolation, keepAspectRatio } = c;
      const o = resolveLoadOptions('test', { colorMode, targetSize, interpolation, keepAspectRatio });
      const got = await decodePrepared(read(c.file), c.file, o);
      expect(got.img.shape).toEqual(c.shape);
      expect(Buffer.from(got.img.data).equals(Buffer.from(c.data, 'base64')), c.file).toBe(true);
    }
  });

  it('a corrupt or truncated JPEG is the decoder\'s error and hands its kernel memory back', async () => {
    const { heap } = currentBackend();
    const bytes = read('photo-420-q90-61x45.jpg');
    const o = resolveLoadOptions('test', { targetSize: [10, 10] });
    const used = heap.usedBytes;
    for (const n of [3, 200, bytes.length >> 1, bytes.length - 3]) {
      const direct = (() => { try { decodeImage(bytes.subarray(0, n), 'cut.jpg'); return null; } catch (e) { return (e as Error).message; } })();
      let message: string | null = null;
      try {
        await decodePrepared(bytes.subarray(0, n), 'cut.jpg', o);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, `${n} bytes`).toBe(direct);
      expect(message, `${n} bytes`).toMatch(/^cut\.jpg: /);
      expect(heap.usedBytes).toBe(used);
    }
  });
});

describe('readImageFileSync', () => {
  it('reads every fixture byte for byte, as readImageFile does; an empty file is 0 bytes', async () => {
    for (const f of files) {
      const path = join(F, 'files', f);
      const got = readImageFileSync('test', path);
      expect(got).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(got).equals(readFileSync(path)), f).toBe(true);
      expect(got).toEqual(await readImageFile('test', path));
    }
    const dir = mkdtempSync(join(tmpdir(), 'pixprep-read-'));
    writeFileSync(join(dir, 'empty.jpg'), new Uint8Array(0));
    expect(readImageFileSync('test', join(dir, 'empty.jpg')).length).toBe(0);
  });

  it('names the call and the path, with readImageFile\'s reason, when the file cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pixprep-read-'));
    mkdirSync(join(dir, 'sub.jpg'));
    for (const [path, why] of [[join(dir, 'missing.jpg'), 'no such file'], [join(dir, 'sub.jpg'), 'a directory, not a file']]) {
      expect(() => readImageFileSync('decodeMany', path)).toThrow(`decodeMany: cannot read ${path}: ${why}`);
      await expect(readImageFile('decodeMany', path)).rejects.toThrow(`decodeMany: cannot read ${path}: ${why}`);
    }
  });
});
