// ONNX export, checked by a real client: every exported model is loaded by ONNX Runtime (the CPU runtime of
// onnxruntime-node) and its outputs compared with pixprep's predict on real digits. Raw-pixel exports (the
// generator's scaling baked in) must give what model.predict(generator.standardize(raw)) gives.
//
// Tolerance 1e-5 on probabilities and logits: the two implementations sum the convolutions and matrix products in
// different orders (ONNX Runtime's MLAS with FMA, pixprep's blocked f32x4 kernels), so results differ by float32
// rounding (~1e-7 here); a wrong transpose, weight layout, padding or scaling constant gives differences of order
// 0.1 to 1. Shown to fail: skipping the Transpose back to NHWC before Flatten (Dense then reads the features in the
// wrong order), ONNX's pads in Keras' order with the odd pixel on top, and the ZCA matrix left out, each fails here.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { loadMnist } from '../../src/data/mnist.js';
import { ImageDataGenerator, type ImageDataGeneratorOptions } from '../../src/generator/index.js';
import { Sequential, Conv2D, MaxPooling2D, Flatten, Dense } from '../../src/nn/index.js';
import { saveOnnx } from '../../src/nn/io-node.js';
import { scalingOptions, tutorialModel, SCALING_CHOICES } from '../../src/tutorial.js';
import { Random } from '../../src/random.js';

const TOLERANCE = 1e-5;
const { train, test } = loadMnist();
const FIT_IMAGES = 2000;
const TRAIN_IMAGES = 256;
const TEST_IMAGES = 37; // not a multiple of anything: ONNX Runtime's batch dimension is symbolic

const digits = (set: typeof train, from: number, n: number) => ({
  data: set.x.data.slice(from * 784, (from + n) * 784), shape: [n, 28, 28, 1] as [number, number, number, number],
});
const fitSet = digits(train, 0, FIT_IMAGES);
const rawTest = digits(test, 0, TEST_IMAGES);

const models: Sequential[] = [];
afterAll(() => {
  for (const m of models) m.dispose();
});

async function run(bytes: Uint8Array, input: Uint8Array | Float32Array, shape: readonly number[]): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const dtype = input instanceof Uint8Array ? 'uint8' : 'float32';
  const result = await session.run({ input: new ort.Tensor(dtype, input, shape) });
  await session.release();
  return result.output;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** The tutorial's network after one short epoch on the scaled digits, so that biases and weights are not initial. */
async function trainedTutorial(gen: ImageDataGenerator): Promise<Sequential> {
  const model = tutorialModel({ seed: 3 });
  models.push(model);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await model.fit(gen.flow(digits(train, 0, TRAIN_IMAGES), train.y.slice(0, TRAIN_IMAGES), { batchSize: 64, seed: 1 }),
    { epochs: 1, verbose: 0 });
  return model;
}

describe('ONNX export of the tutorial network, run by ONNX Runtime', () => {
  for (const scaling of SCALING_CHOICES) {
    it(`${scaling}: scaled-input and raw-pixel exports give pixprep's predictions on real digits`, async () => {
      const gen = new ImageDataGenerator(scalingOptions(scaling));
      if (scaling !== 'normalize' && scaling !== 'none') gen.fit(fitSet);
      const model = await trainedTutorial(gen);
      const scaled = gen.standardize(rawTest);
      const want = model.predict(scaled);
      // Probabilities strictly inside (0, 1): a saturated softmax would hide a wrong offset or scale.
      expect(want.data.filter((p) => p > 0.01 && p < 0.99).length).toBeGreaterThan(want.data.length / 10);

      const plain = await run(model.toOnnx(), scaled.data, scaled.shape);
      expect(plain.dims).toEqual([TEST_IMAGES, 10]);
      expect(maxAbsDiff(plain.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);

      const raw = await run(model.toOnnx({ preprocessing: gen }), rawTest.data, rawTest.shape);
      expect(maxAbsDiff(raw.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);

      const rawFloat = Float32Array.from(rawTest.data);
      const rawF32 = await run(model.toOnnx({ preprocessing: gen, inputDtype: 'float32' }), rawFloat, rawTest.shape);
      expect(maxAbsDiff(rawF32.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);
    }, 60_000);
  }

  it('a raw-pixel export of one image (batch 1) agrees too', async () => {
    const gen = new ImageDataGenerator(scalingOptions('standardize')).fit(fitSet);
    const model = await trainedTutorial(gen);
    const one = digits(test, 5, 1);
    const out = await run(model.toOnnx({ preprocessing: gen }), one.data, one.shape);
    expect(out.dims).toEqual([1, 10]);
    expect(maxAbsDiff(out.data as Float32Array, model.predict(gen.standardize(one)).data)).toBeLessThan(TOLERANCE);
  }, 60_000);
});

describe('ONNX export of other layer settings', () => {
  const rng = new Random(11);
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng.uniform(0, 256)));

  /** Random non-zero weights everywhere (biases included), so every weight's position matters. */
  function randomized(model: Sequential): Sequential {
    models.push(model);
    model.setWeights(model.getWeights().map((w) => Float32Array.from(w, () => rng.uniform(-0.3, 0.3))));
    return model;
  }

  it("'same' padding with strides 2 and 3, a non-square kernel, no bias, 3 channels scaled per channel, linear logits", async () => {
    // 13×11: odd sizes, so 'same' pads one more pixel at the bottom/right than at the top/left.
    const model = randomized(new Sequential([
      new Conv2D({ filters: 5, kernelSize: [3, 4], strides: 2, padding: 'same', activation: 'relu', inputShape: [13, 11, 3] }),
      new Conv2D({ filters: 4, kernelSize: 2, strides: 3, padding: 'same', useBias: false }),
      new MaxPooling2D({ poolSize: 2, strides: 1 }),
      new Flatten(),
      new Dense({ units: 7, activation: 'relu' }),
      new Dense({ units: 3 }),
    ], { seed: 2 }));
    model.build([13, 11, 3]);
    const n = 9;
    const raw = { data: randomBytes(n * 13 * 11 * 3), shape: [n, 13, 11, 3] as [number, number, number, number] };
    const gen = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 1 / 255 });
    gen.fit({ data: randomBytes(50 * 13 * 11 * 3).map((v, i) => (i % 3 === 1 ? v >> 2 : v)), shape: [50, 13, 11, 3] });
    expect(new Set(gen.std!).size).toBe(3); // distinct per-channel constants, so a channel mix-up shows
    const scaled = gen.standardize(raw);
    const want = model.predict(scaled);
    const plain = await run(model.toOnnx(), scaled.data, scaled.shape);
    expect(plain.dims).toEqual([n, 3]);
    expect(maxAbsDiff(plain.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);
    const baked = await run(model.toOnnx({ preprocessing: gen }), raw.data, raw.shape);
    expect(maxAbsDiff(baked.data as Float32Array, want.data)).toBeLessThan(TOLERANCE);
  });

  it('a Dense-only model on flattened images, and a model ending in a convolution (output back in NHWC order)', async () => {
    const dense = randomized(new Sequential([
      new Flatten({ inputShape: [6, 5, 2] }), new Dense({ units: 4, activation: 'softmax' }),
    ], { seed: 4 }));
    dense.build([6, 5, 2]);
    const x = { data: Float32Array.from({ length: 3 * 60 }, () => rng.uniform(-1, 1)), shape: [3, 6, 5, 2] as [number, number, number, number] };
    const d = await run(dense.toOnnx(), x.data, x.shape);
    expect(maxAbsDiff(d.data as Float32Array, dense.predict(x).data)).toBeLessThan(TOLERANCE);

    const conv = randomized(new Sequential([
      new Conv2D({ filters: 3, kernelSize: 2, inputShape: [6, 5, 2] }), new MaxPooling2D({ poolSize: 2 }),
    ], { seed: 5 }));
    conv.build([6, 5, 2]);
    const c = await run(conv.toOnnx(), x.data, x.shape);
    expect(c.dims).toEqual([3, 2, 2, 3]);
    expect(maxAbsDiff(c.data as Float32Array, conv.predict(x).data)).toBeLessThan(TOLERANCE);
  });

  it('saveOnnx writes the bytes of toOnnx, which ONNX Runtime loads from the file', async () => {
    const model = randomized(tutorialModel({ seed: 6 }));
    model.build([28, 28, 1]);
    const gen = new ImageDataGenerator({ rescale: 1 / 255 });
    const dir = mkdtempSync(join(tmpdir(), 'pixprep-onnx-'));
    try {
      const path = join(dir, 'sub', 'model.onnx');
      await saveOnnx(model, path, { preprocessing: gen });
      expect(readFileSync(path)).toEqual(Buffer.from(model.toOnnx({ preprocessing: gen })));
      const session = await ort.InferenceSession.create(path);
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['output']);
      const out = await session.run({ input: new ort.Tensor('uint8', rawTest.data, rawTest.shape) });
      expect(maxAbsDiff(out.output.data as Float32Array, model.predict(gen.standardize(rawTest)).data)).toBeLessThan(TOLERANCE);
      await session.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ONNX export errors', () => {
  const model = tutorialModel({ seed: 1 });
  models.push(model);
  model.build([28, 28, 1]);
  const fitted = (options: ImageDataGeneratorOptions) => new ImageDataGenerator(options).fit(fitSet);

  it('refuses what cannot be baked in, naming it', () => {
    expect(() => model.toOnnx({ preprocessing: fitted({ samplewiseCenter: true }) })).toThrow(
      "toOnnx: the generator's `samplewiseCenter` scales each image by its own statistics, which cannot be baked into an " +
        'exported model as constants; export without `preprocessing` or use featurewise options');
    expect(() => model.toOnnx({ preprocessing: fitted({ samplewiseStdNormalization: true }) })).toThrow(
      "toOnnx: the generator's `samplewiseStdNormalization` scales each image by its own statistics");
    expect(() => model.toOnnx({ preprocessing: new ImageDataGenerator({ preprocessingFunction: (im) => im }) })).toThrow(
      "toOnnx: the generator's `preprocessingFunction` is JavaScript code, which cannot be baked into an exported model; " +
        'export without `preprocessing` and run the function before the model');
    expect(() => model.toOnnx({ preprocessing: new ImageDataGenerator({ dataFormat: 'channelsFirst', rescale: 0.5 }) })).toThrow(
      "toOnnx: the generator uses dataFormat 'channelsFirst', but exported models take images [n, height, width, channels]");
  });

  it('refuses a generator that is not fitted, or fitted on other images', () => {
    expect(() => model.toOnnx({ preprocessing: new ImageDataGenerator({ featurewiseCenter: true }) })).toThrow(
      'toOnnx: this ImageDataGenerator specifies `featurewiseCenter`, but it has not been fit on any training data.');
    const rgb = new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: new Uint8Array(2 * 28 * 28 * 3), shape: [2, 28, 28, 3] });
    expect(() => model.toOnnx({ preprocessing: rgb })).toThrow('toOnnx: x has 1 channels but the generator was fit on 3');
    const small = new ImageDataGenerator({ zcaWhitening: true }).fit({ data: fitSet.data.slice(0, 20 * 100), shape: [20, 10, 10, 1] });
    expect(() => model.toOnnx({ preprocessing: small })).toThrow(
      'toOnnx: ZCA whitening was fit on images of 10×10×1; x has images of 28×28×1');
  });

  it('refuses bad options', () => {
    expect(() => model.toOnnx({ preprocessing: { rescale: 1 / 255 } })).toThrow(
      'toOnnx: `preprocessing` must be a fitted ImageDataGenerator. Received: an object of class Object');
    expect(() => model.toOnnx({ inputDtype: 'int8' as never })).toThrow("inputDtype");
    expect(() => model.toOnnx({ inputDtype: 'int8' as never })).toThrow("'uint8', 'float32'");
    expect(() => model.toOnnx({ preprocesing: 1 } as never)).toThrow('preprocesing');
    const flat = new Sequential([new Dense({ units: 2, inputShape: [4] })], { seed: 1 });
    models.push(flat);
    flat.build([4]);
    expect(() => flat.toOnnx({ preprocessing: new ImageDataGenerator({ rescale: 2 }) })).toThrow(
      'toOnnx: `preprocessing` needs a model whose input is images [height, width, channels]. Received a model with input shape [4]');
  });
});
