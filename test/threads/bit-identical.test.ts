// Training on 1, 2 or 4 threads gives the same weights to the bit for a seed (issue 16): the tutorial network, a few
// batches of real digits, weight bytes compared. The kernels are shared out by output rows, columns, images or planes
// (src/runtime/threads/split.ts), so every number is computed by one thread in the one-thread order.
// Shown to fail: splitting the kernel gradient's gemm by k (two slices of the sum, the second added to the first)
// changed the bytes.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { currentBackend, setThreads, getThreads } from '../../src/runtime/backend.js';
import { tutorialModel, firstImages } from '../../src/tutorial.js';
import { loadMnist } from '../../src/data/mnist.js';
import { poison } from '../helpers.js';

/**
 * Fills the heap's free memory with NaN-like poison (a block as large as training needs, poisoned, then freed: the
 * heap hands out its lowest free bytes first and never clears them), so that the workspace the model takes, the
 * layers' scratch among it (each thread's Winograd M), starts as poison: an output a kernel failed to write, or a
 * scratch one thread read before another wrote it, shows in the weights.
 */
function poisonFreeHeap(): void {
  const block = currentBackend().heap.block('f32', 12 << 20);
  poison(block.view);
  block.free();
}

/**
 * `callerTakes` 'first': the workers run every part but part 0 of each call (a fixed assignment, so they surely take
 * part); 'any', the default: parts go to whichever thread is free first.
 */
async function trainedWeights(threads: number, callerTakes: 'any' | 'first' = 'any') {
  setThreads(threads);
  expect(getThreads()).toBe(threads);
  const pool = currentBackend().shared?.pool;
  await pool?.started();
  if (pool) (pool as unknown as { callerTakes: string }).callerTakes = callerTakes;
  const before = pool?.parallelCalls ?? 0;
  const splitsBefore = new Map((pool as { splitsByKernel?: Map<string, number> } | undefined)?.splitsByKernel ?? []);
  const { train } = loadMnist();
  const { x, y } = firstImages(train, 4 * 64);
  poisonFreeHeap();
  const model = tutorialModel({ seed: 3 });
  const initial = model.getWeightsFlat().slice();
  const history = await model.fit({ x, y }, { epochs: 1, batchSize: 64, verbose: 0 });
  const weights = model.getWeightsFlat().slice();
  const parallel = (pool?.parallelCalls ?? 0) - before;
  const splits = new Map([...((pool as { splitsByKernel?: Map<string, number> } | undefined)?.splitsByKernel ?? [])]
    .map(([name, n]) => [name, n - (splitsBefore.get(name) ?? 0)]));
  model.dispose();
  if (pool) (pool as unknown as { callerTakes: string }).callerTakes = 'any';
  return { initial, weights, loss: history.loss[0], parallel, splits };
}

/** A digest of the bytes, so that a failure prints two short strings. */
const bytes = (a: Float32Array) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

describe('threads: bit-identical training', () => {
  afterAll(() => setThreads(1));

  it('the tutorial network trained 4 batches on 1, 2 and 4 threads has the same weight bytes', async () => {
    const one = await trainedWeights(1);
    const two = await trainedWeights(2, 'first');
    const four = await trainedWeights(4, 'first');
    const twoAny = await trainedWeights(2);
    const fourAny = await trainedWeights(4);
    expect(one.parallel).toBe(0);
    // The workers took part: dozens of calls per batch are large enough to split.
    expect(two.parallel).toBeGreaterThan(4 * 10);
    expect(four.parallel).toBeGreaterThan(4 * 10);
    // With parts going to whichever thread is free, how many a worker takes depends on timing; the bytes do not.
    expect(twoAny.parallel + fourAny.parallel).toBeGreaterThan(0);
    for (const run of [twoAny, fourAny]) {
      expect(bytes(run.weights)).toBe(bytes(one.weights));
      expect(run.loss).toBe(one.loss);
    }
    // Every kind of kernel of the step that has a split rule took part on the workers, on 2 and on 4 threads. (The
    // step calls neither im2col nor a large reluBackward since conv1's backward and the ReLU masks are fused into the
    // pooling's backward and conv1's kernel gradient: conv2dDirectPooledKernelGradient, by groups of 4 filters; its
    // unpooled form, not in this step, is run on the pool in split.test.ts.)
    // conv2's forward is one call by whole blocks of tiles (winogradForward), its backward four calls over every block
    // (winogradOutputAdjoints, winogradKernelGradients, winogradMultiplyAdjoints, winogradInputAdjoints), not its
    // kernels block by block.
    const conv2 = ['winogradForward', 'winogradOutputAdjoints', 'winogradKernelGradients', 'winogradMultiplyAdjoints',
      'winogradInputAdjoints'];
    const splitInTraining = ['gemm', 'conv2dDirect', ...conv2, 'maxPoolForward', 'maxPoolBackward', 'biasGrad', 'adam',
      'conv2dDirectPooledKernelGradient'];
    for (const run of [two, four]) {
      for (const name of splitInTraining) expect(run.splits.get(name) ?? 0, name).toBeGreaterThanOrEqual(4);
      // One round trip each per step (4 batches), none for the per-block kernels.
      for (const name of conv2) expect(run.splits.get(name), name).toBe(4);
      for (const name of ['winogradInputTransform', 'winogradOutputTransform', 'winogradMultiply', 'winogradOutputAdjoint',
        'winogradKernelGradient', 'winogradInputAdjoint']) expect(run.splits.get(name) ?? 0, name).toBe(0);
    }
    // It trained (the weights moved), and the three runs agree to the bit.
    expect(bytes(one.weights)).not.toBe(bytes(one.initial));
    expect(bytes(two.initial)).toBe(bytes(one.initial));
    expect(bytes(two.weights)).toBe(bytes(one.weights));
    expect(bytes(four.weights)).toBe(bytes(one.weights));
    expect(two.loss).toBe(one.loss);
    expect(four.loss).toBe(one.loss);
  });
});
