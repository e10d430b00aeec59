// flowFromDirectory: Keras' DirectoryIterator (docs/keras-semantics.md, "Image folders"). One sub-folder per class;
// the listing (directory-listing.ts) fixes the classes, the files and the split; file-iterator.ts makes the batches.
import { listDirectory } from './directory-listing.js';
import { checkFileFlowOptions, type FileFlowOptions } from './file-flow-options.js';
import { makeFileIterator, openTree, splitFor, type DirectoryInput, type FlowGenerator } from './file-flow.js';
import type { FileIterator } from './file-iterator.js';

export interface DirectoryFlowOptions extends FileFlowOptions {
  /** Follow symbolic links to directories while walking a class folder (each real directory is entered once). */
  followLinks?: boolean;
}

export async function flowFromDirectory(gen: FlowGenerator, directory: DirectoryInput, options?: DirectoryFlowOptions): Promise<FileIterator> {
  const where = 'flowFromDirectory';
  const o = checkFileFlowOptions(where, options, ['followLinks']);
  const followLinks = o.followLinks ?? false;
  if (typeof followLinks !== 'boolean') throw new RangeError(`${where}: \`followLinks\` must be true or false. Received: followLinks=${String(followLinks)}`);
  const split = splitFor(where, o.subset, gen.options.validationSplit);
  const tree = await openTree(directory, where);
  const listing = await listDirectory(tree, where, { classes: o.classes, followLinks, split, onError: o.onError });
  return makeFileIterator(gen, tree, o, {
    where, filenames: listing.filenames, classNames: listing.classNames,
    classes: listing.classes, weights: null, warnings: listing.warnings,
  });
}
