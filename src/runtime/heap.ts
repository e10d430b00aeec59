// The memory the kernels work in: WebAssembly linear memory for the wasm-simd backend, a plain ArrayBuffer that
// behaves the same way for the js backend. One first-fit allocator with coalescing serves both, so the code above
// it (generator, network) allocates its buffers once and reuses them, and never cares which backend it runs on.
//
// Growing memory replaces `buffer` (and detaches old views for WebAssembly memory), so nobody should keep a
// typed-array view across an allocation: hold a HeapBlock and ask it for `.view` when needed; the view is rebuilt
// only when the buffer changed.

export const PAGE_BYTES = 65536;
const ALIGN = 16;

/** What the allocator needs of a memory: its current buffer and a way to grow it by whole 64 KiB pages. */
export interface GrowableMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** An ArrayBuffer-backed memory with WebAssembly.Memory's interface, for the js backend. */
export class ArrayBufferMemory implements GrowableMemory {
  buffer: ArrayBuffer;
  constructor(initialPages: number) {
    this.buffer = new ArrayBuffer(initialPages * PAGE_BYTES);
  }
  grow(pages: number): number {
    const before = this.buffer.byteLength / PAGE_BYTES;
    const next = new ArrayBuffer(this.buffer.byteLength + pages * PAGE_BYTES);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
    return before;
  }
}

type ArrayKind = 'u8' | 'f32' | 'f64' | 'i32';
type ViewOf<K extends ArrayKind> = K extends 'u8' ? Uint8Array : K extends 'f32' ? Float32Array : K extends 'f64' ? Float64Array : Int32Array;
const BYTES: Record<ArrayKind, number> = { u8: 1, f32: 4, f64: 8, i32: 4 };

/** A typed array living in a Heap. `view` is valid until the next allocation that grows the heap. */
export class HeapBlock<K extends ArrayKind = ArrayKind> {
  private cached: ViewOf<K> | null = null;
  constructor(
    readonly heap: Heap,
    readonly kind: K,
    readonly byteOffset: number,
    readonly length: number,
  ) {}

  get view(): ViewOf<K> {
    const buffer = this.heap.memory.buffer;
    if (this.cached === null || this.cached.buffer !== buffer) {
      const offset = this.byteOffset;
      const n = this.length;
      switch (this.kind) {
        case 'u8': this.cached = new Uint8Array(buffer, offset, n) as ViewOf<K>; break;
        case 'f32': this.cached = new Float32Array(buffer, offset, n) as ViewOf<K>; break;
        case 'f64': this.cached = new Float64Array(buffer, offset, n) as ViewOf<K>; break;
        default: this.cached = new Int32Array(buffer, offset, n) as ViewOf<K>;
      }
    }
    return this.cached as ViewOf<K>;
  }

  /** Returns the block to the heap; using it afterwards is a bug. */
  free(): void {
    this.heap.free(this.byteOffset);
    this.cached = null;
  }
}

interface Span { offset: number; bytes: number }

export class Heap {
  private readonly free_: Span[] = []; // sorted by offset, never adjacent (coalesced)
  private readonly used = new Map<number, number>();
  /** How many times this heap grew its memory: tests use it to prove hot paths allocate nothing new. */
  growCount = 0;

  constructor(readonly memory: GrowableMemory, base: number) {
    const start = Math.ceil(base / ALIGN) * ALIGN;
    const end = memory.buffer.byteLength;
    if (end > start) this.free_.push({ offset: start, bytes: end - start });
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes handed out and not yet freed. */
  get usedBytes(): number {
    let total = 0;
    for (const bytes of this.used.values()) total += bytes;
    return total;
  }

  alloc(byteLength: number): number {
    const bytes = Math.max(ALIGN, Math.ceil(byteLength / ALIGN) * ALIGN);
    let index = this.free_.findIndex((span) => span.bytes >= bytes);
    if (index < 0) index = this.growFor(bytes);
    const span = this.free_[index];
    const offset = span.offset;
    if (span.bytes === bytes) this.free_.splice(index, 1);
    else {
      span.offset += bytes;
      span.bytes -= bytes;
    }
    this.used.set(offset, bytes);
    return offset;
  }

  free(offset: number): void {
    const bytes = this.used.get(offset);
    if (bytes === undefined) throw new Error(`pixprep internal error: free of unknown heap offset ${offset}`);
    this.used.delete(offset);
    let index = this.free_.findIndex((span) => span.offset > offset);
    if (index < 0) index = this.free_.length;
    this.free_.splice(index, 0, { offset, bytes });
    this.coalesce(index);
    if (index > 0) this.coalesce(index - 1);
  }

  block<K extends ArrayKind>(kind: K, length: number): HeapBlock<K> {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`pixprep internal error: block length must be a non-negative integer, got ${length}`);
    }
    return new HeapBlock(this, kind, this.alloc(length * BYTES[kind]), length);
  }

  // Grows by at least half the current size, so that a sequence of growing requests costs few grow calls.
  private growFor(bytes: number): number {
    const before = this.memory.buffer.byteLength;
    const last = this.free_[this.free_.length - 1];
    const tailFree = last !== undefined && last.offset + last.bytes === before ? last.bytes : 0;
    const needed = bytes - tailFree;
    const pages = Math.max(Math.ceil(needed / PAGE_BYTES), Math.ceil(before / 2 / PAGE_BYTES));
    try {
      this.memory.grow(pages);
    } catch (cause) {
      throw new RangeError(
        `pixprep: cannot grow kernel memory by ${pages * PAGE_BYTES} bytes (have ${before}, need ${bytes} more contiguous)`,
        { cause },
      );
    }
    this.growCount++;
    if (tailFree > 0) last.bytes += pages * PAGE_BYTES;
    else this.free_.push({ offset: before, bytes: pages * PAGE_BYTES });
    return this.free_.length - 1;
  }

  private coalesce(index: number): void {
    const a = this.free_[index];
    const b = this.free_[index + 1];
    if (a !== undefined && b !== undefined && a.offset + a.bytes === b.offset) {
      a.bytes += b.bytes;
      this.free_.splice(index + 1, 1);
    }
  }
}
