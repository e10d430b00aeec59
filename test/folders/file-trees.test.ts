// The browser's two ways to hand over a folder, as FileTrees, checked in Node with the same File objects the
// browser makes: the FileList of <input webkitdirectory> (paths in webkitRelativePath) and a
// FileSystemDirectoryHandle (showDirectoryPicker). Both list as the Node directory does.
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { encodePng, randomImage } from './png.js';

const files: Record<string, Uint8Array> = {
  'b/2.png': encodePng(randomImage(3, 3, 3, 1), 3, 3, 3),
  'a/x/1.png': encodePng(randomImage(3, 3, 3, 2), 3, 3, 3),
  'a/0.png': encodePng(randomImage(3, 3, 3, 3), 3, 3, 3),
  'a/notes.txt': new TextEncoder().encode('hi'),
};

function fileList(): File[] {
  return Object.entries(files).map(([path, bytes]) => {
    const file = new File([bytes as BlobPart], path.split('/').pop()!);
    Object.defineProperty(file, 'webkitRelativePath', { value: `picked/${path}` });
    return file;
  });
}

interface FakeHandle { kind: 'directory' | 'file'; name: string; [k: string]: unknown }
function handle(name: string, prefix: string): FakeHandle {
  const children = () => {
    const names = new Map<string, 'file' | 'directory'>();
    for (const path of Object.keys(files)) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length).split('/');
      names.set(rest[0], rest.length > 1 ? 'directory' : 'file');
    }
    return names;
  };
  return {
    kind: 'directory', name,
    async *values() {
      for (const [n, kind] of children()) yield kind === 'directory' ? handle(n, `${prefix}${n}/`) : { kind: 'file', name: n };
    },
    getDirectoryHandle: async (n: string) => {
      if (children().get(n) !== 'directory') throw new Error(`NotFoundError: ${n}`);
      return handle(n, `${prefix}${n}/`);
    },
    getFileHandle: async (n: string) => ({ getFile: async () => new File([files[`${prefix}${n}`] as BlobPart], n) }),
  };
}

describe('browser folders as FileTrees', () => {
  for (const [what, folder] of [['FileList (webkitdirectory)', fileList], ['FileSystemDirectoryHandle', () => handle('picked', '')]] as const) {
    it(`${what}: Keras' listing, and the images decoded`, async () => {
      const it = await new ImageDataGenerator().flowFromDirectory(folder(), { targetSize: [3, 3], shuffle: false, classMode: 'sparse' });
      expect(it.classIndices).toEqual({ a: 0, b: 1 });
      expect(it.filenames).toEqual(['a/0.png', 'a/x/1.png', 'b/2.png']);
      const { x, y } = await it.at(0);
      expect(y).toEqual(Int32Array.from([0, 0, 1]));
      expect(x.data.subarray(0, 27)).toEqual(Float32Array.from(randomImage(3, 3, 3, 3)));
    });
  }

  it('an empty FileList is an error', async () => {
    await expect(new ImageDataGenerator().flowFromDirectory([] as unknown as FileList)).rejects.toThrow('flowFromDirectory: the chosen folder holds no files');
  });
});
