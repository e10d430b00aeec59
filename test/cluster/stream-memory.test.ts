// Streaming fit in constant memory (issue 20): `pixprep stats --data FILE --json` on a gzip IDX file four times larger
// than the JavaScript heap the process is allowed (--max-old-space-size=64, 256 MiB of pixels), in a child process.
// The statistics are compared with float64 ones computed here while the file is written (per-channel histograms:
// exact counts, so the reference mean and variance are exact sums), to 1e-12 relative; the kernel memory the fit
// used (the `source.kernelMemoryBytes` the command reports) and the process's peak RSS stay far below the data size.
// Shown to fail: with the whole file read (loadIdxFile, then fit) instead of idxImageChunks, the process stays under
// its heap cap (file buffers live outside the JavaScript heap) but peaks at 626 MB resident, which the RSS check refuses.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { relativeError } from '../helpers.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pixprep-stream-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const [H, W, C] = [32, 32, 3];
const IMAGE = H * W * C;
const N = Math.ceil((256 * 2 ** 20) / IMAGE); // 87,382 images: 256 MiB of pixels
const HEAP_MB = 64;

/**
 * Writes a gzip IDX file of N images, block by block, and returns per-channel histograms of every pixel. Each image
 * is one of 16 random tiles (drawn at random): the histograms are then exact sums over tiles, and gzip (which finds
 * the repeats) writes 256 MiB in a few seconds even on a busy machine.
 */
async function writeLargeIdx(path: string): Promise<Float64Array[]> {
  let state = 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const tiles = Array.from({ length: 16 }, () => {
    const tile = new Uint8Array(IMAGE);
    for (let i = 0; i < IMAGE; i += C) {
      const r = next();
      tile[i] = r & 0xff; // channels with different ranges: 0..255, 0..127, 128..191
      tile[i + 1] = (r >>> 8) & 0x7f;
      tile[i + 2] = 128 + ((r >>> 16) & 0x3f);
    }
    return tile;
  });
  const uses = new Float64Array(tiles.length);
  const gzip = createGzip({ level: 1 });
  const file = createWriteStream(path);
  gzip.pipe(file);
  const header = new Uint8Array(4 + 16);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = 4;
  [N, H, W, C].forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  gzip.write(header);
  const PER_BLOCK = 256;
  for (let start = 0; start < N; start += PER_BLOCK) {
    const k = Math.min(PER_BLOCK, N - start);
    const block = new Uint8Array(k * IMAGE);
    for (let i = 0; i < k; i++) {
      const t = next() & 15;
      uses[t]++;
      block.set(tiles[t], i * IMAGE);
    }
    if (!gzip.write(block)) await once(gzip, 'drain');
  }
  gzip.end();
  await once(file, 'close');
  const histograms = Array.from({ length: C }, () => new Float64Array(256));
  tiles.forEach((tile, t) => {
    for (let i = 0; i < IMAGE; i++) histograms[i % C][tile[i]] += uses[t];
  });
  return histograms;
}

function statsOf(histogram: Float64Array) {
  let n = 0;
  let sum = 0;
  for (let v = 0; v < 256; v++) {
    n += histogram[v];
    sum += v * histogram[v];
  }
  const mean = sum / n;
  let m2 = 0;
  for (let v = 0; v < 256; v++) m2 += histogram[v] * (v - mean) * (v - mean);
  return { n, mean, m2, min: histogram.findIndex((c) => c > 0), max: 255 - [...histogram].reverse().findIndex((c) => c > 0) };
}

describe('pixprep stats --data FILE: streaming fit in constant memory', () => {
  it(`fits ${N} images (256 MiB) with a ${HEAP_MB} MB heap, to 1e-12 of float64 statistics`, async () => {
    const path = join(work, 'large-images-idx4-ubyte.gz');

    const histograms = await writeLargeIdx(path);

    // Test-only instrumentation: the child reports its peak resident memory on exit.
    const probe = join(work, 'peak-rss.mjs');
    writeFileSync(probe, "import { writeSync } from 'node:fs';\nprocess.on('exit', () => writeSync(2, `peakRssKiB=${process.resourceUsage().maxRSS}\\n`));\n");
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', probe, CLI, 'stats', '--data', path, '--json'],
        { timeout: 120_000, maxBuffer: 1 << 24 }, (error, out, err) => resolve({ code: error ? 1 : 0, stdout: out, stderr: err }));
    });

    expect(code, stderr).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.source).toMatchObject({ file: path, images: N, shape: [H, W, C], start: 0, end: N });
    for (let c = 0; c < C; c++) {
      const ref = statsOf(histograms[c]);
      expect(json.statistics.count[c]).toBe(ref.n);
      expect(relativeError(json.statistics.mean[c], ref.mean)).toBeLessThanOrEqual(1e-12);
      expect(relativeError(json.statistics.m2[c], ref.m2)).toBeLessThanOrEqual(1e-12);
      expect([json.statistics.min[c], json.statistics.max[c]]).toEqual([ref.min, ref.max]);
    }
    const data = N * IMAGE;
    // Kernel memory: the fit's staging chunk (1 MiB) and fields, in a heap of a few MiB, whatever N is.
    expect(json.source.kernelMemoryBytes).toBeLessThan(16 * 2 ** 20);
    const peak = Number(/peakRssKiB=(\d+)/.exec(stderr)?.[1]) * 1024;
    expect(peak).toBeGreaterThan(0);
    // Node itself, the 64 MB heap, the wasm memory and stream buffers: well under the 256 MiB of pixels.
    expect(peak).toBeLessThan(data * 0.75);
  }, 90_000);
});
