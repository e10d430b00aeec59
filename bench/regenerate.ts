// Regenerates the docs from ONE recorded run: the tables of BENCHMARKS.md (between its bench markers), the README's
// speed table (between its speed markers) and the size-sweep chart. So the figures in the docs always come from a
// file in bench/results/ that records its commit, machine and load.
//   node dist-bench/bench/regenerate.js bench/results/latest.json
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeDirectory } from '../src/write-file-node.js';
import { renderChart } from './chart.js';
import { markdownReport, readmeTable, replaceMarked, SCHEMA, type Recorded } from './report.js';

/**
 * Writes through a temporary file and a rename: a reader never sees half a file. Directories are made one level at a
 * time (src/write-file-node.ts says why the recursive mkdir is not used on a user's path).
 */
export function writeAtomic(path: string, text: string): void {
  makeDirectory('bench', dirname(path));
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export function readRecorded(file: string): Recorded {
  const rec = JSON.parse(readFileSync(file, 'utf8')) as Recorded;
  if (rec.schema !== SCHEMA) throw new Error(`${file}: not a recorded run of this suite (schema ${JSON.stringify(rec.schema)}, expected ${SCHEMA})`);
  return rec;
}

/**
 * The BENCHMARKS.md block a run fills: `bench` for a whole run, `bench <filter>` for a filtered one (the ZCA run at
 * 32×32×3 has its own block and file), so that a partial run never replaces the whole run's tables.
 */
export function blockName(rec: Recorded): string {
  return rec.options.filter === null ? 'bench' : `bench ${rec.options.filter}`;
}

/**
 * Rewrites BENCHMARKS.md (the run's block), README.md's speed table (whole runs only) and the chart (when the run
 * has the size sweep), in the current directory.
 */
export function regenerate(file: string, { benchmarks = 'BENCHMARKS.md', readme = 'README.md', chart = 'bench/results/scaling.svg' } = {}): string[] {
  const rec = readRecorded(file);
  const written: string[] = [];
  if (existsSync(benchmarks)) {
    writeAtomic(benchmarks, replaceMarked(readFileSync(benchmarks, 'utf8'), markdownReport(rec, file), blockName(rec)));
    written.push(benchmarks);
  }
  if (rec.options.filter === null && existsSync(readme) && readFileSync(readme, 'utf8').includes('<!-- speed:begin -->')) {
    writeAtomic(readme, replaceMarked(readFileSync(readme, 'utf8'), readmeTable(rec, file), 'speed'));
    written.push(readme);
  }
  if (rec.rows.some((r) => r.section === 'sizes')) {
    writeAtomic(chart, renderChart(rec));
    written.push(chart);
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist-bench/bench/regenerate.js bench/results/FILE.json');
    process.exit(2);
  }
  for (const written of regenerate(file)) console.log(`updated ${written}`);
}
