// The README's API examples run as written (against the built package in dist/, which npm test builds first):
// the generator block, then the network block, as one ES module. Only the epochs are cut from 5 to 1 for time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runNode } from './run-node.js';

const root = new URL('..', import.meta.url).pathname;

it('the README examples of the generator and the network run and train', async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  const [generator, network] = blocks;
  expect(generator).toContain('new ImageDataGenerator');
  expect(network).toContain('new Sequential');
  const source = (generator + network)
    .replaceAll("from 'pixprep/node'", `from '${join(root, 'dist/node.js')}'`)
    .replaceAll("from 'pixprep'", `from '${join(root, 'dist/index.js')}'`)
    .replace('epochs: 5', 'epochs: 1')
    + '\nconsole.log(JSON.stringify({ evaluated: model.evaluate(testFlow), predicted: model.predict(gen.standardize(test.x)).shape }));\n';
  const dir = mkdtempSync(join(tmpdir(), 'pixprep-readme-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, source);
    const { code, stdout, stderr } = await runNode(file);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Model: "sequential"');
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(last.predicted).toEqual([2004, 10]);
    expect(last.evaluated.accuracy).toBeGreaterThan(0.85); // one epoch on standardized digits
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
