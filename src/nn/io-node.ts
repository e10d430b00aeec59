// Saving and loading models on Node's file system. Kept apart so that the rest of src/nn stays browser-safe.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Sequential } from './sequential.js';
import { tfjsModelJSON } from './tfjs.js';

/** Writes pixprep's own format (one JSON file). */
export async function saveModel(model: Sequential, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(model.toJSON()));
}

export async function loadModel(path: string): Promise<Sequential> {
  return Sequential.fromJSON(await readFile(path, 'utf8'));
}

/** Writes model.json + weights.bin in the TensorFlow.js Layers format (tf.loadLayersModel('file://dir/model.json')). */
export async function saveTfjs(model: Sequential, dir: string): Promise<void> {
  const artifacts = model.toTfjsArtifacts();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData));
  await writeFile(join(dir, 'model.json'), JSON.stringify(tfjsModelJSON(artifacts), null, 1));
}
