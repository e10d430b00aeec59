// A Node directory as a FileTree. node:fs is reached through process.getBuiltinModule (Node ≥ 20.16) and else a
// dynamic import whose name bundlers do not follow: the browser entry stays free of node: imports.
import type { FileEntry, FileTree } from './file-tree.js';

interface Dirent { name: string; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }
interface Stats { isFile(): boolean; isDirectory(): boolean }
interface FsPromises {
  readdir(path: string, options: { withFileTypes: true }): Promise<Dirent[]>;
  readFile(path: string): Promise<Uint8Array>;
  realpath(path: string): Promise<string>;
  stat(path: string): Promise<Stats>;
}

let fsPromises: FsPromises | null = null;

async function fs(): Promise<FsPromises> {
  if (fsPromises !== null) return fsPromises;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } } }).process;
  if (proc?.versions?.node === undefined) {
    throw new Error('flowFromDirectory: a directory path is read with node:fs, in Node; in a browser pass the directory the user picked (a FileSystemDirectoryHandle or the FileList of <input webkitdirectory>)');
  }
  const name = 'node:fs/promises';
  fsPromises = (proc.getBuiltinModule?.(name) ?? (await import(/* @vite-ignore */ /* webpackIgnore: true */ name))) as FsPromises;
  return fsPromises;
}

export async function nodeFileTree(root: string, where: string): Promise<FileTree> {
  const f = await fs();
  // Data frames may name absolute paths; everything else is relative to the root.
  const full = (path: string) => (path === '' ? root : path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) ? path : `${root}/${path}`);
  let stats: Stats;
  try {
    stats = await f.stat(root);
  } catch (cause) {
    throw new Error(`${where}: directory ${JSON.stringify(root)} does not exist or cannot be read (${(cause as { code?: string }).code ?? (cause as Error).message})`, { cause });
  }
  if (!stats.isDirectory()) throw new Error(`${where}: ${JSON.stringify(root)} is not a directory`);
  return {
    root,
    async list(path: string): Promise<FileEntry[]> {
      const entries = await f.readdir(full(path), { withFileTypes: true });
      return Promise.all(entries.map(async (d): Promise<FileEntry> => {
        if (!d.isSymbolicLink()) return { name: d.name, kind: d.isFile() ? 'file' : d.isDirectory() ? 'directory' : 'other', link: false };
        try {
          const s = await f.stat(full(path === '' ? d.name : `${path}/${d.name}`));
          return { name: d.name, kind: s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other', link: true };
        } catch {
          return { name: d.name, kind: 'file', link: true }; // dangling: os.walk lists it as a file; reading it fails, naming it
        }
      }));
    },
    read: (path: string) => f.readFile(full(path)),
    identity: (path: string) => f.realpath(full(path)),
    describe: full,
  };
}
