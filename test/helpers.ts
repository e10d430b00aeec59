// Shared test helpers: seeded data, backend iteration, and float64 references written independently of src/.
import { availableBackends, type Backend } from '../src/runtime/backend.js';
import { Random } from '../src/random.js';

export const backends: Backend[] = availableBackends();
export { Random };

/** Lengths that catch off-by-one and tail bugs around the SIMD widths (4, 12, 16, 48). */
export const AWKWARD_LENGTHS = [0, 1, 3, 4, 15, 16, 17, 47, 48, 49, 1001];

export function randomBytes(n: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.int(256);
  if (n > 0) a[0] = 0;
  if (n > 1) a[n - 1] = 255;
  return a;
}

export function randomFloats(n: number, seed: number, low = -1, high = 1): Float32Array {
  const rng = new Random(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(low, high);
  return a;
}

/** Per channel mean, population std, min, max in float64, by the textbook two-pass formula. */
export function referenceChannelStats(x: ArrayLike<number>, channels: number) {
  const out = [];
  for (let c = 0; c < channels; c++) {
    let n = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = c; i < x.length; i += channels) {
      n++;
      sum += x[i];
      min = Math.min(min, x[i]);
      max = Math.max(max, x[i]);
    }
    const mean = sum / n;
    let ss = 0;
    for (let i = c; i < x.length; i += channels) ss += (x[i] - mean) * (x[i] - mean);
    out.push({ n, mean, std: Math.sqrt(ss / n), min, max });
  }
  return out;
}

export function relativeError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
}

/**
 * The bit pattern written over every output buffer before a kernel or layer writes it, so that an element it forgets
 * to write (a missing zeroing, a short tail loop) shows instead of passing on memory that happened to be clean. Each
 * 32-bit word is 0xFFF8DEAD: a NaN as f32, a NaN as f64 (both words of it), a negative (invalid) index as i32, and the
 * bytes AD DE F8 FF as u8, which no byte kernel writes at all four offsets by chance.
 */
export const POISON_WORD = 0xfff8dead;
const POISON_BYTES = [0xad, 0xde, 0xf8, 0xff];

export type PoisonableArray = Uint8Array | Uint8ClampedArray | Int32Array | Float32Array | Float64Array;

/** Fills `a` with the poison pattern (POISON_WORD) and returns it. */
export function poison<T extends PoisonableArray>(a: T): T {
  // The pattern is laid out by address, so that every aligned element of any type reads as poison: whole words
  // where the array covers them (fast on the 47 MB arrays of the MNIST-sized tests), bytes at the ends.
  const start = a.byteOffset;
  const end = start + a.byteLength;
  const wordsStart = (start + 3) & ~3;
  const wordsEnd = end & ~3;
  const bytes = new Uint8Array(a.buffer);
  if (wordsStart >= wordsEnd) {
    for (let i = start; i < end; i++) bytes[i] = POISON_BYTES[i & 3];
    return a;
  }
  for (let i = start; i < wordsStart; i++) bytes[i] = POISON_BYTES[i & 3];
  new Uint32Array(a.buffer, wordsStart, (wordsEnd - wordsStart) / 4).fill(POISON_WORD);
  for (let i = wordsEnd; i < end; i++) bytes[i] = POISON_BYTES[i & 3];
  return a;
}

/** True when element i of `a` still holds the poison pattern (the kernel never wrote it). */
export function isPoison(a: PoisonableArray, i: number): boolean {
  const bytes = new Uint8Array(a.buffer, a.byteOffset + i * a.BYTES_PER_ELEMENT, a.BYTES_PER_ELEMENT);
  return bytes.every((b, j) => b === POISON_BYTES[(bytes.byteOffset + j) & 3]);
}

type HeapKind = 'u8' | 'i32' | 'f32' | 'f64';

/**
 * An output buffer of `length` elements on the backend's heap, `misalign` elements past a 16-byte boundary, filled
 * with the poison pattern. `view()` re-poisons nothing: call `refill()` before each further call that writes it.
 */
export function outputOnHeap<K extends HeapKind>(backend: Backend, kind: K, length: number, misalign = 0) {
  const block = backend.heap.block(kind, length + misalign);
  type View = K extends 'u8' ? Uint8Array : K extends 'i32' ? Int32Array : K extends 'f64' ? Float64Array : Float32Array;
  const view = () => (block.view as PoisonableArray).subarray(misalign, misalign + length) as View;
  const refill = () => poison(view() as PoisonableArray);
  refill();
  return { view, refill, free: () => block.free() };
}

/** Copies `data` into the backend's heap at `misalign` elements past a 16-byte boundary; returns the view. */
export function onHeap<T extends Uint8Array | Float32Array>(backend: Backend, data: T, misalign = 0) {
  const kind = data instanceof Uint8Array ? 'u8' : 'f32';
  const block = backend.heap.block(kind, data.length + misalign);
  const view = () => (block.view as T).subarray(misalign, misalign + data.length) as T;
  view().set(data);
  return { view, free: () => block.free() };
}

/**
 * Collects garbage and lets the FinalizationRegistry callbacks run, so that kernel memory an earlier test dropped
 * without dispose() is returned BEFORE a test measures the heap, not at a moment the collector picks in the middle of
 * the measurement (which made "nothing grows" tests fail now and then, used bytes falling between two epochs).
 * Needs node --expose-gc (vitest.config.ts).
 */
export async function settleFinalizers(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('settleFinalizers needs node --expose-gc (see vitest.config.ts execArgv)');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0)); // finalization callbacks run in a later task
  }
}
