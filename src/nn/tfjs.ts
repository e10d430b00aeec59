// Export to the TensorFlow.js Layers format, so `tf.loadLayersModel` runs a pixprep-trained model. The layouts
// already agree (NHWC activations, Conv2D kernels [kh, kw, cin, cout], Dense kernels [in, out], channels_last
// Flatten), so the weights' bytes are the parameter block as it is, and the topology is Keras' Sequential JSON.
import type { ModelSnapshot } from './types.js';

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

export function toTfjsArtifacts(model: ModelSnapshot): TfjsArtifacts {
  const layers = model.layers.map((layer, i) => {
    const config = layer.kerasConfig();
    // Keras marks the model's input on the first layer.
    if (i === 0) Object.assign(config, { batch_input_shape: [null, ...model.inputShape] });
    return { class_name: layer.className, config };
  });
  const weights = model.weights;
  return {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: model.name, layers },
      keras_version: KERAS_VERSION,
      backend: 'tensor_flow.js',
    },
    weightSpecs: model.weightSpecs.map((s) => ({ ...s, dtype: 'float32' as const })),
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
