// pixprep's public API: what users call (browser-safe; Node-only loaders and file saving are in pixprep/node).
// Internals the benchmarks and tests reach for (the backend object and its heap, Moments, Random, the IDX output
// checks) are in src/internal.ts, an entry that makes no promise of stability.
export { backend, setBackend, getBackend, ready, threads, setThreads, getThreads } from './runtime/backend.js';
export type { BackendName } from './runtime/backend.js';
export * from './generator/index.js';
export * from './nn/index.js';
export { parseIdx, parseIdxAsync, idxImages, idxLabels, encodeIdx, IdxError, DEFAULT_IDX_MAX_BYTES, type IdxReadOptions, type IdxArray, type IdxData, type IdxDtype } from './data/idx.js';
export { gunzip, isGzip } from './data/gunzip.js';
export { UnknownOptionError } from './unknown-option-error.js';
export type { ByteImages, LabeledImages, DataSet } from './data/types.js';
export { SCALINGS, SCALING_CHOICES, scalingOptions, tutorialModel, firstImages, type Scaling, type TutorialScaling } from './tutorial.js';
export * from './image/index.js';
