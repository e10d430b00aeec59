// The one memory rule (src/runtime/ownership.ts) for every object that owns kernel memory: dispose() and
// [Symbol.dispose] return it, use after dispose throws "<Class>: used after dispose()", a finalizer frees what a
// dropped object held, scratch belongs to its owner, refitting ZCA frees what the previous fit held, and a layer
// belongs to one model.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { currentBackend } from '../../src/runtime/backend.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../../src/nn/index.js';
import { ImageDataGenerator } from '../../src/generator/index.js';
import { randomBytes } from '../helpers.js';
import { compiledSmallModel, patterns } from '../nn/nn-test-helpers.js';


const heap = () => currentBackend().heap;

describe('use after dispose', () => {
  it('Sequential: every method throws, the memory is back in the heap, dispose twice is harmless', async () => {
    const data = patterns(40, 1);
    const before = heap().usedBytes;
    const model = compiledSmallModel();
    await model.fit(data, { batchSize: 8, verbose: 0 });
    expect(heap().usedBytes).toBeGreaterThan(before);
    model.dispose();
    expect(heap().usedBytes).toBe(before);
    const message = 'Sequential: used after dispose()';
    await expect(model.fit(data, { verbose: 0 })).rejects.toThrow(message);
    expect(() => model.predict(data.x)).toThrow(message);
    expect(() => model.evaluate(data)).toThrow(message);
    expect(() => model.getWeightsFlat()).toThrow(message);
    expect(() => model.summary()).toThrow(message);
    expect(() => model.compile({ loss: 'sparseCategoricalCrossentropy' })).toThrow(message);
    expect(() => model.toJSON()).toThrow(message);
    expect(() => model.dispose()).not.toThrow();
    expect(heap().usedBytes).toBe(before);
  });

  it('[Symbol.dispose] is dispose (so `using` works), for the model, the generator and the flow', () => {
    const before = heap().usedBytes;
    const x = { data: randomBytes(10 * 4 * 4 * 3, 1), shape: [10, 4, 4, 3] };
    const gen = new ImageDataGenerator({ zcaWhitening: true, zcaEpsilon: 0.1 }).fit(x);
    gen.standardize(x);
    const flow = gen.flow(x, null, { batchSize: 4, seed: 1 });
    flow.at(0);
    const model = compiledSmallModel();
    expect(heap().usedBytes).toBeGreaterThan(before);
    for (const owner of [model, flow, gen]) owner[Symbol.dispose]();
    expect(heap().usedBytes).toBe(before);
    expect(() => gen.standardize(x)).toThrow('ImageDataGenerator: used after dispose()');
    expect(() => gen.fit(x)).toThrow('ImageDataGenerator: used after dispose()');
    expect(() => gen.flow(x)).toThrow('ImageDataGenerator: used after dispose()');
    expect(() => flow.at(0)).toThrow('FlowIterator: used after dispose()');
    expect(() => flow.batchInto(0, new Float32Array(4 * 48), null)).toThrow('FlowIterator: used after dispose()');
    expect(() => model.predict({ data: new Float32Array(64), shape: [1, 8, 8, 1] })).toThrow('Sequential: used after dispose()');
  });
});

describe('the finalizer backstop', () => {
  it('300 models dropped undisposed stay within a bounded kernel memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const x = { data: new Float32Array(64 * 1000), shape: [64, 10, 100, 1] };
    const before = heap().usedBytes;
    let peak = 0;
    for (let i = 0; i < 300; i++) {
      // 1000 × 128 weights (0.5 MB) + gradients + a workspace for 64 samples: ~1.3 MB each, 390 MB for 300.
      const model = new Sequential([
        new Flatten({ inputShape: [10, 100, 1] }), new Dense({ units: 128 }), new Dense({ units: 4, activation: 'softmax' }),
      ], { seed: i });
      model.predict(x);
      if (i % 20 === 19) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 0)); // finalizers run as tasks
        peak = Math.max(peak, heap().usedBytes - before);
      }
    }
    const perModel = (1000 * 128 + 128 + 128 * 4 + 4) * 4 * 2;
    // Without a finalizer, 300 models hold 300 · perModel (≥ 300 MB); with it, what survives between collections.
    expect(peak).toBeLessThan(60 * perModel);
  });
});

describe('scratch belongs to its owner', () => {
  it("a preprocessingFunction that calls another generator's standardize gets its own batch back, untouched", () => {
    const x = { data: randomBytes(64 * 6 * 6 * 1, 3), shape: [64, 6, 6, 1] };
    const inner = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true }).fit(x);
    let calls = 0;
    const outer = new ImageDataGenerator({
      rescale: 0.5,
      preprocessingFunction: (image) => {
        calls++;
        // Big enough to make the inner generator allocate (and grow kernel memory) on its first call.
        inner.standardize({ data: randomBytes(200 * 6 * 6, calls), shape: [200, 6, 6, 1] });
        return inner.standardize(image);
      },
    });
    const got = outer.standardize(x).data;
    expect(calls).toBe(64);
    const expected = inner.standardize(x).data;
    for (let i = 0; i < expected.length; i++) expect(got[i]).toBe(Math.fround(expected[i] * 0.5));
    // The same through a flow, batch by batch.
    const flow = outer.flow(x, null, { batchSize: 16, shuffle: false });
    const batch = flow.at(1).x.data;
    for (let i = 0; i < batch.length; i++) expect(batch[i]).toBe(Math.fround(expected[16 * 36 + i] * 0.5));
    flow.dispose();
  });
});

describe('ZCA refits', () => {
  it('ten refits hold the memory of one: the previous covariance and W are freed', () => {
    const gen = new ImageDataGenerator({ zcaWhitening: true, zcaEpsilon: 0.1 });
    const used: number[] = [];
    for (let i = 0; i < 10; i++) {
      const x = { data: randomBytes(50 * 8 * 8 * 1, 10 + i), shape: [50, 8, 8, 1] };
      gen.fit(x);
      gen.standardize(x); // W into kernel memory
      used.push(heap().usedBytes);
    }
    expect(new Set(used.slice(1)).size).toBe(1);
    expect(used[9]).toBe(used[1]);
    gen.dispose();
  });
});

describe('a layer belongs to one model', () => {
  it('building a layer of one model into a second throws; after dispose the layer is free again', () => {
    const dense = new Dense({ units: 3, activation: 'softmax', inputShape: [5] });
    const first = new Sequential([dense]);
    expect(() => new Sequential([new Flatten({ inputShape: [2, 4] }), dense])).toThrow(
      'Sequential: layers[1] (dense) already belongs to another model; a layer belongs to one model (create a new layer, or dispose() the other model first)');
    expect(first.inputShape).toEqual([5]);
    first.dispose();
    const second = new Sequential([dense]);
    expect(second.outputShape).toEqual([3]);
    second.dispose();
  });
});
