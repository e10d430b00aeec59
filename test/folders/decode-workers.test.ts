// flowFromDirectory with decodeWorkers: the batches are the same bytes, in the same order, as decoding on the calling
// thread (results are placed by index, whatever order the workers answer in), a bad file is the same error naming
// it (or the same skips, in batch order), the option is checked, and a process that iterates without disposing still
// exits (idle workers do not hold it). Checked to fail: placing results in arrival order, or recording skips as they
// arrive (the order changed under load).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { encodePng, randomImage, tempDir, writeFile } from './png.js';

const FIXTURES = join(import.meta.dirname, '..', 'image', 'fixtures', 'files');
let root: string;
let badRoot: string;

beforeAll(() => {
  root = tempDir('workers');
  badRoot = tempDir('workers-bad');
  // Every colour JPEG fixture (baseline, progressive, each sampling) and some PNGs, in two classes.
  const jpegs = readdirSync(FIXTURES).filter((f) => f.endsWith('.jpg') && !f.includes('gray'));
  jpegs.forEach((f, i) => writeFile(root, `${i % 2 ? 'b' : 'a'}/${f}`, readFileSync(join(FIXTURES, f))));
  for (let i = 0; i < 7; i++) writeFile(root, `${i % 2 ? 'a' : 'b'}/p${i}.png`, encodePng(randomImage(9 + i, 5 + 2 * i, 3, i), 9 + i, 5 + 2 * i, 3));
  for (let i = 0; i < 6; i++) writeFile(badRoot, `${i % 2 ? 'a' : 'b'}/p${i}.png`, encodePng(randomImage(6, 6, 3, i), 6, 6, 3));
  writeFile(badRoot, 'a/bad1.png', 'not a png');
  writeFile(badRoot, 'b/bad2.jpg', new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0, 4, 1]));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(badRoot, { recursive: true, force: true });
});

async function epochs(decodeWorkers: number, options: object, n = 2) {
  const gen = new ImageDataGenerator({ featurewiseCenter: false, rescale: 1 / 255, horizontalFlip: true });
  const flow = await gen.flowFromDirectory(root, { targetSize: [13, 11], batchSize: 5, seed: 7, decodeWorkers, ...options });
  const seen: string[] = [];
  for (let e = 0; e < n; e++) {
    for await (const b of flow) seen.push(Buffer.from(b.x.data.buffer).toString('base64') + JSON.stringify(b.y && 'data' in b.y ? Array.from(b.y.data) : b.y));
  }
  flow.dispose();
  return seen;
}

describe('flowFromDirectory decodeWorkers', () => {
  it('gives the batches of the calling thread, bit for bit, on 1 and 3 workers (two shuffled, augmented epochs)', async () => {
    for (const options of [{}, { interpolation: 'bicubic', colorMode: 'grayscale', convertColors: true, keepAspectRatio: true }]) {
      const here = await epochs(0, options);
      expect(here.length).toBeGreaterThanOrEqual(8);
      expect(await epochs(1, options)).toEqual(here);
      expect(await epochs(3, options)).toEqual(here);
    }
  });

  it('a bad file is the error of the calling thread (naming it); with skip, the same skips in the same order', async () => {
    const gen = new ImageDataGenerator();
    const run = async (decodeWorkers: number, onError: 'throw' | 'skip') => {
      const flow = await gen.flowFromDirectory(badRoot, { targetSize: [6, 6], batchSize: 8, shuffle: false, decodeWorkers, onError });
      try {
        let images = 0;
        for await (const b of flow) images += b.x.shape[0];
        return { images, skipped: flow.skippedFiles.map((s) => `${s.file}: ${s.reason}`) };
      } catch (e) {
        return { error: (e as Error).message };
      } finally {
        flow.dispose();
      }
    };
    const thrown = await run(0, 'throw');
    expect(thrown.error).toMatch(/cannot decode .*a\/bad1\.png/);
    expect(await run(2, 'throw')).toEqual(thrown);
    const skipped = await run(0, 'skip');
    expect(skipped.images).toBe(6);
    expect(skipped.skipped).toHaveLength(2);
    expect(skipped.skipped[0]).toMatch(/^a\/bad1\.png: /);
    expect(skipped.skipped[1]).toMatch(/^b\/bad2\.jpg: .*truncated JPEG/);
    expect(await run(2, 'skip')).toEqual(skipped);
  });

  it('refuses a bad decodeWorkers, and workers with a decode function, naming the option', async () => {
    const gen = new ImageDataGenerator();
    for (const bad of [-1, 1.5, '2', 257]) {
      await expect(gen.flowFromDirectory(root, { decodeWorkers: bad as number })).rejects.toThrow(/`decodeWorkers` must be an integer from 0 to 256\. Received: decodeWorkers=/);
    }
    await expect(gen.flowFromDirectory(root, { decodeWorkers: 2, decode: () => ({ data: new Uint8Array(3), shape: [1, 1, 3] }) }))
      .rejects.toThrow(/`decodeWorkers` must be 0 with a `decode` function/);
  });

  it('a process that iterates with workers and never disposes the iterator exits when its work ends', () => {
    const script = join(root, 'run.mjs');
    const entry = join(import.meta.dirname, '..', '..', 'dist', 'index.js');
    writeFileSync(script, `import { ImageDataGenerator } from ${JSON.stringify(entry)};
const flow = await new ImageDataGenerator().flowFromDirectory(${JSON.stringify(root)}, { targetSize: [8, 8], batchSize: 4, decodeWorkers: 2 });
let n = 0;
for await (const b of flow) n += b.x.shape[0];
console.log('images', n);
`);
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    rmSync(script);
    expect(r.error, 'the process did not exit within 60 s').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^images \d+/);
  });
});
