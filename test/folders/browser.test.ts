// The demo's "pick a folder" in a real Chromium (Debian's, driven by playwright-core): a generated folder of PNGs is
// chosen through <input webkitdirectory> (Playwright's setInputFiles with a directory), and the page's listing,
// first batch and streamed statistics equal what flowFromDirectory and fitDirectory give in Node on the same folder.
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { encodeIdx, ImageDataGenerator, loadMnist } from '../../src/node.js';
import { writeMnistAssets } from '../../demo/scripts/mnist-assets.mjs';
import { encodePng, randomImage, shapeImage, tempDir, writeFile } from './png.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const INSTALL = 'apt-get update && apt-get install -y --no-install-recommends chromium';
const root = fileURLToPath(new URL('../..', import.meta.url));
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium && process.env.CI) {
  test('Chromium is installed for the folder browser test', () => {
    throw new Error(`${CHROMIUM} is missing; the browser test needs Debian's chromium package: ${INSTALL}`);
  });
} else if (!hasChromium) {
  console.warn(`test/folders/browser.test.ts skipped: ${CHROMIUM} is missing. Install it with: ${INSTALL}`);
}

describe.skipIf(!hasChromium)('the demo\'s folder picker in Chromium', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let folder: string;

  beforeAll(async () => {
    folder = tempDir('browser');
    for (let i = 0; i < 11; i++) {
      writeFile(folder, `rings/${i}.png`, encodePng(shapeImage(1, 30, 40, 3, i), 30, 40, 3));
      writeFile(folder, `squares/${i}.png`, encodePng(shapeImage(0, 30, 40, 3, 50 + i), 30, 40, 3));
    }
    writeFile(folder, 'squares/gray.png', encodePng(randomImage(20, 20, 1, 7), 20, 20, 1)); // converted (convertColors)
    writeFile(folder, 'squares/broken.png', 'not a png');                                 // skipped (onError 'skip')
    // The page also loads the digits; written only when absent, so this never rewrites files that
    // test/browser/demo.test.ts's page may be reading at the same moment.
    if (!existsSync(`${root}demo/public/data/manifest.json`)) writeMnistAssets(loadMnist(), encodeIdx, `${root}demo/public/data`);
    server = await createServer({ configFile: `${root}demo/vite.config.ts`, server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false }, logLevel: 'warn' });
    await server.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('lists, decodes and fits the chosen folder exactly as Node does', async () => {
    const url = (server.resolvedUrls?.local ?? [])[0];
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?epochs=1&limit=64`);
    await page.locator('#folder-input').setInputFiles(folder);
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('folder-status')?.dataset.state ?? ''), undefined, { timeout: 60_000 });
    const status = page.locator('#folder-status');
    expect(await status.getAttribute('data-state'), (await status.textContent()) ?? '').toBe('done');

    const options = { targetSize: [48, 48] as [number, number], batchSize: 16, shuffle: false, convertColors: true, onError: 'skip' as const };
    const files = await new ImageDataGenerator().flowFromDirectory(folder, options);
    const first = await files.at(0);
    const stats = (await new ImageDataGenerator().fitDirectory(await new ImageDataGenerator().flowFromDirectory(folder, options))).statistics!;
    expect(JSON.parse((await status.getAttribute('data-classes'))!)).toEqual({ rings: 0, squares: 1 });
    expect(Number(await status.getAttribute('data-samples'))).toBe(24);
    expect(Number(await status.getAttribute('data-first-batch-sum'))).toBe(first.x.data.reduce((s, v) => s + v, 0));
    expect(JSON.parse((await status.getAttribute('data-mean'))!)).toEqual([...stats.mean]);
    expect(JSON.parse((await status.getAttribute('data-std'))!)).toEqual([...stats.std]);
    expect(await status.textContent()).toContain('1 file(s) skipped: squares/broken.png');
    const ink = await page.evaluate(() => {
      const c = document.getElementById('folder-batch') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 100) n++;
      return n;
    });
    expect(ink).toBeGreaterThan(500);
    expect(errors).toEqual([]);
  }, 120_000);
});
