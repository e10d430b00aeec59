// flowFromDirectory against Keras' DirectoryIterator semantics (docs/keras-semantics.md, "Image folders"): the
// listing (classes, order, extensions, split), the batches (equal to flow on the same images stacked: scaling,
// augmentation, shuffling by seed), classMode outputs, targetSize, and bounded prefetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { ImageDataGenerator } from '../../src/index.js';
import type { FileTree } from '../../src/generator/file-tree.js';
import { encodePng, randomImage, tempDir, writeFile } from './png.js';

const H = 5, W = 7, C = 3;
let root: string;
/**
 * The expected Keras listing: class folders sorted by code point ('C' < 'a' < 'b'); a class's directories in sorted
 * order of their whole path, so 'a/deep-er' ('-' is 0x2D) comes between 'a/deep' and 'a/deep/more' ('/' is 0x2F);
 * files sorted in each directory; extensions matched case-insensitively. (Checked against Keras' _iter_valid_files
 * run by Python on the same tree.)
 */
const EXPECTED = [
  'C/x.png',
  'a/0.PNG', 'a/1.png', 'a/2.png', 'a/3.png', 'a/deep/0.png', 'a/deep-er/5.png', 'a/deep/more/9.png',
  'b/10.png', 'b/2.png', 'b/a.Png',
];
const pixels = new Map<string, Uint8Array>();

beforeAll(() => {
  root = tempDir('dir');
  EXPECTED.forEach((path, i) => {
    const img = randomImage(H, W, C, 100 + i);
    pixels.set(path, img);
    writeFile(root, path, encodePng(img, H, W, C, i % 2 ? 2 : 0));
  });
  writeFile(root, 'a/notes.txt', 'not an image');
  writeFile(root, 'a/deep/raw.gif', 'GIF89a');
  writeFile(root, 'top-level.png', encodePng(randomImage(H, W, C, 1), H, W, C)); // not in a class folder: ignored
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function stacked(paths: readonly string[]): { data: Uint8Array; shape: number[] } {
  const data = new Uint8Array(paths.length * H * W * C);
  paths.forEach((p, i) => data.set(pixels.get(p)!, i * H * W * C));
  return { data, shape: [paths.length, H, W, C] };
}

describe('flowFromDirectory: listing', () => {
  it('lists classes, files and labels in Keras order', async () => {
    const it = await new ImageDataGenerator().flowFromDirectory(root, { targetSize: [H, W], batchSize: 4, shuffle: false });
    expect(it.classIndices).toEqual({ C: 0, a: 1, b: 2 });
    expect(it.filenames).toEqual(EXPECTED);
    expect(Array.from(it.classes)).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2]);
    expect(it.samples).toBe(11);
    expect(it.length).toBe(3);
    it.dispose();
  });

  it('takes the classes given, in their order', async () => {
    const it = await new ImageDataGenerator().flowFromDirectory(root, { targetSize: [H, W], classes: ['b', 'C'], shuffle: false });
    expect(it.classIndices).toEqual({ b: 0, C: 1 });
    expect(it.filenames).toEqual(['b/10.png', 'b/2.png', 'b/a.Png', 'C/x.png']);
    expect(Array.from(it.classes)).toEqual([0, 0, 0, 1]);
  });

  it('validationSplit splits each class\'s sorted list: validation is its first fraction', async () => {
    const gen = new ImageDataGenerator({ validationSplit: 0.4 });
    const validation = await gen.flowFromDirectory(root, { targetSize: [H, W], subset: 'validation', shuffle: false });
    const training = await gen.flowFromDirectory(root, { targetSize: [H, W], subset: 'training', shuffle: false });
    // C: 1 file → trunc(0.4) = 0 validation; a: 7 → 2; b: 3 → 1.
    expect(validation.filenames).toEqual(['a/0.PNG', 'a/1.png', 'b/10.png']);
    expect(training.filenames).toEqual(['C/x.png', 'a/2.png', 'a/3.png', 'a/deep/0.png', 'a/deep-er/5.png', 'a/deep/more/9.png', 'b/2.png', 'b/a.Png']);
    expect(Array.from(validation.classes)).toEqual([1, 1, 2]);
    await expect(new ImageDataGenerator().flowFromDirectory(root, { subset: 'training' })).rejects.toThrow(
      "flowFromDirectory: `subset` 'training' needs a `validationSplit` > 0 in the generator's options. Received: validationSplit=0");
  });
});

describe('flowFromDirectory: batches', () => {
  it('yields what flow yields for the same images stacked (scaling, no shuffle), with every classMode', async () => {
    const gen = new ImageDataGenerator({ rescale: 1 / 255, samplewiseCenter: true });
    const expected = [...gen.flow(stacked(EXPECTED), null, { batchSize: 4, shuffle: false })];
    const labels = [0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2];
    for (const classMode of ['categorical', 'sparse', 'input', null] as const) {
      const it = await gen.flowFromDirectory(root, { targetSize: [H, W], batchSize: 4, shuffle: false, classMode });
      const got = [];
      for await (const batch of it) got.push(batch);
      expect(got.length).toBe(3);
      got.forEach((b, i) => {
        expect(b.x.shape).toEqual(expected[i].x.shape);
        for (let j = 0; j < b.x.shape[0]; j++) expect([classMode, i, j, ...b.x.data.subarray(j * 105, j * 105 + 3)]).toEqual([classMode, i, j, ...expected[i].x.data.subarray(j * 105, j * 105 + 3)]);
        expect(b.x.data).toEqual(expected[i].x.data);
        const want = labels.slice(i * 4, i * 4 + 4);
        if (classMode === 'categorical') {
          expect(b.y).toEqual({ data: Float32Array.from(want.flatMap((l) => [0, 1, 2].map((k) => (k === l ? 1 : 0)))), shape: [want.length, 3] });
        } else if (classMode === 'sparse') expect(b.y).toEqual(Int32Array.from(want));
        else if (classMode === 'input') expect(b.y).toEqual(b.x);
        else expect(b.y).toBeUndefined();
      });
      it.dispose();
    }
  });

  it('binary: class indices of two classes', async () => {
    const it = await new ImageDataGenerator().flowFromDirectory(root, { targetSize: [H, W], classes: ['a', 'b'], classMode: 'binary', shuffle: false, batchSize: 100 });
    const [batch] = [await it.at(0)];
    expect(batch.y).toEqual(Int32Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]));
    expect(it.labelWidth).toBe(1);
  });

  it('shuffles by seed each epoch and augments exactly as flow does on the stacked array', async () => {
    const gen = new ImageDataGenerator({ rotationRange: 20, horizontalFlip: true, widthShiftRange: 0.2, rescale: 1 / 255 });
    const flow = gen.flow(stacked(EXPECTED), [0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2], { batchSize: 4, seed: 7 });
    const files = await gen.flowFromDirectory(root, { targetSize: [H, W], batchSize: 4, seed: 7, classMode: 'sparse' });
    const orders = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      expect(Array.from(files.indexOrder)).toEqual(Array.from(flow.indexOrder));
      orders.push(Array.from(files.indexOrder));
      const want = [...flow];
      let i = 0;
      for await (const b of files) {
        expect(b.x.data).toEqual(want[i].x.data);
        expect(b.y).toEqual(want[i].y);
        i++;
      }
      expect(i).toBe(3);
    }
    expect(orders[0]).not.toEqual(orders[1]);
    expect(orders[0]).not.toEqual([...Array(11).keys()]);
    const again = await gen.flowFromDirectory(root, { targetSize: [H, W], batchSize: 4, seed: 7 });
    expect(Array.from(again.indexOrder)).toEqual(orders[0]);
  });

  it('resizes to targetSize mapping pixel centres (nearest, as PIL)', async () => {
    const [th, tw] = [3, 11];
    const it = await new ImageDataGenerator().flowFromDirectory(root, { targetSize: [th, tw], classes: ['C'], shuffle: false });
    const { x } = await it.at(0);
    const src = pixels.get('C/x.png')!;
    const want = new Float32Array(th * tw * C);
    for (let y = 0; y < th; y++) for (let xx = 0; xx < tw; xx++) for (let c = 0; c < C; c++) {
      // PIL: the output pixel centre (x + 0.5) maps to (x + 0.5)·in/out in the input, floored.
      const sy = Math.floor(((y + 0.5) * H) / th), sx = Math.floor(((xx + 0.5) * W) / tw);
      want[(y * tw + xx) * C + c] = src[(sy * W + sx) * C + c];
    }
    expect(x.shape).toEqual([1, th, tw, C]);
    expect(x.data).toEqual(want);
  });

  it('targetSize null keeps the first image\'s size', async () => {
    const it = await new ImageDataGenerator().flowFromDirectory(root, { targetSize: null });
    expect(it.imageShape).toEqual([H, W, C]);
  });

  it('decodes at most 1 + prefetch batches ahead', async () => {
    const inner = await (await import('../../src/generator/file-tree-node.js')).nodeFileTree(root, 'test');
    let reads = 0;
    const counting: FileTree = { ...inner, read: (p) => { reads++; return inner.read(p); } };
    const it = await new ImageDataGenerator().flowFromDirectory(counting, { targetSize: [H, W], batchSize: 2, prefetch: 1, shuffle: false });
    await it.prepare(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).toBe(4); // batches 0 and 1 of 2 files; nothing further
    await it.prepare(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).toBe(6);
    expect(() => it.batchInto(0, new Float32Array(1000), null)).toThrow('flowFromDirectory: batch 0 has not been decoded yet; await iterator.prepare(0) before batchInto(0)');
  });

  it('awkward batch sizes: 1, 3, one batch larger than the folder; the last batch partial', async () => {
    const gen = new ImageDataGenerator({ rescale: 1 / 255 });
    for (const batchSize of [1, 3, 11, 100]) {
      const it = await gen.flowFromDirectory(root, { targetSize: [H, W], batchSize, seed: 5 });
      expect(it.length).toBe(Math.ceil(11 / batchSize));
      const sizes: number[] = [];
      const seen: number[] = [];
      for await (const b of it) {
        sizes.push(b.x.shape[0]);
        for (let j = 0; j < b.x.shape[0]; j++) {
          const value = Math.round(b.x.data[j * H * W * C] * 255);
          seen.push(EXPECTED.findIndex((p) => pixels.get(p)![0] === value && Math.round(b.x.data[j * H * W * C + 1] * 255) === pixels.get(p)![1]));
        }
      }
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(11);
      expect(sizes.slice(0, -1).every((k) => k === batchSize)).toBe(true);
      expect([...seen].sort((a, b) => a - b)).toEqual([...Array(11).keys()]); // every file once per epoch
      it.dispose();
      expect(() => it.batchInto(0, new Float32Array(1), null)).toThrow('FileIterator: used after dispose()');
    }
  });

  it('refuses a channelsFirst generator (files decode channels last)', async () => {
    await expect(new ImageDataGenerator({ dataFormat: 'channelsFirst' }).flowFromDirectory(root)).rejects.toThrow(
      "flowFromDirectory: image files are decoded channels last; create the generator with dataFormat 'channelsLast'");
  });

  it('an async decoder (worker threads, a browser decoder) gets several files in flight, bounded, in order', async () => {
    const { decodeImage } = await import('../../src/image/index.js');
    let inFlight = 0;
    let most = 0;
    const slow = async (bytes: Uint8Array, name: string) => {
      inFlight++;
      most = Math.max(most, inFlight);
      // Later files finish first: the batch must still come out in its order.
      await new Promise((r) => setTimeout(r, 20 - (bytes.length % 17)));
      inFlight--;
      return decodeImage(bytes, name);
    };
    const gen = new ImageDataGenerator({ rescale: 1 / 255 });
    const want = [...gen.flow(stacked(EXPECTED), null, { batchSize: 4, seed: 3 })];
    const it = await gen.flowFromDirectory(root, { targetSize: [H, W], batchSize: 4, seed: 3, prefetch: 1, decode: slow });
    let i = 0;
    for await (const b of it) expect(b.x.data).toEqual(want[i++].x.data);
    expect(i).toBe(3);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8); // 4 files a batch, this batch and one ahead
  });

  it('checks its options', async () => {
    const gen = new ImageDataGenerator();
    await expect(gen.flowFromDirectory(root, { targetSize: [0, 3] as [number, number] })).rejects.toThrow(
      "flowFromDirectory: `targetSize` must be [height, width], two positive integers (or null: the first image's size). Received: targetSize=[0, 3]");
    await expect(gen.flowFromDirectory(root, { colorMode: 'rgbx' as 'rgb' })).rejects.toThrow(
      "flowFromDirectory: `colorMode` must be one of 'grayscale', 'rgb', 'rgba'. Received: colorMode=\"rgbx\"");
    await expect(gen.flowFromDirectory(root, { classMode: 'onehot' as 'sparse' })).rejects.toThrow(
      "`classMode` must be one of 'categorical', 'binary', 'sparse', 'input', null");
    await expect(gen.flowFromDirectory(root, { batchsize: 3 } as object)).rejects.toThrow('flowFromDirectory: unknown option `batchsize`. Did you mean `batchSize`?');
    await expect(gen.flowFromDirectory(42 as unknown as string)).rejects.toThrow('flowFromDirectory: `directory` must be a directory path (Node)');
  });
});
