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

/** Copies `data` into the backend's heap at `misalign` elements past a 16-byte boundary; returns the view. */
export function onHeap<T extends Uint8Array | Float32Array>(backend: Backend, data: T, misalign = 0) {
  const kind = data instanceof Uint8Array ? 'u8' : 'f32';
  const block = backend.heap.block(kind, data.length + misalign);
  const view = () => (block.view as T).subarray(misalign, misalign + data.length) as T;
  view().set(data);
  return { view, free: () => block.free() };
}
