// Sequential.fromJSON on text or objects it cannot read: every message names the field, never a bare platform
// error ("Invalid character" from atob, "make is not a function" from a className found on Object.prototype).
import { describe, expect, it } from 'vitest';
import { Dense, Flatten, Sequential } from '../../src/nn/index.js';
import { VALUE_TEXT_LIMIT } from '../../src/errors.js';

function small() {
  const model = new Sequential([new Flatten({ inputShape: [2, 2, 1] }), new Dense({ units: 3, activation: 'softmax' })], { seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return model;
}

describe('Sequential.fromJSON messages', () => {
  const json = small().toJSON();

  it('loads the good document (the baseline the cases below break)', () => {
    expect(Sequential.fromJSON(JSON.stringify(json)).countParams()).toBe(15);
  });

  it('says the text is not JSON', () => {
    expect(() => Sequential.fromJSON('{"format":')).toThrow('Sequential.fromJSON: the text is not JSON');
    expect(() => Sequential.fromJSON('[]')).toThrow("Sequential.fromJSON: expected a pixprep model (an object with format 'pixprep-sequential', or its JSON text). Received: []");
  });

  it('names a className that is not a layer, Object.prototype\'s members included', () => {
    for (const className of ['__proto__', 'hasOwnProperty', 'constructor', 'toString', 'valueOf']) {
      const layers = [{ className, config: {} }, json.layers[1]];
      expect(() => Sequential.fromJSON({ ...json, layers })).toThrow(
        `Sequential.fromJSON: layers[0] has unknown className "${className}" (layers[0].className must be one of Conv2D, MaxPooling2D, Flatten, Dense)`);
      // Through JSON text too, where "__proto__" is an own key of the parsed object.
      expect(() => Sequential.fromJSON(JSON.stringify({ ...json, layers }))).toThrow(`layers[0] has unknown className "${className}"`);
    }
    expect(() => Sequential.fromJSON({ ...json, layers: [null, json.layers[1]] as never })).toThrow(
      'Sequential.fromJSON: layers[0] must be {className, config}. Received: null');
  });

  it('names a layer config it cannot use', () => {
    const layers = [json.layers[0], { className: 'Dense', config: { units: -1 } }];
    expect(() => Sequential.fromJSON({ ...json, layers })).toThrow(
      'Sequential.fromJSON: layers[1].config: Dense: `units` must be a positive integer. Received: units=-1');
    expect(() => Sequential.fromJSON({ ...json, layers: [json.layers[0], { className: 'Dense', config: 'units' as never }] })).toThrow(
      'Sequential.fromJSON: layers[1].config must be an object of Dense options. Received: "units"');
  });

  it('names a base64 field that is not base64', () => {
    expect(() => Sequential.fromJSON({ ...json, weights: { ...json.weights, data: 'AA@A' } })).toThrow(
      'Sequential.fromJSON: `weights.data` must be base64 (A-Z, a-z, 0-9, +, /, padded with =): the character "@" at position 2 is not base64');
    expect(() => Sequential.fromJSON({ ...json, weights: { ...json.weights, data: 'AAA' } })).toThrow(
      '`weights.data` must be base64 (A-Z, a-z, 0-9, +, /, padded with =): its length 3 is not a multiple of 4');
    expect(() => Sequential.fromJSON({ ...json, weights: { ...json.weights, data: 'A=AA' } })).toThrow("'=' appears before the end");
    expect(() => Sequential.fromJSON({ ...json, optimizerState: { step: 1, slots: 'é' } })).toThrow(
      '`optimizerState.slots` must be base64');
  });

  it('names inputShape, seed, step, compile and metadata of the wrong kind, echoing at most ~200 characters', () => {
    expect(() => Sequential.fromJSON({ ...json, inputShape: [2, 0, 1] })).toThrow(
      'Sequential.fromJSON: `inputShape` must be a list of positive integers, [height, width, channels] or [features]. Received: [2, 0, 1]');
    expect(() => Sequential.fromJSON({ ...json, seed: -1 })).toThrow('Sequential.fromJSON: `seed` must be a non-negative integer. Received: -1');
    expect(() => Sequential.fromJSON({ ...json, optimizerState: { step: 0.5, slots: '' } })).toThrow(
      'Sequential.fromJSON: `optimizerState.step` must be a positive integer. Received: 0.5');
    expect(() => Sequential.fromJSON({ ...json, compile: 'adam' as never })).toThrow('`compile` must be {optimizer, loss, metrics} or null. Received: "adam"');
    expect(() => Sequential.fromJSON({ ...json, metadata: [1] as never })).toThrow('`metadata` must be an object or null. Received: [1]');
    const huge = new Array(1_000_000).fill(1);
    let message = '';
    try {
      Sequential.fromJSON({ ...json, inputShape: huge.map(() => 0) });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('Received: Array(1000000) [0, 0, 0, 0, 0, …]');
    expect(message.length).toBeLessThan(VALUE_TEXT_LIMIT + 100);
  });

  it('compares the weights with the architecture before allocating for it', () => {
    // 1e5 × 1e5 inputs into Dense(3) would need 3e10 parameters: refused from the shapes alone.
    expect(() => Sequential.fromJSON({ ...json, inputShape: [100_000, 100_000, 1] })).toThrow(
      'Sequential.fromJSON: the weights hold 15 values but the architecture has 30000000003 parameters');
  });
});
