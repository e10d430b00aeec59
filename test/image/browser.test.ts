// The decoders and resizing in a real Chromium (Debian's, driven by playwright-core), from the built package served
// over HTTP: every fixture file decodes there to the bytes it decodes to in Node (and PIL: decode.test.ts), PNG
// through the browser's DecompressionStream rather than node:zlib, and loadImg from a URL resizes identically.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];
const root = fileURLToPath(new URL('../..', import.meta.url));
const FILES = join(root, 'test/image/fixtures/files');
const ready = existsSync(CHROMIUM) && existsSync(join(root, 'dist/index.js'));
if (!ready) console.warn(`test/image/browser.test.ts skipped: needs ${CHROMIUM} and a built dist/ (npm run build)`);

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html' };

describe.skipIf(!ready)('image decoding in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>pixprep images</title>');
        return;
      }
      const path = normalize(join(root, pathname));
      if (!path.startsWith(root) || !existsSync(path)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  test('every fixture decodes to the bytes Node gives; loadImg(URL) resizes the same', async () => {
    const { decodeImage, loadImg } = await import('../../dist/index.js') as unknown as typeof import('../../src/index.js');
    const names = readdirSync(FILES).sort();
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    // A string, not a function: vitest would rewrite a function's import() into its own loader.
    const fromBrowser = await page.evaluate(`(async () => {
      const m = await import('/dist/index.js');
      const out = {};
      for (const name of ${JSON.stringify(names)}) {
        try {
          const bytes = new Uint8Array(await (await fetch('/test/image/fixtures/files/' + name)).arrayBuffer());
          const img = await m.decodeImage(bytes, name);
          out[name] = { shape: img.shape, data: Array.from(img.data) };
        } catch (e) {
          out[name] = String(e);
        }
      }
      const sized = await m.loadImg('/test/image/fixtures/files/photo-420-q90-61x45.jpg', { targetSize: [20, 30], interpolation: 'bicubic', colorMode: 'grayscale' });
      out.loaded = { shape: sized.shape, data: Array.from(sized.data) };
      out.backend = m.backend;
      return out;
    })()`) as Record<string, unknown>;
    await page.close();
    expect(fromBrowser.backend).toMatch(/^wasm/);
    for (const name of names) {
      const img = await decodeImage(new Uint8Array(readFileSync(join(FILES, name))), name);
      expect(fromBrowser[name], name).toEqual({ shape: img.shape, data: Array.from(img.data) });
    }
    const sized = await loadImg(new Uint8Array(readFileSync(join(FILES, 'photo-420-q90-61x45.jpg'))), { targetSize: [20, 30], interpolation: 'bicubic', colorMode: 'grayscale' });
    expect(fromBrowser.loaded).toEqual({ shape: sized.shape, data: Array.from(sized.data) });
  }, 120_000);
});
