// JPEG entropy decoding (ITU T.81 annexes F and G): Huffman tables, and the scans that fill each component's
// blocks of quantized coefficients: sequential (baseline, extended) in the backend's kernel (jpegDecodeSequential,
// src/kernels/jpeg-huffman.ts and its wasm twin), progressive band by band here (spectral selection and successive
// approximation, as libjpeg's jdphuff.c). jpeg.ts reads the markers and turns the coefficients into pixels.
import { ImageError } from './img.js';
import {
  HUFFMAN_FAST, HUFFMAN_LOOKAHEAD, HUFFMAN_MAXCODE, HUFFMAN_VALOFFSET, HUFFMAN_VALUES, HUFFMAN_WORDS, MCU_FIELDS,
  SCAN_BAD_CODE, SCAN_INTERRUPTED, SCAN_NO_RESTART, SCAN_OK,
} from '../kernels/jpeg-huffman.js';
import type { Kernels } from '../kernels/types.js';
import type { HeapBlock } from '../runtime/heap.js';

// Zigzag position → natural (row-major) position, with 16 extra entries pointing at 63 so that a corrupt run
// length cannot write outside the block (libjpeg's jpeg_natural_order does the same).
export const NATURAL = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

/** A Huffman table in the kernel's packed layout (src/kernels/jpeg-huffman.ts), and views of its parts. */
export interface Huffman {
  packed: Int32Array;
  /** 9-bit lookahead: (length << 8) | symbol, 0 when the code is longer. */
  fast: Int32Array;
  maxCode: Int32Array; // per length 1..16 (index 17: sentinel)
  valOffset: Int32Array;
  values: Int32Array;
}

export const LOOKAHEAD = HUFFMAN_LOOKAHEAD;

/** A coefficient as libjpeg stores it (JCOEF, 16 bits): wrapped, as the Int16Array this file once wrote. */
const jcoef = (v: number) => (v << 16) >> 16;

/** A Huffman table (class DC when `dc`): a DC table's symbols are bit counts, at most 15 (libjpeg refuses more too). */
export function buildHuffman(counts: Uint8Array, values: Uint8Array, name: string, dc: boolean): Huffman {
  if (dc) {
    for (const v of values) if (v > 15) throw new ImageError(`${name}: corrupt JPEG: a DC Huffman table has the symbol ${v} (at most 15)`);
  }
  const packed = new Int32Array(HUFFMAN_WORDS);
  const table: Huffman = {
    packed,
    fast: packed.subarray(HUFFMAN_FAST, HUFFMAN_FAST + (1 << LOOKAHEAD)),
    maxCode: packed.subarray(HUFFMAN_MAXCODE, HUFFMAN_MAXCODE + 18),
    valOffset: packed.subarray(HUFFMAN_VALOFFSET, HUFFMAN_VALOFFSET + 18),
    values: packed.subarray(HUFFMAN_VALUES, HUFFMAN_VALUES + 256),
  };
  const { fast, maxCode, valOffset } = table;
  table.values.set(values);
  maxCode.fill(-1);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1];
    valOffset[len] = k - code;
    for (let i = 0; i < n; i++, k++, code++) {
      if (len <= LOOKAHEAD) {
        const shift = LOOKAHEAD - len;
        for (let j = 0; j < 1 << shift; j++) fast[(code << shift) | j] = (len << 8) | values[k];
      }
    }
    if (n > 0) maxCode[len] = code - 1;
    if (code > 1 << len) throw new ImageError(`${name}: corrupt JPEG: a Huffman table has more codes than its lengths allow`);
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return table;
}

export interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** Blocks per line and column, padded to whole MCUs of the frame. */
  blocksPerLine: number;
  blocksPerColumn: number;
  /** The component's own size in samples (libjpeg's downsampled_width / height). */
  width: number;
  height: number;
  /** Where this component's blocks start in the image's coefficient memory (ScanMemory.coefficients), in i32. */
  coefficientOffset: number;
  /** This component's blocks, a view of that memory set for the scan being decoded (progressive scans). */
  coefficients: Int32Array;
  dcPredictor: number;
}

/**
 * Kernel memory for one image's scans: the file's bytes, every component's coefficients (zeroed), the tables and
 * the MCU plan of a scan, the kernel's status. Views are taken at each use (an allocation may grow the heap).
 */
export interface ScanMemory {
  data: HeapBlock<'u8'>;
  coefficients: HeapBlock<'i32'>;
  tables: HeapBlock<'i32'>;
  mcu: HeapBlock<'i32'>;
  state: HeapBlock<'i32'>;
}

/** At most 4 DC and 4 AC tables in a scan; at most 10 blocks in an MCU (T.81 B.2.3). */
export const SCAN_TABLES = 8;
export const MCU_BLOCKS = 10;

export interface Frame {
  width: number;
  height: number;
  progressive: boolean;
  components: Component[];
  hMax: number;
  vMax: number;
  mcusPerLine: number;
  mcusPerColumn: number;
}


/**
 * Decodes one scan's entropy-coded data starting after its header (sequential scans go to decodeSequential);
 * returns the offset of the marker after it.
 */
export function decodeScan(bytes: Uint8Array, s: number, e: number, frame: Frame, dcTables: (Huffman | null)[],
  acTables: (Huffman | null)[], restartInterval: number, name: string, memory: ScanMemory, kernels: Kernels): number {
  const count = bytes[s];
  if (count < 1 || count > 4 || e - s < 4 + 2 * count) throw new ImageError(`${name}: corrupt JPEG: a bad scan header`);
  const comps: Component[] = [];
  const dcs: (Huffman | undefined)[] = [];
  const acs: (Huffman | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const id = bytes[s + 1 + 2 * i];
    const c = frame.components.find((x) => x.id === id);
    if (c === undefined) throw new ImageError(`${name}: corrupt JPEG: a scan names component ${id}, which the frame does not have`);
    comps.push(c);
    dcs.push(dcTables[bytes[s + 2 + 2 * i] >> 4] ?? undefined);
    acs.push(acTables[bytes[s + 2 + 2 * i] & 15] ?? undefined);
  }
  const p = s + 1 + 2 * count;
  const ss = bytes[p];
  const se = bytes[p + 1];
  const ah = bytes[p + 2] >> 4;
  const al = bytes[p + 2] & 15;
  const progressive = frame.progressive;
  if (progressive && ((ss === 0 && se !== 0) || (ss > 0 && (count !== 1 || se < ss || se > 63)))) {
    throw new ImageError(`${name}: corrupt JPEG: a progressive scan with spectral range ${ss}..${se} over ${count} components`);
  }
  for (let i = 0; i < count; i++) {
    // Sequential scans code both DC and AC; a progressive scan codes one band (DC refinement needs no table).
    const needDc = !progressive || (ss === 0 && ah === 0);
    const needAc = !progressive || ss > 0;
    if ((needDc && dcs[i] === undefined) || (needAc && acs[i] === undefined)) {
      throw new ImageError(`${name}: corrupt JPEG: a scan uses a Huffman table that is not defined`);
    }
  }
  if (!progressive) {
    return decodeSequential(bytes, e, frame, comps, dcs as Huffman[], acs as Huffman[], restartInterval, name, memory, kernels);
  }
  const all = memory.coefficients.view;
  for (const c of comps) c.coefficients = all.subarray(c.coefficientOffset, c.coefficientOffset + c.blocksPerLine * c.blocksPerColumn * 64);
  // The bit reader: 0xff00 is a stuffed 0xff; any other marker ends the data (zeros are fed after it, and using
  // them is an error: the data ran out).
  let pos = e;
  let bits = 0;
  let bitCount = 0;
  let markerHit = false;
  let fedBits = 0;
  let realBits = 0;
  const fill = () => {
    while (bitCount <= 24) {
      let b = 0;
      if (!markerHit && pos < bytes.length) {
        b = bytes[pos];
        if (b === 0xff) {
          const next = bytes[pos + 1];
          if (next === 0) pos += 2;
          else if (next === 0xff) {
            pos++; // fill byte before a marker
            continue;
          } else {
            markerHit = true;
            b = 0;
          }
        } else pos++;
        if (!markerHit) realBits += 8;
      }
      bits = (bits << 8) | b;
      bitCount += 8;
      fedBits += 8;
    }
  };
  const decode = (t: Huffman): number => {
    if (bitCount < 16) fill();
    const e8 = t.fast[(bits >>> (bitCount - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)];
    if (e8 !== 0) {
      bitCount -= e8 >> 8;
      return e8 & 255;
    }
    for (let len = LOOKAHEAD + 1; len <= 16; len++) {
      const code = (bits >>> (bitCount - len)) & ((1 << len) - 1);
      if (code <= t.maxCode[len]) {
        bitCount -= len;
        return t.values[t.valOffset[len] + code];
      }
    }
    throw new ImageError(`${name}: corrupt JPEG: an invalid Huffman code in the image data`);
  };
  const receive = (n: number): number => {
    if (n === 0) return 0;
    if (bitCount < n) fill();
    const v = (bits >>> (bitCount - n)) & ((1 << n) - 1);
    bitCount -= n;
    return v;
  };
  const extend = (v: number, n: number) => (n === 0 ? 0 : v < 1 << (n - 1) ? v - (1 << n) + 1 : v);

  let eobrun = 0;
  // Progressive scans (T.81 G.1.2; libjpeg's jdphuff.c): DC first and refinement, AC first and refinement.
  const decodeBlock = (c: Component, dc: Huffman, ac: Huffman, offset: number) => {
    const coef = c.coefficients;
    if (ss === 0) {
      if (ah === 0) {
        const t = decode(dc);
        c.dcPredictor += extend(receive(t), t);
        coef[offset] = jcoef(c.dcPredictor * (1 << al));
      } else if (receive(1)) coef[offset] |= 1 << al;
      return;
    }
    if (ah === 0) {
      if (eobrun > 0) {
        eobrun--;
        return;
      }
      for (let k = ss; k <= se;) {
        const rs = decode(ac);
        const r = rs >> 4;
        const sz = rs & 15;
        if (sz === 0) {
          if (r < 15) {
            eobrun = (1 << r) - 1 + receive(r);
            break;
          }
          k += 16;
          continue;
        }
        k += r;
        coef[offset + NATURAL[k]] = jcoef(extend(receive(sz), sz) * (1 << al));
        k++;
      }
      return;
    }
    // AC refinement (T.81 G.1.2.3, as libjpeg's decode_mcu_AC_refine).
    const p1 = 1 << al;
    const m1 = -1 << al;
    let k = ss;
    if (eobrun <= 0) {
      for (; k <= se;) {
        const rs = decode(ac);
        let r = rs >> 4;
        const sz = rs & 15;
        let value = 0;
        if (sz === 0) {
          if (r < 15) {
            eobrun = (1 << r) + receive(r);
            break;
          }
        } else value = receive(1) ? p1 : m1;
        while (k <= se) {
          const z = offset + NATURAL[k];
          if (coef[z] !== 0) {
            if (receive(1) && (coef[z] & p1) === 0) coef[z] = jcoef(coef[z] + (coef[z] >= 0 ? p1 : m1));
          } else {
            if (r === 0) {
              if (value !== 0) coef[z] = jcoef(value);
              k++;
              break;
            }
            r--;
          }
          k++;
        }
      }
    }
    if (eobrun > 0) {
      for (; k <= se; k++) {
        const z = offset + NATURAL[k];
        if (coef[z] !== 0 && receive(1) && (coef[z] & p1) === 0) coef[z] = jcoef(coef[z] + (coef[z] >= 0 ? p1 : m1));
      }
      eobrun--;
    }
  };

  const single = count === 1;
  const c0 = comps[0];
  // A single-component scan covers that component's own blocks, not the MCU padding (T.81 A.2.2).
  const mcuCount = single
    ? Math.ceil(c0.width / 8) * Math.ceil(c0.height / 8)
    : frame.mcusPerLine * frame.mcusPerColumn;
  const singleLine = Math.ceil(c0.width / 8);
  for (const c of comps) c.dcPredictor = 0;
  for (let m = 0; m < mcuCount; m++) {
    if (restartInterval > 0 && m > 0 && m % restartInterval === 0) {
      // Restart: drop the remaining bits, expect RSTn, reset the predictions.
      bits = 0;
      bitCount = 0;
      fedBits = realBits = 0;
      while (pos + 1 < bytes.length && bytes[pos] === 0xff && bytes[pos + 1] === 0xff) pos++;
      if (pos + 1 < bytes.length && bytes[pos] === 0xff && bytes[pos + 1] >= 0xd0 && bytes[pos + 1] <= 0xd7) {
        pos += 2;
        markerHit = false;
      } else {
        throw new ImageError(pos >= bytes.length ? `${name}: truncated JPEG: the file ends inside the image data`
          : `${name}: corrupt JPEG: a restart marker is missing at byte ${pos}`);
      }
      for (const c of comps) c.dcPredictor = 0;
      eobrun = 0;
    }
    if (single) {
      const row = Math.floor(m / singleLine);
      const col = m % singleLine;
      decodeBlock(c0, dcs[0] as Huffman, acs[0] as Huffman, (row * c0.blocksPerLine + col) * 64);
    } else {
      const mr = Math.floor(m / frame.mcusPerLine);
      const mc = m % frame.mcusPerLine;
      for (let i = 0; i < count; i++) {
        const c = comps[i];
        for (let v = 0; v < c.v; v++) {
          for (let h = 0; h < c.h; h++) {
            decodeBlock(c, dcs[i] as Huffman, acs[i] as Huffman, ((mr * c.v + v) * c.blocksPerLine + mc * c.h + h) * 64);
          }
        }
      }
    }
    if (fedBits - bitCount > realBits) {
      throw new ImageError(markerHit && pos < bytes.length
        ? `${name}: corrupt JPEG: the image data ends early (a marker at byte ${pos} interrupts it)`
        : `${name}: truncated JPEG: the file ends inside the image data`);
    }
  }
  // Skip to the next marker (the remaining bits of the last byte are padding).
  while (pos < bytes.length && !(bytes[pos] === 0xff && bytes[pos + 1] !== 0 && !(bytes[pos + 1] >= 0xd0 && bytes[pos + 1] <= 0xd7))) pos++;
  return pos;
}

/**
 * A sequential (baseline or extended) scan, the common case, through the backend's kernel: the tables it uses
 * copied into kernel memory, one plan entry per block of an MCU. Returns the offset of the marker after the scan. A
 * marker or the file's end reached inside the data is an error, never zeros decoded as pixels.
 */
function decodeSequential(bytes: Uint8Array, start: number, frame: Frame, comps: Component[], dcs: Huffman[],
  acs: Huffman[], restartInterval: number, name: string, memory: ScanMemory, kernels: Kernels): number {
  const n = bytes.length;
  const single = comps.length === 1;
  const used: Huffman[] = [];
  const slotOf = (t: Huffman) => {
    let i = used.indexOf(t);
    if (i < 0) i = used.push(t) - 1;
    return i;
  };
  const tables = memory.tables.view;
  const mcu = memory.mcu.view;
  let blocks = 0;
  for (let i = 0; i < comps.length; i++) {
    const c = comps[i];
    const dc = slotOf(dcs[i]);
    const ac = slotOf(acs[i]);
    const v = single ? 1 : c.v;
    const h = single ? 1 : c.h;
    for (let y = 0; y < v; y++) {
      for (let x = 0; x < h; x++, blocks++) {
        if (blocks === MCU_BLOCKS) throw new ImageError(`${name}: corrupt JPEG: more than ${MCU_BLOCKS} blocks in an MCU`);
        const d = blocks * MCU_FIELDS;
        mcu[d] = i;
        mcu[d + 1] = c.coefficientOffset + (y * c.blocksPerLine + x) * 64;
        mcu[d + 2] = (single ? 1 : c.v) * c.blocksPerLine * 64;
        mcu[d + 3] = (single ? 1 : c.h) * 64;
        mcu[d + 4] = dc;
        mcu[d + 5] = ac;
      }
    }
  }
  for (let i = 0; i < used.length; i++) tables.set(used[i].packed, i * HUFFMAN_WORDS);
  const perLine = single ? Math.ceil(comps[0].width / 8) : frame.mcusPerLine;
  const mcuCount = single ? perLine * Math.ceil(comps[0].height / 8) : frame.mcusPerLine * frame.mcusPerColumn;
  const state = memory.state.view;
  kernels.jpegDecodeSequential(memory.coefficients.view, state, memory.data.view, tables, mcu, start, n, blocks, perLine,
    mcuCount, restartInterval);
  let pos = state[1];
  switch (state[0]) {
    case SCAN_OK: break;
    case SCAN_BAD_CODE: throw new ImageError(`${name}: corrupt JPEG: an invalid Huffman code in the image data`);
    case SCAN_NO_RESTART: throw new ImageError(`${name}: corrupt JPEG: the restart marker before MCU ${pos} is missing`);
    case SCAN_INTERRUPTED: throw new ImageError(`${name}: corrupt JPEG: the image data ends early (a marker at byte ${pos} interrupts it)`);
    default: throw new ImageError(`${name}: truncated JPEG: the file ends inside the image data`);
  }
  while (pos < n && !(bytes[pos] === 0xff && bytes[pos + 1] !== 0 && !(bytes[pos + 1] >= 0xd0 && bytes[pos + 1] <= 0xd7))) pos++;
  return pos;
}
