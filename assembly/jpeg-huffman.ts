// The entropy decoding of a sequential JPEG scan (src/kernels/jpeg-huffman.ts is the twin and says what it computes
// and why): the same reader and the same packed tables, the 64-bit bit buffer in one u64 (the twin's hi and lo),
// eight bytes taken at once when none is 0xFF (the same bytes the byte loop would take), the DC and AC codes in
// separate loops, no bounds checks. Every read of `data` stays below `length`.

const LOOKAHEAD: i32 = 9;
const FAST: i32 = 0;
const MAXCODE: i32 = 512;
const VALOFFSET: i32 = 530;
const VALUES: i32 = 548;
const WORDS: i32 = 804;
const FIELDS: i32 = 6;
// Statuses (the twin's SCAN_*), table layout (HUFFMAN_*) and plan fields (MCU_FIELDS).
const OK: i32 = 0, BAD_CODE: i32 = 1, NO_RESTART: i32 = 2, INTERRUPTED: i32 = 3, TRUNCATED: i32 = 4;
const NATURAL = memory.data<u8>([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);
const predictors = memory.data(16, 16);
@inline function word(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }

// The reader's state, shared by the inlined helpers below (the twin's locals).
let gBits: u64 = 0;
let gCount: i32 = 0;
let gPos: i32 = 0;
let gMarker = false;
let gPad: i32 = 0;

@inline function refill(data: usize, n: i32): void {
  let bits = gBits, count = gCount, pos = gPos;
  if (!gMarker && pos + 8 <= n) {
    const w = bswap<u64>(load<u64>(data + <usize>pos));
    const t = ~w;
    if (((t - 0x0101010101010101) & ~t & 0x8080808080808080) == 0) {
      const k = (64 - count) >> 3;
      bits = k == 8 ? w : (bits << <u64>(8 * k)) | (w >> <u64>(64 - 8 * k));
      gBits = bits; gCount = count + 8 * k; gPos = pos + k;
      return;
    }
  }
  while (count <= 56) {
    let byte: u64 = 0;
    if (!gMarker && pos < n) {
      byte = <u64>load<u8>(data + <usize>pos);
      if (byte == 0xff) {
        const next: u32 = pos + 1 < n ? <u32>load<u8>(data + <usize>pos, 1) : 0x100;
        if (next == 0) pos += 2;
        else if (next == 0xff) { pos++; continue; }
        else { gMarker = true; byte = 0; gPad += 8; }
      } else pos++;
    } else gPad += 8;
    bits = (bits << 8) | byte;
    count += 8;
  }
  gBits = bits; gCount = count; gPos = pos;
}

/**
 * The next code of `table` in the bit buffer (bits, count): (length << 8) | symbol, or −1 for a bit pattern no code
 * starts. Needs count ≥ 16. The buffer comes in as arguments: the decoding loop keeps it in locals (registers),
 * which mutable globals are not (each use of a global is a load or a store).
 */
@inline function decode(table: usize, bits: u64, count: i32): i32 {
  let entry = word(table, FAST + <i32>((bits >> <u64>(count - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)));
  if (entry == 0) {
    let len = LOOKAHEAD + 1;
    for (; len <= 16; len++) {
      const code = <i32>((bits >> <u64>(count - len)) & ((<u64>1 << <u64>len) - 1));
      if (code <= word(table, MAXCODE + len)) return (len << 8) | word(table, VALUES + word(table, VALOFFSET + len) + code);
    }
    return -1;
  }
  return entry;
}

export function jpegDecodeSequential(coefficients: usize, state: usize, data: usize, tables: usize, mcu: usize,
  start: i32, length: i32, blocksPerMcu: i32, mcusPerLine: i32, mcuCount: i32, restartInterval: i32): void {
  const n = length;
  gPos = start; gBits = 0; gCount = 0; gMarker = false; gPad = 0;
  memory.fill(predictors, 0, 16);
  let status = OK;
  let m = 0;
  for (; m < mcuCount; m++) {
    if (restartInterval > 0 && m > 0 && m % restartInterval == 0) {
      gBits = 0; gCount = 0; gPad = 0;
      let pos = gPos;
      while (pos + 1 < n && load<u8>(data + <usize>pos) == 0xff && load<u8>(data + <usize>pos, 1) == 0xff) pos++;
      if (pos + 1 < n && load<u8>(data + <usize>pos) == 0xff && load<u8>(data + <usize>pos, 1) >= 0xd0 && load<u8>(data + <usize>pos, 1) <= 0xd7) {
        gPos = pos + 2; gMarker = false;
      } else { gPos = pos; status = pos >= n ? TRUNCATED : NO_RESTART; break; }
      memory.fill(predictors, 0, 16);
    }
    const mr = m / mcusPerLine;
    const mc = m - mr * mcusPerLine;
    let failed = false;
    // The bit buffer in locals for the MCU (the globals only around a refill, which needs them: the slow path).
    let bits = gBits, count = gCount;
    for (let b = 0; b < blocksPerMcu; b++) {
      const d = mcu + (<usize>(b * FIELDS) << 2);
      const slot = predictors + (<usize>load<i32>(d) << 2);
      const block = coefficients + (<usize>(load<i32>(d, 4) + mr * load<i32>(d, 8) + mc * load<i32>(d, 12)) << 2);
      // DC
      if (count < 32) { gBits = bits; gCount = count; refill(data, n); bits = gBits; count = gCount; }
      let entry = decode(tables + (<usize>(load<i32>(d, 16) * WORDS) << 2), bits, count);
      if (entry < 0) { status = BAD_CODE; failed = true; break; }
      count -= entry >> 8;
      let size = entry & 255;
      let value: i32 = 0;
      if (size != 0) {
        value = <i32>(bits >> <u64>(count - size)) & ((1 << size) - 1);
        count -= size;
        if (value < 1 << (size - 1)) value += 1 - (1 << size);
      }
      const p = load<i32>(slot) + value;
      store<i32>(slot, p);
      store<i32>(block, <i32><i16>p);
      const table = tables + (<usize>(load<i32>(d, 20) * WORDS) << 2);
      let k = 1;
      while (k < 64) {
        if (count < 32) { gBits = bits; gCount = count; refill(data, n); bits = gBits; count = gCount; }
        entry = decode(table, bits, count);
        if (entry < 0) { status = BAD_CODE; failed = true; break; }
        count -= entry >> 8;
        const symbol = entry & 255;
        size = symbol & 15;
        if (size == 0) {
          if (symbol >> 4 != 15) break;
          k += 16;
          continue;
        }
        k += symbol >> 4;
        value = <i32>(bits >> <u64>(count - size)) & ((1 << size) - 1);
        count -= size;
        if (value < 1 << (size - 1)) value += 1 - (1 << size);
        store<i32>(block + (<usize>load<u8>(NATURAL + <usize>k) << 2), value); // |value| < 2^15: a JCOEF as it is
        k++;
      }
      if (failed) break;
    }
    gBits = bits; gCount = count;
    if (failed) break;
    if (gPad > gCount) { status = gMarker && gPos < n ? INTERRUPTED : TRUNCATED; break; }
  }
  store<i32>(state, status);
  store<i32>(state, status == NO_RESTART ? m : gPos, 4);
}
