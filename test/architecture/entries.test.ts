// The public entry exports what users call; internals (the backend object and its heap, Moments, Random, output
// checks) are only in src/internal.ts. getBackend() returns the backend's name, as TF.js' tf.getBackend() does.
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as internal from '../../src/internal.js';

describe('entries', () => {
  it('the root exports the user API and no internals', () => {
    for (const name of ['ImageDataGenerator', 'FlowIterator', 'Sequential', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense',
      'Adam', 'SGD', 'toCategorical', 'toNdarray', 'parseIdx', 'backend', 'setBackend', 'getBackend', 'tutorialModel']) {
      expect(root, name).toHaveProperty(name);
    }
    for (const name of ['Moments', 'Random', 'availableBackends', 'currentBackend', 'idxOutputCheck', 'Heap']) {
      expect(Object.keys(root), name).not.toContain(name);
      expect(internal, name).toHaveProperty(name);
    }
  });

  it('getBackend() is the name of the backend in use; setBackend changes it', () => {
    const before = root.getBackend();
    expect(before).toBe(root.backend);
    expect(['wasm-simd', 'js']).toContain(before);
    root.setBackend('js');
    expect(root.getBackend()).toBe('js');
    expect(internal.currentBackend().name).toBe('js');
    root.setBackend(before);
    expect(root.getBackend()).toBe(before);
  });
});
