// --data: the embedded MNIST digits ('mnist') or a directory in the MNIST (IDX) format; --limit.
import { loadMnist } from '../data/mnist.js';
import { loadIdxDirectory } from '../data/idx-node.js';
import type { DataSet } from '../data/types.js';
import { firstImages } from '../tutorial.js';

export async function loadData(data: string): Promise<DataSet> {
  return data === 'mnist' ? loadMnist() : loadIdxDirectory(data);
}

/** The first n training images (all when n is null); the test set stays whole. */
export function limitTraining(ds: DataSet, n: number | null): DataSet {
  return n === null ? ds : { train: firstImages(ds.train, n), test: ds.test };
}
