// pixprep train | compare | stats --data DIR on a folder of PNG files (one sub-folder per class), as a user runs
// it: a subprocess of the built CLI. Two classes of synthetic shapes (squares and rings), grayscale and RGB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ImageDataGenerator } from '../../src/index.js';
import { runNode } from '../run-node.js';
import { encodePng, shapeImage, tempDir, writeFile } from './png.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const S = 16;
let split: string;
let withTest: string;
/** split's images in Keras' listing order, for the reference statistics. */
const listed: { data: Uint8Array; name: string; cls: number }[] = [];

beforeAll(() => {
  split = tempDir('cli-split');
  withTest = tempDir('cli-test');
  for (const [cls, name] of ['ring', 'square'].entries()) {
    for (let i = 0; i < 40; i++) {
      const img = shapeImage(1 - cls, S, S, 1, 100 * cls + i);
      const file = `${name}/${String(i).padStart(3, '0')}.png`;
      writeFile(split, file, encodePng(img, S, S, 1));
      listed.push({ data: img, name: file, cls });
      const rgb = shapeImage(1 - cls, S, S, 3, 100 * cls + i);
      writeFile(withTest, `${i < 30 ? '' : 'test/'}${file}`, encodePng(rgb, S, S, 3));
    }
  }
});

afterAll(() => {
  rmSync(split, { recursive: true, force: true });
  rmSync(withTest, { recursive: true, force: true });
});

describe('pixprep --data DIR (image folders)', () => {
  it('train learns the two shapes in two epochs; the test set is each class\'s first --validation-split', async () => {
    const { code, stdout, stderr } = await runNode(CLI, ['train', '--data', split, '--epochs', '2', '--batch-size', '8', '--json', '--validation-split', '0.25']);
    expect(code, stderr).toBe(0);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ trainImages: 60, testImages: 20 });
    expect(r.testAccuracy).toBeGreaterThan(0.8); // chance: 0.5
  });

  it('a test/ sub-folder is the test set; --target-size and --color-mode apply to both parts', async () => {
    const { code, stdout, stderr } = await runNode(CLI, ['train', '--data', withTest, '--epochs', '1', '--batch-size', '8', '--target-size', '12x14', '--color-mode', 'grayscale']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Batch shape=\[8, 12, 14, 1\]/m);
    expect(stdout).toMatch(/^Test Accuracy: \d+\.\d{3}$/m);
    const json = JSON.parse((await runNode(CLI, ['train', '--data', withTest, '--epochs', '1', '--json'])).stdout);
    expect(json).toMatchObject({ trainImages: 60, testImages: 20 });
  });

  it('compare runs each scaling on the folder', async () => {
    const { code, stdout, stderr } = await runNode(CLI, ['compare', '--data', split, '--epochs', '1', '--batch-size', '16', '--json']);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout).map((r: { scaling: string }) => r.scaling)).toEqual(['normalize', 'center', 'standardize']);
  });

  it('stats streams each part: equal to fit on the same images stacked', async () => {
    const { code, stdout, stderr } = await runNode(CLI, ['stats', '--data', split, '--json', '--validation-split', '0.25']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    // Keras' split per class: validation (the test part) is each class's first 10 of 40 files.
    const part = (test: boolean) => listed.filter((_, i) => (i % 40 < 10) === test);
    for (const [name, files] of [['train', part(false)], ['test', part(true)]] as const) {
      const data = new Uint8Array(files.length * S * S);
      files.forEach((f, i) => data.set(f.data, i * S * S));
      const s = new ImageDataGenerator().fit({ data, shape: [files.length, S, S, 1] }).statistics!;
      expect(report[name].images).toBe(files.length);
      expect(report[name].shape).toEqual([S, S, 1]);
      expect(report[name].min).toEqual([...s.min]);
      expect(report[name].max).toEqual([...s.max]);
      expect(report[name].mean[0]).toBeCloseTo(s.mean[0], 10);
      expect(report[name].std[0]).toBeCloseTo(s.std[0], 10);
    }
  });

  it('a directory of neither layout says both', async () => {
    const empty = tempDir('cli-empty');
    writeFile(empty, 'cats/readme.txt', 'no images');
    const { code, stderr } = await runNode(CLI, ['train', '--data', empty]);
    rmSync(empty, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toContain(`${empty}: missing 4 IDX files`);
    expect(stderr).toContain('; nor is it a folder of images (one sub-folder of image files per class)');
  });

  it('bad flags are usage errors naming the flag', async () => {
    const a = await runNode(CLI, ['train', '--data', split, '--target-size', '12by12']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('pixprep train: --target-size must be HxW (e.g. 28x28), two positive integers. Received: 12by12');
    const b = await runNode(CLI, ['stats', '--data', split, '--validation-split', '1.5']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('pixprep stats: --validation-split must be between 0 and 1 (exclusive). Received: 1.5');
  });
});
