// Mutation testing of the TypeScript side (`npm run mutate`; on demand, not in CI). It mutates src/generator and
// src/nn, and runs for each mutant the vitest tests that covered it (perTest coverage) from vitest.mutate.config.ts.
// Two workers: the machine this was written on has two cores. Static mutants (module-level constants, which every
// test would have to rerun) are skipped: they are few and they dominate the run time.
// PIXPREP_MUTATE_ONLY=generator (or nn) mutates one folder, with its own sandbox and reports, one worker: two such
// runs side by side give each folder's figures as they go. The event recorder writes every mutant's result as soon as
// it is known (reports/mutation/<folder>/events), so a run cut short still says what it found.
// A full run plans ~7,700 mutants (~50 hours of covering tests): PIXPREP_MUTATE_SAMPLE=FILE runs a uniform random
// sample instead (scripts/mutation-sample.mjs draws it and estimates the score with its confidence interval).
// The scores, with the date and commit they were measured at, are in README.md, "Testing".
import { readFileSync } from 'node:fs';

const FOLDERS = ['generator', 'nn'];
const only = process.env.PIXPREP_MUTATE_ONLY;
if (only !== undefined && !FOLDERS.includes(only)) {
  throw new Error(`PIXPREP_MUTATE_ONLY must be one of ${FOLDERS.join(', ')}. Received: ${JSON.stringify(only)}`);
}
// PIXPREP_MUTATE_SAMPLE=FILE mutates only the source ranges of a drawn sample (scripts/mutation-sample.mjs).
const sampleFile = process.env.PIXPREP_MUTATE_SAMPLE;
const sample = sampleFile === undefined ? null : JSON.parse(readFileSync(sampleFile, 'utf8'));
const name = sample !== null ? 'sample' : only ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: sample !== null ? sample.places.map((p) => p.range)
    : (only === undefined ? FOLDERS : [only]).map((folder) => `src/${folder}/**/*.ts`),
  ignoreStatic: true,
  ...(sample !== null ? { plugins: ['@stryker-mutator/*', './scripts/mutation-sample-ignorer.mjs'], ignorers: ['pixprep-sample'] } : {}),
  concurrency: only === undefined ? 2 : 1,
  timeoutMS: 15_000,
  // dist/ goes into the sandbox unmutated: a few tests run the built CLI in a child process (it sees no mutant, and
  // perTest coverage never picks those tests for one).
  ignorePatterns: ['dist-bench', 'build', 'demo', 'bench/results', 'coverage', 'reports', '.stryker-tmp*'],
  reporters: ['clear-text', 'progress-append-only', 'html', 'json', 'event-recorder'],
  htmlReporter: { fileName: `reports/mutation/${name}/mutation.html` },
  jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
  eventReporter: { baseDir: `reports/mutation/${name}/events` },
  tempDirName: `.stryker-tmp-${name}`,
  cleanTempDir: 'always',
};
