// The demo page in a real Chromium (Debian's, driven by playwright-core): it loads the digits, trains the CNN in a
// worker with the plot and progress bar moving, predicts a digit drawn with the mouse, and reaches exactly the test
// accuracy that the same recipe reaches in Node. Leaves a screenshot in test-results/demo.png.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as ort from 'onnxruntime-node';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { backend as nodeBackend, encodeIdx, getThreads, ImageDataGenerator, loadMnist, SCALINGS } from '../../src/node.js';
import { runTutorial } from '../../src/tutorial-run.js';
import { writeMnistAssets } from '../../demo/scripts/mnist-assets.mjs';
import { settingsFromUrl } from '../../demo/src/params.js';
import { format } from '../../demo/src/histogram.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// A quick run by default. The README's screenshot is the page's defaults (`pixprep train`'s: 5 epochs, all images):
//   PIXPREP_DEMO_QUERY= PIXPREP_DEMO_SCREENSHOT=docs/demo.png npx vitest run test/browser/demo.test.ts
// The page runs the kernels Node runs here: a browser with relaxed SIMD would pick that build by itself, whose fused
// multiply-adds round differently from Node 20's strict build, and the test compares the two runs bit for bit.
const QUERY = process.env.PIXPREP_DEMO_QUERY ?? `?epochs=1&limit=2000&backend=${nodeBackend}`;
// Guards against a hang, not timings: the quick run takes 10-40 s.
const TRAINING_TIMEOUT = process.env.PIXPREP_DEMO_QUERY === undefined ? 100_000 : 400_000;
const SCREENSHOT = process.env.PIXPREP_DEMO_SCREENSHOT ?? 'test-results/demo.png';
const INSTALL = 'apt-get update && apt-get install -y --no-install-recommends chromium';
const root = fileURLToPath(new URL('../..', import.meta.url));
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium && process.env.CI) {
  test('Chromium is installed for the browser test', () => {
    throw new Error(`${CHROMIUM} is missing; the browser test needs Debian's chromium package: ${INSTALL}`);
  });
} else if (!hasChromium) {
  console.warn(`test/browser/demo.test.ts skipped: ${CHROMIUM} is missing. Install it with: ${INSTALL}`);
}

/** Pixels of a canvas that differ from its background (its top-left pixel), and those near an #rrggbb colour. */
async function canvasInk(page: Page, id: string, color?: string): Promise<{ ink: number; colored: number }> {
  return page.evaluate(([id, color]) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height);
    const want = color ? [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) : null;
    let ink = 0;
    let colored = 0;
    for (let p = 0; p < data.length; p += 4) {
      if (data[p] !== data[0] || data[p + 1] !== data[1] || data[p + 2] !== data[2] || data[p + 3] !== data[3]) ink++;
      if (want && data[p + 3] > 200 && want.every((v, c) => Math.abs(data[p + c] - v) < 24)) colored++;
    }
    return { ink, colored };
  }, [id, color] as const);
}

/** What the page's main thread showed, in the order it happened: each batch count and each animation frame. */
type Shown = { batch: number } | { frame: true } | { state: string };

describe.skipIf(!hasChromium)('the demo page in Chromium', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let url: string;

  /** A page that records its errors (uncaught, console, HTTP) into `into`. */
  async function newPage(into: string[]): Promise<Page> {
    const p = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    p.on('pageerror', (error) => into.push(`pageerror: ${error.message}`));
    p.on('console', (m) => { if (m.type() === 'error') into.push(`console: ${m.text()}`); });
    p.on('response', (r) => { if (r.status() >= 400) into.push(`HTTP ${r.status()}: ${r.url()}`); });
    return p;
  }

  beforeAll(async () => {
    const started = performance.now();
    writeMnistAssets(loadMnist(), encodeIdx, `${root}demo/public/data`);
    server = await createServer({
      configFile: `${root}demo/vite.config.ts`,
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
      logLevel: 'warn',
    });
    await server.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    console.log(`setup: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    url = (server.resolvedUrls?.local ?? [])[0];
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('loads, scales, trains in a worker, predicts a drawn digit, and matches Node', async () => {
    const t0 = performance.now();
    expect(url, 'the Vite server has a local URL').toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const errors: string[] = [];
    const page = await newPage(errors);
    // Logs what the main thread shows, from the mutation records themselves (one observer on the status's attributes
    // and the frame counter's text, so its records come in the order the changes happened; each attribute record
    // carries the value it replaced, so the value it set is the next one's old value, or the current one). The log
    // holds every batch count shown and every frame drawn, however late the observer's callback runs.
    await page.addInitScript(() => {
      const shown: Shown[] = [];
      (window as unknown as { shown: Shown[] }).shown = shown;
      document.addEventListener('DOMContentLoaded', () => {
        const status = document.getElementById('status') as HTMLElement;
        const frames = document.getElementById('frames') as HTMLElement;
        const observer = new MutationObserver((records) => {
          const setValue = (i: number) => {
            const name = records[i].attributeName as string;
            for (let j = i + 1; j < records.length; j++) if (records[j].attributeName === name) return records[j].oldValue;
            return status.getAttribute(name);
          };
          records.forEach((r, i) => {
            if (r.target === frames) shown.push({ frame: true });
            else if (r.attributeName === 'data-batches') shown.push({ batch: Number(setValue(i)) });
            else if (r.attributeName === 'data-state') shown.push({ state: String(setValue(i)) });
          });
        });
        observer.observe(status, { attributes: true, attributeOldValue: true, attributeFilter: ['data-batches', 'data-state'] });
        observer.observe(frames, { childList: true });
      });
    });
    await page.goto(`${url}${QUERY}`);
    const settings = settingsFromUrl(QUERY);

    // The scalings: four grids of digits and four histograms, each with something drawn.
    await page.waitForSelector('#hist-standardize', { timeout: 20_000 });
    expect(['wasm-relaxed-simd', 'wasm-simd', 'js']).toContain(await page.locator('#backend').textContent());
    for (const id of ['raw', 'normalize', 'center', 'standardize']) {
      expect((await canvasInk(page, `grid-${id}`)).ink, `grid-${id} is drawn`).toBeGreaterThan(1000);
      expect((await canvasInk(page, `hist-${id}`, '#5c7cfa')).colored, `hist-${id} has bars`).toBeGreaterThan(100);
    }
    const standardized = await page.locator('#scaling-standardize figcaption').textContent();
    const fitted = new ImageDataGenerator(SCALINGS.standardize).fit(loadMnist().train.x).statistics;
    expect(standardized).toContain(`fit: mean ${format(fitted!.mean[0])}, std ${format(fitted!.std[0])}`);
    expect(standardized).toContain('mean 0.000, std 1.000');

    // Training, to the end.
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('status')?.dataset.state ?? ''),
      undefined, { timeout: TRAINING_TIMEOUT, polling: 250 });
    expect(errors, 'no errors in the page or its worker').toEqual([]);
    expect(await page.locator('#error').textContent(), 'the error the page shows').toBe('');
    const state = await page.evaluate(() => ({
      batches: Number(document.getElementById('status')?.dataset.batches),
      workerBackend: document.getElementById('status')?.dataset.workerBackend,
      workerThreads: Number(document.getElementById('status')?.dataset.workerThreads),
      isolated: crossOriginIsolated,
      cores: navigator.hardwareConcurrency,
      progress: (document.getElementById('progress') as HTMLProgressElement).value,
      progressMax: (document.getElementById('progress') as HTMLProgressElement).max,
      accuracy: Number(document.getElementById('test-accuracy')?.dataset.value),
      loss: Number(document.getElementById('test-accuracy')?.dataset.loss),
      accuracyText: document.getElementById('test-accuracy')?.textContent,
      shown: (window as unknown as { shown: Shown[] }).shown,
    }));
    // Served cross-origin isolated (COOP/COEP from demo/vite.config.ts), the worker trains on all the cores (threads
    // from a Chromium that reports one core would be 1, and the accuracy check below would still hold).
    expect(state.isolated, 'crossOriginIsolated').toBe(true);
    expect(state.workerThreads, 'threads the worker reported').toBe(state.cores);
    const trainImages = Math.min(settings.limit, loadMnist().train.y.length);
    const batches = settings.epochs * Math.ceil(trainImages / settings.batchSize);
    expect(state.progressMax).toBe(batches);
    expect(state.progress).toBe(batches);
    expect(state.batches).toBe(batches);
    expect(state.accuracy).toBeGreaterThan(0.7);
    expect(state.accuracyText).toContain(`${(state.accuracy * 100).toFixed(2)} %`);

    // Live: the page showed every batch, one by one, in order, between 'training' and 'done'.
    const shown = state.shown;
    expect(shown.filter((e) => 'state' in e)).toEqual([{ state: 'training' }, { state: 'done' }]);
    expect(shown.filter((e) => 'batch' in e), 'every batch shown, one by one').toEqual(
      Array.from({ length: batches }, (_, i) => ({ batch: i + 1 })));
    // Responsive: the main thread drew frames while the worker worked (between the first batch shown and 'done', the
    // worker trains the remaining batches and evaluates the test digits: far more than one frame's 16 ms of work,
    // and a loaded machine only makes that window longer).
    const firstBatch = shown.findIndex((e) => 'batch' in e);
    const done = shown.findIndex((e) => 'state' in e && e.state === 'done');
    expect(shown.slice(firstBatch, done).filter((e) => 'frame' in e).length, 'frames drawn while the worker trained')
      .toBeGreaterThan(0);

    // The plot: loss and accuracy lines and the test-accuracy dot are on the canvas.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect((await canvasInk(page, 'chart', '#d9480f')).colored, 'loss line').toBeGreaterThan(50);
    expect((await canvasInk(page, 'chart', '#1c7ed6')).colored, 'accuracy line').toBeGreaterThan(50);
    expect((await canvasInk(page, 'chart', '#2b8a3e')).colored, 'test accuracy dot').toBeGreaterThan(10);

    // Draw a "7" with the mouse: a bar across, then a stroke down and to the left.
    await page.locator('#pad').scrollIntoViewIfNeeded();
    const box = await page.locator('#pad').boundingBox();
    if (box === null) throw new Error('#pad has no bounding box');
    const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
    await page.mouse.move(...at(0.3, 0.25));
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(...at(0.3 + 0.4 * (i / 10), 0.25));
    for (let i = 1; i <= 12; i++) await page.mouse.move(...at(0.7 - 0.22 * (i / 12), 0.25 + 0.55 * (i / 12)));
    await page.mouse.up();
    await page.waitForFunction(() => document.getElementById('prediction')?.dataset.class !== undefined, undefined, { timeout: 5_000 });
    const predicted = Number(await page.locator('#prediction').getAttribute('data-class'));
    expect(Number.isInteger(predicted) && predicted >= 0 && predicted <= 9, `class ${predicted}`).toBe(true);
    expect((await canvasInk(page, 'seen')).ink, 'the 28×28 digit the model saw').toBeGreaterThan(20);
    expect((await canvasInk(page, 'probabilities', '#2b8a3e')).colored, 'the winning bar').toBeGreaterThan(10);

    // "Download model (.onnx)": the worker exports the trained model with its scaling; saved, it is checked below.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.locator('#download-onnx').click()]);
    expect(download.suggestedFilename()).toBe(`pixprep-mnist-${settings.scaling}.onnx`);
    // Read now: the download's file goes with the page's context, which is closed below.
    const onnxBytes = new Uint8Array(readFileSync(await download.path()));

    mkdirSync(fileURLToPath(new URL('.', `file://${root}${SCREENSHOT}`)), { recursive: true });
    await page.screenshot({ path: `${root}${SCREENSHOT}`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();

    // The browser's test accuracy is the one Node reaches with the same code, data, settings and seed. (Run after the
    // browser part, not during it: training blocks this process's event loop, which Playwright's calls need.)
    const node = await runTutorial(loadMnist(), settings);
    console.log(`browser (${state.workerBackend}, ${state.workerThreads} threads): test accuracy ${state.accuracy}, loss ${state.loss}; ` +
      `node (${nodeBackend}, ${getThreads()} threads): ${node.testAccuracy}, loss ${node.testLoss}; drawn 7 predicted as ${predicted}; ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(state.workerBackend).toBe(nodeBackend);
    expect(state.accuracy).toBe(node.testAccuracy);
    expect(Math.abs(state.loss - node.testLoss)).toBeLessThanOrEqual(1e-6);

    // The downloaded file, in ONNX Runtime, on raw test digits: the predictions of Node's identically trained model.
    const raw = loadMnist().test.x;
    const n = 50;
    const rawDigits = { data: raw.data.slice(0, n * 784), shape: [n, 28, 28, 1] };
    const session = await ort.InferenceSession.create(onnxBytes);
    const { output } = await session.run({ input: new ort.Tensor('uint8', rawDigits.data, rawDigits.shape) });
    await session.release();
    const want = node.model.predict(node.generator.standardize(rawDigits)).data;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - (output.data as Float32Array)[i]));
    expect(worst, 'downloaded ONNX model vs Node predict').toBeLessThan(1e-5);
  }, TRAINING_TIMEOUT + 50_000);

  test('runs on the TypeScript kernels when asked (?backend=js), in the page and its worker, with the same scalings', async () => {
    // Its own two pages, the default kernels' and the TypeScript ones', so that this test stands alone.
    const open = async (query: string) => {
      const errors: string[] = [];
      const p = await newPage(errors);
      await p.goto(`${url}${query}`);
      await p.waitForSelector('#hist-standardize', { timeout: 20_000 });
      await p.waitForFunction(() => document.getElementById('status')?.dataset.workerBackend !== undefined, undefined, { timeout: 20_000 });
      return { page: p, errors };
    };
    // The WebAssembly page pinned to Node's build (Chromium would pick the relaxed-SIMD one where it has it).
    const defaults = await open(`?backend=${nodeBackend}&epochs=1&limit=64`);
    const js = await open('?backend=js&epochs=1&limit=64');
    expect(await defaults.page.locator('#backend').textContent()).toBe(nodeBackend);
    expect(await js.page.locator('#backend').textContent()).toBe('js');
    expect(await js.page.locator('#status').getAttribute('data-worker-backend')).toBe('js');
    // The statistics and the scaled values' summaries, as printed, are those of the default kernels' page.
    const captions = (p: Page) => p.locator('figcaption').allTextContents();
    const wasm = await captions(defaults.page);
    expect(wasm).toHaveLength(4);
    expect(await captions(js.page)).toEqual(wasm);
    expect(defaults.errors).toEqual([]);
    expect(js.errors).toEqual([]);
    await defaults.page.close();
    await js.page.close();
  });

  test('shows augmented samples of the same digits and redraws them as a slider changes a range', async () => {
    // Its own page, so that this test stands alone (a short training run starts beside the panel; it is not looked at).
    const errors: string[] = [];
    const page = await newPage(errors);
    await page.goto(`${url}?epochs=1&limit=64`);
    await page.waitForSelector('#augment-grid[data-draws="1"]', { timeout: 20_000 });
    const grid = page.locator('#augment-grid');
    expect(JSON.parse((await grid.getAttribute('data-options'))!)).toEqual({
      rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1, shearRange: 0,
    });
    const pixels = () => page.evaluate(() => {
      const canvas = document.getElementById('augment-grid') as HTMLCanvasElement;
      return Array.from((canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data);
    });
    const before = await pixels();
    expect((await canvasInk(page, 'augment-grid')).ink, 'the grid is drawn').toBeGreaterThan(3000);
    await page.locator('#aug-rotation').fill('40');
    await page.waitForSelector('#augment-grid[data-draws="2"]', { timeout: 10_000 });
    expect(JSON.parse((await grid.getAttribute('data-options'))!).rotationRange).toBe(40);
    const after = await pixels();
    expect(after.length).toBe(before.length);
    expect(after.filter((v, i) => v !== before[i]).length, 'the digits moved').toBeGreaterThan(1000);
    // The first copy of the first row is the generator's randomTransform of the first 0, seed 0, in Node too.
    const { train } = loadMnist();
    const index = train.y.indexOf(0);
    const expected = new ImageDataGenerator({ rotationRange: 40, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1, shearRange: 0 })
      .randomTransform({ data: train.x.data.subarray(index * 784, (index + 1) * 784), shape: [28, 28, 1] }, 0).data;
    const width = 8 * 28;
    let off = 0;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const shown = after[(y * width + x) * 4];
        if (Math.abs(shown - Math.max(0, Math.min(255, expected[y * 28 + x]))) > 1) off++;
      }
    }
    expect(off, 'pixels of the first sample that differ from Node').toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
