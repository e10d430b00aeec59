// Streaming fit (issue 20): idxImageChunks reads any range of a raw or gzip IDX file chunk by chunk, byte-identical
// to the parsed file; partialFit(stream) and fitStream(stream) give one fit's statistics and are all-or-nothing;
// `pixprep stats --shard I/N --json` + `pixprep merge` equal the statistics of the whole file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { encodeIdx } from '../../src/data/idx.js';
import { idxImageChunks } from '../../src/data/idx-stream-node.js';
import { randomBytes, referenceChannelStats, relativeError } from '../helpers.js';
import { runNode } from '../run-node.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pixprep-stream-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const [N, H, W, C] = [1001, 5, 3, 3];
const IMAGE = H * W * C;
const pixels = randomBytes(N * IMAGE, 77);
const raw = join(work, 'images-idx4-ubyte');
const gz = join(work, 'images-idx4-ubyte.gz');
writeFileSync(raw, encodeIdx({ data: pixels, shape: [N, H, W, C] }));
writeFileSync(gz, gzipSync(encodeIdx({ data: pixels, shape: [N, H, W, C] })));

async function collect(stream: AsyncIterable<{ data: Uint8Array; shape: readonly number[] }>) {
  const parts: Uint8Array[] = [];
  const sizes: number[] = [];
  for await (const chunk of stream) {
    expect(chunk.shape.slice(1)).toEqual([H, W, C]);
    expect(chunk.data.length).toBe(chunk.shape[0] * IMAGE);
    parts.push(chunk.data);
    sizes.push(chunk.shape[0]);
  }
  return { bytes: Buffer.concat(parts), sizes };
}

describe('idxImageChunks', () => {
  for (const [name, path] of [['raw', raw], ['gzip', gz]] as const) {
    it(`${name}: any range, in chunks of whole images, equals the file's images`, async () => {
      for (const [start, end, chunkBytes] of [[0, N, 1 << 20], [0, N, 1], [3, 20, 7 * IMAGE + 5], [1000, 1001, 100], [17, 17, 64], [0, 1, IMAGE]]) {
        const { bytes, sizes } = await collect(idxImageChunks(path, { start, end, chunkBytes }));
        expect(Buffer.compare(bytes, Buffer.from(pixels.subarray(start * IMAGE, end * IMAGE)))).toBe(0);
        const per = Math.max(1, Math.floor(chunkBytes / IMAGE));
        expect(sizes.every((k, i) => k === per || (i === sizes.length - 1 && k <= per))).toBe(true);
      }
    });
  }

  it('a truncated file, trailing bytes, a bad range and a non-image file are errors naming the file', async () => {
    const full = encodeIdx({ data: pixels, shape: [N, H, W, C] });
    const truncated = join(work, 'truncated.gz');
    writeFileSync(truncated, gzipSync(full.subarray(0, full.length - 10)));
    await expect(collect(idxImageChunks(truncated))).rejects.toThrow(`${truncated}: truncated: the header declares 1001 images of 5×3×3, the data ends 10 bytes early (in image 1000)`);
    const trailing = join(work, 'trailing');
    writeFileSync(trailing, Buffer.concat([full, Buffer.from([1, 2])]));
    await expect(collect(idxImageChunks(trailing))).rejects.toThrow(`${trailing}: trailing bytes: the file runs on past the 1001 images its header declares`);
    await expect(collect(idxImageChunks(raw, { start: 5, end: 1002 }))).rejects.toThrow(
      'idxImageChunks: the range start..end must satisfy 0 <= start <= end <= 1001 (the file\'s images). Received: start=5, end=1002');
    await expect(collect(idxImageChunks(raw, { chunk: 5 } as never))).rejects.toThrow('idxImageChunks: unknown option `chunk`. Did you mean `chunkBytes`? Known options: start, end, chunkBytes');
    await expect(collect(idxImageChunks(raw, { chunkBytes: 0 }))).rejects.toThrow('idxImageChunks: options.chunkBytes must be a positive integer. Received: chunkBytes=0');
    const labels = join(work, 'labels');
    writeFileSync(labels, encodeIdx({ data: new Uint8Array(4), shape: [4] }));
    await expect(collect(idxImageChunks(labels))).rejects.toThrow(`${labels}: images need 3 dimensions (n, height, width) or 4 (n, height, width, channels), this file has 1: 4`);
    await expect(collect(idxImageChunks(join(work, 'missing')))).rejects.toThrow('ENOENT');
  });
});

describe('partialFit(stream) and fitStream(stream)', () => {
  const options = { featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 1 / 255 };

  it('equal one fit and float64 statistics', async () => {
    const whole = new ImageDataGenerator(options).fit({ data: pixels, shape: [N, H, W, C] }).statistics!;
    const ref = referenceChannelStats(Float64Array.from(pixels, (v) => v / 255), C);
    const streamed = (await new ImageDataGenerator(options).fitStream(idxImageChunks(gz, { chunkBytes: 1000 }))).statistics!;
    // partialFit: a first chunk in memory, the rest as a stream.
    const partial = new ImageDataGenerator(options).partialFit({ data: pixels.subarray(0, 10 * IMAGE), shape: [10, H, W, C] });
    await partial.partialFit(idxImageChunks(raw, { start: 10, chunkBytes: 3333 }));
    for (const s of [streamed, partial.statistics!]) {
      expect(s.count).toBe(N * H * W);
      for (let c = 0; c < C; c++) {
        expect(relativeError(s.mean[c], ref[c].mean)).toBeLessThanOrEqual(1e-12);
        expect(relativeError(s.std[c], ref[c].std)).toBeLessThanOrEqual(1e-12);
        expect(relativeError(s.mean[c], whole.mean[c])).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('a stream that fails half-way changes nothing; fitStream of an empty stream is an error', async () => {
    const gen = new ImageDataGenerator(options).fit({ data: pixels.subarray(0, 5 * IMAGE), shape: [5, H, W, C] });
    const before = JSON.stringify(gen.toJSON());
    async function* failing() {
      yield { data: pixels.subarray(0, 3 * IMAGE), shape: [3, H, W, C] };
      yield { data: new Float32Array([NaN, ...new Float32Array(IMAGE - 1)]), shape: [1, H, W, C] };
    }
    await expect(gen.partialFit(failing())).rejects.toThrow('partialFit: chunk 1 of the stream: x contains 1 NaN or Infinity values in channel 0');
    await expect(gen.fitStream(failing())).rejects.toThrow('fitStream: chunk 1 of the stream');
    async function* broken() {
      yield { data: pixels.subarray(0, 3 * IMAGE), shape: [3, H, W, C] };
      throw new Error('disk gone');
    }
    await expect(gen.partialFit(broken())).rejects.toThrow('disk gone');
    expect(JSON.stringify(gen.toJSON())).toBe(before);
    async function* empty() {}
    await expect(gen.fitStream(empty())).rejects.toThrow('fitStream: the stream yielded no images; at least one image is needed');
    await gen.partialFit(empty()); // folds nothing
    expect(JSON.stringify(gen.toJSON())).toBe(before);
    expect(() => gen.fitStream([] as never)).toThrow('fitStream: chunks must be an async iterable of image sets ({ data, shape }). Received: []');
  });
});

describe('pixprep stats --shard/--range --json and pixprep merge', () => {
  it('shards of a gzip file merge into the statistics of the whole file, on stdout or atomically into --out', async () => {
    const shards: string[] = [];
    for (const part of ['--shard=0/3', '--shard=1/3', '--shard=2/3', '--range=1001:1001']) {
      const r = await runNode(CLI, ['stats', '--data', gz, '--json', part]);
      expect(r.code, r.stderr).toBe(0);
      const file = join(work, `shard-${shards.length}.json`);
      writeFileSync(file, r.stdout);
      shards.push(file);
    }
    expect(JSON.parse(readFileSync(shards[1], 'utf8')).source).toMatchObject({ file: gz, images: N, start: 333, end: 667 });
    expect(JSON.parse(readFileSync(shards[3], 'utf8')).statistics).toBeNull(); // an empty range: nothing to add
    const whole = await runNode(CLI, ['stats', '--data', raw, '--json']);
    const merged = await runNode(CLI, ['merge', ...shards]);
    expect(merged.code, merged.stderr).toBe(0);
    const [a, b] = [JSON.parse(merged.stdout).statistics, JSON.parse(whole.stdout).statistics];
    expect(a.count).toEqual(b.count);
    for (let c = 0; c < C; c++) {
      expect(relativeError(a.mean[c], b.mean[c])).toBeLessThanOrEqual(1e-12);
      expect(relativeError(a.m2[c], b.m2[c])).toBeLessThanOrEqual(1e-12);
    }
    const out = join(work, 'out', 'all.json');
    const written = await runNode(CLI, ['merge', shards[0], '--out', out, ...shards.slice(1)]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(merged.stdout));
    expect(readdirSync(join(work, 'out'))).toEqual(['all.json']); // no temporary file left
    const app = ImageDataGenerator.fromJSON(readFileSync(out, 'utf8'));
    expect(app.statistics!.count).toBe(N * H * W);
  });

  it('--scaling zca: shards carry the covariance sums, and their merge whitens as the whole file\'s fit does', async () => {
    const shards: string[] = [];
    for (const part of ['0/2', '1/2']) {
      const r = await runNode(CLI, ['stats', '--data', gz, '--json', '--scaling', 'zca', '--shard', part]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).zca.covariance.count).toBe(part === '0/2' ? 500 : 501);
      shards.push(join(work, `zca-${shards.length}.json`));
      writeFileSync(shards.at(-1)!, r.stdout);
    }
    const merged = await runNode(CLI, ['merge', ...shards]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(typeof JSON.parse(merged.stdout).zca.matrix).toBe('string'); // W, for the app
    const app = ImageDataGenerator.fromJSON(merged.stdout);
    const whole = new ImageDataGenerator({ rescale: 1 / 255, zcaWhitening: true, zcaEpsilon: 0.1 }).fit({ data: pixels, shape: [N, H, W, C] });
    const batch = { data: pixels.subarray(0, 4 * IMAGE), shape: [4, H, W, C] };
    const [a, b] = [app.standardize(batch).data, whole.standardize(batch).data];
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-4);
  });

  it('bad command lines and files are one clear line each', async () => {
    const cases: [string[], number, string][] = [
      [['stats', '--data', raw, '--shard', '3/3'], 2, 'pixprep stats: --shard must be I/N with 0 <= I < N. Received: 3/3'],
      [['stats', '--data', raw, '--range', '9:2'], 2, 'pixprep stats: --range must satisfy 0 <= START <= END <= 1001 (the file\'s images). Received: 9:2'],
      [['stats', '--data', raw, '--range', '1:2', '--shard', '0/2'], 2, 'pixprep stats: give --range or --shard, not both'],
      [['stats', '--range', '1:2'], 2, 'pixprep stats: --range and --shard need --data FILE (one IDX images file). Received: --data mnist'],
      [['merge'], 2, 'pixprep merge: give the JSON files to merge'],
      [['merge', join(work, 'nope.json')], 1, `pixprep merge: cannot read ${join(work, 'nope.json')}`],
      [['merge', raw], 1, `pixprep merge: ${raw} is not JSON`],
    ];
    for (const [args, exit, message] of cases) {
      const r = await runNode(CLI, args);
      expect(r.code, args.join(' ')).toBe(exit);
      expect(r.stderr).toContain(message);
    }
    const other = join(work, 'other.json');
    writeFileSync(other, JSON.stringify(new ImageDataGenerator({ rescale: 0.5 }).fit({ data: pixels.subarray(0, IMAGE), shape: [1, H, W, C] })));
    const shard = join(work, 'one.json');
    writeFileSync(shard, (await runNode(CLI, ['stats', '--data', raw, '--json', '--range', '0:5'])).stdout);
    const r = await runNode(CLI, ['merge', shard, other, '--out', join(work, 'never.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`pixprep merge: ImageDataGenerator.merge: every generator must have the same options; \`rescale\` differs: ${shard} has rescale=null, ${other} has rescale=0.5`);
    expect(existsSync(join(work, 'never.json'))).toBe(false);
  });
});
