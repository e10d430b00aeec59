// Bad input: every way a file can be wrong gives an ImageError that starts with the file's name and says what is
// wrong (pinned here), never a hang, never a silently wrong image. Bad arguments give TypeErrors naming them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageError, imgToArray, arrayToImg, toColorMode, type ColorMode } from '../../src/index.js';
import { loadImg } from '../../src/node.js';

const F = join(import.meta.dirname, 'fixtures');
const file = (path: string) => new Uint8Array(readFileSync(join(F, path)));
const png = file('files/rgb-19x11.png');
const jpg = file('files/photo-420-q90-61x45.jpg');
const bmp = file('files/rgb-15x7.bmp');
const ppm = file('files/rgb-8x3.ppm');
const edit = (bytes: Uint8Array, change: (b: Uint8Array) => void) => {
  const b = bytes.slice();
  change(b);
  return b;
};
/** The first offset of the two-byte marker 0xff m. */
const markerAt = (b: Uint8Array, m: number) => b.findIndex((v, i) => v === 0xff && b[i + 1] === m);

const CASES: [string, Uint8Array, string][] = [
  ['empty.png', new Uint8Array(0), 'empty.png: empty file (0 bytes)'],
  ['notes.png', new TextEncoder().encode('hello, not an image'), 'notes.png: not an image pixprep can read: its first bytes match no PNG, JPEG, BMP or PPM/PGM signature'],
  ['cut.png', png.subarray(0, 60), 'cut.png: truncated PNG: the file ends inside chunk IDAT (it needs 694 bytes, the file has 60)'],
  ['crc.png', edit(png, (b) => { b[50] ^= 1; }), 'crc.png: corrupt PNG: chunk IDAT at byte 33 fails its CRC check'],
  ['gray16.png', file('bad/gray16.png'), "gray16.png: unsupported PNG: 16-bit grayscale (convert it to 8 bits, e.g. PIL's convert('L') or ImageMagick -depth 8)"],
  ['cut.jpg', jpg.subarray(0, 700), 'cut.jpg: truncated JPEG: the file ends inside the image data'],
  ['header.jpg', jpg.subarray(0, 100), 'header.jpg: truncated JPEG: the file ends inside a DQT segment'],
  ['lossless.jpg', edit(jpg, (b) => { b[markerAt(b, 0xc0) + 1] = 0xc3; }), 'lossless.jpg: unsupported JPEG: lossless (SOF3); convert it to PNG or a baseline JPEG'],
  ['early.jpg', edit(jpg, (b) => { const s = markerAt(b, 0xda); b[s + 40] = 0xff; b[s + 41] = 0xd9; }),
    'early.jpg: corrupt JPEG: the image data ends early (a marker at byte'],
  ['cmyk.jpg', file('bad/cmyk.jpg'), 'cmyk.jpg: unsupported JPEG: 4 colour components (CMYK/YCCK); convert it to RGB'],
  ['image.tif', file('bad/image.tif'), 'image.tif: unsupported format TIFF (convert it to PNG)'],
  ['image.gif', file('bad/image.gif'), 'image.gif: unsupported format GIF (convert it to PNG)'],
  ['cut.bmp', bmp.subarray(0, 100), 'cut.bmp: truncated BMP: pixel data needs 390 bytes, the file has 100'],
  ['cut.ppm', ppm.subarray(0, 30), 'cut.ppm: truncated P6 image: pixel data needs 83 bytes, the file has 30'],
  ['deep.ppm', new TextEncoder().encode('P6 2 2 65535\n'), 'deep.ppm: unsupported P6 image: maximum value 65535 (pixprep reads 8-bit Netpbm; 1..255)'],
];

describe('decodeImage: bad files', () => {
  for (const [name, bytes, message] of CASES) {
    it(name, async () => {
      const before = bytes.slice();
      const error = await (async () => decodeImage(bytes, name))().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ImageError);
      expect((error as Error).message.startsWith(message), (error as Error).message).toBe(true);
      expect(bytes).toEqual(before);
    });
  }

  it('every prefix of a PNG and a JPEG is refused or decodes whole (never a partial image)', async () => {
    for (const [name, full] of [['a.png', png], ['a.jpg', jpg]] as const) {
      const whole = await decodeImage(full, name);
      for (let n = 0; n < full.length; n += 7) {
        const r = await (async () => decodeImage(full.subarray(0, n), name))().then((img) => img, (e: unknown) => e as Error);
        if (r instanceof Error) expect(r.message.startsWith(`${name}: `), r.message).toBe(true);
        else expect(r).toEqual(whole); // only when what is cut is after the image data (IEND, EOI)
      }
    }
  });
});

describe('loadImg and the array helpers: bad arguments', () => {
  it('names a missing file', async () => {
    await expect(loadImg('/nonexistent/x.png')).rejects.toThrow('loadImg: cannot read /nonexistent/x.png: no such file');
  });
  it('checks its options', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pixprep-img-')), 'a.png');
    writeFileSync(path, png);
    await expect(loadImg(path, { colorMode: 'rgbx' as ColorMode })).rejects.toThrow("loadImg: colorMode must be one of 'grayscale', 'rgb', 'rgba', received \"rgbx\"");
    await expect(loadImg(path, { targetSize: [10] as unknown as [number, number] })).rejects.toThrow('loadImg: targetSize must be [height, width], two positive integers, or null, received [10]');
    await expect(loadImg(path, { target_size: [2, 2] } as never)).rejects.toThrow('loadImg: unknown option `target_size`. Did you mean `targetSize`? Known options: colorMode, targetSize, interpolation, keepAspectRatio');
    await expect(loadImg(path, { keepAspectRatio: 1 as unknown as boolean })).rejects.toThrow('loadImg: keepAspectRatio must be a boolean, received 1');
  });
  it('toColorMode, imgToArray and arrayToImg name what is wrong', () => {
    expect(() => toColorMode({ data: new Uint8Array(3), shape: [1, 1, 2] } as never, 'rgb')).toThrow('toColorMode: shape must be [height, width, channels] with channels 1, 3 or 4, received [1, 1, 2]');
    expect(() => imgToArray({ data: new Float32Array(3), shape: [1, 1, 3] } as never)).toThrow('imgToArray: expected an image');
    expect(() => arrayToImg({ data: new Float32Array(4), shape: [1, 2, 2] })).toThrow('arrayToImg: unsupported channel count 2 (1, 3 or 4), shape [1, 2, 2]');
    expect(() => arrayToImg({ data: new Float32Array([0, NaN, 1]), shape: [1, 1, 3] })).toThrow('arrayToImg: value NaN at index 1 is not finite');
  });
});
