// fit over image files without holding them: each decoded batch (bytes, before any scaling) is folded into the
// generator's statistics by partialFit, which merges exactly (moments.ts), so the result is a fit on the whole set.
import type { ImageSet } from './image-set.js';
import { FileIterator } from './file-iterator.js';
import { flowFromDirectory, type DirectoryFlowOptions } from './directory.js';
import type { DirectoryInput, FlowGenerator } from './file-flow.js';
import type { ScalingPlan } from './pipeline.js';

export type FitFilesOptions = Omit<DirectoryFlowOptions, 'classMode' | 'shuffle' | 'seed'>;

interface Fittable extends FlowGenerator {
  fit(x: ImageSet): unknown;
  partialFit(x: ImageSet): unknown;
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
  try {
    let first = true;
    for (let i = 0; i < files.length; i++) {
      if ((await files.prepare(i)) === 0) continue;
      const batch = files.decodedBatch(i);
      if (first) gen.fit(batch);
      else gen.partialFit(batch);
      first = false;
    }
    if (first) throw new Error('fitDirectory: every file was skipped; there is nothing to fit');
  } finally {
    files.dispose();
  }
}
