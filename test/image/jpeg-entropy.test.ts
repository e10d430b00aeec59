// The entropy decoder's two twins (jpegDecodeSequential: assembly/jpeg-huffman.ts and src/kernels/jpeg-huffman.ts)
// agree on every outcome, not only on good files (decode.test.ts compares good files with PIL on every backend):
// each baseline fixture, damaged in seeded ways (a byte of the image data changed, a marker or a restart marker
// planted in it, the file cut short), decodes to the same bytes on every backend or fails with the same message.
// Checked to fail: a twin that ignores the padding check (padBits) or reads one byte past the data.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeJpeg } from '../../src/image/jpeg.js';
import { getBackend, setBackend } from '../../src/runtime/backend.js';
import { backends, Random } from '../helpers.js';

const FILES = join(import.meta.dirname, 'fixtures', 'files');

function outcome(bytes: Uint8Array): string {
  try {
    const img = decodeJpeg(bytes, 'f.jpg');
    return `${img.shape.join('×')} ${Buffer.from(img.data).toString('base64')}`;
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

/** The offset just after the first SOS header (the entropy-coded data), or -1. */
function scanStart(bytes: Uint8Array): number {
  for (let i = 2; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xda) return i + 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);
  }
  return -1;
}

describe('JPEG entropy decoding: the same outcome on every backend, damaged files included', () => {
  it('has a js and a wasm backend to compare', () => {
    expect(backends.map((b) => b.name)).toContain('js');
    expect(backends.length).toBeGreaterThanOrEqual(2);
  });
  const files = readdirSync(FILES).filter((f) => f.endsWith('.jpg') && !f.includes('progressive')).sort();
  for (const file of files) {
    it(file, () => {
      const good = new Uint8Array(readFileSync(join(FILES, file)));
      const start = scanStart(good);
      expect(start).toBeGreaterThan(0);
      const rng = new Random(file.length * 7919 + good.length);
      const variants: Uint8Array[] = [good];
      for (let v = 0; v < 24; v++) {
        const bad = good.slice();
        const at = start + rng.int(Math.max(1, good.length - 2 - start));
        switch (v % 4) {
          case 0: bad[at] ^= 1 << rng.int(8); break; // a flipped bit
          case 1: bad[at] = rng.int(256); break; // a changed byte
          case 2: bad[at] = 0xff; bad[at + 1] = v % 8 === 2 ? 0xd0 + rng.int(8) : 0xc4; break; // a marker inside
          default: variants.push(good.subarray(0, at)); continue; // cut short
        }
        variants.push(bad);
      }
      const initial = getBackend();
      let errors = 0;
      try {
        for (const bytes of variants) {
          const seen = backends.map((b) => {
            setBackend(b.name);
            return outcome(bytes);
          });
          if (seen[0].startsWith('error')) errors++;
          for (let i = 1; i < seen.length; i++) expect(seen[i].slice(0, 200), `${backends[i].name} vs ${backends[0].name}`).toBe(seen[0].slice(0, 200));
          expect(new Set(seen).size).toBe(1);
        }
      } finally {
        setBackend(initial);
      }
      // The damage is real: some variants fail (the cut ones always do).
      expect(errors).toBeGreaterThanOrEqual(6);
    });
  }
});

describe('JPEG entropy decoding: bad tables and missing restart markers, named', () => {
  const file = (name: string) => new Uint8Array(readFileSync(join(FILES, name)));
  const everywhere = (bytes: Uint8Array) => {
    const initial = getBackend();
    try {
      return backends.map((b) => {
        setBackend(b.name);
        return outcome(bytes);
      });
    } finally {
      setBackend(initial);
    }
  };

  it('a DC table with a symbol above 15 is refused when it is read (as libjpeg does), on every backend', () => {
    const bytes = file('photo-420-q90-61x45.jpg').slice();
    let at = -1;
    for (let i = 2; i + 4 < bytes.length && at < 0; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0xc4 && bytes[i + 4] >> 4 === 0) at = i + 4;
    expect(at).toBeGreaterThan(0);
    bytes[at + 17] = 16; // the table's first symbol
    for (const seen of everywhere(bytes)) expect(seen).toBe('error: f.jpg: corrupt JPEG: a DC Huffman table has the symbol 16 (at most 15)');
  });

  it('a restart marker replaced by data is "missing before MCU n" on every backend (n: the interval, 3 MCUs here)', () => {
    const good = file('restart-3mcu-444-23x17.jpg');
    const rst = good.findIndex((b, i) => b === 0xff && good[i + 1] >= 0xd0 && good[i + 1] <= 0xd7 && i > scanStart(good));
    expect(rst).toBeGreaterThan(0);
    const bad = good.slice();
    bad[rst] = 0x55;
    bad[rst + 1] = 0x55;
    for (const seen of everywhere(bad)) expect(seen).toBe('error: f.jpg: corrupt JPEG: the restart marker before MCU 3 is missing');
  });
});
