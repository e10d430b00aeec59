// The backward fusions change no bit. A MaxPooling2D after a relu layer applies that relu's derivative
// (src/nn/relu-fusion.ts), and a first direct Conv2D under a pooling sums its kernel gradient straight from the
// pooling's gradient (Layer.fusesNextBackward, src/nn/engine.ts): the same model with both turned off (each layer
// masking its own dOut, the pooling writing its whole dInput) trains to the same weights, bit for bit, on every
// backend. Odd sizes leave a row and a column of the first layer's output outside every pooling window.
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend, setBackend } from '../../src/runtime/backend.js';
import { MaxPooling2D } from '../../src/nn/index.js';
import type { Layer } from '../../src/nn/layer.js';
import { tutorialModel } from '../../src/tutorial.js';
import { backends, randomFloats } from '../helpers.js';

const previous = getBackend();
afterAll(() => setBackend(previous));

describe.each(backends)('fused backward passes ($name)', (backend) => {
  it('train the tutorial network on 1-channel 13×15 images to the weights the unfused passes give', async () => {
    setBackend(backend.name);
    const n = 24;
    const x = { data: randomFloats(n * 13 * 15, 71, 0, 1), shape: [n, 13, 15, 1] };
    const y = Uint8Array.from({ length: n }, (_, i) => (i * 7) % 4);
    const make = () => tutorialModel({ inputShape: [13, 15, 1], classes: 4, seed: 3 });
    const fused = make();
    const plain = make();
    const layersOf = (model: unknown) => (model as { layers: Layer[] }).layers;
    for (const layer of layersOf(plain)) {
      layer.dOutMasked = false;
      if (layer instanceof MaxPooling2D) layer.masksRelu = false;
      layer.fusesNextBackward = () => false;
    }
    expect(layersOf(fused)[0].dOutMasked && (layersOf(fused)[1] as MaxPooling2D).masksRelu).toBe(true);
    expect(layersOf(fused)[2].dOutMasked && (layersOf(fused)[3] as MaxPooling2D).masksRelu).toBe(true);
    // Count the kernels each model's training calls.
    const kernels = backend.kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
    const counted = ['conv2dDirectPooledKernelGradient', 'conv2dDirectKernelGradient', 'maxPoolBackward', 'reluBackward'];
    const originals = counted.map((name) => kernels[name]);
    const calls = (model: ReturnType<typeof make>) => {
      const count: Record<string, number> = {};
      counted.forEach((name, i) => {
        count[name] = 0;
        kernels[name] = (...a: unknown[]) => { count[name]++; return originals[i](...a); };
      });
      return model.fit({ x, y }, { batchSize: 8, epochs: 2, shuffle: false, verbose: 0 })
        .finally(() => counted.forEach((name, i) => { kernels[name] = originals[i]; }))
        .then(() => count);
    };
    const fusedCalls = await calls(fused);
    const plainCalls = await calls(plain);
    expect(layersOf(fused)[0].fusesNextBackward()).toBe(true);
    // 6 steps. Fused: one pooling backward (the second) and one relu mask (the first Dense's) per step. Unfused: both
    // poolings, and the masks of the second convolution and the Dense (the first convolution's goes into its kernel
    // gradient's loads).
    expect(fusedCalls).toEqual({ conv2dDirectPooledKernelGradient: 6, conv2dDirectKernelGradient: 0, maxPoolBackward: 6, reluBackward: 6 });
    expect(plainCalls).toEqual({ conv2dDirectPooledKernelGradient: 0, conv2dDirectKernelGradient: 6, maxPoolBackward: 12, reluBackward: 12 });
    const a = fused.getWeightsFlat(), b = plain.getWeightsFlat();
    const untrained = make();
    const initial = untrained.getWeightsFlat();
    untrained.dispose();
    expect(a.some((v, i) => v !== initial[i])).toBe(true);
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`weight ${i}: fused ${a[i]}, unfused ${b[i]}`);
    fused.dispose();
    plain.dispose();
  });
});
