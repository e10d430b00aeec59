// Named, reusable working buffers in a backend heap. A hot path asks for "staging" of n bytes every batch; it gets
// the same block back until it asks for more, so steady-state batches allocate nothing and memory stays bounded by
// the largest request. Safe to share because JavaScript runs one kernel sequence at a time (no await inside one).
//
// Take every block you need first, then their views: a later allocation may grow memory and detach earlier views.
import type { Heap, HeapBlock } from './heap.js';

type Kind = 'u8' | 'f32' | 'f64' | 'i32';

export class Scratch {
  private readonly blocks = new Map<string, HeapBlock>();
  constructor(private readonly heap: Heap) {}

  get<K extends Kind>(name: string, kind: K, length: number): HeapBlock<K> {
    const key = `${name}:${kind}`;
    const have = this.blocks.get(key) as HeapBlock<K> | undefined;
    if (have !== undefined && have.length >= length) return have;
    have?.free();
    // Round up so that slowly growing requests (a larger last batch, a new channel count) do not re-allocate each time.
    const block = this.heap.block(kind, Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(1, length)))));
    this.blocks.set(key, block);
    return block;
  }
}

const byHeap = new WeakMap<Heap, Scratch>();

export function scratchFor(heap: Heap): Scratch {
  let s = byHeap.get(heap);
  if (s === undefined) byHeap.set(heap, (s = new Scratch(heap)));
  return s;
}
