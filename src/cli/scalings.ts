// The scalings of the Keras pixel-scaling tutorial, as generator options. Center and standardize work on raw
// pixels, as the tutorial does; ZCA (issue 8) rescales to [0, 1] first so that zcaEpsilon means what it says.
import type { ImageDataGeneratorOptions } from '../generator/options.js';

export const SCALINGS = ['normalize', 'center', 'standardize', 'zca', 'none'] as const;
export type Scaling = (typeof SCALINGS)[number];
/** What `compare` trains: the tutorial's three. */
export const TUTORIAL_SCALINGS: readonly Scaling[] = ['normalize', 'center', 'standardize'];

export function scalingOptions(scaling: Scaling, zcaEpsilon: number): ImageDataGeneratorOptions {
  switch (scaling) {
    case 'normalize': return { rescale: 1 / 255 };
    case 'center': return { featurewiseCenter: true };
    case 'standardize': return { featurewiseCenter: true, featurewiseStdNormalization: true };
    case 'zca': return { rescale: 1 / 255, zcaWhitening: true, zcaEpsilon };
    case 'none': return {};
  }
}
