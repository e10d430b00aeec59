// The network's shared types, in a module of their own so that the facade (sequential.ts), the engine, progress,
// serialize and the TF.js export each depend on these narrow shapes and never on each other's classes: src/ has no
// import cycle, type-only imports included (test/architecture/imports.test.ts checks it).
import type { DataFormat } from '../generator/image-set.js';
import type { ArrayData, BatchSource } from './batch-source.js';
import type { Layer } from './layer.js';
import type { LossName } from './losses.js';
import type { Optimizer, OptimizerConfig } from './optimizers.js';

export interface SequentialOptions {
  /** Seeds weight initialisation and the shuffling of array data. Default 0: pixprep is deterministic. */
  seed?: number;
  name?: string;
}

export interface CompileOptions {
  optimizer?: 'adam' | 'sgd' | Optimizer | OptimizerConfig;
  loss?: LossName | 'categorical_crossentropy' | 'sparse_categorical_crossentropy';
  metrics?: string[];
}

export interface EpochLogs {
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Training images per second this epoch (forward, backward and update; not validation). */
  imagesPerSecond: number;
  seconds: number;
}

export interface BatchLogs {
  loss: number;
  accuracy: number;
  size: number;
}

/** Receives one complete progress line (no trailing newline). */
export type LogWriter = (line: string) => void;

export interface FitOptions {
  epochs?: number;
  /** For array data only (a flow iterator has its own). Default 32. */
  batchSize?: number;
  validationData?: BatchSource | ArrayData;
  /** 0 silent, 1 a progress bar on a TTY (one line per epoch otherwise), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Shuffle array data each epoch (seeded by the model's seed). Default true. */
  shuffle?: boolean;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: BatchLogs) => void;
  /** Receives each progress line instead of stdout/console (tests, apps). */
  log?: LogWriter;
  /** The layout of array data's images (x and validationData's x): 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

export interface History {
  epoch: number[];
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  imagesPerSecond: number[];
}

export interface EvaluateOptions {
  batchSize?: number;
  /** The layout of array images: 'channelsLast' (default) or 'channelsFirst' ([n, channels, height, width]). */
  dataFormat?: DataFormat;
}

export interface PredictOptions {
  batchSize?: number;
  /** The layout of array images: 'channelsLast' (default) or 'channelsFirst' ([n, channels, height, width]). */
  dataFormat?: DataFormat;
}

/** The compile configuration as saved: the optimizer's class and config, the loss, the metrics. */
export interface CompileConfig {
  optimizer: OptimizerConfig;
  loss: LossName;
  metrics: string[];
}

/** The optimizer's state: the steps taken and each slot (Adam: m, then v) in the weights' layout. */
export interface OptimizerState {
  step: number;
  slots: Float32Array[];
}

/**
 * What the exporters (serialize.ts, tfjs.ts) read of a model: a snapshot of its layers and a copy of its weights,
 * taken by the facade. Nothing here owns kernel memory.
 */
export interface ModelSnapshot {
  name: string;
  seed: number;
  inputShape: number[];
  layers: readonly Layer[];
  weightSpecs: { name: string; shape: number[] }[];
  /** Every weight, flat, in weightSpecs' order (a copy). */
  weights: Float32Array;
  compile: CompileConfig | null;
  optimizerState: OptimizerState | null;
  metadata: Record<string, unknown> | undefined;
}
