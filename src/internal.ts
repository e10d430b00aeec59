// pixprep's internal entry (pixprep/internal): what the benchmarks and tests use beyond the public API. No promise
// of stability: names here may change in any release. Users import from 'pixprep' (src/index.ts).
export { currentBackend, availableBackends, type Backend } from './runtime/backend.js';
export { Heap, HeapBlock } from './runtime/heap.js';
export { Moments } from './generator/moments.js';
export { Random } from './random.js';
export { idxDeclaredLength, idxOutputCheck } from './data/idx.js';
export type { OutputCheck } from './data/gunzip.js';
