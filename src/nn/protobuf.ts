// The few pieces of Protocol Buffers' wire format an ONNX file needs, written by hand: ONNX export is one message
// tree written once, so a writer of varints, fixed 32-bit floats and length-delimited fields (about 80 lines) does
// it, where a protobuf library would be the package's first runtime dependency and bring a schema compiler's output
// with it. Wire types: 0 varint, 2 length-delimited, 5 fixed 32-bit (protobuf's encoding guide).
// Fields are written in the order they are called; a nested message is finished first, then copied in whole
// behind its length (ONNX models are a few MB, so the copy costs nothing that matters).

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private pending: number[] = [];
  private size = 0;

  /** An unsigned integer (uint32/uint64/int64 ≥ 0, enums, bools) up to 2^53. */
  uint(field: number, value: number): this {
    this.key(field, VARINT);
    this.varint(value);
    return this;
  }

  /** An int64, negative ones as protobuf writes them: two's complement over 64 bits, ten bytes. */
  int64(field: number, value: number): this {
    this.key(field, VARINT);
    if (value >= 0) this.varint(value);
    else this.int64Raw(value);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.pending.push(...bytes);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, LENGTH_DELIMITED);
    this.varint(data.length);
    this.flushPending();
    this.chunks.push(data);
    this.size += data.length;
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, utf8.encode(text));
  }

  message(field: number, body: ProtoWriter): this {
    return this.bytes(field, body.finish());
  }

  /** A packed repeated int64 field (ONNX's dims and ints are non-negative here, or negative int64s). */
  packedInt64(field: number, values: readonly number[]): this {
    const body = new ProtoWriter();
    for (const v of values) {
      if (v >= 0) body.varint(v);
      else body.int64Raw(v);
    }
    return this.bytes(field, body.finish());
  }

  finish(): Uint8Array {
    this.flushPending();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.chunks = [out];
    return out;
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`pixprep internal error: protobuf varint out of range: ${value}`);
    }
    // Division rather than >>> so that values past 2^32 (int64 fields) stay exact.
    while (value >= 0x80) {
      this.pending.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.pending.push(value);
  }

  private int64Raw(value: number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.pending.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.pending.push(Number(v));
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Uint8Array.from(this.pending));
    this.size += this.pending.length;
    this.pending = [];
  }
}
