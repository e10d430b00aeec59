// The poison the kernel and layer tests fill outputs with (helpers.ts) must read as NaN in every float type and as
// poison in every element of every type, whatever the array's offset and length: otherwise an unwritten element
// could pass for a written one.
import { expect, it } from 'vitest';
import { POISON_WORD, isPoison, poison } from './helpers.js';

it('poisons every element of u8 views at any offset and length, and reads as NaN in f32 and f64', () => {
  const buffer = new ArrayBuffer(64);
  for (let offset = 0; offset < 8; offset++) {
    for (let length = 0; length < 20; length++) {
      new Uint8Array(buffer).fill(0);
      const bytes = poison(new Uint8Array(buffer, offset, length));
      for (let i = 0; i < length; i++) expect(isPoison(bytes, i)).toBe(true);
      // Nothing outside the view is touched.
      const all = new Uint8Array(buffer);
      for (let i = 0; i < 64; i++) if (i < offset || i >= offset + length) expect(all[i]).toBe(0);
    }
  }
  expect(Array.from(poison(new Float32Array(buffer, 4, 5))).every(Number.isNaN)).toBe(true);
  expect(Array.from(poison(new Float64Array(buffer, 8, 5))).every(Number.isNaN)).toBe(true);
  expect(Array.from(poison(new Int32Array(buffer, 4, 3)))).toEqual([POISON_WORD | 0, POISON_WORD | 0, POISON_WORD | 0]);
  const written = poison(new Float32Array(3));
  written[1] = 0;
  expect([0, 1, 2].map((i) => isPoison(written, i))).toEqual([true, false, true]);
});
