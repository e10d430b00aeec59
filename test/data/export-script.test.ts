// scripts/export-mnist-idx.mjs: the embedded split written as the four MNIST IDX files, so that other
// implementations train on the same digits. Run as a user runs it (after the build, as npm test does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIdxDirectory } from '../../src/data/idx-node.js';
import { loadMnist } from '../../src/data/mnist.js';
import { runNode } from '../run-node.js';

const SCRIPT = new URL('../../scripts/export-mnist-idx.mjs', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pixprep-export-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (...args: string[]) => runNode(SCRIPT, args, { timeout: 60_000 });

describe('scripts/export-mnist-idx.mjs', () => {
  it('writes the embedded split that the IDX loader reads back byte for byte', async () => {
    const dir = join(work, 'digits');
    const { code, stdout, stderr } = await run(dir);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('wrote 7996 training and 2004 test digits');
    const exported = await loadIdxDirectory(dir);
    const embedded = loadMnist();
    for (const part of ['train', 'test'] as const) {
      expect(exported[part].x.shape).toEqual(embedded[part].x.shape);
      expect(Buffer.compare(Buffer.from(exported[part].x.data), Buffer.from(embedded[part].x.data))).toBe(0);
      expect(Buffer.compare(Buffer.from(exported[part].y), Buffer.from(embedded[part].y))).toBe(0);
    }
  });

  it('without a directory: usage and exit 2', async () => {
    const { code, stderr } = await run();
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: node scripts/export-mnist-idx.mjs DIR');
  });
});
