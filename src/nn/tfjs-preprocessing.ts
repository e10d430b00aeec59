// A generator's scaling in a TF.js Layers export, so that the loaded model takes raw pixels. TF.js' Rescaling layer
// computes x·scale + offset in float32 with one scale and one offset, which is exactly pixprep's affine step when
// every channel has the same coefficients (one channel, or rescale alone): then it is prepended as it is. Per-channel
// coefficients are folded into the weights of the layer that reads the pixels, where that is exact in real
// arithmetic: a Conv2D with 'valid' padding (W'[.., i, o] = W·mul[i], b'[o] = b[o] + Σ W·add[i]), or a Dense after
// the input's Flatten (the same per feature). With 'same' padding the border's zeros would be scaled pixels in
// pixprep but zeros in the folded model, so that is refused. ZCA becomes Flatten → Dense(D, W) → Reshape, with
// per-channel coefficients folded into that Dense.
import { bakedScaling, type BakedScaling } from './baked-scaling.js';
import { KERAS_GLOROT_UNIFORM, KERAS_ZEROS } from './layer.js';

export interface TfjsLayerEntry {
  class_name: string;
  config: Record<string, unknown>;
}

export interface TfjsWeightEntry {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Returns the layers and weights with the scaling prepended or folded in; the inputs are not modified. */
export function withPreprocessing(
  where: string, generator: unknown, inputShape: readonly number[], layers: TfjsLayerEntry[], weights: TfjsWeightEntry[],
): { layers: TfjsLayerEntry[]; weights: TfjsWeightEntry[] } {
  const baked = bakedScaling(where, generator, inputShape);
  const [h, w, c] = inputShape;
  const uniform = baked.mul.every((m) => m === baked.mul[0]) && baked.add.every((a) => a === baked.add[0]);
  const prefix: TfjsLayerEntry[] = [];
  const prefixWeights: TfjsWeightEntry[] = [];
  if (uniform) {
    prefix.push(layer('Rescaling', { name: 'rescaling', scale: baked.mul[0], offset: baked.add[0] }));
  }
  if (baked.zca) {
    const size = h * w * c;
    const folded = uniform ? { kernel: baked.zca, bias: null } : foldRows(baked, baked.zca, size, size);
    prefix.push(
      layer('Flatten', { name: 'zca_flatten', data_format: 'channels_last' }),
      layer('Dense', denseConfig('zca_whitening', size, folded.bias !== null)),
      layer('Reshape', { name: 'zca_reshape', target_shape: [h, w, c] }),
    );
    prefixWeights.push({ name: 'zca_whitening/kernel', shape: [size, size], data: folded.kernel });
    if (folded.bias) prefixWeights.push({ name: 'zca_whitening/bias', shape: [size], data: folded.bias });
    return { layers: [...prefix, ...layers], weights: [...prefixWeights, ...weights] };
  }
  if (uniform) return { layers: [...prefix, ...layers], weights };
  return foldIntoFirstLayer(where, baked, layers, weights);
}

function foldIntoFirstLayer(where: string, baked: BakedScaling, layers: TfjsLayerEntry[], weights: TfjsWeightEntry[]) {
  const first = layers[0];
  const target = first.class_name === 'Conv2D' && first.config.padding === 'valid' ? 0
    : first.class_name === 'Flatten' && layers[1]?.class_name === 'Dense' ? 1 : -1;
  if (target < 0) {
    const what = first.class_name === 'Conv2D' ? "a Conv2D with padding 'same'" : `a ${first.class_name} layer`;
    throw new Error(`${where}: the generator scales each channel differently (${Array.from(baked.mul).join(', ')}), ` +
      "which TF.js' Rescaling layer (one scale, one offset) cannot express, and the model's first layer is " +
      `${what}, into which the scaling cannot be folded exactly (only a Conv2D with padding 'valid', or a Dense ` +
      'after a Flatten, can take it); export without `preprocessing`, or use toOnnx, which bakes in any scaling');
  }
  const layerName = String(layers[target].config.name);
  const kernelAt = weights.findIndex((e) => e.name === `${layerName}/kernel`);
  const kernel = weights[kernelAt];
  const rows = kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const units = kernel.shape[kernel.shape.length - 1];
  const folded = foldRows(baked, kernel.data, rows, units);
  const oldBias = weights[kernelAt + 1]?.name === `${layerName}/bias` ? weights[kernelAt + 1] : null;
  const bias = folded.bias!;
  if (oldBias) for (let o = 0; o < units; o++) bias[o] = Math.fround(oldBias.data[o] + bias[o]);
  const out = weights.slice();
  out.splice(kernelAt, oldBias ? 2 : 1, { ...kernel, data: folded.kernel }, { name: `${layerName}/bias`, shape: [units], data: bias });
  const outLayers = layers.slice();
  outLayers[target] = { ...layers[target], config: { ...layers[target].config, use_bias: true } };
  return { layers: outLayers, weights: out };
}

/**
 * For a kernel [rows, units] whose row r reads channel r % c (NHWC order, as Conv2D's [kh, kw, cin] rows and a
 * Flatten's features both do): kernel' = diag(mul) · kernel, bias = add · kernel (float64 sums).
 */
function foldRows(baked: BakedScaling, kernel: Float32Array, rows: number, units: number): { kernel: Float32Array; bias: Float32Array | null } {
  const c = baked.mul.length;
  const out = new Float32Array(rows * units);
  const bias = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    const m = baked.mul[r % c];
    const a = baked.add[r % c];
    for (let o = 0; o < units; o++) {
      out[r * units + o] = kernel[r * units + o] * m;
      bias[o] += kernel[r * units + o] * a;
    }
  }
  return { kernel: out, bias: Float32Array.from(bias) };
}

function layer(className: string, config: Record<string, unknown>): TfjsLayerEntry {
  return { class_name: className, config: { trainable: true, dtype: 'float32', ...config } };
}

function denseConfig(name: string, units: number, useBias: boolean): Record<string, unknown> {
  return {
    name, units, activation: 'linear', use_bias: useBias, kernel_initializer: KERAS_GLOROT_UNIFORM,
    bias_initializer: KERAS_ZEROS, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, bias_constraint: null,
  };
}
