// warpParams (src/generator/augment.ts) builds Keras' matrix product with its terms written out for speed (it runs
// once per image in every augmented epoch). Here the same composition is done the plain way, with full 3×3 matrices
// and a general product summed as (a0·b0 + a1·b1) + a2·b2, exactly as the code before the rewrite did: the kernel's
// numbers must be the same bits, or the same seed would no longer give the same augmented batches.
import { expect, it } from 'vitest';
import { warpParams, type TransformParams } from '../../src/generator/augment.js';
import { Random } from '../helpers.js';

type M = number[];
const product = (a: M, b: M): M =>
  Array.from({ length: 9 }, (_, k) => {
    const i = Math.floor(k / 3) * 3;
    const j = k % 3;
    return a[i] * b[j] + a[i + 1] * b[3 + j] + a[i + 2] * b[6 + j];
  });

function plain(p: TransformParams, h: number, w: number): number[] {
  let m: M | null = null;
  const then = (b: M) => { m = m === null ? b : product(m, b); };
  if (p.theta !== 0) {
    const t = p.theta * (Math.PI / 180);
    then([Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1]);
  }
  if (p.tx !== 0 || p.ty !== 0) then([1, 0, p.tx, 0, 1, p.ty, 0, 0, 1]);
  if (p.shear !== 0) {
    const s = p.shear * (Math.PI / 180);
    then([1, -Math.sin(s), 0, 0, Math.cos(s), 0, 0, 0, 1]);
  }
  if (p.zx !== 1 || p.zy !== 1) then([p.zx, 0, 0, 0, p.zy, 0, 0, 0, 1]);
  const flips = [p.flipHorizontal ? 1 : 0, p.flipVertical ? 1 : 0];
  if (m === null) return [1, 0, 0, 0, 1, 0, ...flips];
  const ox = h / 2 - 0.5;
  const oy = w / 2 - 0.5;
  const c = product(product([1, 0, ox, 0, 1, oy, 0, 0, 1], m), [1, 0, -ox, 0, 1, -oy, 0, 0, 1]);
  return [c[4], c[3], c[5], c[1], c[0], c[2], ...flips];
}

it("warpParams gives the plain matrix product's bits, for every combination of steps", () => {
  const rng = new Random(22);
  const out = new Float64Array(8 + 3);
  let checked = 0;
  for (let i = 0; i < 4000; i++) {
    // Each step present or not (bit k of i % 16), with values of either sign, large and small.
    const on = (k: number) => ((i >> k) & 1) === 1;
    const p: TransformParams = {
      theta: on(0) ? rng.uniform(-360, 360) : 0,
      tx: on(1) ? rng.uniform(-40, 40) : 0,
      ty: on(1) && rng.next() < 0.8 ? rng.uniform(-1e3, 1e3) : 0,
      shear: on(2) ? rng.uniform(-80, 80) : 0,
      zx: on(3) ? rng.uniform(0.01, 3) : 1,
      zy: on(3) && rng.next() < 0.8 ? rng.uniform(0.01, 3) : 1,
      flipHorizontal: rng.next() < 0.5, flipVertical: rng.next() < 0.5, channelShiftIntensity: null, brightness: null,
    };
    const h = 1 + rng.int(300);
    const w = 1 + rng.int(300);
    out.fill(NaN);
    warpParams(p, h, w, out, 3);
    const expected = plain(p, h, w);
    for (let k = 0; k < 8; k++) expect(Object.is(out[3 + k], expected[k]), `draw ${i}, number ${k}`).toBe(true);
    expect(Number.isNaN(out[2])).toBe(true); // nothing written before `at`
    checked++;
  }
  expect(checked).toBe(4000);
});
