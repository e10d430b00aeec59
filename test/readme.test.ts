// The README's API examples run as written (against the built package in dist/, which npm test builds first):
// the generator block, then the network block, then the deployment block (its model run in ONNX Runtime), as one ES
// module. Only the epochs are cut from 5 to 1 for time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runNode } from './run-node.js';

const root = new URL('..', import.meta.url).pathname;

it('the README examples of the generator, the network and the deployment run, train and agree in ONNX Runtime', async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  const [generator, network] = blocks;
  expect(generator).toContain('new ImageDataGenerator');
  expect(network).toContain('new Sequential');
  // Plain JavaScript (```js), so that the package's consumer test, which type-checks the ```ts blocks where
  // onnxruntime-node is not installed, leaves it out.
  const deploy = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('saveOnnx'));
  expect(deploy).toBeDefined();
  const dir = mkdtempSync(join(tmpdir(), 'pixprep-readme-'));
  // The deployment block's imports go first (an ES module's imports are hoisted anyway).
  const deployImports = deploy!.split('\n').filter((l) => l.startsWith('import ')).join('\n');
  const deployBody = deploy!.split('\n').filter((l) => !l.startsWith('import ')).join('\n');
  const source = (deployImports + '\n' + generator + network + deployBody)
    .replaceAll("from 'onnxruntime-node'", `from '${createRequire(import.meta.url).resolve('onnxruntime-node')}'`)
    .replaceAll("'digits.onnx'", JSON.stringify(join(dir, 'digits.onnx')))
    .replaceAll("from 'pixprep/node'", `from '${join(root, 'dist/node.js')}'`)
    .replaceAll("from 'pixprep'", `from '${join(root, 'dist/index.js')}'`)
    .replace('epochs: 5', 'epochs: 1')
    + '\nconst want = model.predict(gen.standardize(test.x));'
    + '\nconst onnxDiff = want.data.reduce((m, v, i) => Math.max(m, Math.abs(v - output.data[i])), 0);'
    + '\nconsole.log(JSON.stringify({ evaluated: model.evaluate(testFlow), predicted: want.shape, onnx: output.dims, onnxDiff }));\n';
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, source);
    const { code, stdout, stderr } = await runNode(file);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Model: "sequential"');
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(last.predicted).toEqual([2004, 10]);
    expect(last.onnx).toEqual([2004, 10]);
    expect(last.onnxDiff).toBeLessThan(1e-5);
    expect(last.evaluated.accuracy).toBeGreaterThan(0.85); // one epoch on standardized digits
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
