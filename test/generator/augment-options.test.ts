// Augmentation options and the random draw: pinned errors for bad options and parameters, seeded determinism, and
// the distribution of each drawn parameter (ranges, Keras' three shift forms, independent zooms, fair coins).
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, type TransformParams } from '../../src/index.js';

const gen = (o: object) => new ImageDataGenerator(o as never);

describe('augmentation options', () => {
  it('take Keras defaults: no transform, nearest fill, bilinear', () => {
    const g = new ImageDataGenerator();
    expect(g.augmenting).toBe(false);
    expect(g.options.fillMode).toBe('nearest');
    expect(g.options.interpolationOrder).toBe(1);
    expect(g.options.cval).toBe(0);
    expect(g.getRandomTransform([28, 28, 1], 1)).toEqual({
      theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1, flipHorizontal: false, flipVertical: false, channelShiftIntensity: null, brightness: null,
    });
    expect(gen({ zoomRange: [1, 1] }).augmenting).toBe(false);
    expect(gen({ zoomRange: 0.1 }).augmenting).toBe(true);
    expect(gen({ horizontalFlip: true }).augmenting).toBe(true);
  });

  it('reject bad values, naming the option, what was expected and what was received', () => {
    const cases: [object, string][] = [
      [{ rotationRange: -5 }, '`rotationRange` must be a finite number >= 0. Received: rotationRange=-5'],
      [{ shearRange: NaN }, '`shearRange` must be a finite number >= 0. Received: shearRange=NaN'],
      [{ channelShiftRange: -1 }, '`channelShiftRange` must be a finite number >= 0. Received: channelShiftRange=-1'],
      [{ widthShiftRange: -0.1 }, '`widthShiftRange` must be a finite number >= 0. Received: widthShiftRange=-0.1'],
      [{ heightShiftRange: [] }, '`heightShiftRange` given as an array must hold at least one finite number (the allowed shifts). Received: heightShiftRange=[]'],
      [{ heightShiftRange: '2' }, '`heightShiftRange` must be a number (a fraction of the size if < 1, pixels if >= 1) or an array of allowed shifts. Received: heightShiftRange="2"'],
      [{ zoomRange: [1.2, 0.8] }, '`zoomRange` must be [lo, hi] with lo <= hi. Received: zoomRange=[1.2,0.8]'],
      [{ zoomRange: -0.2 }, '`zoomRange` must be a finite number >= 0. Received: zoomRange=-0.2'],
      [{ zoomRange: [0.9] }, '`zoomRange` must be a number z (for [1 - z, 1 + z]) or [lo, hi]. Received: zoomRange=[0.9]'],
      [{ brightnessRange: 0.5 }, '`brightnessRange` must be null or [lo, hi], two finite numbers. Received: brightnessRange=0.5'],
      [{ brightnessRange: [-0.5, 1] }, '`brightnessRange` must not go below 0 (a brightness factor). Received: brightnessRange=[-0.5,1]'],
      [{ fillMode: 'mirror' }, "`fillMode` must be one of 'nearest', 'constant', 'reflect', 'wrap'. Received: fillMode=\"mirror\""],
      [{ cval: Infinity }, '`cval` must be a finite number. Received: cval=Infinity'],
      [{ horizontalFlip: 1 }, '`horizontalFlip` must be true or false. Received: horizontalFlip=1'],
      [{ interpolationOrder: 3 }, '`interpolationOrder` must be 0 (nearest) or 1 (bilinear); pixprep has no higher spline orders. Received: interpolationOrder=3'],
    ];
    for (const [options, message] of cases) expect(() => gen(options), JSON.stringify(options)).toThrow(message);
  });

  it('round-trip through toJSON / fromJSON', () => {
    const g = gen({ rotationRange: 10, widthShiftRange: [1, 2], zoomRange: [0.8, 1.1], brightnessRange: [0.5, 1.5], fillMode: 'wrap', cval: 3, interpolationOrder: 0 });
    const back = ImageDataGenerator.fromJSON(JSON.parse(JSON.stringify(g.toJSON())));
    expect(back.options).toEqual(g.options);
    expect(back.getRandomTransform([9, 9, 3], 5)).toEqual(g.getRandomTransform([9, 9, 3], 5));
  });
});

describe('getRandomTransform', () => {
  const draws = (o: object, shape: number[], n = 2000): TransformParams[] =>
    Array.from({ length: n }, (_, i) => gen(o).getRandomTransform(shape, i));

  it('is deterministic for a seed and differs between seeds', () => {
    const g = gen({ rotationRange: 20, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1, shearRange: 5, horizontalFlip: true });
    expect(g.getRandomTransform([28, 28, 1], 42)).toEqual(g.getRandomTransform([28, 28, 1], 42));
    expect(g.getRandomTransform([28, 28, 1], 42)).not.toEqual(g.getRandomTransform([28, 28, 1], 43));
    // Without a seed: the generator's own stream, which moves on.
    expect(g.getRandomTransform([28, 28, 1])).not.toEqual(g.getRandomTransform([28, 28, 1]));
  });

  it('draws theta and shear uniformly in [-range, range]', () => {
    const d = draws({ rotationRange: 10, shearRange: 4 }, [28, 28, 1]);
    const theta = d.map((p) => p.theta);
    expect(Math.min(...theta)).toBeGreaterThanOrEqual(-10);
    expect(Math.max(...theta)).toBeLessThanOrEqual(10);
    expect(Math.min(...theta)).toBeLessThan(-9.9);
    expect(Math.max(...theta)).toBeGreaterThan(9.9);
    expect(Math.abs(theta.reduce((a, b) => a + b) / theta.length)).toBeLessThan(0.5);
    expect(d.every((p) => Math.abs(p.shear) <= 4)).toBe(true);
  });

  it("follows Keras' three shift forms: a fraction of the size, pixels, allowed values (with a random sign)", () => {
    // Fraction: tx from heightShiftRange × height, ty from widthShiftRange × width (a 20 × 50 image).
    const frac = draws({ heightShiftRange: 0.1, widthShiftRange: 0.2 }, [20, 50, 1]);
    expect(Math.max(...frac.map((p) => Math.abs(p.tx)))).toBeGreaterThan(1.95);
    expect(frac.every((p) => Math.abs(p.tx) <= 2)).toBe(true);
    expect(Math.max(...frac.map((p) => Math.abs(p.ty)))).toBeGreaterThan(9.9);
    expect(frac.every((p) => Math.abs(p.ty) <= 10)).toBe(true);
    // Pixels: a range >= 1 is not scaled, and the draw is continuous.
    const px = draws({ widthShiftRange: 3 }, [20, 50, 1]);
    expect(px.every((p) => Math.abs(p.ty) <= 3)).toBe(true);
    expect(px.some((p) => !Number.isInteger(p.ty))).toBe(true);
    // Values: one of them, times ±1 (Keras' int form n is the values [0, 1, ..., n − 1]).
    const values = new Set(draws({ widthShiftRange: [0, 1, 2] }, [20, 50, 1]).map((p) => p.ty));
    expect([...values].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    // Values all below 1 are fractions of the size.
    const small = new Set(draws({ heightShiftRange: [0.25] }, [20, 50, 1]).map((p) => p.tx));
    expect([...small].sort((a, b) => a - b)).toEqual([-5, 5]);
  });

  it('draws zx and zy independently from the zoom range, in both forms', () => {
    const d = draws({ zoomRange: 0.2 }, [28, 28, 1]);
    expect(d.every((p) => p.zx >= 0.8 && p.zx <= 1.2 && p.zy >= 0.8 && p.zy <= 1.2)).toBe(true);
    expect(d.filter((p) => p.zx !== p.zy).length).toBe(d.length);
    const e = draws({ zoomRange: [0.5, 0.6] }, [28, 28, 1]);
    expect(e.every((p) => p.zx >= 0.5 && p.zx <= 0.6)).toBe(true);
    const meanZx = e.reduce((a, p) => a + p.zx, 0) / e.length;
    expect(Math.abs(meanZx - 0.55)).toBeLessThan(0.005);
  });

  it('tosses fair coins for the enabled flips only, and draws the colour steps when asked', () => {
    const d = draws({ horizontalFlip: true, channelShiftRange: 20, brightnessRange: [0.5, 1.5] }, [8, 8, 3]);
    const heads = d.filter((p) => p.flipHorizontal).length / d.length;
    expect(Math.abs(heads - 0.5)).toBeLessThan(0.05);
    expect(d.every((p) => p.flipVertical === false)).toBe(true);
    expect(d.every((p) => p.channelShiftIntensity !== null && Math.abs(p.channelShiftIntensity) <= 20)).toBe(true);
    expect(d.every((p) => p.brightness !== null && p.brightness >= 0.5 && p.brightness <= 1.5)).toBe(true);
  });

  it('reads the height and width from the data format', () => {
    const last = gen({ heightShiftRange: 0.5 }).getRandomTransform([10, 40, 3], 9);
    const first = gen({ heightShiftRange: 0.5, dataFormat: 'channelsFirst' }).getRandomTransform([3, 10, 40], 9);
    expect(first).toEqual(last);
    expect(Math.abs(last.tx)).toBeLessThanOrEqual(5);
  });

  it('rejects a bad image shape or seed', () => {
    const g = gen({ rotationRange: 5 });
    expect(() => g.getRandomTransform([28, 28] as never)).toThrow('getRandomTransform: imageShape must be [height, width, channels] (or [channels, height, width] with channelsFirst), three positive integers. Received: [28,28]');
    expect(() => g.getRandomTransform([28, 28, 1], 1.5)).toThrow('getRandomTransform: `seed` must be an integer. Received: seed=1.5');
  });
});

describe('applyTransform and randomTransform', () => {
  const image = { data: Uint8Array.from({ length: 5 * 7 }, (_, i) => i * 7), shape: [5, 7, 1] };

  it("follow Keras' geometry: widthShiftRange's ty moves rows, heightShiftRange's tx moves columns", () => {
    // A single bright pixel at (2, 3) of a 5 × 7 image (scipy agrees: test/generator/augment-scipy.test.ts).
    const dot = new Uint8Array(35);
    dot[2 * 7 + 3] = 200;
    const g = gen({ fillMode: 'constant' });
    const at = (p: Partial<TransformParams>) => Array.from(g.applyTransform({ data: dot, shape: [5, 7, 1] }, p).data).indexOf(200);
    expect(at({ ty: 1 })).toBe(1 * 7 + 3);
    expect(at({ tx: 1 })).toBe(2 * 7 + 2);
    expect(at({ flipHorizontal: true })).toBe(2 * 7 + 3);
    expect(at({ flipVertical: true, flipHorizontal: true })).toBe(2 * 7 + 3);
    expect(at({ ty: 1, flipVertical: true })).toBe(3 * 7 + 3);
  });

  it('leaves the input untouched, returns float32 of the same shape, and is the identity for neutral params', () => {
    const copy = image.data.slice();
    const out = gen({}).applyTransform(image, {});
    expect(image.data).toEqual(copy);
    expect(out.shape).toEqual([5, 7, 1]);
    expect(Array.from(out.data)).toEqual(Array.from(copy));
  });

  it('randomTransform(x, seed) is applyTransform(x, getRandomTransform(shape, seed))', () => {
    const g = gen({ rotationRange: 30, zoomRange: 0.2, channelShiftRange: 10 });
    expect(g.randomTransform(image, 3)).toEqual(g.applyTransform(image, g.getRandomTransform([5, 7, 1], 3)));
  });

  it('reject bad images and parameters with pinned messages', () => {
    const g = gen({});
    expect(() => g.applyTransform({ data: new Uint8Array(35), shape: [1, 5, 7, 1] }, {})).toThrow(
      'applyTransform: x must be one image of rank 3 ([height, width, channels], or [channels, height, width] with channelsFirst). Received shape: [1,5,7,1]',
    );
    expect(() => g.applyTransform(image, { theta: NaN })).toThrow('applyTransform: params.theta must be a finite number. Received: NaN');
    expect(() => g.applyTransform(image, { flipHorizontal: 1 } as never)).toThrow('applyTransform: params.flipHorizontal must be true or false. Received: 1');
    expect(() => g.applyTransform(image, { rotation: 3 } as never)).toThrow('applyTransform: unknown transform parameter `rotation`. Known transform parameters: theta, tx, ty, shear, zx, zy, flipHorizontal, flipVertical, channelShiftIntensity, brightness');
    expect(() => g.applyTransform(image, null as never)).toThrow('applyTransform: params must be an object of transform parameters (as getRandomTransform returns). Received: null');
    expect(() => g.randomTransform({ data: new Uint8Array(3), shape: [3] } as never)).toThrow('randomTransform: x must be one image of rank 3');
  });
});

describe('fit(x, { augment, rounds, seed })', () => {
  it("gives the statistics of `rounds` transformed copies of the rescaled images, drawn in Keras' order", async () => {
    const { Random } = await import('../../src/random.js');
    const { drawTransform } = await import('../../src/generator/augment.js');
    const n = 7;
    const x = { data: Uint8Array.from({ length: n * 9 * 8 * 3 }, (_, i) => (i * 37) % 256), shape: [n, 9, 8, 3] };
    const options = { rotationRange: 30, zoomRange: 0.3, fillMode: 'constant' as const, cval: 0.7, rescale: 1 / 255, channelShiftRange: 0.1, featurewiseCenter: true, featurewiseStdNormalization: true };
    const g = gen(options).fit(x, { augment: true, rounds: 3, seed: 11 });
    // Independently: rescale in float32, transform each copy with applyTransform, accumulate in float64.
    const rng = new Random(11);
    const sums = [0, 0, 0];
    const squares = [0, 0, 0];
    let count = 0;
    const size = 9 * 8 * 3;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < n; i++) {
        const scaled = Float32Array.from(x.data.subarray(i * size, (i + 1) * size), (v) => Math.fround(v * Math.fround(1 / 255)));
        const p = drawTransform(rng, g.options, 9, 8);
        const out = g.applyTransform({ data: scaled, shape: [9, 8, 3] }, p).data;
        for (let j = 0; j < size; j++) {
          sums[j % 3] += out[j];
          squares[j % 3] += out[j] * out[j];
        }
        count += 9 * 8;
      }
    }
    for (let c = 0; c < 3; c++) {
      const mean = sums[c] / count;
      const std = Math.sqrt(squares[c] / count - mean * mean);
      expect(g.statistics!.mean[c]).toBeCloseTo(mean, 10);
      expect(g.statistics!.std[c]).toBeCloseTo(std, 7);
    }
    expect(g.statistics!.count).toBe(3 * n * 9 * 8);
    // Not the plain statistics, and reproducible.
    expect(gen(options).fit(x).statistics!.mean[0]).not.toBeCloseTo(g.statistics!.mean[0], 6);
    expect(gen(options).fit(x, { augment: true, rounds: 3, seed: 11 }).statistics).toEqual(g.statistics);
    expect(gen(options).fit(x, { augment: false }).statistics).toEqual(gen(options).fit(x).statistics);
  });

  it('rejects bad options with pinned messages', () => {
    const x = { data: new Uint8Array(4), shape: [1, 2, 2, 1] };
    const g = gen({ rotationRange: 5, featurewiseCenter: true });
    expect(() => g.fit(x, { rounds: 0, augment: true })).toThrow('fit: `rounds` must be a positive integer. Received: rounds=0');
    expect(() => g.fit(x, { augment: 'yes' } as never)).toThrow('fit: `augment` must be true or false. Received: augment=yes');
    expect(() => g.fit(x, { augment: true, seed: 0.5 })).toThrow('fit: `seed` must be an integer. Received: seed=0.5');
    expect(() => g.fit(x, { round: 2 } as never)).toThrow('fit: unknown option `round`. Did you mean `rounds`? Known options: augment, rounds, seed');
    expect(() => gen({ zcaWhitening: true, rotationRange: 5 }).fit(x, { augment: true })).toThrow('fit: `augment` with zcaWhitening is not supported');
  });
});
