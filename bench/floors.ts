// Floors: how fast a pass can possibly go that moves exactly a case's bytes and computes nothing. A case's time
// divided by its floor says how much of it is work beyond moving the data. The floors are measured in turns with
// the case's implementations (so the machine's load hits them alike), by a tiny WebAssembly SIMD module that
// reads, writes or streams bytes with 128-bit loads and stores and no arithmetic:
//   read-only   R bytes loaded (fit reads its input and writes a few numbers)
//   write-only  W bytes stored
//   stream      R bytes loaded and W bytes stored in one pass, in the case's proportion (a u8 → f32 kernel reads
//               one byte per four it writes: 16 bytes loaded, 64 stored)
// plus the two copies of the output bytes (TypedArray.prototype.set, and memory.copy inside wasm memory through
// copyWithin), of which the faster is the "copy" ratio's divisor. A copy moves W bytes read + W written, more than
// a u8 kernel's n + 4n: it is a reference point, not a floor, for those kernels.
//
// The module is AssemblyScript compiled at first use (assemblyscript is a devDependency) and cached under
// node_modules/.cache, so that nothing is added to the library's own assembly/.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Impl } from './runner.js';
import { makeDirectory } from '../src/write-file-node.js';

const SOURCE = `
// 64 bytes a step; the tail byte by byte. OR-ing the loads keeps the optimiser from dropping them.
export function readOnly(src: usize, n: usize): i32 {
  let a = i32x4.splat(0); let b = a; let c = a; let d = a;
  let p = src;
  const end = src + (n & ~(<usize>63));
  while (p < end) {
    a = v128.or(a, v128.load(p));
    b = v128.or(b, v128.load(p, 16));
    c = v128.or(c, v128.load(p, 32));
    d = v128.or(d, v128.load(p, 48));
    p += 64;
  }
  a = v128.or(v128.or(a, b), v128.or(c, d));
  let s = i32x4.extract_lane(a, 0) | i32x4.extract_lane(a, 1) | i32x4.extract_lane(a, 2) | i32x4.extract_lane(a, 3);
  while (p < src + n) { s |= <i32>load<u8>(p); p++; }
  return s;
}

export function writeOnly(dst: usize, n: usize): void {
  const v = i32x4.splat(0x3f800000);
  let p = dst;
  const end = dst + (n & ~(<usize>63));
  while (p < end) {
    v128.store(p, v); v128.store(p, v, 16); v128.store(p, v, 32); v128.store(p, v, 48);
    p += 64;
  }
  while (p < dst + n) { store<u8>(p, 0); p++; }
}

// Reads n bytes and writes 4n: each 16 bytes loaded are stored four times (the traffic of a u8 -> f32 kernel).
export function stream1to4(src: usize, n: usize, dst: usize): i32 {
  let p = src;
  let q = dst;
  const end = src + (n & ~(<usize>15));
  while (p < end) {
    const v = v128.load(p);
    v128.store(q, v); v128.store(q, v, 16); v128.store(q, v, 32); v128.store(q, v, 48);
    p += 16; q += 64;
  }
  while (p < src + n) { store<u32>(q, load<u8>(p)); p++; q += 4; }
  return 0;
}

// Reads n bytes and writes n (the traffic of an f32 -> f32 kernel), 64 bytes a step.
export function stream1to1(src: usize, n: usize, dst: usize): i32 {
  let p = src;
  let q = dst;
  const end = src + (n & ~(<usize>63));
  while (p < end) {
    const a = v128.load(p); const b = v128.load(p, 16); const c = v128.load(p, 32); const d = v128.load(p, 48);
    v128.store(q, a); v128.store(q, b, 16); v128.store(q, c, 32); v128.store(q, d, 48);
    p += 64; q += 64;
  }
  while (p < src + n) { store<u8>(q, load<u8>(p)); p++; q++; }
  return 0;
}
`;

interface FloorExports {
  readOnly(src: number, n: number): number;
  writeOnly(dst: number, n: number): void;
  stream1to4(src: number, n: number, dst: number): number;
  stream1to1(src: number, n: number, dst: number): number;
}

let compiled: Promise<WebAssembly.Module> | null = null;

function cachePath(): string {
  const hash = createHash('sha256').update(SOURCE).digest('hex').slice(0, 16);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.cache', 'pixprep-bench');
  return join(root, `floors-${hash}.wasm`);
}

/** The floor module, compiled once per source text (about 5 s) and cached. */
export function floorModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const path = cachePath();
    if (existsSync(path)) return new WebAssembly.Module(readFileSync(path));
    const asc = await import('assemblyscript/asc');
    const result = await asc.compileString(SOURCE, {
      optimizeLevel: 3, runtime: 'stub', enable: ['simd'], importMemory: true, noAssert: true,
    } as Parameters<typeof asc.compileString>[1]);
    if (result.error || !result.binary) throw new Error(`bench floors: asc failed: ${result.error?.message ?? ''} ${result.stderr.toString()}`);
    makeDirectory('bench floors', dirname(path));
    writeFileSync(`${path}.tmp`, result.binary);
    renameSync(`${path}.tmp`, path); // atomic: a concurrent run reads the whole file or none
    return new WebAssembly.Module(Uint8Array.from(result.binary));
  })();
  return compiled;
}

/** A region of the floor module's own memory: `bytes` bytes at 64-byte aligned `offset`. */
interface Region { offset: number; bytes: number }

/** One instance of the floor module over its own memory, holding the regions a case's floors use. */
export class FloorMemory {
  private constructor(readonly memory: WebAssembly.Memory, readonly k: FloorExports, private readonly regions: Region[]) {}

  static async create(sizes: number[]): Promise<FloorMemory> {
    const module = await floorModule();
    const regions: Region[] = [];
    let offset = 64 * 1024; // past page 0
    for (const bytes of sizes) {
      regions.push({ offset, bytes });
      offset += Math.ceil(bytes / 64) * 64 + 64;
    }
    const pages = Math.ceil(offset / 65536) + 1;
    const memory = new WebAssembly.Memory({ initial: pages });
    const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('abort'); } } });
    const fm = new FloorMemory(memory, instance.exports as unknown as FloorExports, regions);
    // Written once, so that no later read lands on a shared zero page (the kernels' inputs are written too).
    for (const r of regions) new Uint8Array(memory.buffer, r.offset, r.bytes).fill(1);
    return fm;
  }

  at(i: number): number {
    return this.regions[i].offset;
  }
}

export type FloorKind = 'read-only' | 'write-only' | 'stream' | 'cache-resident stream' | 'copy';

function size(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toPrecision(3)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toPrecision(3)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toPrecision(3)} kB`;
  return `${bytes} B`;
}

/** The floor row names: the table and the ratios find floors by these. */
export const FLOOR = {
  readOnly: 'floor: read-only',
  stream: 'floor: stream',
  cacheResident: 'floor: cache-resident stream',
  set: 'copy: TypedArray.set',
  wasmCopy: 'copy: wasm memory.copy',
} as const;

function floorImpl(name: string, note: string, sizes: number[], body: (fm: FloorMemory) => () => unknown): Impl {
  let fm: FloorMemory | null = null;
  let run: () => unknown = () => { throw new Error('floor not set up'); };
  return {
    name, role: 'floor', note,
    setup: async () => {
      fm = await FloorMemory.create(sizes);
      run = body(fm);
    },
    run: () => run(),
    teardown: () => { fm = null; },
  };
}

/** Reads `bytes` bytes once (128-bit loads, OR-ed): the floor of a pass that only reads, such as fit. */
export function readOnlyFloor(bytes: number): Impl {
  return floorImpl(FLOOR.readOnly, `reads ${size(bytes)} once with 128-bit loads, writes nothing`, [bytes],
    (fm) => () => fm.k.readOnly(fm.at(0), bytes));
}

/**
 * Reads `read` bytes and writes `written` bytes in one pass (written = read or 4·read): the floor of an
 * elementwise kernel with that traffic.
 */
export function streamFloor(read: number, written: number): Impl {
  if (written !== read && written !== 4 * read) throw new Error(`streamFloor: written must be read or 4·read. Received: ${read}, ${written}`);
  return floorImpl(FLOOR.stream, `reads ${size(read)} and writes ${size(written)} in one pass, 128-bit loads and stores, no arithmetic`,
    [read, written], (fm) => written === read
      ? () => fm.k.stream1to1(fm.at(0), read, fm.at(1))
      : () => fm.k.stream1to4(fm.at(0), read, fm.at(1)));
}

/**
 * A flow epoch's floor: the input read once, in batch-sized pieces, each widened into the same small output
 * block (which stays in cache, as the flow's batch does): `batches` passes of `batchRead` → 4·batchRead bytes.
 */
export function cacheResidentFloor(totalRead: number, batchRead: number): Impl {
  const batches = Math.ceil(totalRead / batchRead);
  return floorImpl(FLOOR.cacheResident,
    `reads ${size(totalRead)} once, ${batches} pieces of ${size(batchRead)}, each written as ${size(4 * batchRead)} into one reused block`,
    [totalRead, 4 * batchRead], (fm) => () => {
      const src = fm.at(0);
      const dst = fm.at(1);
      for (let b = 0; b < batches; b++) {
        const start = b * batchRead;
        fm.k.stream1to4(src + start, Math.min(batchRead, totalRead - start), dst);
      }
    });
}

/** The two copies of `bytes` bytes: TypedArray.prototype.set, and memory.copy inside wasm memory. */
export function copyRows(bytes: number): Impl[] {
  let src: Uint8Array | null = null;
  let dst: Uint8Array | null = null;
  let memory: Uint8Array | null = null;
  return [
    {
      name: FLOOR.set, role: 'floor', note: `dst.set(src) of ${size(bytes)} (reads and writes ${size(bytes)})`,
      setup: () => {
        src = new Uint8Array(bytes).fill(1); // written, so that no read hits a shared zero page
        dst = new Uint8Array(bytes).fill(2);
      },
      run: () => dst!.set(src!),
      teardown: () => { src = dst = null; },
    },
    {
      name: FLOOR.wasmCopy, role: 'floor',
      note: `copyWithin of ${size(bytes)} on a Uint8Array over a WebAssembly.Memory (V8 runs it as memmove, as memory.copy)`,
      setup: () => {
        const wasmMemory = new WebAssembly.Memory({ initial: Math.ceil((2 * bytes + 128) / 65536) });
        memory = new Uint8Array(wasmMemory.buffer).fill(1);
      },
      run: () => memory!.copyWithin(0, bytes + 64, 2 * bytes + 64),
      teardown: () => { memory = null; },
    },
  ];
}
