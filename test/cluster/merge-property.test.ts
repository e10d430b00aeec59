// Property: however a data set is cut into shards (empty ones included) and however the shards' generators are
// merged (any order, any tree of pairwise and n-ary merges, some of them through JSON text), the result has the
// statistics of one fit on the whole set, to float64 rounding. Generated with fast-check (test/fuzz/fuzz.ts: fixed
// seed, PIXPREP_FUZZ_SCALE for longer runs).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { params, timeoutFor } from '../fuzz/fuzz.js';

const close = (a: number, b: number, scale: number) => Math.abs(a - b) <= 1e-12 * Math.max(scale, Math.abs(b));

describe('ImageDataGenerator.merge: any split, any merge tree', () => {
  it('equals one fit', () => {
    const arbitrary = fc.record({
      channels: fc.constantFrom(1, 3, 4),
      side: fc.integer({ min: 1, max: 4 }),
      sizes: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 7 }).filter((s) => s.some((n) => n > 0)),
      rescale: fc.constantFrom(null, 1 / 255, -0.5),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
      order: fc.array(fc.nat(), { minLength: 7, maxLength: 7 }),
      splits: fc.array(fc.nat(), { minLength: 7, maxLength: 7 }),
      viaText: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
    });
    fc.assert(fc.property(arbitrary, ({ channels, side, sizes, rescale, seed, order, splits, viaText }) => {
      const imageSize = side * side * channels;
      const total = sizes.reduce((a, b) => a + b, 0);
      let state = seed;
      const data = Uint8Array.from({ length: total * imageSize }, () => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return state >>> 24;
      });
      const options = { featurewiseCenter: true, featurewiseStdNormalization: true, rescale };
      let at = 0;
      let parts: (ImageDataGenerator | string)[] = sizes.map((n, i) => {
        const gen = new ImageDataGenerator(options);
        if (n > 0) gen.fit({ data: data.subarray(at * imageSize, (at + n) * imageSize), shape: [n, side, side, channels] });
        at += n;
        return viaText[i] ? JSON.stringify(gen.toJSON()) : gen;
      });
      // A random order, then a random tree: repeatedly merge a random run of neighbours into one.
      parts = parts.map((p, i) => ({ p, key: order[i] })).sort((a, b) => a.key - b.key).map(({ p }) => p);
      let step = 0;
      while (parts.length > 1) {
        const from = splits[step % splits.length] % parts.length;
        const count = Math.max(2, (splits[(step + 1) % splits.length] % (parts.length - from)) + 1);
        const run = parts.slice(from, Math.min(parts.length, from + count));
        const merged = ImageDataGenerator.merge(...(run.length > 1 ? run : [parts[0], parts[1]]));
        parts.splice(run.length > 1 ? from : 0, run.length > 1 ? run.length : 2, merged);
        step++;
      }
      const merged = parts[0] instanceof ImageDataGenerator ? parts[0] : ImageDataGenerator.fromJSON(parts[0]);
      const s = merged.statistics!;
      const t = new ImageDataGenerator(options).fit({ data, shape: [total, side, side, channels] }).statistics!;
      const scale = 255 * Math.abs(rescale ?? 1);
      expect(s.count).toBe(t.count);
      for (let c = 0; c < channels; c++) {
        expect(close(s.mean[c], t.mean[c], scale)).toBe(true);
        expect(close(s.std[c], t.std[c], scale)).toBe(true);
        // === rather than toEqual: JSON text writes −0 as 0 (a max of −0 after a negative rescale).
        expect(s.min[c] === t.min[c] && s.max[c] === t.max[c]).toBe(true);
      }
    }), params(60));
  }, timeoutFor(30_000));
});
