// The IDX parser and writer (pure), gzip in both worlds (DecompressionStream and node:zlib), the directory loader,
// every malformed case with its message pinned, and a fuzz run. All files are written by the tests themselves.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzip, isGzip } from '../../src/data/gunzip.js';
import { encodeIdx, IdxError, idxDeclaredLength, idxImages, idxLabels, parseIdx, parseIdxAsync, type IdxArray, type IdxData } from '../../src/data/idx.js';
import { loadIdxDirectory, loadIdxFile } from '../../src/data/idx-node.js';
import { Random } from '../../src/random.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'pixprep-idx-test-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function randomU8(n: number, rng: Random): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.int(256);
  return a;
}

/** An MNIST-style header written out by hand: magic, type, rank, big-endian sizes. */
function header(type: number, dims: number[]): number[] {
  return [0, 0, type, dims.length, ...dims.flatMap((d) => [(d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255])];
}

describe('encodeIdx / parseIdx', () => {
  it('writes the layout MNIST uses, byte for byte', () => {
    const file = encodeIdx({ data: bytes(1, 2, 3, 4, 5, 6), shape: [1, 2, 3] });
    expect(Array.from(file)).toEqual([...header(0x08, [1, 2, 3]), 1, 2, 3, 4, 5, 6]);
    expect(Array.from(encodeIdx({ data: Float32Array.of(1.5), shape: [1] }))).toEqual([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]);
    expect(Array.from(encodeIdx({ data: Int16Array.of(-2), shape: [1] }))).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 1, 0xff, 0xfe]);
  });

  const cases: [string, IdxData, number[]][] = [
    ['uint8 images, 1 channel [n, h, w]', randomU8(5 * 7 * 3, new Random(1)), [5, 7, 3]],
    ['uint8 images, 3 channels [n, h, w, c]', randomU8(4 * 5 * 6 * 3, new Random(2)), [4, 5, 6, 3]],
    ['int8', Int8Array.of(-128, -1, 0, 1, 127), [5]],
    ['int16', Int16Array.of(-32768, -1, 0, 258, 32767, 7), [2, 3]],
    ['int32', Int32Array.of(-2147483648, -1, 0, 16909060, 2147483647, 9), [3, 2]],
    ['float32', Float32Array.of(0, -0, 1.5, -3.25e-20, Infinity, -Infinity, NaN, 3.4028234663852886e38), [2, 2, 2]],
    ['float64', Float64Array.of(Math.PI, -0, Number.MIN_VALUE, Number.MAX_VALUE, NaN, -1e-300), [6]],
    ['uint8 empty (0 images)', new Uint8Array(0), [0, 28, 28]],
  ];

  it.each(cases)('round-trips %s', (_, data, shape) => {
    const parsed = parseIdx(encodeIdx({ data, shape }), 'x');
    expect(parsed.shape).toEqual(shape);
    expect(parsed.data.constructor).toBe(data.constructor);
    expect(parsed.data.length).toBe(data.length);
    expect(Object.is(parsed.data[1], data[1])).toBe(true); // -0 stays -0
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('names the data types', () => {
    const types = ['uint8', 'int8', 'int16', 'int32', 'float32', 'float64'];
    const arrays = [Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array, Float64Array];
    expect(arrays.map((A) => parseIdx(encodeIdx({ data: new A(2), shape: [2] })).dtype)).toEqual(types);
  });

  it('reads a file that sits at an offset inside a larger buffer, and from an ArrayBuffer', () => {
    const file = encodeIdx({ data: Float32Array.of(1, 2, 3), shape: [3] });
    const big = new Uint8Array(file.length + 3);
    big.set(file, 1);
    expect(Array.from(parseIdx(big.subarray(1, 1 + file.length)).data)).toEqual([1, 2, 3]);
    const u8 = encodeIdx({ data: bytes(9, 8, 7), shape: [3] });
    const big8 = new Uint8Array(u8.length + 5);
    big8.set(u8, 5);
    const parsed = parseIdx(big8.subarray(5));
    expect(parsed.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(parsed.data)).toEqual([9, 8, 7]);
    expect(Array.from(parseIdx(u8.slice().buffer).data)).toEqual([9, 8, 7]);
  });

  it('rejects what it cannot write faithfully', () => {
    expect(() => encodeIdx({ data: bytes(1, 2, 3), shape: [2, 2] })).toThrow('encodeIdx: shape [2, 2] holds 4 values, data has 3');
    expect(() => encodeIdx({ data: bytes(1), shape: [] })).toThrow('encodeIdx: shape must have 1 to 255 dimensions. Received: []');
    expect(() => encodeIdx({ data: bytes(1, 2), shape: [2.5] })).toThrow('encodeIdx: each dimension must be an integer in 0..4294967295. Received: [2.5]');
    expect(() => encodeIdx({ data: [1, 2] as unknown as Uint8Array, shape: [2] })).toThrow(
      'encodeIdx: data must be a Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array or Float64Array. Received: [object Array]',
    );
  });
});

describe('idxImages / idxLabels', () => {
  it('makes [n, h, w] images [n, h, w, 1] and keeps [n, h, w, c]', () => {
    const one = idxImages(parseIdx(encodeIdx({ data: bytes(1, 2, 3, 4, 5, 6), shape: [1, 2, 3] })));
    expect(one.shape).toEqual([1, 2, 3, 1]);
    expect(Array.from(one.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const rgb = idxImages(parseIdx(encodeIdx({ data: bytes(1, 2, 3, 4, 5, 6), shape: [2, 1, 1, 3] })));
    expect(rgb.shape).toEqual([2, 1, 1, 3]);
    expect(Array.from(idxLabels(parseIdx(encodeIdx({ data: bytes(3, 1, 4), shape: [3] }))))).toEqual([3, 1, 4]);
  });

  it('refuses images and labels of the wrong type or rank, naming the file', () => {
    const f32 = parseIdx(encodeIdx({ data: new Float32Array(4), shape: [1, 2, 2] }));
    expect(() => idxImages(f32, 'imgs')).toThrow('imgs: images must be unsigned bytes (data type 0x08), this file holds float32');
    expect(() => idxImages(parseIdx(encodeIdx({ data: new Uint8Array(4), shape: [4] })), 'imgs')).toThrow(
      'imgs: images need 3 dimensions (n, height, width) or 4 (n, height, width, channels), this file has 1: 4',
    );
    expect(() => idxImages(parseIdx(encodeIdx({ data: new Uint8Array(0), shape: [3, 0, 2] })), 'imgs')).toThrow(
      'imgs: images need a height, width and channel count of at least 1, shape is 3×0×2',
    );
    expect(() => idxLabels(parseIdx(encodeIdx({ data: new Uint8Array(4), shape: [2, 2] })), 'labs')).toThrow(
      'labs: labels need 1 dimension, this file has 2: 2×2',
    );
    expect(() => idxLabels(parseIdx(encodeIdx({ data: new Int32Array(2), shape: [2] })), 'labs')).toThrow(
      'labs: labels must be unsigned bytes (data type 0x08), this file holds int32',
    );
  });
});

describe('malformed files', () => {
  const bad: [string, Uint8Array, string | RegExp][] = [
    ['empty', bytes(), 'f: truncated header: 0 bytes, an IDX file starts with a 4-byte magic number'],
    ['3 bytes', bytes(0, 0, 8), 'f: truncated header: 3 bytes, an IDX file starts with a 4-byte magic number'],
    ['bad magic', bytes(0x50, 0x4b, 3, 4, 0, 0, 0, 0), 'f: bad magic number 0x50 0x4B 0x03 0x04: an IDX file starts with 0x00 0x00, the data type, the number of dimensions'],
    ['second magic byte', bytes(0, 1, 8, 1, 0, 0, 0, 0), /^f: bad magic number 0x00 0x01 0x08 0x01/],
    ['gzip passed raw', bytes(0x1f, 0x8b, 8, 0, 0, 0), 'f: gzip-compressed: decompress it first (parseIdxAsync does)'],
    ['unknown type', bytes(0, 0, 0x0a, 1, 0, 0, 0, 0), 'f: unknown data type 0x0A: expected one of 0x08 (uint8), 0x09 (int8), 0x0B (int16), 0x0C (int32), 0x0D (float32), 0x0E (float64)'],
    ['zero dimensions', bytes(0, 0, 8, 0), 'f: zero dimensions: the header (4th byte) gives 0 dimensions, at least 1 is needed'],
    ['truncated header', bytes(...header(8, [2, 3, 4]).slice(0, 13)), 'f: truncated header: 3 dimensions need a 16-byte header, file has 13 bytes'],
    ['truncated data', bytes(...header(8, [2, 3]), 1, 2, 3, 4, 5), 'f: truncated: header says 2×3 = 6 bytes of data, file has 5'],
    ['truncated header-only', bytes(...header(8, [1, 1])), 'f: truncated: header says 1×1 = 1 bytes of data, file has 0'],
    ['truncated float32', bytes(...header(0x0d, [3]), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 'f: truncated: header says 3 × 4 bytes (float32) = 12 bytes of data, file has 11'],
    ['trailing bytes', bytes(...header(8, [2]), 1, 2, 3, 4), 'f: 2 trailing bytes: header says 2 = 2 bytes of data, file has 4'],
    ['one trailing byte, float64', bytes(...header(0x0e, [1]), ...new Array(9).fill(0)), 'f: 1 trailing bytes: header says 1 × 8 bytes (float64) = 8 bytes of data, file has 9'],
    ['sizes too large to exist', bytes(...header(0x0e, [0xffffffff, 0xffffffff, 0xffffffff]), 1), /^f: truncated: header says 4294967295×4294967295×4294967295 × 8 bytes \(float64\) = 6\.\d+e\+29 bytes of data, file has 1$/],
  ];

  it.each(bad)('%s', (_, file, message) => {
    expect(() => parseIdx(file, 'f')).toThrow(message);
    expect(() => parseIdx(file, 'f')).toThrow(IdxError);
  });

  it('says how much a truncated MNIST images file is missing', () => {
    const file = new Uint8Array(16 + 1200);
    file.set(header(8, [60000, 28, 28]));
    expect(() => parseIdx(file, 'train-images-idx3-ubyte')).toThrow(
      /^train-images-idx3-ubyte: truncated: header says 60000×28×28 = 47040000 bytes of data, file has 1200$/,
    );
  });

  it('uses a default name when none is given', () => {
    expect(() => parseIdx(bytes(1))).toThrow('IDX data: truncated header: 1 bytes');
  });
});

describe('gzip in the browser path (DecompressionStream)', () => {
  it('parseIdxAsync takes gzip and raw bytes alike', async () => {
    const data = randomU8(3 * 4 * 4 * 3, new Random(3));
    const raw = encodeIdx({ data, shape: [3, 4, 4, 3] });
    const gz = new Uint8Array(gzipSync(raw));
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(raw)).toBe(false);
    for (const input of [gz, raw, gz.slice().buffer]) {
      const parsed = await parseIdxAsync(input, 'g');
      expect(parsed.shape).toEqual([3, 4, 4, 3]);
      expect(Buffer.compare(parsed.data as Uint8Array, data)).toBe(0);
    }
  });

  it('rejects truncated or corrupt gzip, naming it', async () => {
    const gz = new Uint8Array(gzipSync(encodeIdx({ data: randomU8(500, new Random(4)), shape: [5, 10, 10] })));
    await expect(parseIdxAsync(gz.subarray(0, gz.length - 20), 'cut.gz')).rejects.toThrow(/^cut\.gz: truncated or corrupt gzip data \(/);
    const flipped = gz.slice();
    flipped[gz.length - 6] ^= 0xff; // the CRC-32 / size trailer
    await expect(gunzip(flipped, 'crc.gz')).rejects.toThrow(/^crc\.gz: truncated or corrupt gzip data/);
  });
});

describe('loadIdxFile (node:zlib)', () => {
  it('loads raw and .gz files; a .gz name holding raw bytes (as some downloads do) still loads', async () => {
    const data = Float32Array.from({ length: 60 }, (_, i) => i / 7 - 3);
    const raw = encodeIdx({ data, shape: [3, 4, 5] });
    writeFileSync(join(work, 'f32-idx3'), raw);
    writeFileSync(join(work, 'f32-idx3.gz'), gzipSync(raw));
    writeFileSync(join(work, 'raw-named.gz'), raw);
    for (const name of ['f32-idx3', 'f32-idx3.gz', 'raw-named.gz']) {
      const parsed = await loadIdxFile(join(work, name));
      expect(parsed.dtype, name).toBe('float32');
      expect(parsed.shape, name).toEqual([3, 4, 5]);
      expect(Array.from(parsed.data), name).toEqual(Array.from(data));
    }
  });

  it('loads a gzip file larger than one zlib chunk', async () => {
    const data = randomU8(70_000 * 3, new Random(5));
    writeFileSync(join(work, 'big.gz'), gzipSync(encodeIdx({ data, shape: [70_000, 3] })));
    const parsed = await loadIdxFile(join(work, 'big.gz'));
    expect(parsed.shape).toEqual([70_000, 3]);
    expect(Buffer.compare(parsed.data as Uint8Array, data)).toBe(0);
  });

  it('names the file in every error: truncated gzip, corrupt gzip, bad contents, missing', async () => {
    const gz = gzipSync(encodeIdx({ data: randomU8(2000, new Random(6)), shape: [20, 10, 10] }));
    const cut = join(work, 'cut.gz');
    writeFileSync(cut, gz.subarray(0, gz.length - 30));
    await expect(loadIdxFile(cut)).rejects.toThrow(`${cut}: truncated or corrupt gzip file (unexpected end of file)`);
    const corrupt = join(work, 'corrupt.gz');
    const c = Buffer.from(gz);
    c[gz.length - 5] ^= 0xff; // the trailer's length field
    writeFileSync(corrupt, c);
    await expect(loadIdxFile(corrupt)).rejects.toThrow(new RegExp(`^${corrupt}: truncated or corrupt gzip file \\(`));
    const short = join(work, 'short');
    writeFileSync(short, bytes(...header(8, [10]), 1, 2));
    await expect(loadIdxFile(short)).rejects.toThrow(`${short}: truncated: header says 10 = 10 bytes of data, file has 2`);
    await expect(loadIdxFile(join(work, 'nope'))).rejects.toThrow(/ENOENT.*nope/);
  });
});

describe('gzip output capped at the length the IDX header declares', () => {
  // 64 MiB of zeros after a 10×10 header deflate to ~64 KB: without the cap, both paths would inflate all of it.
  const BOMB = 64 * 1024 * 1024;
  const bomb = () => {
    const raw = new Uint8Array(4 + 8 + BOMB);
    raw.set(header(8, [10, 10]));
    return gzipSync(raw);
  };
  const stoppedAt = (message: string) => Number(/\(stopped at (\d+)\)$/.exec(message)?.[1]);

  it('idxDeclaredLength reads the length from a complete header only, and refuses a non-IDX start', () => {
    const h = Uint8Array.from(header(8, [20, 28, 28]));
    expect(idxDeclaredLength(h.subarray(0, 3))).toBeNull();
    expect(idxDeclaredLength(h.subarray(0, 15))).toBeNull();
    expect(idxDeclaredLength(h)).toBe(16 + 20 * 28 * 28);
    expect(idxDeclaredLength(Uint8Array.from(header(0x0d, [3, 5])))).toBe(12 + 3 * 5 * 4);
    expect(() => idxDeclaredLength(bytes(0xff, 0xd8, 0xff, 0xe0), 'photo.jpg')).toThrow('photo.jpg: bad magic number 0xFF 0xD8 0xFF 0xE0');
  });

  it('loadIdxFile (node:zlib) stops at the first chunk past the declared length, naming the file', async () => {
    const path = join(work, 'bomb.gz');
    writeFileSync(path, bomb());
    const error = await loadIdxFile(path).then(() => null, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(IdxError);
    expect(error!.message).toMatch(new RegExp(`^${path}: decompresses to more than the 112 bytes its header declares \\(stopped at \\d+\\)$`));
    expect(stoppedAt(error!.message)).toBeLessThan(1024 * 1024);
  });

  it('parseIdxAsync (DecompressionStream) stops too, and a gzip stream that is not IDX stops at its first bytes', async () => {
    const error = await parseIdxAsync(bomb(), 'bomb.gz').then(() => null, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(IdxError);
    expect(error!.message).toMatch(/^bomb\.gz: decompresses to more than the 112 bytes its header declares \(stopped at \d+\)$/);
    expect(stoppedAt(error!.message)).toBeLessThan(BOMB / 4);
    const notIdx = gzipSync(new Uint8Array(BOMB).fill(0x41));
    await expect(parseIdxAsync(notIdx, 'text.gz')).rejects.toThrow('text.gz: bad magic number 0x41 0x41 0x41 0x41');
    // A plain gunzip without a check still returns everything (the cap is the IDX reader's, not gunzip's).
    expect((await gunzip(gzipSync(new Uint8Array(100_000)))).length).toBe(100_000);
  });
});

describe('loadIdxDirectory', () => {
  const TRAIN = 7;
  const TEST = 3;
  function writeSet(dir: string, opts: { channels?: number; gz?: string[]; dotted?: boolean; trainLabels?: number; testSize?: number } = {}) {
    mkdirSync(dir, { recursive: true });
    const rng = new Random(7);
    const c = opts.channels ?? 1;
    const h = 4;
    const w = 5;
    const ts = opts.testSize ?? w;
    const files: Record<string, Uint8Array> = {
      'train-images-idx3-ubyte': encodeIdx({ data: randomU8(TRAIN * h * w * c, rng), shape: c === 1 ? [TRAIN, h, w] : [TRAIN, h, w, c] }),
      'train-labels-idx1-ubyte': encodeIdx({ data: randomU8(opts.trainLabels ?? TRAIN, rng).map((v) => v % 10), shape: [opts.trainLabels ?? TRAIN] }),
      't10k-images-idx3-ubyte': encodeIdx({ data: randomU8(TEST * h * ts * c, rng), shape: c === 1 ? [TEST, h, ts] : [TEST, h, ts, c] }),
      't10k-labels-idx1-ubyte': encodeIdx({ data: randomU8(TEST, rng).map((v) => v % 10), shape: [TEST] }),
    };
    for (const [name, file] of Object.entries(files)) {
      const onDisk = opts.dotted ? name.replace(/-(idx\d)/, '.$1') : name;
      if (opts.gz?.includes(name)) writeFileSync(join(dir, `${onDisk}.gz`), gzipSync(file));
      else writeFileSync(join(dir, onDisk), file);
    }
    return files;
  }

  it('loads the four files, raw or gz, 1 or 3 channels, and the dotted names', async () => {
    const variants = [
      { name: 'raw1', channels: 1 },
      { name: 'gz3', channels: 3, gz: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] },
      { name: 'mixed-dotted', channels: 1, gz: ['train-images-idx3-ubyte', 't10k-labels-idx1-ubyte'], dotted: true },
    ];
    for (const v of variants) {
      const dir = join(work, v.name);
      const files = writeSet(dir, v);
      const set = await loadIdxDirectory(dir);
      expect(set.train.x.shape, v.name).toEqual([TRAIN, 4, 5, v.channels]);
      expect(set.test.x.shape, v.name).toEqual([TEST, 4, 5, v.channels]);
      const strip = (f: Uint8Array) => Array.from(parseIdx(f).data);
      expect(Array.from(set.train.x.data), v.name).toEqual(strip(files['train-images-idx3-ubyte']));
      expect(Array.from(set.train.y), v.name).toEqual(strip(files['train-labels-idx1-ubyte']));
      expect(Array.from(set.test.x.data), v.name).toEqual(strip(files['t10k-images-idx3-ubyte']));
      expect(Array.from(set.test.y), v.name).toEqual(strip(files['t10k-labels-idx1-ubyte']));
    }
  });

  it('refuses labels that do not match the images in count, naming both files and counts', async () => {
    const dir = join(work, 'mismatch');
    writeSet(dir, { trainLabels: TRAIN - 1 });
    await expect(loadIdxDirectory(dir)).rejects.toThrow(
      `${join(dir, 'train-labels-idx1-ubyte')} has 6 labels but ${join(dir, 'train-images-idx3-ubyte')} has 7 images`,
    );
  });

  it('refuses train and test images of different sizes', async () => {
    const dir = join(work, 'sizes');
    writeSet(dir, { testSize: 6 });
    await expect(loadIdxDirectory(dir)).rejects.toThrow(
      `${join(dir, 'train-images-idx3-ubyte')} holds 4×5×1 images but ${join(dir, 't10k-images-idx3-ubyte')} holds 4×6×1 images`,
    );
  });

  it('lists what it looked for when files are missing', async () => {
    const dir = join(work, 'missing');
    writeSet(dir);
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    await expect(loadIdxDirectory(dir)).rejects.toThrow(
      `${dir}: missing an IDX file: t10k-labels-idx1-ubyte (looked for t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz, t10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz)`,
    );
    rmSync(join(dir, 'train-images-idx3-ubyte'));
    await expect(loadIdxDirectory(dir)).rejects.toThrow(/missing 2 IDX files: train-images-idx3-ubyte \(looked for .*\); t10k-labels-idx1-ubyte \(looked for/);
    await expect(loadIdxDirectory(join(work, 'no-such-dir'))).rejects.toThrow(`${join(work, 'no-such-dir')}: cannot read the directory (ENOENT`);
  });

  it('fails whole, naming the file, when one file is a truncated .gz — never a partial data set', async () => {
    const dir = join(work, 'cut-gz');
    writeSet(dir, { gz: ['t10k-images-idx3-ubyte'] });
    const file = join(dir, 't10k-images-idx3-ubyte.gz');
    const gz = readFileSync(file);
    writeFileSync(file, gz.subarray(0, gz.length - 12));
    await expect(loadIdxDirectory(dir)).rejects.toThrow(`${file}: truncated or corrupt gzip file (unexpected end of file)`);
  });
});

describe('fuzz', () => {
  /** Either an Error, or an array whose data holds exactly what its shape says and re-encodes to the input. */
  function check(input: Uint8Array): 'ok' | 'error' {
    let parsed: IdxArray;
    try {
      parsed = parseIdx(input, 'fuzz');
    } catch (e) {
      expect(e).toBeInstanceOf(IdxError);
      expect((e as Error).message.startsWith('fuzz: ')).toBe(true);
      return 'error';
    }
    const count = parsed.shape.reduce((a, b) => a * b, 1);
    expect(parsed.data.length).toBe(count);
    const hasNaN = parsed.data instanceof Float32Array || parsed.data instanceof Float64Array ? parsed.data.some(Number.isNaN) : false;
    // NaN payloads may be canonicalised by the engine; everything else must come back bit for bit.
    if (!hasNaN) expect(Buffer.compare(encodeIdx(parsed), input)).toBe(0);
    return 'ok';
  }

  it('random bytes, with and without a plausible header, only ever parse consistently or throw', () => {
    const rng = new Random(2024);
    const types = [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x0a, 0x00];
    const sizes: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };
    const outcomes = { ok: 0, error: 0 };
    for (let i = 0; i < 3000; i++) {
      let input = randomU8(rng.int(48), rng);
      if (i % 3 !== 0 && input.length >= 4) {
        // a plausible header with small sizes
        const type = types[rng.int(types.length)];
        const dims = Array.from({ length: rng.int(4) }, () => rng.int(4));
        const head = header(type, dims);
        if (i % 3 === 1 && sizes[type]) {
          // ... and exactly the data it announces, so that these parse
          const n = dims.reduce((a, b) => a * b, 1) * sizes[type];
          input = Uint8Array.from([...head, ...randomU8(n, rng)]);
        } else {
          input.set(head.slice(0, input.length));
        }
      }
      outcomes[check(input)]++;
    }
    expect(outcomes.ok).toBeGreaterThan(500);
    expect(outcomes.error).toBeGreaterThan(2000);
  });

  it('every truncation and random bit flips of valid files only ever parse consistently or throw', () => {
    const rng = new Random(9);
    const valid = [
      encodeIdx({ data: randomU8(2 * 3 * 4, rng), shape: [2, 3, 4] }),
      encodeIdx({ data: Float32Array.from({ length: 6 }, () => rng.normal()), shape: [2, 3] }),
      encodeIdx({ data: Int16Array.from({ length: 5 }, () => rng.int(65536) - 32768), shape: [5] }),
      encodeIdx({ data: Float64Array.from({ length: 4 }, () => rng.normal()), shape: [1, 2, 2] }),
    ];
    let runs = 0;
    for (const file of valid) {
      expect(check(file)).toBe('ok');
      for (let n = 0; n < file.length; n++) {
        expect(check(file.subarray(0, n))).toBe('error');
        runs++;
      }
      for (let i = 0; i < 500; i++) {
        const mutated = file.slice();
        for (let k = 1 + rng.int(3); k > 0; k--) mutated[rng.int(mutated.length)] ^= 1 << rng.int(8);
        const extended = i % 5 === 0 ? Uint8Array.from([...mutated, rng.int(256)]) : mutated;
        check(extended);
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(2000);
  });
});

describe('browser safety', () => {
  it('the parser and gunzip import nothing but each other, types and the message formatter (no node:, no packages)', () => {
    for (const file of ['idx.ts', 'gunzip.ts', 'types.ts', '../errors.ts']) {
      const source = readFileSync(new URL(`../../src/data/${file}`, import.meta.url), 'utf8');
      const imports = [...source.matchAll(/(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
      expect(imports.every((s) => /^(\.\/(idx|gunzip|types)|\.\.\/errors)\.js$/.test(s)), `${file}: ${imports.join(', ')}`).toBe(true);
      expect(source).not.toMatch(/\b(require\(|process\.|Buffer\b)/);
    }
  });
});
