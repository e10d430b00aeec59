// Whether this runtime can run kernels on several threads, and how many it has. Shared WebAssembly memory needs
// SharedArrayBuffer, which browsers give only to cross-origin isolated pages (COOP/COEP headers: README, Threads);
// Node always has it. The calling thread must be allowed to Atomics.wait (pool.ts), which a browser's main thread
// is not: there threads stay 1, and a page that wants them trains in a worker (the demo does).

function isNode(): boolean {
  return typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
}

/** Why threads > 1 cannot be used here, or null when they can. */
export function threadsMissing(): string | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return 'SharedArrayBuffer is not available (a browser page must be cross-origin isolated: COOP and COEP headers)';
  }
  if (isNode()) return null;
  if (typeof crossOriginIsolated === 'boolean' && !crossOriginIsolated) {
    return 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';
  }
  if (typeof Worker !== 'function') return 'this runtime cannot start workers';
  if (typeof document === 'object') {
    return "a browser's main thread may not block in Atomics.wait: run pixprep in a worker for threads > 1";
  }
  return null;
}

/** The cores available: os.availableParallelism() in Node, navigator.hardwareConcurrency elsewhere (else 1). */
export function coresAvailable(): number {
  if (isNode()) {
    const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const os = typeof builtin === 'function' ? builtin('node:os') as { availableParallelism?: () => number } : undefined;
    if (typeof os?.availableParallelism === 'function') return os.availableParallelism();
  }
  const n = typeof navigator === 'object' ? navigator?.hardwareConcurrency : undefined;
  return typeof n === 'number' && n >= 1 ? Math.floor(n) : 1;
}
