// `npm run demo` serves this folder; the library's sources (../src) are served from the repository root.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repository = fileURLToPath(new URL('..', import.meta.url));

// Cross-origin isolation (COOP + COEP): browsers give SharedArrayBuffer, and so pixprep's threads (shared WebAssembly
// memory and a worker pool), only to isolated pages. Any server of a page using pixprep's threads sends the same two.
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root,
  base: './',
  publicDir: 'public',
  // ES2022 in the page and in the (module) worker.
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', fs: { allow: [repository] }, headers: ISOLATED },
  preview: { host: '127.0.0.1', headers: ISOLATED },
  clearScreen: false,
});
