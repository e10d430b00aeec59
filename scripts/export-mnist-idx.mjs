// Writes the embedded digits, with pixprep's fixed 80/20 split, as the four standard MNIST IDX files in a directory,
// so that another implementation (Keras, PyTorch: see scripts/reference/) can train on exactly the same images.
// Usage: npm run build && node scripts/export-mnist-idx.mjs DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeIdx, loadMnist } from '../dist/node.js';

const dir = process.argv[2];
if (dir === undefined || process.argv.length > 3) {
  console.error('Usage: node scripts/export-mnist-idx.mjs DIR');
  process.exit(2);
}
const { train, test } = loadMnist();
mkdirSync(dir, { recursive: true });
for (const [prefix, set] of [['train', train], ['t10k', test]]) {
  const [n, h, w] = set.x.shape; // one channel: MNIST's own idx3 layout [n, 28, 28]
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx({ data: set.x.data, shape: [n, h, w] }));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx({ data: set.y, shape: [n] }));
}
console.log(`wrote ${train.y.length} training and ${test.y.length} test digits to ${dir}`);
