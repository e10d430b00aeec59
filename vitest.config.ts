import { defineConfig } from 'vitest/config';

// Node 20 runs relaxed SIMD only behind a flag; from Node 22 it is on by default and the flag is not needed.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const relaxedFlag = nodeMajor < 22 ? ['--experimental-wasm-relaxed-simd'] : [];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The wasm adapter checks every kernel call against the kernel table (types, sizes, extents): src/runtime/wasm-kernels.ts.
    // One thread unless a test asks for more (test/threads/*, which set their counts): the default is the cores, and
    // two forks each running a pool of workers that poll would oversubscribe the cores. Child processes inherit it;
    // test/threads/pool.test.ts runs one without it, to check the default.
    env: { PIXPREP_DEBUG_KERNELS: '1', PIXPREP_THREADS: '1' },
    // global.gc for settleFinalizers (test/helpers.ts): memory tests collect earlier tests' garbage before measuring.
    execArgv: ['--expose-gc'],
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      {
        // The network kernels and layers again with the relaxed-SIMD build loaded (it joins availableBackends()).
        extends: true,
        test: {
          name: 'relaxed-simd',
          include: ['test/kernels/nn-*.test.ts', 'test/kernels/stats.test.ts', 'test/nn/backends.test.ts',
            'test/nn/conv2d-algorithms.test.ts'],
          execArgv: ['--expose-gc', ...relaxedFlag],
        },
      },
    ],
  },
});
