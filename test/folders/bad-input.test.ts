// Bad folders and bad files (issue 18's list): each is an error that names the directory or file, or with
// onError 'skip' a counted skip reported at the end of the epoch. Never a hang: every case settles well inside
// vitest's timeout, and a symlink loop is found, not followed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Conv2D, Dense, Flatten, ImageDataGenerator, Sequential } from '../../src/index.js';
import { encodePng, randomImage, tempDir, writeFile } from './png.js';

const roots: string[] = [];
function tree(files: Record<string, Uint8Array | string>): string {
  const root = tempDir('bad');
  roots.push(root);
  for (const [path, bytes] of Object.entries(files)) writeFile(root, path, bytes);
  return root;
}
const png = (seed: number, c = 3) => encodePng(randomImage(4, 4, c, seed), 4, 4, c);
const options = { targetSize: [4, 4] as [number, number], shuffle: false, batchSize: 2 };

afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

describe('bad folders', () => {
  const gen = new ImageDataGenerator();

  it('a directory that does not exist, or is a file', async () => {
    const root = tree({ 'a/1.png': png(1) });
    await expect(gen.flowFromDirectory(join(root, 'nope'))).rejects.toThrow(
      `flowFromDirectory: directory ${JSON.stringify(join(root, 'nope'))} does not exist or cannot be read (ENOENT)`);
    await expect(gen.flowFromDirectory(join(root, 'a/1.png'))).rejects.toThrow(`flowFromDirectory: ${JSON.stringify(join(root, 'a/1.png'))} is not a directory`);
  });

  it('no class folders', async () => {
    const root = tree({ '1.png': png(1) });
    await expect(gen.flowFromDirectory(root)).rejects.toThrow(`flowFromDirectory: ${root} has no class folders (expected one sub-folder of images per class`);
  });

  it('an empty class folder: an error naming it, or with onError skip a warning and a class without files', async () => {
    const root = tree({ 'a/1.png': png(1), 'b/readme.txt': 'no images here' });
    await expect(gen.flowFromDirectory(root, options)).rejects.toThrow(`flowFromDirectory: class folder ${root}/b holds no image files (png, jpg, jpeg, bmp, ppm, tif, tiff)`);
    const it = await gen.flowFromDirectory(root, { ...options, onError: 'skip' });
    expect(it.classIndices).toEqual({ a: 0, b: 1 });
    expect(it.samples).toBe(1);
    expect(it.takeWarnings()).toEqual([`class folder ${root}/b holds no image files (png, jpg, jpeg, bmp, ppm, tif, tiff)`]);
  });

  it('a folder whose classes hold no files at all', async () => {
    const root = tree({ 'a/x.txt': '' });
    await expect(gen.flowFromDirectory(root, { onError: 'skip' })).rejects.toThrow(`flowFromDirectory: found no image files in ${root}`);
  });

  it('a class given in `classes` that has no folder', async () => {
    const root = tree({ 'a/1.png': png(1) });
    await expect(gen.flowFromDirectory(root, { classes: ['a', 'zebra'] })).rejects.toThrow(`flowFromDirectory: class folder ${root}/zebra cannot be read (ENOENT)`);
  });

  it('a symlink loop with followLinks is reported, not followed; without followLinks links to folders are not entered', async () => {
    const root = tree({ 'a/1.png': png(1), 'a/sub/2.png': png(2) });
    symlinkSync(join(root, 'a'), join(root, 'a/sub/loop'));
    await expect(gen.flowFromDirectory(root, { ...options, followLinks: true })).rejects.toThrow(
      `flowFromDirectory: symlink loop: ${root}/a/sub/loop leads back to ${root}/a (followLinks)`);
    const skipping = await gen.flowFromDirectory(root, { ...options, followLinks: true, onError: 'skip' });
    expect(skipping.filenames).toEqual(['a/1.png', 'a/sub/2.png']);
    expect(skipping.takeWarnings()[0]).toContain('symlink loop');
    const plain = await gen.flowFromDirectory(root, options);
    expect(plain.filenames).toEqual(['a/1.png', 'a/sub/2.png']);
    // A link to a folder elsewhere is entered with followLinks only.
    const other = tree({ '9.png': png(9) });
    symlinkSync(other, join(root, 'a/elsewhere'));
    expect((await gen.flowFromDirectory(root, options)).filenames).toEqual(['a/1.png', 'a/sub/2.png']);
    expect((await gen.flowFromDirectory(root, { ...options, followLinks: true, onError: 'skip' })).filenames).toEqual(['a/1.png', 'a/elsewhere/9.png', 'a/sub/2.png']);
  });
});

describe('bad files', () => {
  const bytes = png(5);
  const cases: [string, Uint8Array | string, string][] = [
    ['empty.png', new Uint8Array(0), 'is empty (0 bytes)'],
    ['truncated.png', bytes.subarray(0, bytes.length - 20), 'cannot decode'],
    ['garbage.png', Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 255), 'not an image pixprep can read'],
    ['animation.png', 'GIF89a\x01\x00\x01\x00', 'unsupported format GIF'],
    ['scan.tif', Uint8Array.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]), 'unsupported format TIFF'],
    ['gray.png', encodePng(randomImage(4, 4, 1, 3), 4, 4, 1), "has 1 channel (4×4×1) but colorMode 'rgb' expects 3"],
  ];

  for (const [name, content, why] of cases) {
    it(`${name}: an error naming the file; with onError skip, counted and reported`, async () => {
      const root = tree({ 'a/1.png': png(1), [`a/${name}`]: content, 'b/1.png': png(2) });
      const gen = new ImageDataGenerator();
      const failing = await gen.flowFromDirectory(root, { ...options, batchSize: 8 });
      await expect(drain(failing)).rejects.toThrow(`flowFromDirectory: `);
      await expect(failing.at(0)).rejects.toThrow(`${root}/a/${name}`);
      await expect(failing.at(0)).rejects.toThrow(why);
      const message = await failing.at(0).then(() => '', (e: Error) => e.message);
      expect(message.split(`${root}/a/${name}`)).toHaveLength(2); // the file named once

      const skipping = await gen.flowFromDirectory(root, { ...options, batchSize: 8, onError: 'skip' });
      const batches = [];
      for await (const b of skipping) batches.push(b);
      expect(batches.map((b) => b.x.shape[0])).toEqual([2]);
      expect(skipping.skipped).toBe(1);
      expect(skipping.skippedFiles[0].file).toBe(`a/${name}`);
      expect(skipping.skippedFiles[0].reason).toContain(why);
      const [warning] = skipping.takeWarnings();
      expect(warning).toMatch(new RegExp(`^flowFromDirectory: skipped 1 of 3 files in epoch 1 \\(onError 'skip'\\): a/${name.replace('.', '\\.')} \\(`));
    });
  }

  it('convertColors: a grayscale file in an rgb flow becomes L, L, L as PIL converts', async () => {
    const gray = randomImage(4, 4, 1, 3);
    const root = tree({ 'a/gray.png': encodePng(gray, 4, 4, 1) });
    const it = await new ImageDataGenerator().flowFromDirectory(root, { ...options, convertColors: true });
    const { x } = await it.at(0);
    expect(x.data).toEqual(Float32Array.from({ length: 48 }, (_, i) => gray[Math.floor(i / 3)]));
  });

  it('fit skips, keeps training when a whole batch is skipped, and writes the warning to its log', async () => {
    const root = tree({ 'a/1.png': png(1), 'a/2.png': png(2), 'a/bad1.png': 'x', 'b/bad2.png': 'y', 'b/3.png': png(3), 'b/4.png': png(4) });
    const gen = new ImageDataGenerator({ rescale: 1 / 255 });
    const files = await gen.flowFromDirectory(root, { ...options, classMode: 'sparse', onError: 'skip' });
    expect(files.filenames).toEqual(['a/1.png', 'a/2.png', 'a/bad1.png', 'b/3.png', 'b/4.png', 'b/bad2.png']);
    // Batches in order: [1, 2], [bad1, 3], [4, bad2]: the middle and last lose one file each.
    const model = new Sequential([new Conv2D({ filters: 2, kernelSize: 3, inputShape: [4, 4, 3] }), new Flatten(), new Dense({ units: 2, activation: 'softmax' })], { seed: 1 });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const lines: string[] = [];
    const history = await model.fit(files, { epochs: 2, verbose: 0, log: (l) => lines.push(l) });
    expect(history.loss.every(Number.isFinite)).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^flowFromDirectory: skipped 2 of 6 files in epoch 1 \(onError 'skip'\): a\/bad1\.png/);
    expect(lines[1]).toMatch(/in epoch 2 /);
    expect(files.skipped).toBe(4);

    const allBad = tree({ 'a/1.png': png(1), 'a/2.png': png(3), 'a/bad.png': 'x', 'a/bad2.png': 'x', 'b/1.png': png(2) });
    const partly = await gen.flowFromDirectory(allBad, { ...options, classMode: 'sparse', onError: 'skip' });
    expect(await partly.prepare(1)).toBe(0); // batch 1 is [bad.png, bad2.png]
    const h2 = await model.fit(partly, { epochs: 1, verbose: 0, log: () => {} });
    expect(Number.isFinite(h2.loss[0])).toBe(true);
  });

  it('prefetched batches that fail do not surface as unhandled rejections', async () => {
    const root = tree({ 'a/1.png': png(1), 'a/2.png': png(2), 'a/x.png': '', 'a/y.png': '' });
    const it = await new ImageDataGenerator().flowFromDirectory(root, { ...options });
    await it.prepare(0); // starts batch 1 ([x, y]: both bad) ahead, which nobody then asks for
    it.dispose();
    // vitest fails the run on an unhandled rejection (checked: without the iterator's catch on prefetches it does).
    await new Promise((r) => setTimeout(r, 50));
  });
});

describe('skips reported in file order, whatever finishes first', () => {
  it("reports an earlier batch's bad file first when a prefetched later batch fails before it", async () => {
    // A FileList as <input webkitdirectory> gives it; a/bad1.png (batch 1) is read slowly, so batch 2's b/bad2.png
    // fails first while it is prefetched. The report and skippedFiles still follow the batches' order.
    const entries: Record<string, Uint8Array> = {
      'r/a/1.png': png(1), 'r/a/2.png': png(2), 'r/a/bad1.png': new TextEncoder().encode('x'),
      'r/b/3.png': png(3), 'r/b/4.png': png(4), 'r/b/bad2.png': new TextEncoder().encode('y'),
    };
    const order: string[] = [];
    const list = Object.entries(entries).map(([path, bytes]) => ({
      name: path.split('/').pop()!, webkitRelativePath: path,
      async arrayBuffer(): Promise<ArrayBuffer> {
        if (path.endsWith('bad1.png')) await new Promise((r) => setTimeout(r, 100));
        order.push(path);
        return new Uint8Array(bytes).buffer; // a copy of its own (a Buffer's .buffer is Node's shared pool)
      },
    }));
    const files = await new ImageDataGenerator().flowFromDirectory(list as never, { ...options, onError: 'skip', prefetch: 2 });
    expect(files.filenames).toEqual(['a/1.png', 'a/2.png', 'a/bad1.png', 'b/3.png', 'b/4.png', 'b/bad2.png']);
    const warnings: string[] = [];
    for await (const batch of files) expect(batch.x.shape[0]).toBeGreaterThan(0);
    warnings.push(...files.takeWarnings());
    // The slow read really did finish after the later batch's.
    expect(order.indexOf('r/b/bad2.png')).toBeLessThan(order.indexOf('r/a/bad1.png'));
    expect(files.skippedFiles.map((s) => s.file), JSON.stringify(files.skippedFiles)).toEqual(['a/bad1.png', 'b/bad2.png']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^flowFromDirectory: skipped 2 of 6 files in epoch 1 \(onError 'skip'\): a\/bad1\.png .*; b\/bad2\.png/);
    files.dispose();
  });

  it('fitDirectory over an iterator counts and reports the files its pass skipped, on that iterator', async () => {
    const root = tree({ 'a/1.png': png(1), 'a/bad.png': 'x', 'b/2.png': png(2) });
    const files = await new ImageDataGenerator().flowFromDirectory(root, { ...options, onError: 'skip' });
    const fitted = await new ImageDataGenerator({ featurewiseCenter: true }).fitDirectory(files);
    expect(fitted.toJSON().statistics!.count[0]).toBe(2 * 16); // two images of 4×4 pixels
    expect(files.skippedFiles.map((s) => s.file)).toEqual(['a/bad.png']);
    expect(files.takeWarnings()).toEqual([expect.stringMatching(/^fitDirectory: skipped 1 of 3 files while fitting \(onError 'skip'\): a\/bad\.png \(/)]);
    files.dispose();
  });
});
