export { ImageDataGenerator } from './image-data-generator.js';
export type { GeneratorStatistics, ImageDataGeneratorJSON } from './image-data-generator.js';
export { FlowIterator } from './flow.js';
export type { Batch, FlowOptions } from './flow.js';
export type { ImageDataGeneratorOptions, ImageView } from './options.js';
export type { ImageSet, ImageInput, NdarrayLike, PixelArray, DataFormat } from './image-set.js';
export { toCategorical } from './labels.js';
export type { LabelInput, LabelIndices, OneHotLabels } from './labels.js';
export { toNdarray } from './ndarray.js';
