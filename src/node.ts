// Node-only entry point (pixprep/node): everything in the main entry, plus what needs node:fs / node:zlib.
export * from './index.js';
export { loadMnist, loadMnistDetailed, MNIST_TOLERANCE, type LoadMnistOptions, type MnistLoad } from './data/mnist.js';
export { loadIdxFile, loadIdxDirectory, readIdxBytes, IDX_FILES } from './data/idx-node.js';
export { saveModel, loadModel, saveTfjs, saveOnnx } from './nn/io-node.js';
export { loadImg } from './image/load-node.js';
export { saveImg, type SaveImgOptions } from './image/save-node.js';
export { readCsv } from './generator/csv-node.js';
export { decodeMany, DecodePool, type DecodePoolOptions, type DecodeSource, type DecodeStream } from './image/decode-pool-node.js';
export { idxImageChunks, readIdxImagesHeader, type IdxChunkOptions, type IdxImagesHeader } from './data/idx-stream-node.js';
