// Small calls stay on the calling thread (issue 16: "a batch of one image should not pay a round trip"): predicting
// one image with the tutorial network on 2 and 4 threads splits no kernel call (the split rules' crossover,
// src/runtime/threads/split.ts, and conv2's forward of one block of tiles, which a thread takes whole), while the
// batch of 64 does split, and both give one thread's bytes.
// Shown to fail: with conv2's forward as its three kernels per block (before winogradForward), one image split the
// products and the output transform (2 round trips).
import { afterAll, describe, expect, it } from 'vitest';
import { currentBackend, setThreads } from '../../src/runtime/backend.js';
import { tutorialModel } from '../../src/tutorial.js';
import { randomFloats } from '../helpers.js';

/** Split calls (round trips) of the current pool so far, all kernels together. */
function roundTrips(): number {
  const pool = currentBackend().shared?.pool as { splitsByKernel?: Map<string, number> } | undefined;
  return [...(pool?.splitsByKernel ?? new Map<string, number>()).values()].reduce((a, b) => a + b, 0);
}

async function predictions(threads: number, batch: number) {
  setThreads(threads);
  await currentBackend().shared?.pool?.started();
  const model = tutorialModel({ seed: 11 });
  const x = randomFloats(batch * 784, batch).map(Math.abs);
  const before = roundTrips();
  const { data } = model.predict({ data: x, shape: [batch, 28, 28, 1] }, { batchSize: batch });
  const trips = roundTrips() - before;
  model.dispose();
  return { data: Array.from(data), trips };
}

describe('threads: small calls stay on the calling thread', () => {
  afterAll(() => setThreads(1));

  it('predicting one image makes no round trip on 2 or 4 threads; a batch of 64 does; the same values as one thread', async () => {
    for (const batch of [1, 64]) {
      const one = await predictions(1, batch);
      expect(one.trips).toBe(0);
      for (const threads of [2, 4]) {
        const many = await predictions(threads, batch);
        if (batch === 1) expect(many.trips, `round trips of a one-image predict on ${threads} threads`).toBe(0);
        else expect(many.trips).toBeGreaterThan(0);
        expect(many.data).toEqual(one.data);
      }
    }
  });
});
