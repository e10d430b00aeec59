// flow: batching, seeded shuffling, subsets and labels as docs/keras-semantics.md ("flow(x, y, options)") describes, plus batchInto
// (no allocation, straight into kernel memory) and the errors.
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, toCategorical } from '../../src/index.js';
import { currentBackend } from '../../src/runtime/backend.js';
import { poison, randomBytes } from '../helpers.js';

/** n images of 2×2×1 whose four pixels all equal the image's index mod 256, and labels = index mod 10. */
function indexed(n: number) {
  const data = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) data.fill(i, i * 4, i * 4 + 4);
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { x: { data, shape: [n, 2, 2, 1] }, y };
}

const plain = () => new ImageDataGenerator();

function epochIds(it: Iterable<{ x: { data: Float32Array; shape: readonly number[] } }>): number[] {
  const ids: number[] = [];
  for (const b of it) for (let k = 0; k < b.x.shape[0]; k++) ids.push(b.x.data[k * 4]);
  return ids;
}

describe('flow', () => {
  it('has ceil(n / batchSize) batches, the last one partial: 60,000/64 → 938 (last 32), 10,000/64 → 157', () => {
    const gen = plain();
    for (const [n, b, length, last] of [[60_000, 64, 938, 32], [10_000, 64, 157, 16], [5, 5, 1, 5], [5, 7, 1, 5], [1, 1, 1, 1]]) {
      const it = gen.flow({ data: new Uint8Array(n), shape: [n, 1, 1, 1] }, null, { batchSize: b, seed: 1 });
      expect(it.length).toBe(length);
      expect(it.at(length - 1).x.shape).toEqual([last, 1, 1, 1]);
    }
  });

  it('yields every sample once per epoch, with its own label, and scales the batch', () => {
    const { x, y } = indexed(103);
    const it = new ImageDataGenerator({ rescale: 1 }).flow(x, y, { batchSize: 10, seed: 5 });
    const ids: number[] = [];
    for (const batch of it) {
      const labels = batch.y as Int32Array;
      for (let k = 0; k < batch.x.shape[0]; k++) {
        const id = batch.x.data[k * 4];
        expect(Array.from(batch.x.data.subarray(k * 4, k * 4 + 4))).toEqual([id, id, id, id]);
        expect(labels[k]).toBe(id % 10);
        ids.push(id);
      }
    }
    expect(ids.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(ids).not.toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('same seed → same batches; the next epoch → a different order; shuffle false → input order', () => {
    const { x, y } = indexed(50);
    const a = plain().flow(x, y, { batchSize: 8, seed: 42 });
    const b = plain().flow(x, y, { batchSize: 8, seed: 42 });
    const c = plain().flow(x, y, { batchSize: 8, seed: 43 });
    const a1 = epochIds(a);
    expect(epochIds(b)).toEqual(a1);
    expect(epochIds(c)).not.toEqual(a1);
    const a2 = epochIds(a);
    expect(a2).not.toEqual(a1);
    expect(epochIds(b)).toEqual(a2);
    expect(a.epoch).toBe(2);
    const ordered = plain().flow(x, y, { batchSize: 8, shuffle: false });
    expect(epochIds(ordered)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochIds(ordered)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('validationSplit: subset validation is the first floor(n·split) samples, training the rest', () => {
    const { x, y } = indexed(105);
    const gen = new ImageDataGenerator({ validationSplit: 0.2 });
    const val = gen.flow(x, y, { batchSize: 7, shuffle: false, subset: 'validation' });
    const train = gen.flow(x, y, { batchSize: 7, seed: 1, subset: 'training' });
    expect(val.sampleCount).toBe(21);
    expect(epochIds(val)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(train.sampleCount).toBe(84);
    expect(epochIds(train).sort((p, q) => p - q)).toEqual(Array.from({ length: 84 }, (_, i) => i + 21));
    expect(gen.flow(x, y, { batchSize: 7 }).sampleCount).toBe(105);
  });

  it('batchInto writes the same batch as at(), into kernel memory, and an epoch grows no memory', () => {
    const train = { data: randomBytes(300 * 6 * 6 * 3, 1), shape: [300, 6, 6, 3] };
    const labels = toCategorical(Int32Array.from({ length: 300 }, (_, i) => i % 4), 4);
    const gen = new ImageDataGenerator({ rescale: 1 / 255, featurewiseCenter: true, featurewiseStdNormalization: true, samplewiseCenter: true }).fit(train);
    const it = gen.flow(train, labels, { batchSize: 32, seed: 9 });
    expect(it.labelWidth).toBe(4);
    const { heap } = currentBackend();
    const xBlock = heap.block('f32', 32 * 108);
    const yBlock = heap.block('f32', 32 * 4);
    const bytes = heap.byteLength;
    expect(it.length).toBe(10);
    let rows = 0;
    for (let i = 0; i < it.length; i++) {
      // Poisoned first (NaN), so that a row batchInto fails to write shows.
      poison(xBlock.view);
      poison(yBlock.view);
      const k = it.batchInto(i, xBlock.view, yBlock.view);
      rows += k;
      const expected = it.at(i);
      expect(k).toBe(expected.x.shape[0]);
      expect(xBlock.view.subarray(0, k * 108)).toEqual(expected.x.data);
      expect(yBlock.view.subarray(0, k * 4)).toEqual((expected.y as { data: Float32Array }).data);
    }
    expect(rows).toBe(300);
    it.onEpochEnd();
    for (let i = 0; i < it.length; i++) it.batchInto(i, xBlock.view, yBlock.view);
    expect(heap.byteLength).toBe(bytes);
    xBlock.free();
    yBlock.free();
  });

  it('byte images are copied into kernel memory once (snapshot) and released by dispose()', () => {
    const data = randomBytes(50 * 12, 4);
    const x = { data, shape: [50, 2, 2, 3] };
    const { heap } = currentBackend();
    const used = heap.usedBytes;
    const it = plain().flow(x, null, { batchSize: 7, seed: 3 });
    expect(heap.usedBytes - used).toBeGreaterThanOrEqual(50 * 12);
    const before = it.at(2).x.data;
    data.fill(0); // the flow reads its copy, so a later change to the caller's array does not reach the batches
    expect(it.at(2).x.data).toEqual(before);
    it.dispose();
    expect(heap.usedBytes).toBeLessThanOrEqual(used + 64 * 1024); // what remains is shared scratch
    expect(() => it.at(0)).toThrow('FlowIterator: used after dispose()');
  });

  it('yields sample weights with their samples', () => {
    const { x } = indexed(20);
    const it = plain().flow(x, null, { batchSize: 6, seed: 2, sampleWeight: Array.from({ length: 20 }, (_, i) => i / 2) });
    let checked = 0;
    for (const b of it) {
      expect(b.y).toBeUndefined();
      for (let k = 0; k < b.x.shape[0]; k++, checked++) expect(b.sampleWeight![k]).toBe(b.x.data[k * 4] / 2);
    }
    expect(checked).toBe(20);
  });

  it('does not modify the caller\'s images or labels', () => {
    const { x, y } = indexed(30);
    const xs = x.data.slice();
    const ys = y.slice();
    let batches = 0;
    for (const _ of new ImageDataGenerator({ rescale: 3, samplewiseCenter: true }).flow(x, y, { batchSize: 4, seed: 1 })) batches++;
    expect(batches).toBe(8); // one epoch, ceil(30 / 4)
    expect(x.data).toEqual(xs);
    expect(y).toEqual(ys);
  });

  describe('bad input gets a specific error', () => {
    const { x, y } = indexed(10);
    it('batchSize', () => {
      for (const b of [0, -1, 2.5, NaN]) {
        expect(() => plain().flow(x, y, { batchSize: b })).toThrow(`\`batchSize\` must be a positive integer. Received: batchSize=${b}`);
      }
    });
    it('x and y of different lengths', () => {
      expect(() => plain().flow(x, y.subarray(0, 9))).toThrow(
        'flow: `x` (images tensor) and `y` (labels) should have the same length. Found: x.shape = [10, 2, 2, 1], y length = 9',
      );
    });
    it('subset without validationSplit, unknown subset, empty subset', () => {
      expect(() => plain().flow(x, y, { subset: 'validation' })).toThrow(
        "flow: `subset` 'validation' needs a `validationSplit` > 0 in the generator's options. Received: validationSplit=0",
      );
      expect(() => new ImageDataGenerator({ validationSplit: 0.5 }).flow(x, y, { subset: 'test' as never })).toThrow(
        "`subset` must be 'training' or 'validation'. Received: subset=\"test\"",
      );
      expect(() => new ImageDataGenerator({ validationSplit: 0.05 }).flow(x, null, { subset: 'training' })).toThrow(
        'flow: validationSplit=0.05 of 10 samples leaves the validation subset empty',
      );
    });
    it('subsets with different classes (labels sorted by class)', () => {
      const sorted = Int32Array.from({ length: 10 }, (_, i) => (i < 5 ? 0 : 1));
      expect(() => new ImageDataGenerator({ validationSplit: 0.3 }).flow(x, sorted, { subset: 'training' })).toThrow(
        'flow: training and validation subsets have different classes after the split (validation has 1, training has 2)',
      );
    });
    it('index out of range', () => {
      const it = plain().flow(x, y, { batchSize: 4 });
      expect(() => it.at(3)).toThrow('Asked to retrieve element 3, but the Sequence has length 3');
      expect(() => it.at(-1)).toThrow('Asked to retrieve element -1, but the Sequence has length 3');
    });
    it('labels that are not class indices or one-hot, unknown flow option, bad sample weights', () => {
      expect(() => plain().flow(x, [0, 1, 2, 3, 4, 5, 6, 7, 8, 1.5])).toThrow('flow: class labels must be non-negative integers. Received: 1.5 at index 9');
      expect(() => plain().flow(x, y, { batch_size: 4 } as never)).toThrow('flow: unknown option `batch_size`');
      expect(() => plain().flow(x, y, { sampleWeight: [1, 2] })).toThrow('flow: `x` and `sampleWeight` should have the same length. Found: x has 10 samples, sampleWeight has 2');
    });
  });
});

describe('toCategorical', () => {
  it('one-hot encodes, defaulting numClasses to max + 1', () => {
    expect(toCategorical([2, 0, 1])).toEqual({ data: new Float32Array([0, 0, 1, 1, 0, 0, 0, 1, 0]), shape: [3, 3] });
    expect(toCategorical(new Uint8Array([1]), 4).data).toEqual(new Float32Array([0, 1, 0, 0]));
  });
  it('rejects labels out of range', () => {
    expect(() => toCategorical([0, 10], 10)).toThrow('toCategorical: labels must be integers in [0, 10). Received: 10 at index 1 with numClasses=10');
    expect(() => toCategorical([-1])).toThrow('toCategorical: class labels must be non-negative integers. Received: -1 at index 0');
    expect(() => toCategorical([1], 0)).toThrow('toCategorical: numClasses must be a positive integer. Received: 0');
  });
});

describe('toJSON / fromJSON', () => {
  it('round-trips options and statistics: the restored generator scales identically', () => {
    const x = { data: randomBytes(40 * 4 * 4 * 3, 2), shape: [40, 4, 4, 3] };
    const gen = new ImageDataGenerator({ rescale: 1 / 255, featurewiseCenter: true, featurewiseStdNormalization: true }).fit(x);
    const restored = ImageDataGenerator.fromJSON(JSON.parse(JSON.stringify(gen)));
    expect(restored.standardize(x).data).toEqual(gen.standardize(x).data);
    expect(restored.mean).toEqual(gen.mean);
    // Streaming on from a saved state gives the same as fitting everything.
    const more = { data: randomBytes(10 * 48, 3), shape: [10, 4, 4, 3] };
    restored.partialFit(more);
    const all = new ImageDataGenerator({ rescale: 1 / 255 }).fit({ data: new Uint8Array([...x.data, ...more.data]), shape: [50, 4, 4, 3] });
    for (let c = 0; c < 3; c++) expect(Math.abs(restored.statistics!.std[c] - all.statistics!.std[c])).toBeLessThan(1e-15);
  });
  it('rejects missing or wrongly shaped fields', () => {
    const good = new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: new Uint8Array([1, 2, 3]), shape: [1, 1, 1, 3] }).toJSON();
    expect(() => ImageDataGenerator.fromJSON({})).toThrow('ImageDataGenerator.fromJSON: expected an object with format "pixprep.ImageDataGenerator". Received format: undefined');
    expect(() => ImageDataGenerator.fromJSON({ ...good, version: 9 })).toThrow('unsupported version 9');
    expect(() => ImageDataGenerator.fromJSON({ ...good, options: undefined })).toThrow('missing field `options`');
    expect(() => ImageDataGenerator.fromJSON({ ...good, statistics: undefined })).toThrow('missing field `statistics`');
    expect(() => ImageDataGenerator.fromJSON({ ...good, statistics: { ...good.statistics!, mean: [1, 2] } })).toThrow(
      'ImageDataGenerator.fromJSON: statistics.mean must be an array of 3 finite numbers. Received: [1, 2]',
    );
    expect(() => ImageDataGenerator.fromJSON({ ...good, options: { featurewiseCentre: true } })).toThrow('unknown option `featurewiseCentre`');
  });
});
