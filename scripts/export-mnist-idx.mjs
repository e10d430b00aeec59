// Writes the embedded digits, with pixprep's fixed 80/20 split, as the four standard MNIST IDX files in a directory,
// so that another implementation (Keras, PyTorch: see scripts/reference/) can train on exactly the same images.
// Usage: npm run build && node scripts/export-mnist-idx.mjs DIR
import { join } from 'node:path';
import { encodeIdx, loadMnist } from '../dist/node.js';
import { writeFilesAtomic } from '../dist/write-file-node.js';

const dir = process.argv[2];
if (dir === undefined || process.argv.length > 3) {
  console.error('Usage: node scripts/export-mnist-idx.mjs DIR');
  process.exit(2);
}
const { train, test } = loadMnist();
// Each file replaced whole or not at all; DIR made one level at a time (a recursive mkdir spins under /proc).
const files = [];
for (const [prefix, set] of [['train', train], ['t10k', test]]) {
  const [n, h, w] = set.x.shape; // one channel: MNIST's own idx3 layout [n, 28, 28]
  files.push({ path: join(dir, `${prefix}-images-idx3-ubyte`), data: encodeIdx({ data: set.x.data, shape: [n, h, w] }) });
  files.push({ path: join(dir, `${prefix}-labels-idx1-ubyte`), data: encodeIdx({ data: set.y, shape: [n] }) });
}
try {
  await writeFilesAtomic('export-mnist-idx', files);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
console.log(`wrote ${train.y.length} training and ${test.y.length} test digits to ${dir}`);
