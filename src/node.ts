// Node-only entry point (pixprep/node): everything in the main entry, plus loaders that need node:fs / node:zlib.
export * from './index.js';
export { loadMnist, loadMnistDetailed, MNIST_TOLERANCE, type LoadMnistOptions, type MnistLoad } from './data/mnist.js';
export { loadIdxFile, loadIdxDirectory, readIdxBytes, IDX_FILES } from './data/idx-node.js';
// The pure (browser-safe) IDX parser and data types; to move to index.ts, which the browser entry owns.
export { parseIdx, parseIdxAsync, idxImages, idxLabels, encodeIdx, IdxError, type IdxArray, type IdxData, type IdxDtype } from './data/idx.js';
export { gunzip, isGzip } from './data/gunzip.js';
export type { ByteImages, LabeledImages, DataSet } from './data/types.js';
