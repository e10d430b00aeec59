#!/usr/bin/env node
// `npm run demo` runs this first: the embedded digits → demo/public/data/ (generated, gitignored). It loads the
// library's TypeScript sources through Vite's module runner, so no `npm run build` of dist/ is needed.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';
import { writeMnistAssets } from './mnist-assets.mjs';

const source = fileURLToPath(new URL('../../src/node.ts', import.meta.url));
const dir = fileURLToPath(new URL('../public/data/', import.meta.url));
const { module: pixprep } = await runnerImport(source, { configFile: false, logLevel: 'warn' });
const written = writeMnistAssets(pixprep.loadMnist(), pixprep.encodeIdx, dir);
console.log(`demo data: ${written.length} files in ${dir}`);
