import type { DataSet } from '../../src/data/types.js';

export declare function writeMnistAssets(
  dataSet: DataSet,
  encodeIdx: (array: { data: Uint8Array; shape: readonly number[] }) => Uint8Array,
  dir: string,
): string[];
