// "Your own images": the user picks a folder with one sub-folder per class (showDirectoryPicker where the browser has
// it, else <input webkitdirectory>); flowFromDirectory lists it as Keras would, the first batch is drawn, and
// fitDirectory streams its per-channel statistics. What it shows is also in data-* attributes for the browser test.
import { ImageDataGenerator, type FileIterator } from '../../src/index.js';

const SIZE = 48;

function drawBatch(canvas: HTMLCanvasElement, data: Float32Array, n: number, channels: number): void {
  const perRow = 8;
  canvas.width = perRow * SIZE;
  canvas.height = Math.ceil(n / perRow) * SIZE;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(SIZE, SIZE);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < SIZE * SIZE; p++) {
      for (let c = 0; c < 3; c++) image.data[4 * p + c] = data[(i * SIZE * SIZE + p) * channels + (channels === 1 ? 0 : c)];
      image.data[4 * p + 3] = 255;
    }
    context.putImageData(image, (i % perRow) * SIZE, Math.floor(i / perRow) * SIZE);
  }
}

export function setupFolderPanel(root: HTMLElement): void {
  root.innerHTML = `
    <p><button id="folder-pick" type="button">Pick a folder of images</button>
      <label>or <input id="folder-input" type="file" webkitdirectory multiple></label></p>
    <p id="folder-status" data-state="idle">One sub-folder per class (cats/, dogs/ …) of PNG, BMP, PPM or JPEG files.</p>
    <canvas id="folder-batch" width="384" height="48"></canvas>`;
  const status = root.querySelector<HTMLElement>('#folder-status')!;
  const show = async (folder: object) => {
    status.dataset.state = 'loading';
    status.textContent = 'Listing…';
    let files: FileIterator | null = null;
    try {
      const gen = new ImageDataGenerator();
      files = await gen.flowFromDirectory(folder, { targetSize: [SIZE, SIZE], batchSize: 16, shuffle: false, convertColors: true, onError: 'skip' });
      const counts = Object.keys(files.classIndices).map((name, k) => `${name}: ${files!.classes.filter((c) => c === k).length}`);
      const first = await files.at(0);
      drawBatch(root.querySelector<HTMLCanvasElement>('#folder-batch')!, first.x.data, first.x.shape[0], files.imageShape[2]);
      const stats = (await new ImageDataGenerator().fitDirectory(files)).statistics!;
      status.dataset.classes = JSON.stringify(files.classIndices);
      status.dataset.samples = String(files.samples);
      status.dataset.firstBatchSum = String(first.x.data.reduce((s, v) => s + v, 0));
      status.dataset.mean = JSON.stringify([...stats.mean]);
      status.dataset.std = JSON.stringify([...stats.std]);
      status.textContent = `${files.samples} images in ${counts.length} classes (${counts.join(', ')}), resized to ${SIZE}×${SIZE}; ` +
        `mean per channel ${[...stats.mean].map((v) => v.toFixed(2)).join(', ')}, std ${[...stats.std].map((v) => v.toFixed(2)).join(', ')}` +
        (files.skipped > 0 ? `; ${files.skipped} file(s) skipped: ${files.skippedFiles.map((s) => s.file).join(', ')}` : '');
      status.dataset.state = 'done';
    } catch (error) {
      status.dataset.state = 'error';
      status.textContent = (error as Error).message;
    } finally {
      files?.dispose();
    }
  };
  const pick = root.querySelector<HTMLButtonElement>('#folder-pick')!;
  const picker = (globalThis as { showDirectoryPicker?: () => Promise<object> }).showDirectoryPicker;
  if (picker === undefined) pick.hidden = true;
  else pick.addEventListener('click', () => picker().then(show, () => {}));
  const input = root.querySelector<HTMLInputElement>('#folder-input')!;
  input.addEventListener('change', () => { if (input.files && input.files.length > 0) void show(input.files); });
}
