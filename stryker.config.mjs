// Mutation testing of the TypeScript side (`npm run mutate`; on demand, not in CI). It mutates src/generator and src/nn
// only, and runs for each mutant the vitest tests that covered it (perTest coverage) from vitest.mutate.config.ts.
// Two workers: the machine this was written on has two cores. Static mutants (module-level constants, which every
// test would have to rerun) are skipped: they are few and they dominate the run time.
// The score and the date and commit it was measured at are in README.md, "Testing".
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: ['src/generator/**/*.ts', 'src/nn/**/*.ts'],
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 15_000,
  ignorePatterns: ['dist', 'dist-bench', 'build', 'demo', 'bench/results', 'coverage', 'reports', '.stryker-tmp'],
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
