// Property-based tests of the IDX parser (parseIdx, and parseIdxAsync with gzip): what encodeIdx writes parses
// back to the same array; any other bytes either parse to an array that encodes back to exactly those bytes (the
// format has one encoding per array, so that is the reference) or throw an IdxError naming the file; the input
// bytes are never changed.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, parseIdxAsync } from '../../src/data/idx.js';
import { anything, attempt, attemptAsync, params, timeoutFor } from './fuzz.js';

const NAME = 'fuzzed.idx';
const IDX_WORDS = ['bad magic', 'data type', 'dimensions', 'truncated', 'trailing', 'gzip', 'header', 'decompress', 'declares', 'bytes'];

const ARRAYS = {
  uint8: (v: number[]) => Uint8Array.from(v, (x) => x & 255),
  int8: (v: number[]) => Int8Array.from(v, (x) => (x & 255) - 128),
  int16: (v: number[]) => Int16Array.from(v, (x) => (x & 0xffff) - 0x8000),
  int32: (v: number[]) => Int32Array.from(v, (x) => x | 0),
  float32: (v: number[]) => Float32Array.from(v, (x) => x / 7),
  float64: (v: number[]) => Float64Array.from(v, (x) => x / 7),
};

/** An array of any IDX type and a shape of 1–4 dimensions (zeros included) that holds it. */
const idxArrays = fc
  .record({ dtype: fc.constantFrom(...(Object.keys(ARRAYS) as (keyof typeof ARRAYS)[])), shape: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }) })
  .chain(({ dtype, shape }) => {
    const count = shape.reduce((a, b) => a * b, 1);
    return fc.array(fc.integer(), { minLength: count, maxLength: count }).map((values) => ({ dtype, shape, data: ARRAYS[dtype](values) }));
  });

/** Bytes near a valid file: a valid file with bytes changed, cut short or extended, or bytes of no file at all. */
const nearIdx = fc.oneof(
  idxArrays.chain((a) => {
    const bytes = encodeIdx(a);
    return fc.oneof(
      fc.array(fc.record({ at: fc.nat({ max: Math.max(0, bytes.length - 1) }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 3 }).map((edits) => {
        const out = bytes.slice();
        for (const { at, value } of edits) if (at < out.length) out[at] = value;
        return out;
      }),
      fc.nat({ max: bytes.length }).map((n) => bytes.slice(0, n)),
      fc.uint8Array({ maxLength: 9 }).map((tail) => Uint8Array.from([...bytes, ...tail])),
    );
  }),
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 24 }).map((b) => Uint8Array.from([0, 0, ...b])),
);

function sameBytes(a: Uint8Array, b: Uint8Array) {
  expect(a.length).toBe(b.length);
  expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
}

describe('fuzz: IDX parsing', () => {
  it('parseIdx reads back what encodeIdx writes, bit for bit', () => {
    fc.assert(fc.property(idxArrays, (a) => {
      const bytes = encodeIdx(a);
      const parsed = parseIdx(bytes, NAME);
      expect(parsed.dtype).toBe(a.dtype);
      expect(parsed.shape).toEqual(a.shape);
      const bits = (d: ArrayBufferView) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      sameBytes(bits(parsed.data), bits(a.data));
    }), params(300));
  });

  it('parseIdx on any other bytes: an array that encodes back to them, or an IdxError naming the file', () => {
    fc.assert(fc.property(nearIdx, fc.boolean(), (bytes, asBuffer) => {
      const copy = bytes.slice();
      const input = asBuffer ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) : bytes;
      const parsed = attempt(() => parseIdx(input, NAME), [NAME], IDX_WORDS);
      sameBytes(bytes, copy);
      if (parsed !== undefined) sameBytes(encodeIdx(parsed), bytes);
    }), params(600));
  });

  it('parseIdxAsync on gzip of those bytes, or on broken gzip: the same result as parseIdx, or an error naming the file', async () => {
    const gz = nearIdx.chain((bytes) => fc.oneof(
      fc.constant({ bytes, gzip: gzipSync(bytes) as Uint8Array }),
      fc.nat().map((cut) => {
        const gzip = gzipSync(bytes) as Uint8Array;
        return { bytes: null, gzip: gzip.subarray(0, 2 + (cut % Math.max(1, gzip.length - 2))) };
      }),
      fc.uint8Array({ maxLength: 40 }).map((junk) => ({ bytes: null, gzip: Uint8Array.from([0x1f, 0x8b, ...junk]) })),
    ));
    // maxBytes: none (2 GiB), or one the file may exceed (then refused from the header), or a bad one (named).
    const maxBytes = fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 200 }), fc.constantFrom(0, -1, 1.5, NaN, '9'));
    await fc.assert(fc.asyncProperty(gz, maxBytes, async ({ bytes, gzip }, max) => {
      const copy = gzip.slice();
      const options = max === undefined ? undefined : { maxBytes: max as number };
      const parsed = await attemptAsync(() => parseIdxAsync(gzip, NAME, options), [NAME, 'parseIdxAsync'], [...IDX_WORDS, 'maxBytes']);
      sameBytes(gzip, copy);
      if (parsed !== undefined) {
        const encoded = encodeIdx(parsed);
        if (bytes !== null) sameBytes(encoded, bytes);
        if (typeof max === 'number') expect(encoded.length).toBeLessThanOrEqual(max);
      } else if (bytes !== null && (max === undefined || (typeof max === 'number' && Number.isInteger(max) && max >= bytes.length))) {
        // A valid gzip of bytes parseIdx accepts must parse.
        expect(attempt(() => parseIdx(bytes, NAME), [NAME], IDX_WORDS)).toBeUndefined();
      }
    }), { ...params(200), timeout: 5_000 }); // a run that takes 5 s is a hang: the property fails
  }, timeoutFor(60_000));

  it('parseIdx says when its input is not bytes', () => {
    const notBytes = anything.filter((v) => !(v instanceof Uint8Array) && !(v instanceof ArrayBuffer));
    fc.assert(fc.property(notBytes, (input) => {
      expect(() => parseIdx(input as never, NAME)).toThrow(/Uint8Array|ArrayBuffer/);
    }), params(100));
  });
});
