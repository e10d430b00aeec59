// Named, reusable working buffers, owned by one object (a generator, a flow). A hot path asks for "staging" of n
// bytes every batch; it gets the same block back until it asks for more, so steady-state batches allocate nothing
// and memory stays bounded by the largest request. Owned, never shared by name across objects: a generator whose
// preprocessingFunction calls another generator's standardize must not have its batch overwritten by the inner call.
//
// Take every block you need first, then their views: a later allocation may grow memory and detach earlier views.
import type { Heap, HeapBlock } from './heap.js';

type Kind = 'u8' | 'f32' | 'f64' | 'i32';

export class Scratch {
  private readonly blocks = new Map<string, HeapBlock>();
  private plain = new Float32Array(0);
  constructor(readonly heap: Heap) {}

  get<K extends Kind>(name: string, kind: K, length: number): HeapBlock<K> {
    const key = `${name}:${kind}`;
    const have = this.blocks.get(key) as HeapBlock<K> | undefined;
    if (have !== undefined && have.length >= length) return have;
    have?.free();
    this.blocks.delete(key);
    // Round up so that slowly growing requests (a larger last batch, a new channel count) do not re-allocate each time.
    const block = this.heap.block(kind, Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(1, length)))));
    this.blocks.set(key, block);
    return block;
  }

  /** A plain (non-kernel) float array of at least `length`, for work that runs user code (no view can move under it). */
  floats(length: number): Float32Array {
    if (this.plain.length < length) this.plain = new Float32Array(2 ** Math.ceil(Math.log2(Math.max(16, length))));
    return this.plain.subarray(0, length);
  }

  /** Returns every block to the heap; the next get allocates afresh. */
  free(): void {
    for (const block of this.blocks.values()) block.free();
    this.blocks.clear();
    this.plain = new Float32Array(0);
  }

  /** Bytes held in the heap (tests: memory stays flat). */
  get bytes(): number {
    let total = 0;
    for (const block of this.blocks.values()) total += block.length * (block.kind === 'u8' ? 1 : block.kind === 'f64' ? 8 : 4);
    return total;
  }
}
