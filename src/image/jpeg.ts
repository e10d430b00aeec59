// JPEG decoding (ITU T.81, baseline and extended Huffman, and progressive), written to give the bytes PIL gives:
// PIL decodes with libjpeg-turbo, whose defaults are the accurate integer IDCT (jidctint.c, "islow"), "fancy"
// triangle-filter chroma upsampling (jdsample.c) and fixed-point YCbCr → RGB tables (jdcolor.c). Each of those is
// reproduced here integer for integer (libjpeg-turbo's SIMD versions are bit-exact with its C code), so the output
// matches PIL's exactly for the files tested (test/image/jpeg.test.ts); where this file departs from libjpeg it says so.
// Refused with a clear error: arithmetic coding, lossless and hierarchical JPEG, 12-bit samples, CMYK/YCCK.
import { ImageError, type Img } from './img.js';
import { MAX_PIXELS } from './png.js';
import type { Kernels } from '../kernels/types.js';
import type { HeapBlock } from '../runtime/heap.js';
import { currentBackend } from '../runtime/backend.js';

// Zigzag position → natural (row-major) position, with 16 extra entries pointing at 63 so that a corrupt run
// length cannot write outside the block (libjpeg's jpeg_natural_order does the same).
const NATURAL = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

interface Huffman {
  /** 9-bit lookahead: (length << 8) | symbol, 0 when the code is longer. */
  fast: Uint16Array;
  maxCode: Int32Array; // per length 1..16 (index 17: sentinel)
  valOffset: Int32Array;
  values: Uint8Array;
}

const LOOKAHEAD = 9;

function buildHuffman(counts: Uint8Array, values: Uint8Array, name: string): Huffman {
  const fast = new Uint16Array(1 << LOOKAHEAD);
  const maxCode = new Int32Array(18).fill(-1);
  const valOffset = new Int32Array(18);
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
  return { fast, maxCode, valOffset, values };
}

interface Component {
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
  coefficients: Int16Array;
  dcPredictor: number;
}

interface Frame {
  width: number;
  height: number;
  progressive: boolean;
  components: Component[];
  hMax: number;
  vMax: number;
  mcusPerLine: number;
  mcusPerColumn: number;
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Decodes a JPEG file into L (one component) or RGB; `name` starts every error. */
export function decodeJpeg(bytes: Uint8Array, name: string): Img {
  const quant: (Int32Array | null)[] = [null, null, null, null];
  const dcTables: (Huffman | null)[] = [null, null, null, null];
  const acTables: (Huffman | null)[] = [null, null, null, null];
  let frame: Frame | null = null;
  let restartInterval = 0;
  let adobeTransform = -1;
  let scans = 0;
  let at = 2;
  const length = bytes.length;
  const u16 = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  const segment = (marker: string): [number, number] => {
    if (at + 2 > length) throw new ImageError(`${name}: truncated JPEG: the file ends inside a ${marker} segment`);
    const n = u16(at);
    if (n < 2 || at + n > length) throw new ImageError(`${name}: truncated JPEG: the file ends inside a ${marker} segment`);
    const start = at + 2;
    at += n;
    return [start, at];
  };
  for (;;) {
    if (at >= length) {
      if (frame !== null && scans > 0) break; // no EOI after complete scans: accepted, as libjpeg does
      throw new ImageError(`${name}: truncated JPEG: the file ends before ${frame === null ? 'its frame header' : 'any image data'}`);
    }
    if (bytes[at] !== 0xff) throw new ImageError(`${name}: corrupt JPEG: expected a marker at byte ${at}, found 0x${bytes[at].toString(16)}`);
    let marker = bytes[at + 1];
    at += 2;
    while (marker === 0xff && at < length) marker = bytes[at++];
    if (marker === undefined || marker === 0xff) throw new ImageError(`${name}: truncated JPEG: the file ends inside a marker`);
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (marker === 0xdb) {
      const [s, e] = segment('DQT');
      for (let p = s; p < e;) {
        const precision = bytes[p] >> 4;
        const id = bytes[p] & 15;
        if (id > 3 || precision > 1) throw new ImageError(`${name}: corrupt JPEG: quantization table ${id} with precision ${precision}`);
        const table = new Int32Array(64);
        const need = 1 + 64 * (precision + 1);
        if (p + need > e) throw new ImageError(`${name}: corrupt JPEG: a quantization table runs past its segment`);
        for (let k = 0; k < 64; k++) table[NATURAL[k]] = precision === 0 ? bytes[p + 1 + k] : u16(p + 1 + 2 * k);
        quant[id] = table;
        p += need;
      }
    } else if (marker === 0xc4) {
      const [s, e] = segment('DHT');
      for (let p = s; p < e;) {
        const tc = bytes[p] >> 4;
        const id = bytes[p] & 15;
        if (p + 17 > e || tc > 1 || id > 3) throw new ImageError(`${name}: corrupt JPEG: a bad Huffman table header`);
        const counts = bytes.subarray(p + 1, p + 17);
        let total = 0;
        for (const c of counts) total += c;
        if (p + 17 + total > e || total > 256) throw new ImageError(`${name}: corrupt JPEG: a Huffman table runs past its segment`);
        const table = buildHuffman(counts, bytes.slice(p + 17, p + 17 + total), name);
        (tc === 0 ? dcTables : acTables)[id] = table;
        p += 17 + total;
      }
    } else if (marker === 0xdd) {
      const [s] = segment('DRI');
      restartInterval = u16(s);
    } else if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (frame !== null) throw new ImageError(`${name}: corrupt JPEG: a second frame header`);
      const [s, e] = segment('SOF');
      frame = readFrame(bytes, s, e, marker === 0xc2, name);
    } else if (marker === 0xda) {
      if (frame === null) throw new ImageError(`${name}: corrupt JPEG: image data before the frame header`);
      const [s, e] = segment('SOS');
      at = decodeScan(bytes, s, e, frame, dcTables, acTables, restartInterval, name);
      scans++;
    } else if (marker === 0xee) {
      const [s, e] = segment('APP14');
      if (e - s >= 12 && String.fromCharCode(...bytes.subarray(s, s + 5)) === 'Adobe') adobeTransform = bytes[s + 11];
    } else if ((marker >= 0xc3 && marker <= 0xcf) && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new ImageError(`${name}: unsupported JPEG: ${marker >= 0xc9 ? 'arithmetic coding' : marker === 0xc3 || marker === 0xc7 || marker === 0xcb || marker === 0xcf ? 'lossless' : 'hierarchical'} (SOF${marker - 0xc0}); convert it to PNG or a baseline JPEG`);
    } else if (marker === 0xcc) {
      throw new ImageError(`${name}: unsupported JPEG: arithmetic coding (DAC); convert it to PNG or a baseline JPEG`);
    } else if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe || marker === 0xdc || marker === 0xde || marker === 0xdf || (marker >= 0xf0 && marker <= 0xfd)) {
      segment(`0x${marker.toString(16)}`);
    } else {
      throw new ImageError(`${name}: corrupt JPEG: unknown marker 0xff${marker.toString(16)} at byte ${at - 2}`);
    }
  }
  if (frame === null) throw new ImageError(`${name}: corrupt JPEG: no frame header`);
  if (scans === 0) throw new ImageError(`${name}: corrupt JPEG: no image data (SOS)`);
  for (const c of frame.components) {
    if (quant[c.tq] === null) throw new ImageError(`${name}: corrupt JPEG: component ${c.id} uses quantization table ${c.tq}, which is not defined`);
  }
  return output(frame, quant as Int32Array[], adobeTransform);
}

function readFrame(bytes: Uint8Array, s: number, e: number, progressive: boolean, name: string): Frame {
  const precision = bytes[s];
  const height = (bytes[s + 1] << 8) | bytes[s + 2];
  const width = (bytes[s + 3] << 8) | bytes[s + 4];
  const count = bytes[s + 5];
  if (precision !== 8) throw new ImageError(`${name}: unsupported JPEG: ${precision}-bit samples (pixprep reads 8-bit JPEG)`);
  if (width === 0 || height === 0) throw new ImageError(`${name}: unsupported JPEG: size ${width}×${height} (a height of 0 means a DNL marker, which pixprep does not read)`);
  if (width * height > MAX_PIXELS) throw new ImageError(`${name}: ${width}×${height} pixels is more than the ${MAX_PIXELS} allowed`);
  if (count !== 1 && count !== 3) throw new ImageError(`${name}: unsupported JPEG: ${count} colour components (CMYK/YCCK); convert it to RGB`);
  if (e - s < 6 + 3 * count) throw new ImageError(`${name}: corrupt JPEG: the frame header is too short`);
  const components: Component[] = [];
  for (let i = 0; i < count; i++) {
    const p = s + 6 + 3 * i;
    const h = count === 1 ? 1 : bytes[p + 1] >> 4;
    const v = count === 1 ? 1 : bytes[p + 1] & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new ImageError(`${name}: corrupt JPEG: sampling factors ${h}×${v}`);
    components.push({ id: bytes[p], h, v, tq: bytes[p + 2] & 3, blocksPerLine: 0, blocksPerColumn: 0, width: 0, height: 0,
      coefficients: new Int16Array(0), dcPredictor: 0 });
  }
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  const mcusPerLine = Math.ceil(width / (8 * hMax));
  const mcusPerColumn = Math.ceil(height / (8 * vMax));
  for (const c of components) {
    if (hMax % c.h !== 0 || vMax % c.v !== 0) throw new ImageError(`${name}: unsupported JPEG: fractional chroma sampling ${c.h}×${c.v} of ${hMax}×${vMax}`);
    c.blocksPerLine = mcusPerLine * c.h;
    c.blocksPerColumn = mcusPerColumn * c.v;
    c.width = Math.ceil((width * c.h) / hMax);
    c.height = Math.ceil((height * c.v) / vMax);
    c.coefficients = new Int16Array(c.blocksPerLine * c.blocksPerColumn * 64);
  }
  return { width, height, progressive, components, hMax, vMax, mcusPerLine, mcusPerColumn };
}

/** Decodes one scan's entropy-coded data starting after its header; returns the offset of the marker after it. */
function decodeScan(bytes: Uint8Array, s: number, e: number, frame: Frame, dcTables: (Huffman | null)[],
  acTables: (Huffman | null)[], restartInterval: number, name: string): number {
  const count = bytes[s];
  if (count < 1 || count > 4 || e - s < 4 + 2 * count) throw new ImageError(`${name}: corrupt JPEG: a bad scan header`);
  const comps: Component[] = [];
  const dcs: Huffman[] = [];
  const acs: Huffman[] = [];
  for (let i = 0; i < count; i++) {
    const id = bytes[s + 1 + 2 * i];
    const c = frame.components.find((x) => x.id === id);
    if (c === undefined) throw new ImageError(`${name}: corrupt JPEG: a scan names component ${id}, which the frame does not have`);
    comps.push(c);
    dcs.push(dcTables[bytes[s + 2 + 2 * i] >> 4] as Huffman);
    acs.push(acTables[bytes[s + 2 + 2 * i] & 15] as Huffman);
  }
  const p = s + 1 + 2 * count;
  const ss = bytes[p];
  const se = bytes[p + 1];
  const ah = bytes[p + 2] >> 4;
  const al = bytes[p + 2] & 15;
  const progressive = frame.progressive;
  const dcScan = progressive ? ss === 0 : true;
  const acScan = progressive ? ss > 0 : true;
  if (progressive && ((ss === 0 && se !== 0) || (ss > 0 && (count !== 1 || se < ss || se > 63)))) {
    throw new ImageError(`${name}: corrupt JPEG: a progressive scan with spectral range ${ss}..${se} over ${count} components`);
  }
  for (let i = 0; i < count; i++) {
    if ((dcScan && ah === 0 && dcs[i] === null) || (acScan && (!progressive || ah === 0 || true) && acs[i] === null && (!progressive || ss > 0))) {
      throw new ImageError(`${name}: corrupt JPEG: a scan uses a Huffman table that is not defined`);
    }
  }

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
  const decodeBlock = (c: Component, dc: Huffman, ac: Huffman, offset: number) => {
    const coef = c.coefficients;
    if (!progressive) {
      const t = decode(dc);
      c.dcPredictor += extend(receive(t), t);
      coef[offset] = c.dcPredictor;
      for (let k = 1; k < 64;) {
        const rs = decode(ac);
        const r = rs >> 4;
        const sz = rs & 15;
        if (sz === 0) {
          if (r !== 15) break;
          k += 16;
          continue;
        }
        k += r;
        coef[offset + NATURAL[k]] = extend(receive(sz), sz);
        k++;
      }
      return;
    }
    if (ss === 0) {
      if (ah === 0) {
        const t = decode(dc);
        c.dcPredictor += extend(receive(t), t);
        coef[offset] = c.dcPredictor * (1 << al);
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
        coef[offset + NATURAL[k]] = extend(receive(sz), sz) * (1 << al);
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
            if (receive(1) && (coef[z] & p1) === 0) coef[z] += coef[z] >= 0 ? p1 : m1;
          } else {
            if (r === 0) {
              if (value !== 0) coef[z] = value;
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
        if (coef[z] !== 0 && receive(1) && (coef[z] & p1) === 0) coef[z] += coef[z] >= 0 ? p1 : m1;
      }
      eobrun--;
    }
  };

  if (!progressive) return decodeSequential(bytes, e, frame, comps, dcs, acs, restartInterval, name);
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
      decodeBlock(c0, dcs[0], acs[0], (row * c0.blocksPerLine + col) * 64);
    } else {
      const mr = Math.floor(m / frame.mcusPerLine);
      const mc = m % frame.mcusPerLine;
      for (let i = 0; i < count; i++) {
        const c = comps[i];
        for (let v = 0; v < c.v; v++) {
          for (let h = 0; h < c.h; h++) {
            decodeBlock(c, dcs[i], acs[i], ((mr * c.v + v) * c.blocksPerLine + mc * c.h + h) * 64);
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

/** The slow path of Huffman decoding (codes longer than LOOKAHEAD bits): (length << 8) | symbol, or −1. */
function decodeLong(t: Huffman, bits: number, count: number): number {
  for (let len = LOOKAHEAD + 1; len <= 16; len++) {
    const code = (bits >>> (count - len)) & ((1 << len) - 1);
    if (code <= t.maxCode[len]) return (len << 8) | t.values[t.valOffset[len] + code];
  }
  return -1;
}

/**
 * A sequential (baseline or extended) scan, the common case, written as one loop over local variables: the bit
 * buffer lives in registers rather than in a closure's context, which is what makes entropy decoding fast in V8.
 * Returns the offset of the marker after the scan. Same checks as decodeScan: a marker or the file's end reached
 * inside the data is an error, never zeros decoded as pixels.
 */
function decodeSequential(bytes: Uint8Array, start: number, frame: Frame, comps: Component[], dcs: Huffman[],
  acs: Huffman[], restartInterval: number, name: string): number {
  const n = bytes.length;
  let pos = start;
  let bits = 0;
  let count = 0;
  let marker = false;
  let padBits = 0;
  // The blocks of one MCU: component index and block offset (in coefficients) relative to the MCU's first block.
  const single = comps.length === 1;
  const blockComp: number[] = [];
  const blockRow: number[] = [];
  const blockCol: number[] = [];
  for (let i = 0; i < comps.length; i++) {
    const c = comps[i];
    const v = single ? 1 : c.v;
    const h = single ? 1 : c.h;
    for (let y = 0; y < v; y++) for (let x = 0; x < h; x++) {
      blockComp.push(i);
      blockRow.push(y);
      blockCol.push(x);
    }
  }
  const perLine = single ? Math.ceil(comps[0].width / 8) : frame.mcusPerLine;
  const mcuCount = single ? perLine * Math.ceil(comps[0].height / 8) : frame.mcusPerLine * frame.mcusPerColumn;
  const predictors = new Int32Array(comps.length);
  const natural = NATURAL;
  for (let m = 0; m < mcuCount; m++) {
    if (restartInterval > 0 && m > 0 && m % restartInterval === 0) {
      bits = 0;
      count = 0;
      padBits = 0;
      while (pos + 1 < n && bytes[pos] === 0xff && bytes[pos + 1] === 0xff) pos++;
      if (pos + 1 < n && bytes[pos] === 0xff && bytes[pos + 1] >= 0xd0 && bytes[pos + 1] <= 0xd7) {
        pos += 2;
        marker = false;
      } else {
        throw new ImageError(pos >= n ? `${name}: truncated JPEG: the file ends inside the image data`
          : `${name}: corrupt JPEG: a restart marker is missing at byte ${pos}`);
      }
      predictors.fill(0);
    }
    const mr = Math.floor(m / perLine);
    const mc = m - mr * perLine;
    for (let b = 0; b < blockComp.length; b++) {
      const ci = blockComp[b];
      const c = comps[ci];
      const coef = c.coefficients;
      const offset = single ? (mr * c.blocksPerLine + mc) * 64
        : ((mr * c.v + blockRow[b]) * c.blocksPerLine + mc * c.h + blockCol[b]) * 64;
      let table = dcs[ci];
      for (let k = 0; k < 64;) {
        // Refill to at least 25 bits (a code of up to 16 bits plus up to 11 value bits needs two refills at most).
        while (count <= 24) {
          let byte = 0;
          if (!marker && pos < n) {
            byte = bytes[pos];
            if (byte === 0xff) {
              const next = bytes[pos + 1];
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
          bits = (bits << 8) | byte;
          count += 8;
        }
        let entry = table.fast[(bits >>> (count - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)];
        if (entry === 0) {
          entry = decodeLong(table, bits, count);
          if (entry < 0) throw new ImageError(`${name}: corrupt JPEG: an invalid Huffman code in the image data`);
        }
        count -= entry >> 8;
        const symbol = entry & 255;
        const size = k === 0 ? symbol : symbol & 15;
        let value = 0;
        if (size !== 0) {
          if (count < size) {
            while (count <= 24) {
              let byte = 0;
              if (!marker && pos < n) {
                byte = bytes[pos];
                if (byte === 0xff) {
                  const next = bytes[pos + 1];
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
              bits = (bits << 8) | byte;
              count += 8;
            }
          }
          value = (bits >>> (count - size)) & ((1 << size) - 1);
          count -= size;
          if (value < 1 << (size - 1)) value += 1 - (1 << size);
        }
        if (k === 0) {
          predictors[ci] += value;
          coef[offset] = predictors[ci];
          table = acs[ci];
          k = 1;
          continue;
        }
        if (size === 0) {
          if (symbol >> 4 !== 15) break;
          k += 16;
          continue;
        }
        k += symbol >> 4;
        coef[offset + natural[k]] = value;
        k++;
      }
    }
    if (padBits > count) {
      throw new ImageError(marker && pos < n
        ? `${name}: corrupt JPEG: the image data ends early (a marker at byte ${pos} interrupts it)`
        : `${name}: truncated JPEG: the file ends inside the image data`);
    }
  }
  while (pos < n && !(bytes[pos] === 0xff && bytes[pos + 1] !== 0 && !(bytes[pos + 1] >= 0xd0 && bytes[pos + 1] <= 0xd7))) pos++;
  return pos;
}

/**
 * IDCT every block, upsample the chroma as libjpeg does ("fancy"), convert to RGB (or L), in the backend's kernels
 * (src/kernels/jpeg.ts and its wasm twin). Full-size planes share one stride: the frame's MCU-padded width.
 */
function output(frame: Frame, quant: Int32Array[], adobeTransform: number): Img {
  const { width, height, components, hMax, vMax } = frame;
  const { heap, kernels } = currentBackend();
  const fullStride = frame.mcusPerLine * hMax * 8;
  const blocks: HeapBlock[] = [];
  const take = (kind: 'u8' | 'i32', n: number) => {
    const b = heap.block(kind, n);
    blocks.push(b);
    return b;
  };
  try {
    const parts = components.map((c) => {
      const upsampled = c.h !== hMax || c.v !== vMax;
      return {
        c,
        coef: take('i32', c.coefficients.length),
        q: take('i32', 64),
        plane: take('u8', c.blocksPerLine * 8 * c.blocksPerColumn * 8),
        full: upsampled ? take('u8', fullStride * height) : null,
      };
    });
    const out = take('u8', width * height * components.length);
    // Views only now: an allocation above may have grown (and detached) the memory.
    for (const p of parts) {
      (p.coef.view as Int32Array).set(p.c.coefficients);
      (p.q.view as Int32Array).set(quant[p.c.tq]);
      kernels.jpegIdctIslow(p.plane.view as Uint8Array, p.coef.view as Int32Array, p.q.view as Int32Array, p.c.blocksPerLine, p.c.blocksPerColumn);
      if (p.full !== null) upsample(kernels, p.full.view as Uint8Array, fullStride, p.plane.view as Uint8Array, p.c, frame);
    }
    const planeOf = (i: number) => (parts[i].full ?? parts[i].plane).view as Uint8Array;
    const result = out.view as Uint8Array;
    if (components.length === 1) {
      const stride = parts[0].c.blocksPerLine * 8;
      const plane = planeOf(0);
      for (let y = 0; y < height; y++) result.set(plane.subarray(y * stride, y * stride + width), y * width);
      return { data: result.slice(), shape: [height, width, 1] };
    }
    // RGB stored as is: an Adobe marker saying so, or no Adobe marker and components named 'R', 'G', 'B'.
    const rgb = adobeTransform === 0 || (adobeTransform < 0 && components[0].id === 82 && components[1].id === 71 && components[2].id === 66);
    const [p0, p1, p2] = [planeOf(0), planeOf(1), planeOf(2)];
    if (rgb) {
      for (let y = 0; y < height; y++) {
        for (let x = 0, i = y * fullStride, o = y * width * 3; x < width; x++, i++, o += 3) {
          result[o] = p0[i];
          result[o + 1] = p1[i];
          result[o + 2] = p2[i];
        }
      }
    } else kernels.jpegYccToRgb(result, p0, p1, p2, width, height, fullStride);
    return { data: result.slice(), shape: [height, width, 3] };
  } finally {
    for (const b of blocks) b.free();
  }
}

/** A component upsampled to the frame's size into out (outStride per row), as libjpeg-turbo's jdsample.c does. */
function upsample(kernels: Kernels, out: Uint8Array, outStride: number, plane: Uint8Array, c: Component, frame: Frame): void {
  const { width, height, hMax, vMax } = frame;
  const hx = hMax / c.h;
  const vx = vMax / c.v;
  const stride = c.blocksPerLine * 8;
  if (hx === 2 && (vx === 1 || vx === 2) && c.width > 2) {
    kernels.jpegUpsampleFancy(out, outStride, plane, stride, c.width, c.height, width, height, vx === 2);
  } else if (hx === 1 && vx === 2) {
    // jdsample.c h1v2_fancy_upsample (untested against PIL: PIL does not write 4:4:0).
    for (let y = 0; y < height; y++) {
      const near = Math.min(y >> 1, c.height - 1) * stride;
      const far = Math.min(Math.max((y & 1) === 0 ? (y >> 1) - 1 : (y >> 1) + 1, 0), c.height - 1) * stride;
      for (let x = 0; x < width; x++) out[y * outStride + x] = (plane[near + x] * 3 + plane[far + x] + 1) >> 2;
    }
  } else {
    // Box replication: libjpeg's int_upsample, and h2v1/h2v2 for components at most 2 samples wide.
    for (let y = 0; y < height; y++) {
      const r = Math.floor(y / vx) * stride;
      for (let x = 0; x < width; x++) out[y * outStride + x] = plane[r + Math.floor(x / hx)];
    }
  }
}
