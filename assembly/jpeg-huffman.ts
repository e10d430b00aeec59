// The entropy decoding of a sequential JPEG scan (src/kernels/jpeg-huffman.ts is the twin and says what it computes
// and why): the same loop over the same packed tables, with the bit buffer in locals and no bounds checks. Every
// read of `data` stays below `length` (the twin reads past it as "no byte"; here the guard is explicit).

const LOOKAHEAD: i32 = 9;
const FAST: i32 = 0;
const MAXCODE: i32 = 512;
const VALOFFSET: i32 = 530;
const VALUES: i32 = 548;
const WORDS: i32 = 804;
const FIELDS: i32 = 6;
const OK: i32 = 0, BAD_CODE: i32 = 1, NO_RESTART: i32 = 2, INTERRUPTED: i32 = 3, TRUNCATED: i32 = 4;

// Zigzag → natural, 16 entries of 63 past the end (see the twin).
const NATURAL = memory.data<u8>([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

// The DC predictions of the (at most four) components of a scan.
const predictors = memory.data(16, 16);

@inline function word(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

export function jpegDecodeSequential(coefficients: usize, state: usize, data: usize, tables: usize, mcu: usize,
  start: i32, length: i32, blocksPerMcu: i32, mcusPerLine: i32, mcuCount: i32, restartInterval: i32): void {
  const n = length;
  let pos = start;
  let bits: u32 = 0;
  let count: i32 = 0;
  let marker = false;
  let padBits: i32 = 0;
  memory.fill(predictors, 0, 16);
  let status = OK;
  for (let m = 0; m < mcuCount; m++) {
    if (restartInterval > 0 && m > 0 && m % restartInterval == 0) {
      bits = 0;
      count = 0;
      padBits = 0;
      while (pos + 1 < n && load<u8>(data + <usize>pos) == 0xff && load<u8>(data + <usize>pos, 1) == 0xff) pos++;
      if (pos + 1 < n && load<u8>(data + <usize>pos) == 0xff && load<u8>(data + <usize>pos, 1) >= 0xd0 &&
        load<u8>(data + <usize>pos, 1) <= 0xd7) {
        pos += 2;
        marker = false;
      } else {
        status = pos >= n ? TRUNCATED : NO_RESTART;
        break;
      }
      memory.fill(predictors, 0, 16);
    }
    const mr = m / mcusPerLine;
    const mc = m - mr * mcusPerLine;
    let failed = false;
    for (let b = 0; b < blocksPerMcu; b++) {
      const d = mcu + (<usize>(b * FIELDS) << 2);
      const slot = predictors + (<usize>load<i32>(d) << 2);
      const block = coefficients + (<usize>(load<i32>(d, 4) + mr * load<i32>(d, 8) + mc * load<i32>(d, 12)) << 2);
      let table = tables + (<usize>(load<i32>(d, 16) * WORDS) << 2);
      let k = 0;
      while (k < 64) {
        if (count <= 24 && count >= 0 && !marker && pos + 4 <= n) {
          // Fast refill: the bytes the loop below would take, at once, when none of the next four is 0xFF (the
          // same bits, count and pos as the loop: it adds whole bytes until count > 24).
          const w = bswap<u32>(load<u32>(data + <usize>pos));
          const t = ~w;
          if (((t - 0x01010101) & ~t & 0x80808080) == 0) {
            const k = ((24 - count) >> 3) + 1;
            bits = k == 4 ? w : (bits << <u32>(8 * k)) | (w >> <u32>(32 - 8 * k));
            count += 8 * k;
            pos += k;
          }
        }
        while (count <= 24) {
          let byte: u32 = 0;
          if (!marker && pos < n) {
            byte = <u32>load<u8>(data + <usize>pos);
            if (byte == 0xff) {
              const next: u32 = pos + 1 < n ? <u32>load<u8>(data + <usize>pos, 1) : 0x100;
              if (next == 0) pos += 2;
              else if (next == 0xff) {
                pos++;
                continue;
              } else {
                marker = true;
                byte = 0;
                padBits += 8;
              }
            } else pos++;
          } else padBits += 8;
          bits = (bits << 8) | byte;
          count += 8;
        }
        let entry = word(table, FAST + <i32>((bits >> <u32>(count - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)));
        if (entry == 0) {
          let len = LOOKAHEAD + 1;
          for (; len <= 16; len++) {
            const code = <i32>((bits >> <u32>(count - len)) & ((<u32>1 << <u32>len) - 1));
            if (code <= word(table, MAXCODE + len)) {
              entry = (len << 8) | word(table, VALUES + word(table, VALOFFSET + len) + code);
              break;
            }
          }
          if (len > 16) {
            status = BAD_CODE;
            failed = true;
            break;
          }
        }
        count -= entry >> 8;
        const symbol = entry & 255;
        const size = k == 0 ? symbol : symbol & 15;
        let value: i32 = 0;
        if (size != 0) {
          if (count < size) {
            if (count <= 24 && count >= 0 && !marker && pos + 4 <= n) {
              const w = bswap<u32>(load<u32>(data + <usize>pos));
              const t = ~w;
              if (((t - 0x01010101) & ~t & 0x80808080) == 0) {
                const k = ((24 - count) >> 3) + 1;
                bits = k == 4 ? w : (bits << <u32>(8 * k)) | (w >> <u32>(32 - 8 * k));
                count += 8 * k;
                pos += k;
              }
            }
            while (count <= 24) {
              let byte: u32 = 0;
              if (!marker && pos < n) {
                byte = <u32>load<u8>(data + <usize>pos);
                if (byte == 0xff) {
                  const next: u32 = pos + 1 < n ? <u32>load<u8>(data + <usize>pos, 1) : 0x100;
                  if (next == 0) pos += 2;
                  else if (next == 0xff) {
                    pos++;
                    continue;
                  } else {
                    marker = true;
                    byte = 0;
                    padBits += 8;
                  }
                } else pos++;
              } else padBits += 8;
              bits = (bits << 8) | byte;
              count += 8;
            }
          }
          value = <i32>(bits >> <u32>(count - size)) & ((1 << size) - 1);
          count -= size;
          if (value < 1 << (size - 1)) value += 1 - (1 << size);
        }
        if (k == 0) {
          const p = load<i32>(slot) + value;
          store<i32>(slot, p);
          store<i32>(block, <i32><i16>p);
          table = tables + (<usize>(load<i32>(d, 20) * WORDS) << 2);
          k = 1;
          continue;
        }
        if (size == 0) {
          if (symbol >> 4 != 15) break;
          k += 16;
          continue;
        }
        k += symbol >> 4;
        store<i32>(block + (<usize>load<u8>(NATURAL + <usize>k) << 2), <i32><i16>value);
        k++;
      }
      if (failed) break;
    }
    if (failed) break;
    if (padBits > count) {
      status = marker && pos < n ? INTERRUPTED : TRUNCATED;
      break;
    }
  }
  store<i32>(state, status);
  store<i32>(state, pos, 4);
}
