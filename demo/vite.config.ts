// `npm run demo` serves this folder; the library's sources (../src) are served from the repository root.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repository = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: 'public',
  // ES2022 in the page and in the (module) worker.
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', fs: { allow: [repository] } },
  preview: { host: '127.0.0.1' },
  clearScreen: false,
});
