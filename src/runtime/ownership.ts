// The one memory rule. Every object that owns kernel memory (heap blocks) holds an Ownership:
//   - dispose() returns its blocks at once, and [Symbol.dispose] does the same (TypeScript's `using` works);
//   - a FinalizationRegistry backstop returns them when the object is garbage-collected undisposed;
//   - after dispose(), any use throws "<Class>: used after dispose()" (never a silent rebuild or stale data).
// The `free` callback given here must not reference the owner itself (only the blocks, or a holder of them), or the
// registry would keep the owner alive forever.

const backstop = new FinalizationRegistry<() => void>((free) => free());

export class Ownership {
  private disposedFlag = false;

  constructor(private readonly className: string, owner: object, private readonly free: () => void) {
    backstop.register(owner, free, this);
  }

  get disposed(): boolean {
    return this.disposedFlag;
  }

  /** Throws "<Class>: used after dispose()" once the owner is disposed. */
  check(): void {
    if (this.disposedFlag) throw new Error(`${this.className}: used after dispose()`);
  }

  /** Frees the owner's blocks (once; later calls do nothing). */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    backstop.unregister(this);
    this.free();
  }
}
