// A directory the user picked in a browser, as a FileTree: a FileSystemDirectoryHandle (showDirectoryPicker), or the
// FileList of <input type="file" webkitdirectory> (each File knows its path as webkitRelativePath, 'root/cats/1.png').
import { joinPath, type FileEntry, type FileTree } from './file-tree.js';

interface FileLike { name: string; webkitRelativePath?: string; arrayBuffer(): Promise<ArrayBuffer> }
interface HandleLike {
  kind: 'directory' | 'file';
  name: string;
  values?(): AsyncIterable<HandleLike>;
  getDirectoryHandle?(name: string): Promise<HandleLike>;
  getFileHandle?(name: string): Promise<{ getFile(): Promise<FileLike> }>;
}

export function isFileList(value: unknown): value is ArrayLike<FileLike> {
  if (value === null || typeof value !== 'object' || typeof (value as ArrayLike<unknown>).length !== 'number') return false;
  const first = (value as ArrayLike<unknown>)[0];
  return (value as ArrayLike<unknown>).length === 0 || (first !== null && typeof first === 'object' && typeof (first as FileLike).arrayBuffer === 'function');
}

export function isDirectoryHandle(value: unknown): value is HandleLike {
  return value !== null && typeof value === 'object' && (value as HandleLike).kind === 'directory' && typeof (value as HandleLike).getDirectoryHandle === 'function';
}

/** Files of <input webkitdirectory>: the tree is rebuilt from their relative paths (the first segment is the root). */
export function fileListTree(files: ArrayLike<FileLike>, where: string): FileTree {
  const byPath = new Map<string, FileLike>();
  const dirs = new Map<string, Map<string, FileEntry>>([['', new Map()]]);
  let root = '';
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const parts = (file.webkitRelativePath || file.name).split('/');
    if (parts.length > 1) root = parts.shift()!;
    const path = parts.join('/');
    byPath.set(path, file);
    for (let d = 0; d < parts.length; d++) {
      const parent = parts.slice(0, d).join('/');
      if (!dirs.has(parent)) dirs.set(parent, new Map());
      const kind = d === parts.length - 1 ? 'file' : 'directory';
      dirs.get(parent)!.set(parts[d], { name: parts[d], kind, link: false });
    }
  }
  if (files.length === 0) throw new Error(`${where}: the chosen folder holds no files`);
  return {
    root,
    async list(path) {
      const entries = dirs.get(path);
      if (entries === undefined) throw new Error(`no folder ${path}`);
      return [...entries.values()];
    },
    async read(path) {
      const file = byPath.get(path);
      if (file === undefined) throw new Error(`no file ${path}`);
      return new Uint8Array(await file.arrayBuffer());
    },
    identity: async (path) => path,
    describe: (path) => (path === '' ? root : joinPath(root, path)),
  };
}

/** A FileSystemDirectoryHandle (no symlinks exist in that API, so there is nothing to loop on). */
export function handleTree(handle: HandleLike): FileTree {
  const dir = async (path: string): Promise<HandleLike> => {
    let h = handle;
    for (const part of path === '' ? [] : path.split('/')) h = await h.getDirectoryHandle!(part);
    return h;
  };
  return {
    root: handle.name,
    async list(path) {
      const out: FileEntry[] = [];
      for await (const h of (await dir(path)).values!()) out.push({ name: h.name, kind: h.kind === 'directory' ? 'directory' : 'file', link: false });
      return out;
    },
    async read(path) {
      const cut = path.lastIndexOf('/');
      const parent = await dir(cut < 0 ? '' : path.slice(0, cut));
      const file = await (await parent.getFileHandle!(path.slice(cut + 1))).getFile();
      return new Uint8Array(await file.arrayBuffer());
    },
    identity: async (path) => path,
    describe: (path) => (path === '' ? handle.name : joinPath(handle.name, path)),
  };
}
