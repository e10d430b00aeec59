// The TF.js Layers export with the generator's scaling in it, loaded by tf.loadLayersModel: raw pixels in, the
// predictions of model.predict(generator.standardize(raw)) out. Tolerance 1e-4 relative (as io.test.ts): TF.js' cpu
// backend sums convolutions in another order, and a folded scaling rounds once more per weight; a wrong channel,
// coefficient or fold gives differences of order 0.1. Shown to fail: folding add without mul, and the Rescaling's
// offset left out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../../src/data/mnist.js';
import { ImageDataGenerator } from '../../src/generator/index.js';
import { Sequential, Conv2D, MaxPooling2D, Flatten, Dense } from '../../src/nn/index.js';
import { saveTfjs } from '../../src/nn/io-node.js';
import { scalingOptions, tutorialModel, SCALING_CHOICES } from '../../src/tutorial.js';
import { Random } from '../../src/random.js';

const { train, test } = loadMnist();
const digits = (set: typeof train, from: number, n: number) => ({
  data: set.x.data.slice(from * 784, (from + n) * 784), shape: [n, 28, 28, 1] as [number, number, number, number],
});
const fitSet = digits(train, 0, 2000);
const rawTest = digits(test, 0, 9);
const models: Sequential[] = [];
afterAll(() => {
  for (const m of models) m.dispose();
});

const rng = new Random(21);
/** Random weights (biases too); `scale` small enough that the softmax is not saturated on the inputs' range. */
function randomized(model: Sequential, shape: [number, number, number], scale = 0.2): Sequential {
  models.push(model);
  model.build(shape);
  model.setWeights(model.getWeights().map((w) => Float32Array.from(w, () => rng.uniform(-scale, scale))));
  return model;
}
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng.uniform(0, 256)));

async function tfjsPredict(model: Sequential, gen: ImageDataGenerator, raw: { data: Uint8Array; shape: number[] }) {
  const a = model.toTfjsArtifacts({ preprocessing: gen });
  const tfModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
  const input = tf.tensor(Float32Array.from(raw.data), raw.shape);
  const out = (tfModel.predict(input) as tf.Tensor).dataSync() as Float32Array;
  const classes = tfModel.layers.map((l) => l.getClassName());
  input.dispose();
  tfModel.dispose();
  return { out, classes };
}

function expectClose(theirs: Float32Array, ours: Float32Array): void {
  expect(theirs.length).toBe(ours.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(Math.abs(ours[i]), 1e-3));
  expect(worst).toBeLessThan(1e-4);
  // Probabilities strictly inside (0, 1): a saturated softmax would hide a wrong offset or scale.
  expect(ours.filter((p) => p > 0.01 && p < 0.99).length).toBeGreaterThan(ours.length / 10);
}

describe('TF.js export with preprocessing, loaded by tf.loadLayersModel', () => {
  for (const scaling of SCALING_CHOICES) {
    it(`${scaling}: raw pixels in, pixprep's predictions out`, async () => {
      const gen = new ImageDataGenerator(scalingOptions(scaling));
      if (scaling !== 'normalize' && scaling !== 'none') gen.fit(fitSet);
      // Raw-range inputs (center, none: values up to 255) need smaller weights to keep the softmax unsaturated.
      const rawRange = scaling === 'center' || scaling === 'none';
      const model = randomized(tutorialModel({ seed: 2 }), [28, 28, 1], rawRange ? 0.03 : 0.1);
      const { out, classes } = await tfjsPredict(model, gen, rawTest);
      expectClose(out, model.predict(gen.standardize(rawTest)).data);
      const prefix = scaling === 'zca' ? ['Rescaling', 'Flatten', 'Dense', 'Reshape'] : ['Rescaling'];
      expect(classes.slice(0, prefix.length)).toEqual(prefix);
      expect(classes.length).toBe(prefix.length + 7);
    }, 60_000);
  }

  // Three channels with different statistics: no single Rescaling fits, so the scaling goes into the first layer.
  const rgbShape: [number, number, number] = [9, 8, 3];
  const rgbGenerator = () => new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true })
    .fit({ data: randomBytes(40 * 216).map((v, i) => (i % 3 === 2 ? v >> 3 : v)), shape: [40, ...rgbShape] });
  const rgbRaw = { data: randomBytes(5 * 216), shape: [5, ...rgbShape] };

  it("per-channel scaling folded into a first Conv2D with 'valid' padding (without a bias of its own)", async () => {
    const gen = rgbGenerator();
    const model = randomized(new Sequential([
      new Conv2D({ filters: 4, kernelSize: 3, useBias: false, activation: 'relu', inputShape: rgbShape }),
      new MaxPooling2D({ poolSize: 2 }), new Flatten(), new Dense({ units: 5, activation: 'softmax' }),
    ], { seed: 1 }), rgbShape);
    const { out, classes } = await tfjsPredict(model, gen, rgbRaw);
    expect(classes).toEqual(['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
    expectClose(out, model.predict(gen.standardize(rgbRaw)).data);
  });

  it('per-channel scaling folded into a Dense after Flatten; ZCA on 3 channels into its own Dense', async () => {
    const gen = rgbGenerator();
    const model = randomized(new Sequential([
      new Flatten({ inputShape: rgbShape }), new Dense({ units: 6, activation: 'relu' }), new Dense({ units: 4, activation: 'softmax' }),
    ], { seed: 1 }), rgbShape);
    const { out, classes } = await tfjsPredict(model, gen, rgbRaw);
    expect(classes).toEqual(['Flatten', 'Dense', 'Dense']);
    expectClose(out, model.predict(gen.standardize(rgbRaw)).data);

    const zca = new ImageDataGenerator({ zcaWhitening: true, zcaEpsilon: 10 })
      .fit({ data: randomBytes(60 * 216).map((v, i) => (i % 3 === 2 ? v >> 3 : v)), shape: [60, ...rgbShape] });
    const small = randomized(new Sequential([
      new Flatten({ inputShape: rgbShape }), new Dense({ units: 6, activation: 'relu' }), new Dense({ units: 4, activation: 'softmax' }),
    ], { seed: 1 }), rgbShape, 0.02);
    const z = await tfjsPredict(small, zca, rgbRaw);
    expect(z.classes).toEqual(['Flatten', 'Dense', 'Reshape', 'Flatten', 'Dense', 'Dense']);
    expectClose(z.out, small.predict(zca.standardize(rgbRaw)).data);
  });

  it("refuses per-channel scaling before a 'same' convolution, saying why and what to do", () => {
    const model = randomized(new Sequential([
      new Conv2D({ filters: 2, kernelSize: 3, padding: 'same', inputShape: rgbShape }), new Flatten(), new Dense({ units: 2 }),
    ], { seed: 1 }), rgbShape);
    expect(() => model.toTfjsArtifacts({ preprocessing: rgbGenerator() })).toThrow(
      "which TF.js' Rescaling layer (one scale, one offset) cannot express, and the model's first layer is a Conv2D with " +
        "padding 'same', into which the scaling cannot be folded exactly (only a Conv2D with padding 'valid', or a Dense " +
        'after a Flatten, can take it); export without `preprocessing`, or use toOnnx, which bakes in any scaling');
    expect(() => model.toTfjsArtifacts({ preprocessing: new ImageDataGenerator({ samplewiseCenter: true }) })).toThrow(
      "toTfjsArtifacts: the generator's `samplewiseCenter` scales each image by its own statistics");
    expect(() => model.toTfjsArtifacts({ preprocesing: 1 } as never)).toThrow('preprocesing');
  });

  it('saveTfjs(model, dir, { preprocessing }) writes the model with its scaling', async () => {
    const gen = new ImageDataGenerator(scalingOptions('standardize')).fit(fitSet);
    const model = randomized(tutorialModel({ seed: 4 }), [28, 28, 1], 0.1);
    const dir = mkdtempSync(join(tmpdir(), 'pixprep-tfjs-pre-'));
    try {
      await saveTfjs(model, dir, { preprocessing: gen });
      const { readFile } = await import('node:fs/promises');
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      const bin = await readFile(join(dir, 'weights.bin'));
      const tfModel = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }));
      // int32 pixels: the Rescaling layer casts them, as it does in Keras.
      const input = tf.tensor(Int32Array.from(rawTest.data), rawTest.shape, 'int32');
      const out = (tfModel.predict(input) as tf.Tensor).dataSync() as Float32Array;
      expectClose(out, model.predict(gen.standardize(rawTest)).data);
      input.dispose();
      tfModel.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
