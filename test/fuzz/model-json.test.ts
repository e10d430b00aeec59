// Property-based tests of Sequential.fromJSON: a saved model comes back predicting bit-identically; a document with
// any one value replaced (by anything, a huge array, a className on Object.prototype, text that is not base64)
// either loads into a usable model or throws pixprep's own error naming the field, never a platform error; the
// document is never changed, and failed loads keep no kernel memory.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../../src/index.js';
import { currentBackend } from '../../src/runtime/backend.js';
import { anything, attempt, awkwardNumber, copyOf, expectUnchanged, params, pathsOf, replaceAt, timeoutFor } from './fuzz.js';

const WHERE = ['Sequential.fromJSON', 'compile', 'setOptimizerState', 'Sequential', 'Conv2D', 'Dense', 'MaxPooling2D', 'Flatten', 'Adam', 'SGD'];
const FIELDS = [
  'format', 'formatVersion', 'layers', 'className', 'config', 'inputShape', 'seed', 'name', 'weights', 'optimizerState',
  'step', 'slots', 'compile', 'optimizer', 'loss', 'metrics', 'metadata', 'expected', 'filters', 'kernelSize', 'units',
  'activation', 'padding', 'strides', 'poolSize', 'useBias', 'learningRate', 'beta', 'epsilon', 'momentum', 'Received',
];

/** A small trained model of every layer kind, saved: the document the properties break. */
async function savedModel() {
  const model = new Sequential([
    new Conv2D({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 6, 1] }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 3, activation: 'softmax' }),
  ], { seed: 3 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = { data: Float32Array.from({ length: 4 * 36 }, (_, i) => Math.sin(i)), shape: [4, 6, 6, 1] };
  await model.fit({ x, y: Int32Array.from([0, 1, 2, 1]) }, { batchSize: 2, verbose: 0 });
  const json = model.toJSON();
  const prediction = model.predict(x).data;
  model.dispose();
  return { json, x, prediction };
}

const replacements = fc.oneof(
  anything,
  awkwardNumber,
  fc.constantFrom('__proto__', 'hasOwnProperty', 'constructor', 'toString', 'Dense', 'Conv2D', '@@@@', 'AAA', 'A===', 'é', ''),
  fc.constant(new Array(300).fill(1)),
  fc.constant([100_000, 100_000, 1]),
);

describe('fuzz: Sequential.fromJSON', () => {
  it('loads what toJSON saved, and names the field of any document it cannot read', async () => {
    const { json, x, prediction } = await savedModel();
    const restored = Sequential.fromJSON(JSON.stringify(json));
    expect(restored.predict(x).data).toEqual(prediction);
    restored.dispose();
    const paths = pathsOf(json);
    fc.assert(fc.property(fc.nat(), replacements, (at, replacement) => {
      const broken = replaceAt(json, paths[at % paths.length], replacement);
      const copy = copyOf(broken);
      const model = attempt(() => Sequential.fromJSON(broken as never), WHERE, FIELDS);
      expectUnchanged(broken, copy);
      if (model !== undefined) {
        // A document that loads gives a usable model: it predicts on inputs of its own shape, or says why not.
        const shape = model.inputShape;
        if (shape.reduce((a, b) => a * b, 1) <= 10_000) {
          const input = { data: new Float32Array(2 * shape.reduce((a, b) => a * b, 1)), shape: [2, ...shape] };
          attempt(() => model.predict(input), ['predict', 'Dense', 'Conv2D', 'MaxPooling2D'], ['input', 'shape', 'Received']);
        }
        model.dispose();
      }
    }), params(300));
  }, timeoutFor(60_000));

  it('names text that is not JSON, or JSON that is not a model', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.json({ maxDepth: 2 })), (text) => {
      attempt(() => Sequential.fromJSON(text), ['Sequential.fromJSON'], ['not JSON', 'format', 'expected']);
    }), params(200));
  });

  it('loads and failed parses keep kernel memory flat', async () => {
    const { json } = await savedModel();
    const heap = currentBackend().heap;
    // Documents parseModel refuses before any model exists (the leak in the skipped property below is after it).
    const bad = [
      { ...json, weights: { ...json.weights, data: 'AAAA' } },
      { ...json, weights: { ...json.weights, data: '@@@@' } },
      { ...json, layers: [{ className: '__proto__', config: {} }] },
      { ...json, inputShape: [100_000, 100_000, 1] },
    ];
    const round = () => {
      Sequential.fromJSON(json).dispose();
      bad.forEach((doc) => attempt(() => Sequential.fromJSON(doc as never), WHERE, FIELDS));
    };
    for (let i = 0; i < 3; i++) round();
    const before = { size: heap.byteLength, used: heap.usedBytes };
    for (let i = 0; i < 100; i++) round();
    expect({ size: heap.byteLength, used: heap.usedBytes }).toEqual(before);
  });

  it('failed loads keep no kernel memory', async () => {
    const { json } = await savedModel();
    const heap = currentBackend().heap;
    const bad = [
      { ...json, optimizerState: { step: 1, slots: 'AAAA' } },
      { ...json, compile: { ...json.compile!, optimizer: { className: 'Nope' } } },
      { ...json, weights: { ...json.weights, data: 'AAAA' } },
      { ...json, layers: [{ className: '__proto__', config: {} }] },
    ];
    const round = () => bad.forEach((doc) => attempt(() => Sequential.fromJSON(doc as never), WHERE, FIELDS));
    for (let i = 0; i < 3; i++) round();
    const before = heap.usedBytes;
    for (let i = 0; i < 100; i++) round();
    expect(heap.usedBytes).toBe(before);
  });
});
