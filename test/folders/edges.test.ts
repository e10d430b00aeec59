// Edges of the file path that a sampled mutation run (scripts/mutation-sample.mjs) showed no test reaching: line
// numbers in CSV errors after CRLF and blank lines, the iterator's index checks, a skipped file's place in its batch,
// and a file tree object missing a method.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { ImageDataGenerator } from '../../src/index.js';
import { parseCsv } from '../../src/generator/csv.js';
import { encodePng, randomImage, tempDir, writeFile } from './png.js';

const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });
function tree(files: Record<string, Uint8Array | string>): string {
  const root = tempDir('edges');
  roots.push(root);
  for (const [path, bytes] of Object.entries(files)) writeFile(root, path, bytes);
  return root;
}

describe('parseCsv line numbers', () => {
  it('count a CRLF as one line break and a blank line as a line, in rows and in errors', () => {
    // Lines: 1 header, 2 blank (CRLF), 3 a row, 4 blank (LF), 5 a row ending in a lone CR, 6 a bad row.
    expect(parseCsv('a,b\r\n\r\n1,2\n\n3,4\r')).toEqual([{ a: '1', b: '2' }, { a: '3', b: '4' }]);
    expect(() => parseCsv('a,b\r\n\r\n1,2\n\n3,4\rx"y,5', 'f.csv')).toThrow('readCsv: f.csv, line 6: a quote inside an unquoted field');
    expect(() => parseCsv('a,b\r\n\r\n1,2\r\n1,2,3\r\n', 'f.csv')).toThrow(/line 4/);
  });
});

describe('file iterator', () => {
  const png = (seed: number) => encodePng(randomImage(4, 4, 1, seed), 4, 4, 1);
  const options = { targetSize: [4, 4] as [number, number], colorMode: 'grayscale' as const, shuffle: false, batchSize: 3, classMode: null };

  it('refuses a batch index that is not an integer in [0, length)', async () => {
    const files = await new ImageDataGenerator().flowFromDirectory(tree({ 'a/1.png': png(1), 'a/2.png': png(2), 'b/3.png': png(3), 'b/4.png': png(4) }), options);
    expect(files.length).toBe(2);
    for (const i of [-1, 2, 0.5, NaN]) {
      await expect(files.at(i)).rejects.toThrow(`Asked to retrieve element ${String(i)}, but the Sequence has length 2`);
    }
    expect((await files.at(1)).x.shape).toEqual([1, 4, 4, 1]);
    files.dispose();
  });

  it("with onError 'skip', the images after a skipped file keep their pixels and their order", async () => {
    const images = [randomImage(4, 4, 1, 11), randomImage(4, 4, 1, 12), randomImage(4, 4, 1, 13)];
    const root = tree({ 'a/0.png': 'not a png', 'a/1.png': encodePng(images[1], 4, 4, 1), 'a/2.png': encodePng(images[2], 4, 4, 1) });
    const files = await new ImageDataGenerator().flowFromDirectory(root, { ...options, onError: 'skip' });
    const { x } = await files.at(0);
    expect(x.shape).toEqual([2, 4, 4, 1]);
    expect(x.data).toEqual(Float32Array.from([...images[1], ...images[2]]));
    files.dispose();
  });

  it('takes a file tree object only with both list and read', async () => {
    const gen = new ImageDataGenerator();
    await expect(gen.flowFromDirectory({ list: async () => [] })).rejects.toThrow(
      'flowFromDirectory: `directory` must be a directory path (Node), a FileSystemDirectoryHandle or the FileList of <input webkitdirectory>. Received: object');
    await expect(gen.flowFromDirectory(null as never)).rejects.toThrow('Received: null');
  });
});
