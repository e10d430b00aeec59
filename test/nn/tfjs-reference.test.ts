// The tutorial network trained by pixprep against an independent implementation of the same steps: TensorFlow.js's
// ops and autodiff for the forward pass, the loss and the gradients, and Keras' Adam written here in float64.
// From the same weights, on the same real digits scaled the tutorial's way, every step's loss and the weights
// after the steps must agree. Finite differences check each layer's backward; this checks that the layers, the
// softmax cross-entropy, the optimizer and the model's plumbing together are Keras' training step.
//
// Tolerances: each step's gradients differ between the two implementations by float32 rounding in different summation
// orders (~1e-6 relative). Adam divides m by sqrt(v), so a weight whose gradient is nearly zero (~1e-7 of the
// typical one) may move by a visibly different amount; the weights are therefore compared as displacements from the
// start, by norm: a wrong term, index or hyper-parameter moves whole tensors and gives differences of order 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../../src/data/mnist.js';
import { ImageDataGenerator } from '../../src/generator/image-data-generator.js';
import { SCALINGS, firstImages, tutorialModel, type TutorialScaling } from '../../src/tutorial.js';
import { getBackend, setBackend, type BackendName } from '../../src/runtime/backend.js';

const BATCH = 16;
const STEPS = 3;
// Keras' Adam defaults (tf.keras.optimizers.Adam): lr_t = lr·sqrt(1 − β2^t)/(1 − β1^t), w −= lr_t·m/(sqrt(v) + ε).
const LR = 1e-3;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

/**
 * A valid, stride-1 convolution as a sum of kh·kw matrix products of shifted slices: TF.js's cpu backend takes ~13 s
 * for the gradient of its own conv2d at the second layer's size, these ops a fraction of a second.
 */
function conv2dValid(x: tf.Tensor4D, k: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, cin] = x.shape;
  const [kh, kw, , cout] = k.shape;
  const oh = h - kh + 1;
  const ow = w - kw + 1;
  let sum: tf.Tensor2D | null = null;
  for (let dy = 0; dy < kh; dy++) {
    for (let dx = 0; dx < kw; dx++) {
      const patch = tf.reshape(tf.slice(x, [0, dy, dx, 0], [n, oh, ow, cin]), [n * oh * ow, cin]) as tf.Tensor2D;
      const tap = tf.reshape(tf.slice(k, [dy, dx, 0, 0], [1, 1, cin, cout]), [cin, cout]) as tf.Tensor2D;
      const term = tf.matMul(patch, tap);
      sum = (sum === null ? term : tf.add(sum, term)) as tf.Tensor2D;
    }
  }
  return tf.reshape<tf.Rank.R4>(sum as tf.Tensor2D, [n, oh, ow, cout]);
}

/** The tutorial's network as plain TF.js ops on NHWC tensors, weights in Keras' layouts; returns the logits. */
function logits(x: tf.Tensor4D, w: tf.Tensor[]): tf.Tensor2D {
  const [k1, b1, k2, b2, d1, c1, d2, c2] = w;
  let h: tf.Tensor4D = tf.relu(tf.add<tf.Tensor4D>(conv2dValid(x, k1 as tf.Tensor4D), b1));
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.relu(tf.add<tf.Tensor4D>(conv2dValid(h, k2 as tf.Tensor4D), b2));
  h = tf.maxPool(h, 2, 2, 'valid');
  const flat = tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D; // row-major NHWC: Keras' channels_last Flatten
  const hidden = tf.relu(tf.add(tf.matMul(flat, d1 as tf.Tensor2D), c1)) as tf.Tensor2D;
  return tf.add(tf.matMul(hidden, d2 as tf.Tensor2D), c2) as tf.Tensor2D;
}

/** STEPS steps of the reference on consecutive batches; returns each step's mean loss and the final weights. */
function referenceTraining(start: Float32Array[], shapes: number[][], x: Float32Array, labels: Uint8Array) {
  const weights = start.map((w) => Float64Array.from(w));
  const m = start.map((w) => new Float64Array(w.length));
  const v = start.map((w) => new Float64Array(w.length));
  const losses: number[] = [];
  for (let t = 1; t <= STEPS; t++) {
    const from = (t - 1) * BATCH;
    const { loss, grads } = tf.tidy(() => {
      const xb = tf.tensor4d(x.subarray(from * 784, (from + BATCH) * 784), [BATCH, 28, 28, 1]);
      const yb = tf.oneHot(tf.tensor1d(labels.subarray(from, from + BATCH), 'int32'), 10);
      const ws = weights.map((w, i) => tf.tensor(Float32Array.from(w), shapes[i]));
      const f = (...p: tf.Tensor[]) => tf.losses.softmaxCrossEntropy(yb, logits(xb, p));
      const { value, grads: g } = tf.valueAndGrads(f)(ws);
      return { loss: value.dataSync()[0], grads: g.map((gi) => gi.dataSync() as Float32Array) };
    });
    losses.push(loss);
    const lrT = (LR * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
    weights.forEach((w, i) => {
      const g = grads[i];
      for (let j = 0; j < w.length; j++) {
        m[i][j] = BETA1 * m[i][j] + (1 - BETA1) * g[j];
        v[i][j] = BETA2 * v[i][j] + (1 - BETA2) * g[j] * g[j];
        // The reference keeps float32 weights, as Keras does, so that both sides feed the same values forward.
        w[j] = Math.fround(w[j] - (lrT * m[i][j]) / (Math.sqrt(v[i][j]) + EPSILON));
      }
    });
  }
  return { losses, weights };
}

let previousBackend: BackendName;
beforeAll(async () => {
  await tf.setBackend('cpu');
  previousBackend = getBackend();
});
afterAll(() => setBackend(previousBackend));

describe('the tutorial network against TF.js ops and autodiff with Keras\' Adam', () => {
  const { train } = loadMnist();
  const digits = firstImages(train, BATCH * STEPS);

  // The js backend is the kernels' specification; the wasm-simd one must match it, and both the reference.
  const cases: [BackendName, TutorialScaling][] = [['wasm-simd', 'center'], ['wasm-simd', 'standardize'], ['js', 'center']];
  for (const [backendName, scaling] of cases) {
    it(`${STEPS} steps of batch ${BATCH} on ${scaling} digits (${backendName} backend): same losses, same weights`, async () => {
      setBackend(backendName);
      const generator = new ImageDataGenerator(SCALINGS[scaling]).fit(train.x);
      const x = generator.standardize(digits.x);
      const model = tutorialModel({ seed: 3 });
      model.build([28, 28, 1]);
      const start = model.getWeights();
      const shapes = model.weightSpecs().map((s) => s.shape);
      const losses: number[] = [];
      await model.fit({ x, y: digits.y }, {
        batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0, onBatchEnd: (_i, logs) => losses.push(logs.loss),
      });
      const reference = referenceTraining(start, shapes, x.data, digits.y);

      expect(losses).toHaveLength(STEPS);
      for (let t = 0; t < STEPS; t++) {
        expect(Math.abs(losses[t] - reference.losses[t]) / reference.losses[t]).toBeLessThan(1e-4);
      }
      // The steps must have learned something, or equal losses would prove little.
      expect(reference.losses[STEPS - 1]).toBeLessThan(reference.losses[0]);
      const trained = model.getWeights();
      trained.forEach((w, i) => {
        let diff = 0;
        let moved = 0;
        for (let j = 0; j < w.length; j++) {
          diff += (w[j] - reference.weights[i][j]) ** 2;
          moved += (reference.weights[i][j] - start[i][j]) ** 2;
        }
        expect(moved).toBeGreaterThan(0);
        expect(Math.sqrt(diff / moved)).toBeLessThan(1e-3);
      });
      model.dispose();
    });
  }
});
