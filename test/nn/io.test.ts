// Saving: pixprep's own JSON round trip (bit-identical predictions), the Node file helpers, and the TensorFlow.js
// Layers export loaded into TensorFlow.js itself, whose predictions must match pixprep's.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Adam, Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../../src/nn/index.js';
import { loadModel, saveModel, saveTfjs } from '../../src/nn/io-node.js';
import { randomArray } from './nn-test-helpers.js';

/** Every layer kind and option the export must carry: same/valid padding, strides 2, a non-square kernel, no bias. */
function awkwardModel(seed: number) {
  return new Sequential([
    new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [9, 11, 2] }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 5, kernelSize: [2, 3], strides: 2, activation: 'relu' }),
    new Conv2D({ filters: 3, kernelSize: 1, padding: 'same', useBias: false }),
    new Flatten(),
    new Dense({ units: 7, activation: 'relu' }),
    new Dense({ units: 4, activation: 'softmax' }),
  ], { seed });
}

/** Trains a few steps so that biases are non-zero and the weights are not just their initialisation. */
async function trained(seed: number) {
  const model = awkwardModel(seed);
  model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  const n = 24;
  const y = Int32Array.from({ length: n }, (_, i) => i % 4);
  await model.fit({ x: { data: randomArray(n * 9 * 11 * 2, seed), shape: [n, 9, 11, 2] }, y }, { batchSize: 8, verbose: 0 });
  return model;
}

const inputs = (n: number, seed: number) => ({ data: randomArray(n * 9 * 11 * 2, seed, -2, 2), shape: [n, 9, 11, 2] });

describe("pixprep's own format", () => {
  it('round-trips through JSON text with bit-identical predictions, compile config and metadata', async () => {
    const model = await trained(1);
    model.metadata = { generator: { mean: [0.13], std: [0.31] }, note: 'x' };
    const text = JSON.stringify(model);
    const loaded = Sequential.fromJSON(text);
    expect(loaded.summary()).toBe(model.summary());
    expect(loaded.metadata).toEqual(model.metadata);
    expect(loaded.compileConfig).toEqual(model.compileConfig);
    expect(loaded.getWeightsFlat()).toEqual(model.getWeightsFlat());
    const x = inputs(5, 2);
    const a = model.predict(x).data;
    const b = loaded.predict(x).data;
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    // Compiled on load: evaluate works without another compile.
    expect(loaded.evaluate({ x, y: [0, 1, 2, 3, 0] }).loss).toBe(model.evaluate({ x, y: [0, 1, 2, 3, 0] }).loss);
  });

  it('saves and loads a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pixprep-nn-'));
    try {
      const model = await trained(3);
      await saveModel(model, join(dir, 'sub', 'model.json'));
      const loaded = await loadModel(join(dir, 'sub', 'model.json'));
      const x = inputs(3, 4);
      expect(loaded.predict(x).data).toEqual(model.predict(x).data);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("carries Adam's state: one epoch, save, load, one more epoch = two epochs straight, bit for bit", async () => {
    const n = 24;
    const data = { x: inputs(n, 7), y: Int32Array.from({ length: n }, (_, i) => i % 4) };
    const fresh = () => {
      const m = awkwardModel(5);
      m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      return m;
    };
    // Array data reshuffles from the model's seed and its step count, so the resumed epoch sees epoch 2's order.
    const straight = fresh();
    await straight.fit(data, { batchSize: 8, epochs: 2, verbose: 0 });

    const first = fresh();
    expect(first.toJSON().optimizerState).toBeNull(); // nothing to carry before a step
    await first.fit(data, { batchSize: 8, epochs: 1, verbose: 0 });
    const saved = first.toJSON();
    expect(saved.optimizerState?.step).toBe(3);
    const resumed = Sequential.fromJSON(JSON.stringify(saved));
    expect(resumed.getOptimizerState()!.slots).toEqual(first.getOptimizerState()!.slots);
    await resumed.fit(data, { batchSize: 8, epochs: 1, verbose: 0 });
    const a = straight.getWeightsFlat();
    const b = resumed.getWeightsFlat();
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);

    // Without the state, Adam restarts (bias correction from step 1, zero moments) and the weights differ.
    const restarted = Sequential.fromJSON({ ...saved, optimizerState: null });
    await restarted.fit(data, { batchSize: 8, epochs: 1, verbose: 0 });
    expect(Buffer.from(restarted.getWeightsFlat().buffer).equals(Buffer.from(a.buffer))).toBe(false);
  });

  it('refuses an optimizer state that does not fit the model', async () => {
    const model = await trained(2);
    const json = model.toJSON();
    const state = model.getOptimizerState()!;
    expect(state.slots).toHaveLength(2);
    expect(() => model.setOptimizerState({ step: 0, slots: state.slots })).toThrow(
      'setOptimizerState: `step` must be a positive integer. Received: 0');
    expect(() => model.setOptimizerState({ step: 3, slots: [state.slots[0]] })).toThrow('setOptimizerState: Adam keeps 2 slots. Received: 1');
    expect(() => model.setOptimizerState({ step: 3, slots: [state.slots[0], new Float32Array(5)] })).toThrow(
      'setOptimizerState: slot 1 needs 339 values (one per weight). Received: 5');
    expect(() => awkwardModel(1).setOptimizerState(state)).toThrow('setOptimizerState: the model must be compiled first');
    expect(() => model.setOptimizerState(null as never)).toThrow('setOptimizerState: expected { step, slots }. Received: null');
    expect(() => Sequential.fromJSON({ ...json, optimizerState: { step: 3, slots: [1, 2] } as never })).toThrow(
      'Sequential.fromJSON: `optimizerState` must be {step, slots: base64}');
    expect(() => Sequential.fromJSON({ ...json, optimizerState: { step: 3, slots: 'AAAAAA==' } })).toThrow(
      'Sequential.fromJSON: `optimizerState.slots` has 4 bytes, not a whole number of slots of 339 float32');
    expect(() => Sequential.fromJSON({ ...json, compile: null })).toThrow('Sequential.fromJSON: `optimizerState` without `compile`');
  });

  it('rejects what it cannot read', () => {
    const json = awkwardModel(1).toJSON();
    expect(() => Sequential.fromJSON('{')).toThrow('Sequential.fromJSON: the text is not JSON');
    expect(() => Sequential.fromJSON({ ...json, format: 'keras' } as never)).toThrow(
      "Sequential.fromJSON: not a pixprep model (expected format 'pixprep-sequential')");
    expect(() => Sequential.fromJSON({ ...json, formatVersion: 2 })).toThrow(
      'Sequential.fromJSON: format version 2 is not supported (this pixprep reads version 1)');
    expect(() => Sequential.fromJSON({ ...json, layers: [{ className: 'LSTM', config: {} }] })).toThrow(
      'Sequential.fromJSON: layers[0] has unknown className "LSTM"');
    // 339 = 76 + 125 + 15 + 91 + 32, the layers' parameters.
    expect(() => Sequential.fromJSON({ ...json, weights: { ...json.weights, data: 'AAAAAA==' } })).toThrow(
      'Sequential.fromJSON: the weights hold 1 values but the architecture has 339');
    expect(() => Sequential.fromJSON({ ...json, weights: { ...json.weights, data: 'AAAA' } })).toThrow(
      'Sequential.fromJSON: the weights have 3 bytes, not a whole number of float32');
  });
});

describe('TensorFlow.js Layers export', () => {
  async function loadIntoTfjs(model: Sequential) {
    const a = model.toTfjsArtifacts();
    return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
  }

  it('loads into tf.loadLayersModel and predicts the same to 1e-4', async () => {
    const model = await trained(5);
    const tfModel = await loadIntoTfjs(model);
    expect(tfModel.layers.map((l) => l.getClassName())).toEqual(
      ['Conv2D', 'MaxPooling2D', 'Conv2D', 'Conv2D', 'Flatten', 'Dense', 'Dense']);
    expect(tfModel.countParams()).toBe(model.countParams());
    const x = inputs(6, 6);
    const ours = model.predict(x).data;
    const input = tf.tensor4d(x.data, [6, 9, 11, 2]);
    const theirs = (tfModel.predict(input) as tf.Tensor).dataSync();
    input.dispose();
    expect(theirs.length).toBe(ours.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(Math.abs(theirs[i]), 1e-3));
    expect(worst).toBeLessThan(1e-4);
    // Not trivially equal: the classes get different probabilities.
    expect(Math.max(...ours) - Math.min(...ours)).toBeGreaterThan(0.05);
    tfModel.dispose();
  });

  it('writes model.json + weights.bin that TF.js reads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pixprep-tfjs-'));
    try {
      const model = await trained(7);
      await saveTfjs(model, dir);
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
      const bin = await readFile(join(dir, 'weights.bin'));
      expect(bin.byteLength).toBe(model.countParams() * 4);
      const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
      const tfModel = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData,
      }));
      const x = inputs(2, 8);
      const theirs = (tfModel.predict(tf.tensor4d(x.data, [2, 9, 11, 2])) as tf.Tensor).dataSync();
      const ours = model.predict(x).data;
      for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - theirs[i])).toBeLessThan(1e-4 * Math.max(theirs[i], 1e-3));
      tfModel.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
