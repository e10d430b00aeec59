// pixprep's own model format: one JSON document with the architecture (each layer's constructor options), the
// compile configuration, opaque metadata (the CLI stores the generator's statistics there), the weights and the
// optimizer's state as base64 of their float32 bytes: exact, so a loaded model predicts bit-identically and
// resumes training bit-identically, and browser-safe (no Buffer).
import type { Sequential } from './sequential.js';
import type { CompileOptions } from './sequential.js';
import { Layer } from './layer.js';
import { Conv2D } from './conv2d.js';
import { MaxPooling2D } from './max-pooling2d.js';
import { Flatten } from './flatten.js';
import { Dense } from './dense.js';
import { base64ToBytes, bytesToBase64 } from '../base64.js';
import type { OptimizerConfig } from './optimizers.js';

export const MODEL_FORMAT = 'pixprep-sequential';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelJSON {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  name: string;
  seed: number;
  inputShape: number[];
  layers: { className: string; config: Record<string, unknown> }[];
  compile: { optimizer: OptimizerConfig; loss: string; metrics: string[] } | null;
  metadata: Record<string, unknown> | null;
  /** Where the optimizer stopped (steps, and its slots as base64 float32, one after the other); absent before training. */
  optimizerState?: { step: number; slots: string } | null;
  weights: {
    dtype: 'float32';
    /** Byte order of `data`; every platform pixprep runs on is little-endian, and loading checks it. */
    byteOrder: 'little';
    specs: { name: string; shape: number[] }[];
    data: string;
  };
}

const LAYERS: Record<string, (config: Record<string, unknown>) => Layer> = {
  Conv2D: (c) => new Conv2D(c as never),
  MaxPooling2D: (c) => new MaxPooling2D(c as never),
  Flatten: (c) => new Flatten(c as never),
  Dense: (c) => new Dense(c as never),
};

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function serializeModel(model: Sequential): ModelJSON {
  const weights = model.getWeightsFlat();
  if (!littleEndian) throw new Error('pixprep: saving models needs a little-endian platform');
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: model.name,
    seed: model.seed,
    inputShape: model.inputShape,
    layers: model.layers.map((layer) => ({ className: layer.className, config: layer.getConfig() })),
    compile: model.compileConfig,
    metadata: model.metadata ?? null,
    optimizerState: optimizerStateJSON(model),
    weights: {
      dtype: 'float32', byteOrder: 'little', specs: model.weightSpecs(),
      data: bytesToBase64(new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)),
    },
  };
}

function optimizerStateJSON(model: Sequential): ModelJSON['optimizerState'] {
  const state = model.getOptimizerState();
  if (state === null) return null;
  const all = new Float32Array(state.slots.reduce((a, s) => a + s.length, 0));
  let at = 0;
  for (const slot of state.slots) {
    all.set(slot, at);
    at += slot.length;
  }
  return { step: state.step, slots: bytesToBase64(new Uint8Array(all.buffer)) };
}

export interface ParsedModel {
  name: string;
  seed: number;
  inputShape: number[];
  layers: Layer[];
  compile: CompileOptions | null;
  metadata: Record<string, unknown> | undefined;
  weights: Float32Array;
  optimizerState: { step: number; slots: Float32Array[] } | null;
}

function fail(message: string): never {
  throw new Error(`Sequential.fromJSON: ${message}`);
}

export function parseModel(input: ModelJSON | string): ParsedModel {
  let json: ModelJSON;
  try {
    json = typeof input === 'string' ? JSON.parse(input) : input;
  } catch (cause) {
    throw new Error('Sequential.fromJSON: the text is not JSON', { cause });
  }
  if (json === null || typeof json !== 'object' || json.format !== MODEL_FORMAT) {
    fail(`not a pixprep model (expected format '${MODEL_FORMAT}')`);
  }
  if (json.formatVersion !== MODEL_FORMAT_VERSION) {
    fail(`format version ${json.formatVersion} is not supported (this pixprep reads version ${MODEL_FORMAT_VERSION})`);
  }
  if (!Array.isArray(json.layers) || json.layers.length === 0) fail('`layers` must be a non-empty list');
  const layers = json.layers.map((entry, i) => {
    const make = LAYERS[entry?.className];
    if (make === undefined) fail(`layers[${i}] has unknown className ${JSON.stringify(entry?.className)}`);
    // The first layer's inputShape is restored by build(); others never had one that mattered.
    const { inputShape: _ignored, ...config } = entry.config ?? {};
    return make(config);
  });
  const w = json.weights;
  if (w === null || typeof w !== 'object' || w.dtype !== 'float32' || typeof w.data !== 'string') {
    fail('`weights` must be {dtype: "float32", data: base64}');
  }
  if (w.byteOrder !== 'little' || !littleEndian) fail('the weights are little-endian float32 and so must the platform be');
  const bytes = base64ToBytes(w.data);
  if (bytes.length % 4 !== 0) fail(`the weights have ${bytes.length} bytes, not a whole number of float32`);
  const weights = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  let optimizerState: ParsedModel['optimizerState'] = null;
  const o = json.optimizerState;
  if (o !== null && o !== undefined) {
    if (typeof o !== 'object' || typeof o.slots !== 'string') fail('`optimizerState` must be {step, slots: base64}');
    const slotBytes = base64ToBytes(o.slots);
    const per = weights.length * 4;
    if (per === 0 || slotBytes.length % per !== 0) {
      fail(`\`optimizerState.slots\` has ${slotBytes.length} bytes, not a whole number of slots of ${weights.length} float32`);
    }
    const all = new Float32Array(slotBytes.buffer, slotBytes.byteOffset, slotBytes.length / 4);
    const slots = Array.from({ length: slotBytes.length / per }, (_, i) => all.subarray(i * weights.length, (i + 1) * weights.length));
    optimizerState = { step: o.step, slots };
  }
  return {
    name: typeof json.name === 'string' ? json.name : 'sequential',
    seed: json.seed,
    inputShape: json.inputShape,
    layers,
    compile: json.compile === null || json.compile === undefined ? null : {
      optimizer: json.compile.optimizer as never, loss: json.compile.loss as never, metrics: json.compile.metrics,
    },
    metadata: json.metadata ?? undefined,
    weights,
    optimizerState,
  };
}
