// The engine under the facade: workspaces sized by the data (not the requested batch size), every label checked
// and snapshotted before the first step, one fit at a time per model, and fit yielding to the event loop while it
// trains.
import { describe, expect, it } from 'vitest';
import { currentBackend } from '../../src/runtime/backend.js';
import type { Sequential } from '../../src/nn/index.js';
import ndarray from 'ndarray';
import { compiledSmallModel, patterns } from './nn-test-helpers.js';


/** Kernel memory a model holds after `use` (its parameters, optimizer slots and workspace). */
async function heldBytes(use: (model: Sequential) => unknown): Promise<number> {
  const heap = currentBackend().heap;
  const before = heap.usedBytes;
  const model = compiledSmallModel(1);
  await use(model);
  const held = heap.usedBytes - before;
  model.dispose();
  expect(heap.usedBytes).toBe(before);
  return held;
}

describe('workspace sizing', () => {
  const data = patterns(300, 1);

  it('fit with batchSize 4096 on 300 images takes the memory of one batch of 300, in one step per epoch', async () => {
    const sizes: number[] = [];
    const big = await heldBytes((m) => m.fit(data, { batchSize: 4096, verbose: 0, onBatchEnd: (_, logs) => sizes.push(logs.size) }));
    const exact = await heldBytes((m) => m.fit(data, { batchSize: 300, verbose: 0 }));
    expect(sizes).toEqual([300]);
    expect(big).toBe(exact);
    // And a batch larger than the data trains exactly as one batch of all of it.
    const a = compiledSmallModel(2);
    const b = compiledSmallModel(2);
    await a.fit(data, { batchSize: 4096, verbose: 0, shuffle: false });
    await b.fit(data, { batchSize: 300, verbose: 0, shuffle: false });
    expect(a.getWeightsFlat()).toEqual(b.getWeightsFlat());
  });

  it('predict and evaluate with batchSize 1e5 stay at the size of the data', async () => {
    const big = await heldBytes((m) => m.predict(data.x, { batchSize: 1e5 }));
    const exact = await heldBytes((m) => m.predict(data.x, { batchSize: 300 }));
    expect(big).toBe(exact);
    expect(await heldBytes((m) => m.evaluate(data, { batchSize: 1e5 }))).toBe(exact);
    // Far below what a workspace for 1e5 samples would take (its input alone is 25.6 MB here).
    expect(big).toBeLessThan(4 * 64 * 1e5);
  });
});

describe('labels of array data', () => {
  it('an out-of-range label anywhere fails before the first step: the weights do not move', async () => {
    const { x, y } = patterns(300, 2);
    const bad = Uint8Array.from(y);
    bad[299] = 3;
    const model = compiledSmallModel(3);
    const before = model.getWeightsFlat();
    await expect(model.fit({ x, y: bad }, { batchSize: 16, verbose: 0 })).rejects.toThrow(
      'fit: class labels must be integers in [0, 3) for a model with 3 outputs. Received: 3 at index 299');
    expect(model.getWeightsFlat()).toEqual(before);
    expect(model.getOptimizerState()).toBeNull();
    const fractional = Array.from(y, (v, i) => (i === 5 ? 0.5 : v));
    await expect(model.fit({ x, y: fractional }, { batchSize: 16, verbose: 0 })).rejects.toThrow(
      'fit: class labels must be non-negative integers. Received: 0.5 at index 5');
    await expect(model.fit({ x, y }, { batchSize: 16, verbose: 0, validationData: { x, y: bad } })).rejects.toThrow(
      'fit (validationData): class labels must be integers in [0, 3) for a model with 3 outputs. Received: 3 at index 299');
    expect(model.getWeightsFlat()).toEqual(before);
  });

  it('are read once: changing them during fit changes nothing', async () => {
    const data = patterns(96, 4);
    const reference = compiledSmallModel(5);
    await reference.fit(data, { batchSize: 16, epochs: 2, verbose: 0 });
    const y = Uint8Array.from(data.y);
    const model = compiledSmallModel(5);
    await model.fit({ x: data.x, y }, {
      batchSize: 16, epochs: 2, verbose: 0, onBatchEnd: () => y.fill(2),
    });
    expect(model.getWeightsFlat()).toEqual(reference.getWeightsFlat());
  });
});

describe('fit', () => {
  it('refuses a second fit on the same model while the first runs', async () => {
    const data = patterns(64, 6);
    const model = compiledSmallModel(7);
    const first = model.fit(data, { batchSize: 8, verbose: 0 });
    await expect(model.fit(data, { batchSize: 8, verbose: 0 })).rejects.toThrow(
      'fit: this model is already training (an earlier fit call has not finished); await it before calling fit again');
    await first;
    // Once the first has finished, fit works again (and a failed fit releases the model too).
    await model.fit(data, { batchSize: 8, verbose: 0 });
    await expect(model.fit({ x: data.x, y: new Uint8Array(64).fill(9) }, { verbose: 0 })).rejects.toThrow('Received: 9 at index 0');
    await model.fit(data, { batchSize: 8, verbose: 0 });
  });

  it('yields to the event loop every ~50 ms of work, inside an epoch', async () => {
    const data = patterns(64, 8);
    const model = compiledSmallModel(9);
    let timerRan = false;
    const seenAt: boolean[] = [];
    setTimeout(() => (timerRan = true), 0);
    await model.fit(data, {
      batchSize: 4, epochs: 1, verbose: 0,
      onBatchEnd: () => {
        // 16 batches of at least 10 ms each: 160 ms of "work" in one epoch.
        const until = performance.now() + 10;
        while (performance.now() < until) { /* busy */ }
        seenAt.push(timerRan);
      },
    });
    expect(seenAt).toHaveLength(16);
    // The timer ran before the epoch's last batch: fit gave the event loop a turn mid-epoch.
    expect(seenAt.indexOf(true)).toBeGreaterThan(0);
    expect(seenAt.indexOf(true)).toBeLessThan(10);
  });
});

describe('one input path: fit takes what flow takes', () => {
  const data = patterns(60, 12);
  const trained = async (x: unknown, y: unknown) => {
    const model = compiledSmallModel(13);
    await model.fit({ x, y } as never, { batchSize: 16, epochs: 2, verbose: 0 });
    const w = model.getWeightsFlat();
    model.dispose();
    return w;
  };

  it('Uint16, Int8 and number[] labels train exactly as Uint8 labels do', async () => {
    const reference = await trained(data.x, data.y);
    expect(await trained(data.x, Uint16Array.from(data.y))).toEqual(reference);
    expect(await trained(data.x, Int8Array.from(data.y))).toEqual(reference);
    expect(await trained(data.x, Array.from(data.y))).toEqual(reference);
  });

  it('an ndarray view (non-contiguous: every other channel of a larger array) trains as its dense copy', async () => {
    const n = 60;
    const wide = new Float32Array(n * 64 * 2).fill(Number.NaN); // the channel the view skips is poison
    for (let i = 0; i < n * 64; i++) wide[2 * i] = data.x.data[i];
    const view = ndarray(wide, [n, 8, 8, 2]).hi(n, 8, 8, 1);
    expect(view.stride).toEqual([128, 16, 2, 1]);
    expect(await trained(view, data.y)).toEqual(await trained(data.x, data.y));
  });

  it('byte and float64 images train as the float32 images of the same values', async () => {
    const bytes = Uint8Array.from(data.x.data, (v) => Math.max(0, Math.min(255, Math.round(v * 200 + 20))));
    const shape = [60, 8, 8, 1];
    const reference = await trained({ data: Float32Array.from(bytes), shape }, data.y);
    expect(await trained({ data: bytes, shape }, data.y)).toEqual(reference);
    expect(await trained({ data: Float64Array.from(bytes), shape }, data.y)).toEqual(reference);
  });
});
