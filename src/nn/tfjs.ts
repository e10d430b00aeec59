// Export to the TensorFlow.js Layers format, so `tf.loadLayersModel` runs a pixprep-trained model. The layouts
// already agree (NHWC activations, Conv2D kernels [kh, kw, cin, cout], Dense kernels [in, out], channels_last
// Flatten), so the weights' bytes are the parameter block as it is, and the topology is Keras' Sequential JSON.
import type { ModelSnapshot } from './types.js';
import { checkOptions } from './options.js';
import { withPreprocessing } from './tfjs-preprocessing.js';
import { splitWeights } from './weights.js';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface TfjsArtifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: TfjsWeightSpec[];
  weightData: ArrayBuffer;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
}

export const TFJS_GENERATED_BY = 'pixprep';
/** The TF.js Layers version whose JSON this mirrors (what tf.loadLayersModel reads). */
const KERAS_VERSION = 'tfjs-layers 4.22.0';

export interface TfjsExportOptions {
  /**
   * A fitted ImageDataGenerator whose scaling the exported model applies itself, so that it takes raw pixels (as
   * float32 or int32 tensors): a Rescaling layer, or folded into the first layer (tfjs-preprocessing.ts).
   */
  preprocessing?: unknown;
}

export function toTfjsArtifacts(model: ModelSnapshot, options: TfjsExportOptions = {}): TfjsArtifacts {
  const o = checkOptions('toTfjsArtifacts', options, ['preprocessing']);
  let layers = model.layers.map((layer) => ({ class_name: layer.className as string, config: layer.kerasConfig() }));
  let weightEntries = splitWeights(model.weightSpecs, model.weights);
  if (o.preprocessing !== undefined) {
    ({ layers, weights: weightEntries } = withPreprocessing('toTfjsArtifacts', o.preprocessing, model.inputShape,
      layers, weightEntries));
  }
  // Keras marks the model's input on the first layer.
  layers[0] = { ...layers[0], config: { ...layers[0].config, batch_input_shape: [null, ...model.inputShape] } };
  const weights = new Float32Array(weightEntries.reduce((n, e) => n + e.data.length, 0));
  let at = 0;
  for (const e of weightEntries) {
    weights.set(e.data, at);
    at += e.data.length;
  }
  return {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: model.name, layers },
      keras_version: KERAS_VERSION,
      backend: 'tensor_flow.js',
    },
    weightSpecs: weightEntries.map((e) => ({ name: e.name, shape: e.shape, dtype: 'float32' as const })),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    format: 'layers-model',
    generatedBy: TFJS_GENERATED_BY,
    convertedBy: null,
  };
}

/** model.json's content for the artifacts, with the weights in one file named `weightsPath`. */
export function tfjsModelJSON(artifacts: TfjsArtifacts, weightsPath = 'weights.bin'): Record<string, unknown> {
  return {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
  };
}
