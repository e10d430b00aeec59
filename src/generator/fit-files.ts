// fit over image files without holding them: the decoded batches (bytes, before any scaling) are streamed into
// fitStream, which folds each into the statistics exactly (moments.ts), so the result is a fit on the whole set, and
// is all or nothing: a file that fails half way leaves the generator's earlier statistics as they were.
import type { ImageSet } from './image-set.js';
import { FileIterator } from './file-iterator.js';
import { flowFromDirectory, type DirectoryFlowOptions } from './directory.js';
import type { DirectoryInput, FlowGenerator } from './file-flow.js';
import type { ScalingPlan } from './pipeline.js';

export type FitFilesOptions = Omit<DirectoryFlowOptions, 'classMode' | 'shuffle' | 'seed'>;

interface Fittable extends FlowGenerator {
  fitStream(chunks: AsyncIterable<ImageSet>): Promise<unknown>;
}

const IDENTITY: ScalingPlan = {
  rescale: 1, samplewiseCenter: false, samplewiseStdNormalization: false, featureMean: null, featureStd: null,
  preprocessingFunction: null, zca: null,
};

export async function fitFiles(gen: Fittable, directory: DirectoryInput | FileIterator, options?: FitFilesOptions): Promise<void> {
  let files: FileIterator;
  if (directory instanceof FileIterator) {
    if (options !== undefined) throw new TypeError('fitDirectory: options apply to a directory; a file iterator brings its own');
    files = directory.unscaled();
  } else {
    // The listing and decoding of flowFromDirectory, through a generator that scales nothing (fit sees raw pixels).
    const raw: FlowGenerator = { options: { ...gen.options, rescale: null } as FlowGenerator['options'], augmenting: false, scalingPlan: () => IDENTITY };
    files = await flowFromDirectory(raw, directory, { ...options, classMode: null, shuffle: false });
  }
  let batches = 0;
  let listed = false;
  async function* decoded(): AsyncGenerator<ImageSet> {
    for (let i = 0; i < files.length; i++) {
      if ((await files.prepare(i)) === 0) continue;
      batches++;
      yield files.decodedBatch(i); // folded before the next batch is decoded over it
    }
    listed = true;
  }
  try {
    await gen.fitStream(decoded()).catch((e: unknown) => {
      if (listed && batches === 0) throw new Error('fitDirectory: every file was skipped; there is nothing to fit');
      throw e;
    });
  } finally {
    // A caller's iterator counts and reports the files its fit pass skipped; a directory's own pass has nobody to tell.
    if (directory instanceof FileIterator) directory.adoptSkips(files);
    files.dispose();
  }
}
