// pixprep's own model format: one JSON document with the architecture (each layer's constructor options), the
// compile configuration, opaque metadata (the CLI stores the generator's statistics there), the weights and the
// optimizer's state as base64 of their float32 bytes: exact, so a loaded model predicts bit-identically and
// resumes training bit-identically, and browser-safe (no Buffer).
import type { CompileOptions, ModelSnapshot } from './types.js';
import { Layer } from './layer.js';
import { Conv2D } from './conv2d.js';
import { MaxPooling2D } from './max-pooling2d.js';
import { Flatten } from './flatten.js';
import { Dense } from './dense.js';
import { base64ToBytes, bytesToBase64 } from '../base64.js';
import type { OptimizerConfig } from './optimizers.js';
import { describeValue } from '../errors.js';
import { withContext } from '../unknown-option-error.js';

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

export function serializeModel(model: ModelSnapshot): ModelJSON {
  const weights = model.weights;
  if (!littleEndian) throw new Error('pixprep: saving models needs a little-endian platform');
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: model.name,
    seed: model.seed,
    inputShape: model.inputShape,
    layers: model.layers.map((layer) => ({ className: layer.className, config: layer.getConfig() })),
    compile: model.compile,
    metadata: model.metadata ?? null,
    optimizerState: optimizerStateJSON(model),
    weights: {
      dtype: 'float32', byteOrder: 'little', specs: model.weightSpecs,
      data: bytesToBase64(new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)),
    },
  };
}

function optimizerStateJSON(model: ModelSnapshot): ModelJSON['optimizerState'] {
  const state = model.optimizerState;
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

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a base64 field, or an error naming the field (atob alone says only "Invalid character"). */
function base64Field(field: string, text: string): Uint8Array {
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    const at = text.search(/[^A-Za-z0-9+/=]/);
    const why = at >= 0 ? `the character ${JSON.stringify(text[at])} at position ${at} is not base64`
      : text.length % 4 !== 0 ? `its length ${text.length} is not a multiple of 4` : "'=' appears before the end";
    fail(`\`${field}\` must be base64 (A-Z, a-z, 0-9, +, /, padded with =): ${why}`);
  }
  return base64ToBytes(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function parseModel(input: ModelJSON | string): ParsedModel {
  let json: ModelJSON;
  try {
    json = typeof input === 'string' ? JSON.parse(input) : input;
  } catch (cause) {
    throw new Error(`Sequential.fromJSON: the text is not JSON (${(cause as Error).message})`, { cause });
  }
  if (!isObject(json)) fail(`expected a pixprep model (an object with format '${MODEL_FORMAT}', or its JSON text). Received: ${describeValue(json)}`);
  if (json.format !== MODEL_FORMAT) {
    fail(`not a pixprep model (expected format '${MODEL_FORMAT}'). Received format: ${describeValue(json.format)}`);
  }
  if (json.formatVersion !== MODEL_FORMAT_VERSION) {
    fail(`format version ${describeValue(json.formatVersion)} is not supported (this pixprep reads version ${MODEL_FORMAT_VERSION})`);
  }
  if (!Array.isArray(json.layers) || json.layers.length === 0) fail(`\`layers\` must be a non-empty list. Received: ${describeValue(json.layers)}`);
  const inputShape = json.inputShape as unknown;
  // Every layer takes [height, width, channels] or [features]: no longer shape can be right.
  if (!Array.isArray(inputShape) || inputShape.length === 0 || inputShape.length > 3 || !inputShape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    fail(`\`inputShape\` must be a list of positive integers, [height, width, channels] or [features]. Received: ${describeValue(inputShape)}`);
  }
  const seed = json.seed as unknown;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) fail(`\`seed\` must be a non-negative integer. Received: ${describeValue(seed)}`);
  const layers = json.layers.map((entry: unknown, i) => {
    if (!isObject(entry)) fail(`layers[${i}] must be {className, config}. Received: ${describeValue(entry)}`);
    const className = entry.className;
    // Own keys only: '__proto__', 'constructor' or 'hasOwnProperty' must not find Object.prototype's members.
    if (typeof className !== 'string' || !Object.prototype.hasOwnProperty.call(LAYERS, className)) {
      fail(`layers[${i}] has unknown className ${describeValue(className)} (layers[${i}].className must be one of ${Object.keys(LAYERS).join(', ')})`);
    }
    const given = entry.config ?? {};
    if (!isObject(given)) fail(`layers[${i}].config must be an object of ${className} options. Received: ${describeValue(given)}`);
    // The layers turn any name into a string with String(), which throws on an object without a prototype.
    if (given.name !== undefined && typeof given.name !== 'string') {
      fail(`layers[${i}].config.name must be a string. Received: ${describeValue(given.name)}`);
    }
    // The first layer's inputShape is restored by build(); others never had one that mattered.
    const { inputShape: _ignored, ...config } = given;
    try {
      return LAYERS[className](config);
    } catch (cause) {
      throw withContext(cause, `Sequential.fromJSON: layers[${i}].config`);
    }
  });
  const w = json.weights as unknown;
  if (!isObject(w) || w.dtype !== 'float32' || typeof w.data !== 'string') {
    fail(`\`weights\` must be {dtype: "float32", byteOrder: "little", data: base64}. Received: ${describeValue(w)}`);
  }
  if (w.byteOrder !== 'little' || !littleEndian) fail('the weights are little-endian float32 and so must the platform be');
  const bytes = base64Field('weights.data', w.data);
  if (bytes.length % 4 !== 0) fail(`the weights have ${bytes.length} bytes, not a whole number of float32`);
  const weights = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  // The shapes alone give the parameter count: compare it before the model allocates anything for the architecture.
  let shapeNow: number[] = inputShape;
  let count = 0;
  layers.forEach((layer, i) => {
    try {
      shapeNow = layer.build(shapeNow);
    } catch (cause) {
      throw withContext(cause, `Sequential.fromJSON: layers[${i}] on inputShape ${describeValue(inputShape)}`);
    }
    count += layer.paramCount;
  });
  if (count !== weights.length) {
    fail(`the weights hold ${weights.length} values but the architecture has ${count} parameters (\`weights.data\` does not fit \`layers\` and \`inputShape\`)`);
  }
  let optimizerState: ParsedModel['optimizerState'] = null;
  const o = json.optimizerState as unknown;
  if (o !== null && o !== undefined) {
    if (!isObject(o) || typeof o.slots !== 'string') fail(`\`optimizerState\` must be {step, slots: base64}. Received: ${describeValue(o)}`);
    if (typeof o.step !== 'number' || !Number.isSafeInteger(o.step) || o.step < 1) {
      fail(`\`optimizerState.step\` must be a positive integer. Received: ${describeValue(o.step)}`);
    }
    const slotBytes = base64Field('optimizerState.slots', o.slots);
    const per = weights.length * 4;
    if (per === 0 || slotBytes.length % per !== 0) {
      fail(`\`optimizerState.slots\` has ${slotBytes.length} bytes, not a whole number of slots of ${weights.length} float32`);
    }
    const all = new Float32Array(slotBytes.buffer, slotBytes.byteOffset, slotBytes.length / 4);
    const slots = Array.from({ length: slotBytes.length / per }, (_, i) => all.subarray(i * weights.length, (i + 1) * weights.length));
    optimizerState = { step: o.step, slots };
  }
  const compile = json.compile as unknown;
  if (compile !== null && compile !== undefined && !isObject(compile)) {
    fail(`\`compile\` must be {optimizer, loss, metrics} or null. Received: ${describeValue(compile)}`);
  }
  const metadata = json.metadata as unknown;
  if (metadata !== null && metadata !== undefined && !isObject(metadata)) {
    fail(`\`metadata\` must be an object or null. Received: ${describeValue(metadata)}`);
  }
  return {
    name: typeof json.name === 'string' ? json.name : 'sequential',
    seed,
    inputShape,
    layers,
    compile: compile === null || compile === undefined ? null : {
      optimizer: compile.optimizer as never, loss: compile.loss as never, metrics: compile.metrics as never,
    },
    metadata: metadata ?? undefined,
    weights,
    optimizerState,
  };
}
