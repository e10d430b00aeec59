// Saving and loading models on Node's file system. Kept apart so that the rest of src/nn stays browser-safe.
// Saves replace their files atomically (write-file-node.ts): a save that fails half way (disk full, a file-size
// limit) leaves the previous model as it was, never a truncated file.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeFilesAtomic } from '../write-file-node.js';
import { Sequential } from './sequential.js';
import { tfjsModelJSON, type TfjsExportOptions } from './tfjs.js';
import type { OnnxExportOptions } from './onnx.js';

/** Writes pixprep's own format (one JSON file), making missing directories. */
export async function saveModel(model: Sequential, path: string): Promise<void> {
  await writeFileAtomic('saveModel', path, JSON.stringify(model.toJSON()));
}

export async function loadModel(path: string): Promise<Sequential> {
  return Sequential.fromJSON(await readFile(path, 'utf8'));
}

/**
 * Writes model.json + weights.bin in the TensorFlow.js Layers format (tf.loadLayersModel('file://dir/model.json')).
 * Both files are written and flushed before either replaces its old version; model.json is renamed last.
 */
export async function saveTfjs(model: Sequential, dir: string, options?: TfjsExportOptions): Promise<void> {
  const artifacts = model.toTfjsArtifacts(options);
  await writeFilesAtomic('saveTfjs', [
    { path: join(dir, 'weights.bin'), data: new Uint8Array(artifacts.weightData) },
    { path: join(dir, 'model.json'), data: JSON.stringify(tfjsModelJSON(artifacts), null, 1) },
  ]);
}

/** Writes the model as one ONNX file (model.toOnnx(options)), replaced atomically. */
export async function saveOnnx(model: Sequential, path: string, options?: OnnxExportOptions): Promise<void> {
  await writeFileAtomic('saveOnnx', path, model.toOnnx(options));
}
