// The recipe of the Keras pixel-scaling tutorial, shared by the `pixprep` command, the browser demo and users who
// want to reproduce it: its scalings as generator options, its network, and how `--limit` takes training images.
import type { ImageDataGeneratorOptions } from './generator/options.js';
import type { ByteImages } from './data/types.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from './nn/index.js';

/** The tutorial's three: normalize to [0, 1]; center and standardize the raw pixels, as the tutorial does. */
export type TutorialScaling = 'normalize' | 'center' | 'standardize';
export const TUTORIAL_SCALINGS: Readonly<Record<TutorialScaling, Readonly<ImageDataGeneratorOptions>>> = {
  normalize: { rescale: 1 / 255 },
  center: { featurewiseCenter: true },
  standardize: { featurewiseCenter: true, featurewiseStdNormalization: true },
};

/** Every scaling `pixprep train` offers: the tutorial's, ZCA (issue 8) and none. */
export const SCALINGS = ['normalize', 'center', 'standardize', 'zca', 'none'] as const;
export type Scaling = (typeof SCALINGS)[number];

/** Generator options of a scaling. ZCA rescales to [0, 1] first, so that zcaEpsilon is on the pixels' scale. */
export function scalingOptions(scaling: Scaling, zcaEpsilon = 0.1): ImageDataGeneratorOptions {
  if (scaling === 'zca') return { rescale: 1 / 255, zcaWhitening: true, zcaEpsilon };
  if (scaling === 'none') return {};
  return { ...TUTORIAL_SCALINGS[scaling] };
}

/**
 * The tutorial's CNN, compiled as the tutorial compiles it (Adam, categorical cross-entropy, accuracy):
 * Conv2D 32 3×3 relu, MaxPool 2, Conv2D 64 3×3 relu, MaxPool 2, Flatten, Dense 64 relu, Dense classes softmax.
 */
export function tutorialModel(
  { inputShape = [28, 28, 1], classes = 10, seed = 1 }: { inputShape?: [number, number, number]; classes?: number; seed?: number } = {},
): Sequential {
  const model = new Sequential([
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: classes, activation: 'softmax' }),
  ], { seed });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** The first `limit` images and labels (views, no copy); the embedded digits are interleaved, so any prefix is balanced. */
export function firstImages<T extends { x: ByteImages; y: Uint8Array }>(set: T, limit: number): { x: ByteImages; y: Uint8Array } {
  const [n, h, w, c] = set.x.shape;
  const k = Math.min(n, limit);
  return { x: { data: set.x.data.subarray(0, k * h * w * c), shape: [k, h, w, c] }, y: set.y.subarray(0, k) };
}
