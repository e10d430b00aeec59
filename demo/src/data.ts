// The digits, fetched from the page's own origin: the four IDX files written by scripts/make-assets.mjs, gunzipped
// and parsed by pixprep's browser-safe IDX reader (DecompressionStream, no Node imports).
import { idxImages, idxLabels, parseIdxAsync, type DataSet, type LabeledImages } from '../../src/index.js';

interface Manifest {
  files: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
  train: number;
  test: number;
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url.pathname}: HTTP ${response.status}. Generate the demo's data with \`npm run demo\` ` +
      '(or `node demo/scripts/make-assets.mjs` after `npm run build`)');
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function loadSet(base: URL, images: string, labels: string): Promise<LabeledImages> {
  const [x, y] = await Promise.all([fetchBytes(new URL(images, base)), fetchBytes(new URL(labels, base))]);
  const set = { x: idxImages(await parseIdxAsync(x, images), images), y: idxLabels(await parseIdxAsync(y, labels), labels) };
  if (set.x.shape[0] !== set.y.length) throw new Error(`${images} has ${set.x.shape[0]} images but ${labels} ${set.y.length} labels`);
  return set;
}

/** Loads train and test digits from the folder `dataUrl` (absolute, ending in a slash). */
export async function loadDigits(dataUrl: string): Promise<DataSet> {
  const dir = new URL(dataUrl);
  const response = await fetch(new URL('manifest.json', dir));
  if (!response.ok) throw new Error(`${dir.pathname}manifest.json: HTTP ${response.status}. Run \`npm run demo\` to generate the data`);
  const manifest = (await response.json()) as Manifest;
  const f = manifest.files;
  const [train, test] = await Promise.all([
    loadSet(dir, f.trainImages, f.trainLabels),
    loadSet(dir, f.testImages, f.testLabels),
  ]);
  return { train, test };
}
