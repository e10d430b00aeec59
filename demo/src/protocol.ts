// The messages between the page and the training worker.
import type { BackendName } from '../../src/index.js';
import type { TrainSettings } from './params.js';

export type ToWorker =
  | { type: 'train'; settings: TrainSettings; dataUrl: string; backend: BackendName | undefined }
  | { type: 'predict'; id: number; pixels: Uint8Array }
  | { type: 'export-onnx' };

export type FromWorker =
  | { type: 'loaded'; backend: string; threads: number; trainImages: number; testImages: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; accuracy: number }
  | { type: 'epoch'; epoch: number; loss: number; accuracy: number; valLoss: number; valAccuracy: number; imagesPerSecond: number }
  | { type: 'done'; testAccuracy: number; testLoss: number; trainImages: number; seconds: number }
  | { type: 'prediction'; id: number; probabilities: Float32Array }
  /** The trained model as an ONNX file taking raw 28×28 uint8 pixels (the fitted scaling baked in). */
  | { type: 'onnx'; bytes: Uint8Array }
  | { type: 'error'; message: string };
