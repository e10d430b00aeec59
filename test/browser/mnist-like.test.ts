// The drawn digit's preparation (demo/src/mnist-like.ts): ink box scaled to fit 20×20 by area averaging, then
// centred by its centre of mass in 28×28, as MNIST's digits were.
import { describe, expect, test } from 'vitest';
import { centerOfMass, inkBounds, resampleArea, toMnistDigit, type Gray } from '../../demo/src/mnist-like.js';

function canvas(width: number, height: number, ink: (x: number, y: number) => number): Gray {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = ink(x, y);
  return { data, width, height };
}

function bytesAsGray(bytes: Uint8Array): Gray {
  return { data: Float32Array.from(bytes), width: 28, height: 28 };
}

describe('toMnistDigit', () => {
  test('a blank drawing is no digit', () => {
    expect(toMnistDigit(canvas(280, 280, () => 0))).toBeNull();
  });

  test('a block drawn off-centre ends up centred, its longer side 20 pixels', () => {
    // 60 wide, 120 tall, in the top-left corner of a 280×280 pad.
    const digit = toMnistDigit(canvas(280, 280, (x, y) => (x >= 10 && x < 70 && y >= 5 && y < 125 ? 255 : 0)));
    expect(digit).not.toBeNull();
    const out = bytesAsGray(digit as Uint8Array);
    const box = inkBounds(out);
    expect(box).toEqual({ x: 9, y: 4, w: 10, h: 20 });
    const com = centerOfMass(out);
    expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...digit as Uint8Array)).toBe(255);
  });

  test('a thin diagonal stroke is anti-aliased: grey levels between the ink and the background', () => {
    const digit = toMnistDigit(canvas(280, 280, (x, y) => (Math.abs(x - y) < 6 && x > 40 && x < 240 ? 255 : 0))) as Uint8Array;
    const greys = digit.filter((v) => v > 0 && v < 255).length;
    expect(greys).toBeGreaterThan(10);
  });
});

describe('resampleArea', () => {
  test('keeps the mean of the region, for sizes that do not divide evenly', () => {
    const img = canvas(37, 23, (x, y) => (x * 7 + y * 13) % 256);
    const r = { x: 3, y: 2, w: 31, h: 19 };
    const small = resampleArea(img, r, 7, 5);
    let regionSum = 0;
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) regionSum += img.data[y * img.width + x];
    const mean = small.data.reduce((a, b) => a + b, 0) / small.data.length;
    expect(mean).toBeCloseTo(regionSum / (r.w * r.h), 3);
  });

  test('is the identity at the same size', () => {
    const img = canvas(5, 4, (x, y) => x + 10 * y);
    expect(Array.from(resampleArea(img, { x: 0, y: 0, w: 5, h: 4 }, 5, 4).data)).toEqual(Array.from(img.data));
  });
});
