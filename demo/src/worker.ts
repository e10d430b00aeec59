// The training worker: loads the digits, runs the tutorial off the page's thread (src/tutorial-run.ts, the code
// `pixprep train` runs), reports every batch, and then answers predictions for drawn digits with the trained model
// and its fitted scaling, and exports it as ONNX.
import { backend, getThreads, ready, setBackend, type BackendName } from '../../src/index.js';
import { loadDigits } from './data.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { runTutorial, type TutorialRun } from '../../src/tutorial-run.js';
import type { TrainSettings } from './params.js';

let trained: TutorialRun | null = null;

function post(message: FromWorker): void {
  self.postMessage(message);
}

async function train(settings: TrainSettings, dataUrl: string, kernels: BackendName | undefined): Promise<void> {
  if (kernels !== undefined) setBackend(kernels);
  // In a cross-origin isolated page this worker runs the kernels on all the cores, the library's default there (a
  // worker may block in Atomics.wait; the page's thread may not); elsewhere on one. ready() starts the pool's
  // workers before the first batch.
  await ready();
  const data = await loadDigits(dataUrl);
  post({ type: 'loaded', backend, threads: getThreads(), trainImages: Math.min(settings.limit, data.train.y.length), testImages: data.test.y.length });
  const started = performance.now();
  trained = await runTutorial(data, settings, {
    onBatchEnd: (epoch, batch, batches, logs) => post({ type: 'batch', epoch, batch, batches, loss: logs.loss, accuracy: logs.accuracy }),
    onEpochEnd: (epoch, logs) => post({
      type: 'epoch', epoch, loss: logs.loss, accuracy: logs.accuracy,
      valLoss: logs.valLoss ?? NaN, valAccuracy: logs.valAccuracy ?? NaN, imagesPerSecond: logs.imagesPerSecond,
    }),
  });
  post({
    type: 'done', testAccuracy: trained.testAccuracy, testLoss: trained.testLoss, trainImages: trained.trainImages,
    seconds: (performance.now() - started) / 1000,
  });
}

function predict(id: number, pixels: Uint8Array): void {
  if (trained === null) throw new Error('predict: the model is not trained yet');
  const x = trained.generator.standardize({ data: pixels, shape: [1, 28, 28, 1] });
  const probabilities = trained.model.predict(x).data;
  post({ type: 'prediction', id, probabilities });
}

function exportOnnx(): void {
  if (trained === null) throw new Error('export: the model is not trained yet');
  post({ type: 'onnx', bytes: trained.model.toOnnx({ preprocessing: trained.generator }) });
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  try {
    if (m.type === 'train') await train(m.settings, m.dataUrl, m.backend);
    else if (m.type === 'export-onnx') exportOnnx();
    else predict(m.id, m.pixels);
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
};
