// The file systems a directory flow reads: a Node directory (a path), a directory the user picked in a browser
// (showDirectoryPicker's handle, or the FileList of <input webkitdirectory>). The flows see only this interface,
// so the listing (directory-listing.ts) and the batches (file-iterator.ts) are the same code everywhere.

export interface FileEntry {
  name: string;
  /** What the entry is, symlinks followed (os.walk classifies a link to a directory as a directory too). */
  kind: 'file' | 'directory' | 'other';
  /** True for a symbolic link: followed into only with followLinks, as Keras' os.walk(followlinks=...). */
  link: boolean;
}

export interface FileTree {
  /** The root as the user named it, for messages. */
  readonly root: string;
  /** The entries of the directory at `path` ('' is the root; '/'-separated, relative to it). */
  list(path: string): Promise<FileEntry[]>;
  /** A file's bytes. */
  read(path: string): Promise<Uint8Array>;
  /** Where a directory really is (symlinks resolved): the walk visits each once, so a link loop cannot hang it. */
  identity(path: string): Promise<string>;
  /** The path to show in a message. */
  describe(path: string): string;
}

export function joinPath(a: string, b: string): string {
  return a === '' ? b : `${a}/${b}`;
}
