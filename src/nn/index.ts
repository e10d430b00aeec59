// The network's public API (browser-safe; file saving is in io-node.ts, exported from pixprep/node).
export { Sequential } from './sequential.js';
export type {
  SequentialOptions, CompileOptions, FitOptions, EvaluateOptions, PredictOptions, History, EpochLogs, BatchLogs,
} from './types.js';
export { Conv2D, type Conv2DOptions } from './conv2d.js';
export { MaxPooling2D, type MaxPooling2DOptions } from './max-pooling2d.js';
export { Flatten, type FlattenOptions } from './flatten.js';
export { Dense, type DenseOptions } from './dense.js';
export { Layer, type Activation, type LayerClassName } from './layer.js';
export { Adam, SGD, Optimizer, type AdamOptions, type SGDOptions } from './optimizers.js';
export type { BatchSource, ArrayData, ImageTensor, Labels } from './batch-source.js';
export type { LogWriter } from './progress.js';
export type { ModelJSON } from './serialize.js';
export { tfjsModelJSON, type TfjsArtifacts, type TfjsWeightSpec, type TfjsExportOptions } from './tfjs.js';
export { ONNX_OPSET, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME, type OnnxExportOptions } from './onnx.js';
