// --data: the embedded MNIST digits ('mnist') or a directory in the MNIST (IDX) format.
import { loadMnist } from '../data/mnist.js';
import { loadIdxDirectory } from '../data/idx-node.js';
import type { DataSet } from '../data/types.js';

export async function loadData(data: string): Promise<DataSet> {
  return data === 'mnist' ? loadMnist() : loadIdxDirectory(data);
}

/** The first n training images (all when n is null); the test set stays whole. */
export function limitTraining(ds: DataSet, n: number | null): DataSet {
  if (n === null || n >= ds.train.y.length) return ds;
  const [, h, w, c] = ds.train.x.shape;
  return {
    train: { x: { data: ds.train.x.data.subarray(0, n * h * w * c), shape: [n, h, w, c] }, y: ds.train.y.subarray(0, n) },
    test: ds.test,
  };
}
