// TypeScript twin of assembly/jpeg-huffman.ts: the entropy decoding of a sequential (baseline or extended Huffman)
// JPEG scan, ITU T.81 F.2.2, into blocks of quantized coefficients in natural order. src/image/jpeg-scan.ts reads
// the scan header, builds the tables (in the packed layout below) and the per-block plan, calls this kernel and turns
// its status into an error message. Progressive scans stay in jpeg-scan.ts (TypeScript only): they are rare in data
// sets and their band-by-band passes touch each coefficient several times anyway.

/** LOOKAHEAD bits index the fast table: a code of at most that many bits is one lookup. */
export const HUFFMAN_LOOKAHEAD = 9;
/**
 * One Huffman table packed in HUFFMAN_WORDS i32 (the layout both twins read):
 * [0, 512)   fast: (code length << 8) | symbol for every 9-bit prefix that starts with a code of ≤ 9 bits, else 0;
 * [512, 530) maxCode[len], len 0..17: the largest code of that length, −1 when none (17: a sentinel, 2^31 − 1);
 * [530, 548) valOffset[len]: values index of a code of that length = valOffset[len] + code;
 * [548, 804) values: the symbols in code order.
 */
export const HUFFMAN_FAST = 0;
export const HUFFMAN_MAXCODE = 512;
export const HUFFMAN_VALOFFSET = 530;
export const HUFFMAN_VALUES = 548;
export const HUFFMAN_WORDS = 804;
/**
 * The plan of one MCU: MCU_FIELDS i32 per block, in the order the scan codes them: the component's slot (0..3, its
 * DC predictor), the coefficient offset of that block in MCU (0, 0), the offsets one MCU row down and one MCU right,
 * and the tables (indices of HUFFMAN_WORDS-word tables in `tables`) for DC and AC.
 */
export const MCU_FIELDS = 6;
/** state[0] after a call: how the scan ended; state[1]: the byte offset it ended at (see each status). */
export const SCAN_OK = 0; // state[1]: where the reader stopped (jpegDecodeSequential says how far that can be)
export const SCAN_BAD_CODE = 1; // a bit pattern no code of the table starts
export const SCAN_NO_RESTART = 2; // state[1]: the MCU a restart marker should have come before
export const SCAN_INTERRUPTED = 3; // state[1]: the marker that cut the data short
export const SCAN_TRUNCATED = 4; // the file ends inside the data

// Zigzag position → natural position, with 16 extra entries at 63 so that a corrupt run length cannot write outside
// the block (libjpeg's jpeg_natural_order does the same).
const NATURAL = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

const predictors = new Int32Array(4);

/**
 * Decodes mcuCount MCUs of a sequential scan whose entropy-coded data starts at data[start] (data holds `length`
 * bytes: the scan runs until a marker or the end), writing each block's 64 coefficients (zigzag order undone,
 * stored as libjpeg's 16-bit JCOEF: wrapped to −32768..32767) at its offset in `coefficients`; coefficients not coded
 * are left as they are (the caller zeroes them). DC tables must hold no symbol above 15 (libjpeg refuses them too:
 * jpeg_make_d_derived_tbl), so a code and its value bits take at most 31 bits.
 *
 * The bit reader: a 64-bit buffer (hi, lo here; one u64 in wasm), refilled before a symbol whenever it holds fewer
 * than 32 bits, a byte at a time until it holds more than 56. 0xFF00 is a stuffed 0xFF, 0xFF 0xFF is fill, any
 * other marker ends the data and zero bits are fed after it; using one of those zero bits is an error (checked after
 * each MCU, as libjpeg warns at the same point), never zeros decoded as pixels. Every restartInterval MCUs (0: none)
 * the reader expects RSTn (after optional fill bytes), drops the bits left and resets the DC predictions.
 * Writes state[0] (a SCAN_* status) and state[1]: the byte offset the reader reached (SCAN_OK: at most 8 bytes past
 * the last bit used, never past a marker; SCAN_INTERRUPTED: the marker), or for SCAN_NO_RESTART the MCU index that
 * should have followed a restart marker.
 */
export function jpegDecodeSequential(coefficients: Int32Array, state: Int32Array, data: Uint8Array, tables: Int32Array,
  mcu: Int32Array, start: number, length: number, blocksPerMcu: number, mcusPerLine: number, mcuCount: number,
  restartInterval: number): void {
  const n = length;
  let pos = start;
  let hi = 0;
  let lo = 0;
  let count = 0;
  let marker = false;
  let padBits = 0;
  predictors.fill(0);
  let status = SCAN_OK;
  let m = 0;
  outer: for (; m < mcuCount; m++) {
    if (restartInterval > 0 && m > 0 && m % restartInterval === 0) {
      hi = lo = count = padBits = 0;
      while (pos + 1 < n && data[pos] === 0xff && data[pos + 1] === 0xff) pos++;
      if (pos + 1 < n && data[pos] === 0xff && data[pos + 1] >= 0xd0 && data[pos + 1] <= 0xd7) {
        pos += 2;
        marker = false;
      } else {
        status = pos >= n ? SCAN_TRUNCATED : SCAN_NO_RESTART;
        break;
      }
      predictors.fill(0);
    }
    const mr = Math.floor(m / mcusPerLine);
    const mc = m - mr * mcusPerLine;
    for (let b = 0; b < blocksPerMcu; b++) {
      const d = b * MCU_FIELDS;
      const slot = mcu[d];
      const offset = mcu[d + 1] + mr * mcu[d + 2] + mc * mcu[d + 3];
      let table = mcu[d + 4] * HUFFMAN_WORDS;
      for (let k = 0; k < 64;) {
        if (count < 32) {
          while (count <= 56) {
            let byte = 0;
            if (!marker && pos < n) {
              byte = data[pos];
              if (byte === 0xff) {
                const next = pos + 1 < n ? data[pos + 1] : 0x100;
                if (next === 0) pos += 2;
                else if (next === 0xff) {
                  pos++;
                  continue;
                } else {
                  marker = true;
                  byte = 0;
                  padBits += 8;
                }
              } else pos++;
            } else padBits += 8;
            hi = (hi << 8) | (lo >>> 24);
            lo = (lo << 8) | byte;
            count += 8;
          }
        }
        // The 9 bits after the `count - 9` bits still to come: the fast table's index.
        let s = count - HUFFMAN_LOOKAHEAD;
        let entry = tables[table + HUFFMAN_FAST + ((s >= 32 ? hi >>> (s - 32) : (hi << (32 - s)) | (lo >>> s)) & ((1 << HUFFMAN_LOOKAHEAD) - 1))];
        if (entry === 0) {
          // The slow path: codes longer than the lookahead, one length at a time.
          let len = HUFFMAN_LOOKAHEAD + 1;
          for (; len <= 16; len++) {
            s = count - len;
            const code = (s >= 32 ? hi >>> (s - 32) : (hi << (32 - s)) | (lo >>> s)) & ((1 << len) - 1);
            if (code <= tables[table + HUFFMAN_MAXCODE + len]) {
              entry = (len << 8) | tables[table + HUFFMAN_VALUES + tables[table + HUFFMAN_VALOFFSET + len] + code];
              break;
            }
          }
          if (len > 16) {
            status = SCAN_BAD_CODE;
            break outer;
          }
        }
        count -= entry >> 8;
        const symbol = entry & 255;
        const size = k === 0 ? symbol : symbol & 15;
        let value = 0;
        if (size !== 0) {
          s = count - size; // ≥ 1: count was ≥ 32, the code took ≤ 16 bits, size ≤ 15
          value = (s >= 32 ? hi >>> (s - 32) : (hi << (32 - s)) | (lo >>> s)) & ((1 << size) - 1);
          count -= size;
          if (value < 1 << (size - 1)) value += 1 - (1 << size);
        }
        if (k === 0) {
          predictors[slot] += value;
          coefficients[offset] = (predictors[slot] << 16) >> 16;
          table = mcu[d + 5] * HUFFMAN_WORDS;
          k = 1;
          continue;
        }
        if (size === 0) {
          if (symbol >> 4 !== 15) break;
          k += 16;
          continue;
        }
        k += symbol >> 4;
        coefficients[offset + NATURAL[k]] = (value << 16) >> 16;
        k++;
      }
    }
    if (padBits > count) {
      status = marker && pos < n ? SCAN_INTERRUPTED : SCAN_TRUNCATED;
      break;
    }
  }
  state[0] = status;
  state[1] = status === SCAN_NO_RESTART ? m : pos;
}
