// pixprep's public API (browser-safe; Node-only loaders and file saving are in pixprep/node).
export { backend, setBackend, getBackend, availableBackends, ready } from './runtime/backend.js';
export type { Backend, BackendName } from './runtime/backend.js';
export * from './generator/index.js';
export * from './nn/index.js';
export { parseIdx, parseIdxAsync, idxImages, idxLabels, encodeIdx, idxDeclaredLength, idxOutputCheck, IdxError, DEFAULT_IDX_MAX_BYTES, type IdxReadOptions, type IdxArray, type IdxData, type IdxDtype } from './data/idx.js';
export { gunzip, isGzip, type OutputCheck } from './data/gunzip.js';
export type { ByteImages, LabeledImages, DataSet } from './data/types.js';
export { Random } from './random.js';
export { TUTORIAL_SCALINGS, SCALINGS, scalingOptions, tutorialModel, firstImages, type Scaling, type TutorialScaling } from './tutorial.js';
