// What the rest of the library sees of a worker pool (pool.ts): an interface with no WebAssembly types, because
// Backend carries it and Backend reaches the package's type declarations, which must check without the DOM's or
// Node's WebAssembly declarations.
import type { Part } from './split.js';

/** What the rest of the library sees of a pool (no WebAssembly types: they reach the package's declarations). */
export interface ThreadPool {
  /** Threads a call may use: the calling one and the helpers. */
  readonly threads: number;
  /** Calls that ran on more than one thread. */
  readonly parallelCalls: number;
  /** Resolves when every helper is up. */
  started(): Promise<void>;
  /** Runs the parts of one call (split.ts), part 0 on the calling thread. */
  run(kernel: string, parts: readonly Part[]): void;
}
