// flowFromDataframe: Keras' DataFrameIterator over records (objects, one per image: readCsv makes them of a CSV
// file). Labels come from yCol: the classes are its distinct values sorted (or the `classes` given; rows of other
// classes are dropped, as Keras does); rows whose file has no white-listed extension are dropped with a warning;
// validationSplit takes the FIRST fraction of the remaining rows (not per class: Keras splits the frame as it is).
import { compareCodePoints, hasImageExtension, WHITE_LIST_FORMATS } from './directory-listing.js';
import { checkFileFlowOptions, type FileFlowOptions } from './file-flow-options.js';
import { makeFileIterator, openTree, splitFor, type DirectoryInput, type FlowGenerator } from './file-flow.js';
import type { FileIterator } from './file-iterator.js';
import { describeValue } from '../errors.js';

export interface DataframeFlowOptions extends FileFlowOptions {
  /** Where the files are (a path, a directory handle or FileList); omitted in Node: xCol holds full paths. */
  directory?: DirectoryInput;
  xCol?: string;
  yCol?: string;
  /** A column of sample weights, yielded with each batch as sampleWeight. */
  weightCol?: string;
}

export async function flowFromDataframe(gen: FlowGenerator, records: readonly Record<string, unknown>[], options?: DataframeFlowOptions): Promise<FileIterator> {
  const where = 'flowFromDataframe';
  const o = checkFileFlowOptions(where, options, ['directory', 'xCol', 'yCol', 'weightCol']);
  if (!Array.isArray(records)) throw new TypeError(`${where}: records must be an array of objects (one per image). Received: ${describeValue(records)}`);
  const xCol = column(where, 'xCol', o.xCol ?? 'filename');
  const yCol = column(where, 'yCol', o.yCol ?? 'class');
  const weightCol = o.weightCol === undefined ? null : column(where, 'weightCol', o.weightCol);
  const labelled = o.classMode !== 'input' && o.classMode !== null;
  records.forEach((r, i) => {
    if (r === null || typeof r !== 'object') throw new TypeError(`${where}: record ${i} must be an object. Received: ${describeValue(r)}`);
    if (typeof r[xCol] !== 'string' || r[xCol] === '') throw new TypeError(`${where}: record ${i} has no file name in column \`${xCol}\`. Received: ${describeValue(r[xCol])}`);
    if (labelled && typeof r[yCol] !== 'string') {
      throw new TypeError(`${where}: with classMode '${o.classMode}', column \`${yCol}\` must hold class names (strings). Received: ${describeValue(r[yCol])} in record ${i}`);
    }
  });
  let rows = records.map((r, i) => ({ r, i }));
  let classNames: string[] = [];
  if (labelled) {
    classNames = o.classes ?? [...new Set(rows.map(({ r }) => r[yCol] as string))].sort(compareCodePoints);
    const known = new Set(classNames);
    rows = rows.filter(({ r }) => known.has(r[yCol] as string));
    if (o.classMode === 'binary' && classNames.length !== 2) {
      throw new RangeError(`${where}: classMode 'binary' needs exactly 2 classes. Found ${classNames.length} classes: ${describeValue(classNames)}`);
    }
  }
  const warnings: string[] = [];
  const valid = rows.filter(({ r }) => hasImageExtension(r[xCol] as string));
  if (valid.length < rows.length) {
    warnings.push(`${where}: ignored ${rows.length - valid.length} record(s) whose file has no image extension (${WHITE_LIST_FORMATS.join(', ')})`);
  }
  rows = valid;
  const split = splitFor(where, o.subset, gen.options.validationSplit);
  if (split !== null) rows = rows.slice(Math.trunc(split[0] * rows.length), Math.trunc(split[1] * rows.length));
  const index = new Map(classNames.map((c, k) => [c, k]));
  let weights: Float32Array | null = null;
  if (weightCol !== null) {
    weights = Float32Array.from(rows, ({ r, i }) => {
      const w = typeof r[weightCol] === 'string' && r[weightCol] !== '' ? Number(r[weightCol]) : r[weightCol];
      if (typeof w !== 'number' || !Number.isFinite(w)) throw new TypeError(`${where}: column \`${weightCol}\` must hold finite numbers. Received: ${describeValue(r[weightCol])} in record ${i}`);
      return w;
    });
  }
  const tree = await openTree(o.directory ?? '.', where, 'directory');
  return makeFileIterator(gen, tree, o, {
    where, filenames: rows.map(({ r }) => r[xCol] as string), classNames,
    classes: labelled ? Int32Array.from(rows, ({ r }) => index.get(r[yCol] as string)!) : null, weights, warnings,
  });
}

function column(where: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${where}: \`${name}\` must be a column name (a non-empty string). Received: ${describeValue(value)}`);
  return value;
}
