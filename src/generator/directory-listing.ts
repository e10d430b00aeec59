// Keras' DirectoryIterator listing (docs/keras-semantics.md, "Image folders"): the classes are the sub-folders of the
// root, sorted (or the `classes` given, in their order); each class folder is walked recursively, directories in
// sorted order of their path and files sorted within each, keeping the white-listed extensions (case-insensitive);
// a validation split takes the FIRST fraction of each class's own list, training the rest.
import { joinPath, type FileTree } from './file-tree.js';

export const WHITE_LIST_FORMATS = ['png', 'jpg', 'jpeg', 'bmp', 'ppm', 'tif', 'tiff'];

export interface Listing {
  classNames: string[];
  /** Paths relative to the root, '/'-separated, class folder first ('cats/001.png'), in Keras' order. */
  filenames: string[];
  /** The class index of each file. */
  classes: Int32Array;
  /** Problems met while listing, with onError 'skip' (an empty class folder, a link loop). */
  warnings: string[];
}

export interface ListingOptions {
  classes: string[] | null;
  followLinks: boolean;
  /** [start, stop) fractions of each class's files (Keras: validation (0, split), training (split, 1)); null: all. */
  split: [number, number] | null;
  onError: 'throw' | 'skip';
}

/** Python's string order (by code point), which is what `sorted` gives Keras; JavaScript's sort compares UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i].codePointAt(0)! - y[i].codePointAt(0)!;
  }
  return x.length - y.length;
}

export function hasImageExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return WHITE_LIST_FORMATS.some((ext) => lower.endsWith(`.${ext}`));
}

export async function listDirectory(tree: FileTree, where: string, o: ListingOptions): Promise<Listing> {
  const warnings: string[] = [];
  const problem = (message: string) => {
    if (o.onError === 'throw') throw new Error(`${where}: ${message}`);
    warnings.push(message);
  };
  let classNames: string[];
  if (o.classes !== null) classNames = o.classes;
  else {
    const top = await tree.list('');
    classNames = top.filter((e) => e.kind === 'directory').map((e) => e.name).sort(compareCodePoints);
    if (classNames.length === 0) {
      throw new Error(`${where}: ${tree.describe('')} has no class folders (expected one sub-folder of images per class, e.g. ${tree.describe('cats')}/001.png)`);
    }
  }
  const filenames: string[] = [];
  const classes: number[] = [];
  for (let c = 0; c < classNames.length; c++) {
    let files: string[];
    try {
      files = await walk(tree, classNames[c], o.followLinks, problem);
    } catch (cause) {
      if ((cause as Error).message.startsWith(where)) throw cause;
      throw new Error(`${where}: class folder ${tree.describe(classNames[c])} cannot be read (${(cause as { code?: string }).code ?? (cause as Error).message})`, { cause });
    }
    if (files.length === 0) {
      problem(`class folder ${tree.describe(classNames[c])} holds no image files (${WHITE_LIST_FORMATS.join(', ')})`);
      continue;
    }
    if (o.split !== null) files = files.slice(Math.trunc(o.split[0] * files.length), Math.trunc(o.split[1] * files.length));
    for (const f of files) {
      filenames.push(f);
      classes.push(c);
    }
  }
  return { classNames, filenames, classes: Int32Array.from(classes), warnings };
}

/**
 * os.walk(top, followlinks) sorted by directory path, files sorted in each: every white-listed file under `top`.
 * With followLinks each directory is entered once by its real path, so a link back up the tree is reported, not
 * followed forever.
 */
async function walk(tree: FileTree, top: string, followLinks: boolean, problem: (message: string) => void): Promise<string[]> {
  const dirs: { path: string; files: string[] }[] = [];
  const seen = new Map<string, string>();
  const visit = async (path: string): Promise<void> => {
    if (followLinks) {
      const real = await tree.identity(path);
      const first = seen.get(real);
      if (first !== undefined) {
        problem(`symlink loop: ${tree.describe(path)} leads back to ${tree.describe(first)} (followLinks)`);
        return;
      }
      seen.set(real, path);
    }
    const entries = await tree.list(path);
    dirs.push({ path, files: entries.filter((e) => e.kind === 'file' && hasImageExtension(e.name)).map((e) => e.name).sort(compareCodePoints) });
    for (const e of entries) {
      if (e.kind === 'directory' && (followLinks || !e.link)) await visit(joinPath(path, e.name));
    }
  };
  await visit(top);
  dirs.sort((a, b) => compareCodePoints(a.path, b.path));
  return dirs.flatMap((d) => d.files.map((f) => joinPath(d.path, f)));
}
