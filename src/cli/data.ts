// --data: the embedded MNIST digits ('mnist'), a directory in the MNIST (IDX) format, or a folder of image files
// (one sub-folder per class: image-folder.ts); --limit.
import { loadMnist } from '../data/mnist.js';
import { loadIdxDirectory } from '../data/idx-node.js';
import type { DataSet } from '../data/types.js';
import { firstImages } from '../tutorial.js';
import { isImageFolder, loadImageFolder, type FolderOptions } from './image-folder.js';

export async function loadData(data: string, folder?: FolderOptions): Promise<DataSet> {
  if (data === 'mnist') return loadMnist();
  if (folder !== undefined && (await isImageFolder(data))) return loadImageFolder(data, folder);
  try {
    return await loadIdxDirectory(data);
  } catch (e) {
    // Neither layout: say both, not only the IDX files it lacks.
    if (folder !== undefined && /: missing (an IDX file|\d+ IDX files)/.test((e as Error).message)) {
      throw new Error(`${(e as Error).message}; nor is it a folder of images (one sub-folder of image files per class)`, { cause: e });
    }
    throw e;
  }
}

/** The first n training images (all when n is null); the test set stays whole. */
export function limitTraining(ds: DataSet, n: number | null): DataSet {
  return n === null ? ds : { train: firstImages(ds.train, n), test: ds.test };
}
