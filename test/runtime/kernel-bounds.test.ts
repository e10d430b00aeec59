// The wasm adapter's debug checks (PIXPREP_DEBUG_KERNELS=1, which vitest.config.ts sets for every test): a size
// argument one too large for the array passed throws an error naming the kernel, the argument and both figures, and
// the neighbouring heap block is untouched, where the production adapter lets the kernel run past the view.
import { describe, expect, it } from 'vitest';
import { instantiateWasm } from '../../src/runtime/wasm-kernels.js';
import { Heap } from '../../src/runtime/heap.js';
import { wasmSimdSupported } from '../../src/runtime/simd.js';

const describeWasm = wasmSimdSupported() ? describe : describe.skip;

function setup(debug: boolean) {
  const wasm = instantiateWasm(false, debug);
  const heap = new Heap(wasm.memory, wasm.exports.heapBase());
  const a = heap.block('f32', 16);
  const next = heap.block('f32', 16); // allocated right after a (16-byte aligned, 64 bytes each)
  expect(next.byteOffset).toBe(a.byteOffset + 64);
  a.view.fill(-1);
  next.view.fill(-7);
  return { k: wasm.kernels, heap, a, next };
}

describeWasm('debug kernel checks', () => {
  it('the test suite runs with them on', () => {
    expect(process.env.PIXPREP_DEBUG_KERNELS).toBe('1');
  });

  it('an n one too large throws, naming kernel and argument, and the next block is untouched', () => {
    const { k, a, next } = setup(true);
    expect(() => k.reluForward(a.view, a.view, 17)).toThrow(
      'pixprep kernel reluForward: out needs 17 elements by (s) => s.n, but its view holds 16');
    expect(Array.from(next.view)).toEqual(new Array(16).fill(-7));
    expect(Array.from(a.view)).toEqual(new Array(16).fill(-1)); // the kernel did not run at all
    k.reluForward(a.view, a.view, 16); // the right size runs
    expect(Array.from(a.view)).toEqual(new Array(16).fill(0));
  });

  it('without them the same call writes into the next block (what the checks prevent)', () => {
    const { k, a, next } = setup(false);
    k.reluForward(a.view, a.view, 17);
    expect(next.view[0]).toBe(0);
  });

  it('gemm: m one too large is reported against c (m·n) with the figures', () => {
    const { k, heap } = setup(true);
    const [m, n, kk] = [3, 4, 5];
    const c = heap.block('f32', m * n), a = heap.block('f32', m * kk), b = heap.block('f32', kk * n);
    expect(() => k.gemm(c.view, a.view, b.view, m + 1, n, kk, false, false, false))
      .toThrow(/^pixprep kernel gemm: c needs 16 elements by \(s\) => s\.m \* s\.n, but its view holds 12/);
    expect(() => k.gemm(c.view, a.view, b.view, m, n, kk + 1, false, false, false))
      .toThrow(/^pixprep kernel gemm: a needs 18 elements/);
    k.gemm(c.view, a.view, b.view, m, n, kk, false, false, false);
  });

  it('an index reaching past its array (gatherRows indices) is caught', () => {
    const { k, heap } = setup(true);
    const out = heap.block('u8', 6), source = heap.block('u8', 9), indices = heap.block('i32', 2);
    indices.view.set([0, 3]);
    expect(() => k.gatherRows(out.view, source.view, indices.view, 2, 3)).toThrow(/source needs 12 elements/);
  });

  it('wrong argument types are named: an array of another type, a missing array, a fractional or negative size', () => {
    const { k, heap, a } = setup(true);
    const d = heap.block('f64', 16);
    expect(() => k.reluForward(d.view as unknown as Float32Array, a.view, 4))
      .toThrow('pixprep kernel reluForward: out must be a Float32Array, received a Float64Array');
    expect(() => k.reluForward(null as unknown as Float32Array, a.view, 4))
      .toThrow('pixprep kernel reluForward: out must be a Float32Array, received null');
    expect(() => k.reluForward(a.view, a.view, 2.5)).toThrow('n must be an integer in [0, 2^31), received 2.5');
    expect(() => k.reluForward(a.view, a.view, -1)).toThrow('n must be an integer in [0, 2^31), received -1');
    expect(() => k.reluForward(a.view, new Float32Array(16), 4)).toThrow('input is not a view of wasm memory');
  });
});
