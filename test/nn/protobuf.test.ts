// The protobuf writer against encodings worked out by hand from protobuf's encoding guide (its own examples: 150 as
// field 1 is 08 96 01, "testing" as field 2 is 12 07 74 65 73 74 69 6e 67). ONNX Runtime reading whole models
// (onnx.test.ts) checks the rest; these pin the edges a model may not reach: int64s past 2^32 and negative ones.
import { expect, it } from 'vitest';
import { ProtoWriter } from '../../src/nn/protobuf.js';

const bytes = (w: ProtoWriter) => Array.from(w.finish());

it('writes varints, strings, floats and nested messages as protobuf does', () => {
  expect(bytes(new ProtoWriter().uint(1, 150))).toEqual([0x08, 0x96, 0x01]);
  expect(bytes(new ProtoWriter().string(2, 'testing'))).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
  expect(bytes(new ProtoWriter().uint(1, 0))).toEqual([0x08, 0x00]);
  // 2^40 = 2^35 · 32: five groups of seven zero bits, then 32.
  expect(bytes(new ProtoWriter().uint(3, 2 ** 40))).toEqual([0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
  // Field 16 needs a two-byte key: (16 << 3) | 0 = 128.
  expect(bytes(new ProtoWriter().uint(16, 1))).toEqual([0x80, 0x01, 0x01]);
  expect(bytes(new ProtoWriter().float(1, 1.5))).toEqual([0x0d, 0x00, 0x00, 0xc0, 0x3f]);
  const inner = new ProtoWriter().uint(1, 150);
  expect(bytes(new ProtoWriter().message(3, inner).uint(4, 1))).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01, 0x20, 0x01]);
});

it('writes negative int64s in ten bytes of two\'s complement, alone and packed', () => {
  const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  expect(bytes(new ProtoWriter().int64(1, -1))).toEqual([0x08, ...minusOne]);
  expect(bytes(new ProtoWriter().int64(1, 5))).toEqual([0x08, 0x05]);
  const minusTwo = [0xfe, ...minusOne.slice(1)];
  expect(bytes(new ProtoWriter().packedInt64(1, [3, 270, -2]))).toEqual([0x0a, 13, 0x03, 0x8e, 0x02, ...minusTwo]);
});

it('refuses values a varint cannot hold exactly', () => {
  expect(() => new ProtoWriter().uint(1, 2 ** 53)).toThrow('protobuf varint out of range: 9007199254740992');
  expect(() => new ProtoWriter().uint(1, -3)).toThrow('protobuf varint out of range: -3');
  expect(() => new ProtoWriter().uint(1, 0.5)).toThrow('protobuf varint out of range: 0.5');
});
