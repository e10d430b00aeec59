// flowFromDataframe (Keras' DataFrameIterator over records) and the CSV reader behind readCsv (RFC 4180), and
// fitDirectory: streaming statistics over decoded files equal a fit on the same images stacked in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ImageDataGenerator, parseCsv } from '../../src/index.js';
import { readCsv } from '../../src/node.js';
import { encodePng, randomImage, tempDir, writeFile } from './png.js';

let root: string;
const pixels: Record<string, Uint8Array> = {};

beforeAll(() => {
  root = tempDir('frame');
  ['cat1.png', 'dog1.png', 'cat2.png', 'bird.png', 'dog2.png', 'sub/cat3.png'].forEach((name, i) => {
    pixels[name] = randomImage(3, 5, 3, 50 + i);
    writeFile(root, `images/${name}`, encodePng(pixels[name], 3, 5, 3));
  });
  writeFile(root, 'labels.csv', 'file,label,w\r\ncat1.png,cat,1\r\ndog1.png,dog,0.5\r\n"cat2.png","cat",2\r\nbird.png,bird,1\r\nnotes.txt,cat,1\r\ndog2.png,dog,1\r\nsub/cat3.png,cat,3\r\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parseCsv / readCsv', () => {
  it('reads RFC 4180: quotes, doubled quotes, commas and line breaks in quotes, CRLF or LF, a BOM, no final newline', () => {
    expect(parseCsv('\ufeffa,b\n1,"x, ""y"""\r\n"multi\nline",\n,3')).toEqual([
      { a: '1', b: 'x, "y"' }, { a: 'multi\nline', b: '' }, { a: '', b: '3' },
    ]);
    expect(parseCsv('a\n\n1\n')).toEqual([{ a: '1' }]);
  });

  it('refuses what it cannot read unambiguously, naming the line', () => {
    expect(() => parseCsv('a,b\n1,2,3\n', 'f.csv')).toThrow('readCsv: f.csv, line 2: 3 fields, but the header has 2 (a, b)');
    expect(() => parseCsv('a,b\n1,"open\n', 'f.csv')).toThrow('readCsv: f.csv: a quoted field opened on line 2 is never closed');
    expect(() => parseCsv('a\nx"y"\n', 'f.csv')).toThrow('readCsv: f.csv, line 2: a quote inside an unquoted field');
    expect(() => parseCsv('a\n"x"y\n', 'f.csv')).toThrow('readCsv: f.csv, line 2: a quoted field must end at a comma or the end of the row; found "y" after the closing quote');
    expect(() => parseCsv('a,a\n1,2', 'f.csv')).toThrow('readCsv: f.csv: the header names column "a" twice');
    expect(() => parseCsv('', 'f.csv')).toThrow('readCsv: f.csv is empty (no header row)');
  });

  it('reads a file (or text with { text: true }), and names a file it cannot read', async () => {
    const records = await readCsv(join(root, 'labels.csv'));
    expect(records[2]).toEqual({ file: 'cat2.png', label: 'cat', w: '2' });
    expect(await readCsv('a\n1', { text: true })).toEqual([{ a: '1' }]);
    await expect(readCsv(join(root, 'missing.csv'))).rejects.toThrow(`readCsv: cannot read ${JSON.stringify(join(root, 'missing.csv'))} (ENOENT)`);
  });
});

describe('flowFromDataframe', () => {
  it('classes sorted from yCol, rows without an image extension dropped with a warning, weights per batch', async () => {
    const records = await readCsv(join(root, 'labels.csv'));
    const it = await new ImageDataGenerator().flowFromDataframe(records, {
      directory: join(root, 'images'), xCol: 'file', yCol: 'label', weightCol: 'w', targetSize: [3, 5], batchSize: 4, shuffle: false, classMode: 'sparse',
    });
    expect(it.classIndices).toEqual({ bird: 0, cat: 1, dog: 2 });
    expect(it.filenames).toEqual(['cat1.png', 'dog1.png', 'cat2.png', 'bird.png', 'dog2.png', 'sub/cat3.png']);
    expect(Array.from(it.classes)).toEqual([1, 2, 1, 0, 2, 1]);
    expect(it.takeWarnings()).toEqual(["flowFromDataframe: ignored 1 record(s) whose file has no image extension (png, jpg, jpeg, bmp, ppm, tif, tiff)"]);
    const first = await it.at(0);
    expect(first.y).toEqual(Int32Array.from([1, 2, 1, 0]));
    expect(first.sampleWeight).toEqual(Float32Array.from([1, 0.5, 2, 1]));
    expect(first.x.data.subarray(15 * 3, 30 * 3)).toEqual(Float32Array.from(pixels['dog1.png']));
  });

  it('classes given filter the rows; validationSplit takes the first fraction of the rows; binary needs two classes', async () => {
    const records = await readCsv(join(root, 'labels.csv'));
    const base = { directory: join(root, 'images'), xCol: 'file', yCol: 'label', targetSize: [3, 5] as [number, number], shuffle: false };
    const gen = new ImageDataGenerator({ validationSplit: 0.5 });
    const both = await gen.flowFromDataframe(records, { ...base, classes: ['dog', 'cat'], subset: 'validation' });
    expect(both.classIndices).toEqual({ dog: 0, cat: 1 });
    expect(both.filenames).toEqual(['cat1.png', 'dog1.png']);
    const training = await gen.flowFromDataframe(records, { ...base, classes: ['dog', 'cat'], subset: 'training', classMode: 'binary' });
    expect(training.filenames).toEqual(['cat2.png', 'dog2.png', 'sub/cat3.png']);
    expect((await training.at(0)).y).toEqual(Int32Array.from([1, 0, 1]));
    await expect(gen.flowFromDataframe(records, { ...base, classMode: 'binary' })).rejects.toThrow(
      "flowFromDataframe: classMode 'binary' needs exactly 2 classes. Found 3 classes");
  });

  it('checks its records and columns', async () => {
    const gen = new ImageDataGenerator();
    await expect(gen.flowFromDataframe([{ filename: 'a.png' }], { directory: root })).rejects.toThrow(
      "flowFromDataframe: with classMode 'categorical', column `class` must hold class names (strings). Received: undefined in record 0");
    await expect(gen.flowFromDataframe([{ file: 'a.png' }], { directory: root })).rejects.toThrow(
      'flowFromDataframe: record 0 has no file name in column `filename`. Received: undefined');
    await expect(gen.flowFromDataframe([{ filename: 'a.png', class: 'x', w: 'heavy' }], { directory: root, weightCol: 'w' })).rejects.toThrow(
      'flowFromDataframe: column `w` must hold finite numbers. Received: "heavy" in record 0');
    await expect(gen.flowFromDataframe('a.csv' as never)).rejects.toThrow('flowFromDataframe: records must be an array of objects');
  });

  it('classMode null takes paths only, relative to the working directory or absolute, without a directory', async () => {
    const records = [{ filename: join(root, 'images/bird.png') }];
    const it = await new ImageDataGenerator().flowFromDataframe(records, { classMode: null, targetSize: [3, 5] });
    const { x, y } = await it.at(0);
    expect(y).toBeUndefined();
    expect(x.data).toEqual(Float32Array.from(pixels['bird.png']));
  });
});

describe('fitDirectory', () => {
  it('streams the statistics over decoded batches: equal to fit on the stacked images', async () => {
    const folder = tempDir('fit');
    const images: Uint8Array[] = [];
    for (let i = 0; i < 23; i++) {
      const img = randomImage(6, 5, 3, 900 + i);
      images.push(img);
      writeFile(folder, `${i % 2 ? 'odd' : 'even'}/${String(i).padStart(2, '0')}.png`, encodePng(img, 6, 5, 3));
    }
    const listing = await new ImageDataGenerator().flowFromDirectory(folder, { targetSize: [6, 5], shuffle: false });
    const byName = new Map(images.map((img, i) => [`${i % 2 ? 'odd' : 'even'}/${String(i).padStart(2, '0')}.png`, img]));
    const data = new Uint8Array(23 * 90);
    listing.filenames.forEach((name, i) => data.set(byName.get(name)!, i * 90));

    const options = { featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 1 / 255 };
    const streamed = await new ImageDataGenerator(options).fitDirectory(folder, { targetSize: [6, 5], batchSize: 4 });
    const whole = new ImageDataGenerator(options).fit({ data, shape: [23, 6, 5, 3] });
    const [s, w] = [streamed.statistics!, whole.statistics!];
    expect(s.count).toBe(w.count);
    expect(s.min).toEqual(w.min);
    expect(s.max).toEqual(w.max);
    for (let c = 0; c < 3; c++) {
      expect(s.mean[c]).toBeCloseTo(w.mean[c], 12);
      expect(s.std[c]).toBeCloseTo(w.std[c], 12);
    }
    // Independently: float64 two-pass statistics of the rescaled pixels.
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let i = c; i < data.length; i += 3) sum += data[i] / 255;
      const mean = sum / (data.length / 3);
      let ss = 0;
      for (let i = c; i < data.length; i += 3) ss += (data[i] / 255 - mean) ** 2;
      expect(s.mean[c]).toBeCloseTo(mean, 10);
      expect(s.std[c]).toBeCloseTo(Math.sqrt(ss / (data.length / 3)), 10);
    }
    // From a caller's file iterator too (its own order and epoch untouched).
    const files = await new ImageDataGenerator().flowFromDirectory(folder, { targetSize: [6, 5], batchSize: 5, seed: 3 });
    const order = files.indexOrder;
    const again = await new ImageDataGenerator(options).fitDirectory(files);
    for (let c = 0; c < 3; c++) expect(again.statistics!.mean[c]).toBeCloseTo(w.mean[c], 12);
    expect(files.indexOrder).toEqual(order);
    expect(files.epoch).toBe(0);
    rmSync(folder, { recursive: true, force: true });
  });

  it('is all or nothing: a corrupt file after the first batch leaves the earlier statistics exactly as they were', async () => {
    const folder = tempDir('fit-bad');
    for (let i = 0; i < 9; i++) writeFile(folder, `a/${i}.png`, encodePng(randomImage(4, 4, 1, 70 + i), 4, 4, 1));
    writeFile(folder, 'a/9.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])); // sorted last: batch 3
    const gen = new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: new Uint8Array([10, 20, 30, 40]), shape: [4, 1, 1, 1] });
    const before = JSON.stringify(gen.toJSON());
    await expect(gen.fitDirectory(folder, { targetSize: [4, 4], colorMode: 'grayscale', batchSize: 3 })).rejects.toThrow('9.png');
    expect(JSON.stringify(gen.toJSON())).toBe(before);
    // Every file skipped: nothing to fit, said so.
    const empty = tempDir('fit-skipped');
    writeFile(empty, 'a/x.png', new Uint8Array([1, 2, 3]));
    await expect(new ImageDataGenerator().fitDirectory(empty, { targetSize: [4, 4], onError: 'skip' }))
      .rejects.toThrow('fitDirectory: every file was skipped; there is nothing to fit');
    rmSync(folder, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });
});
