// The recipe of the Keras pixel-scaling tutorial, shared by the `pixprep` command, the browser demo and users who
// want to reproduce it: its scalings as generator options, its network, and how `--limit` takes training images.
import type { ImageDataGeneratorOptions } from './generator/options.js';
import type { ByteImages } from './data/types.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from './nn/index.js';
import type { Layer } from './nn/layer.js';

/** The tutorial's three scalings. */
export type TutorialScaling = 'normalize' | 'center' | 'standardize';

/**
 * The tutorial's three scalings by name, as generator options: normalize to [0, 1]; center and standardize the raw
 * pixels, as the tutorial does. The one list the command (train, compare), the demo and the tests read.
 */
export const SCALINGS: Readonly<Record<TutorialScaling, Readonly<ImageDataGeneratorOptions>>> = Object.freeze({
  normalize: Object.freeze({ rescale: 1 / 255 }),
  center: Object.freeze({ featurewiseCenter: true }),
  standardize: Object.freeze({ featurewiseCenter: true, featurewiseStdNormalization: true }),
});

/** What `pixprep train --scaling` takes: the tutorial's three, ZCA (issue 8) and none. */
export type Scaling = TutorialScaling | 'zca' | 'none';
export const SCALING_CHOICES: readonly Scaling[] = Object.freeze([...(Object.keys(SCALINGS) as TutorialScaling[]), 'zca', 'none']);

/** Generator options of a scaling. ZCA rescales to [0, 1] first, so that zcaEpsilon is on the pixels' scale. */
export function scalingOptions(scaling: Scaling, zcaEpsilon = 0.1): ImageDataGeneratorOptions {
  if (scaling === 'zca') return { rescale: 1 / 255, zcaWhitening: true, zcaEpsilon };
  if (scaling === 'none') return {};
  return { ...SCALINGS[scaling] };
}

/** The tutorial's layers: Conv2D 32 3×3 relu, MaxPool 2, Conv2D 64 3×3 relu, MaxPool 2, Flatten, Dense 64 relu, Dense classes softmax. */
function tutorialLayers(inputShape: [number, number, number], classes: number): Layer[] {
  return [
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: classes, activation: 'softmax' }),
  ];
}

/**
 * The smallest [height, width] of input that `layers` accept: each spatial layer's output-size rule inverted, from
 * one output pixel back to the input. A 'valid' window of k moved by s gives floor((in − k) / s) + 1 outputs, so n
 * outputs need in ≥ (n − 1)·s + k; 'same' gives ceil(in / s), so in ≥ (n − 1)·s + 1. Layers after Flatten take any
 * size. For the tutorial's network: 10×10 (10 → 8 → 4 → 2 → 1).
 */
export function minimumInputSize(layers: readonly Layer[]): [number, number] {
  const need: [number, number] = [1, 1];
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    for (const d of [0, 1] as const) {
      if (layer instanceof Conv2D) {
        need[d] = (need[d] - 1) * layer.stride + (layer.padding === 'same' ? 1 : layer.kernelSize[d]);
      } else if (layer instanceof MaxPooling2D) {
        need[d] = (need[d] - 1) * layer.stride + layer.poolSize;
      }
    }
  }
  return need;
}

/** The tutorial network's smallest input, [height, width]. */
export const TUTORIAL_MINIMUM_SIZE: readonly [number, number] = minimumInputSize(tutorialLayers([28, 28, 1], 10));

/**
 * Throws unless images of height × width fit the tutorial's network, with a message in the data's terms (not the
 * pooling layer's that would otherwise fail to build).
 */
export function checkTutorialInput(height: number, width: number): void {
  const [minH, minW] = TUTORIAL_MINIMUM_SIZE;
  if (height < minH || width < minW) {
    throw new RangeError(`images must be at least ${minH}×${minW} for this network (two 3×3 convolutions, each followed by a 2×2 pooling); these are ${height}×${width}`);
  }
}

/**
 * The tutorial's CNN, compiled as the tutorial compiles it (Adam, categorical cross-entropy, accuracy):
 * Conv2D 32 3×3 relu, MaxPool 2, Conv2D 64 3×3 relu, MaxPool 2, Flatten, Dense 64 relu, Dense classes softmax.
 * Images smaller than TUTORIAL_MINIMUM_SIZE (10×10) are refused.
 */
export function tutorialModel(
  { inputShape = [28, 28, 1], classes = 10, seed = 1 }: { inputShape?: [number, number, number]; classes?: number; seed?: number } = {},
): Sequential {
  checkTutorialInput(inputShape[0], inputShape[1]);
  const model = new Sequential(tutorialLayers(inputShape, classes), { seed });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** The first `limit` images and labels (views, no copy); the embedded digits are interleaved, so any prefix is balanced. */
export function firstImages<T extends { x: ByteImages; y: Uint8Array }>(set: T, limit: number): { x: ByteImages; y: Uint8Array } {
  const [n, h, w, c] = set.x.shape;
  const k = Math.min(n, limit);
  return { x: { data: set.x.data.subarray(0, k * h * w * c), shape: [k, h, w, c] }, y: set.y.subarray(0, k) };
}
