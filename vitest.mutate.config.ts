// The vitest suite StrykerJS runs for each mutant (`npm run mutate`, stryker.config.mjs): the tests of the two folders
// it mutates (src/generator, src/nn; the image-folder iterators and the streaming fit and merge live in src/generator,
// so test/folders and test/cluster count too, and the shared error tests), without the three slowest files (the TF.js training-step reference and the two
// one-epoch MNIST runs, 30 s of the 45 s these folders take) nor the 60,000-image fit (see env): they would run for
// nearly every mutant while their faster neighbours (gradients, backends, training, the small fits) check the same
// code. The kernel tests are left out too: they reach these folders only through Moments, which fit.test.ts covers,
// and their MNIST-sized passes take seconds each.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/generator/**/*.test.ts', 'test/nn/**/*.test.ts', 'test/folders/**/*.test.ts',
      'test/cluster/**/*.test.ts', 'test/errors.test.ts', 'test/unknown-option.test.ts'],
    exclude: ['test/nn/tfjs-reference.test.ts', 'test/nn/mnist.test.ts', 'test/generator/mnist.test.ts',
      // A browser (Chromium), the CLI in child processes, Redis, a 256 MiB file: seconds to minutes per run.
      'test/folders/browser.test.ts', 'test/folders/cli.test.ts', 'test/cluster/bullmq.test.ts',
      'test/cluster/stream-memory.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    execArgv: ['--expose-gc'], // settleFinalizers (test/helpers.ts)
    // Skips the one MNIST-sized accuracy test of fit.test.ts (seconds per run; the small fits cover its code). One
    // thread, as in vitest.config.ts (the default is the cores; Stryker runs several of these at once).
    env: { PIXPREP_MUTATION_RUN: '1', PIXPREP_THREADS: '1' },
  },
});
