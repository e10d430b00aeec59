// npm run bench [-- --quick] [--filter NAME] [--json FILE] [--svg FILE] [--images N] [--max-exponent E]
// Runs the suite in this one process, prints the table and the aims, and writes the JSON and the chart if asked.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderChart } from './chart.js';
import { aims, aimsText, legendText, machineText, markdownReport, replaceMarked, table } from './report.js';
import { parseArgs } from './args.js';
import { runSuite } from './suite.js';

async function main(): Promise<void> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
  if (!(globalThis as { gc?: unknown }).gc) console.error('note: run node with --expose-gc for a collection between tasks');
  const started = performance.now();
  const report = await runSuite({ ...options, log: (line) => console.error(line) });
  const list = aims(report.results);
  console.log(`\n${machineText(report)}\n`);
  console.log(table(report.results));
  console.log(`\n${legendText()}\n`);
  console.log(aimsText(list));
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nwhole run: ${seconds.toFixed(0)} s`);
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, JSON.stringify({ command: process.argv.slice(2), ...report, aims: list }, null, 2) + '\n');
    console.log(`wrote ${options.json}`);
  }
  if (options.svg) {
    mkdirSync(dirname(options.svg), { recursive: true });
    writeFileSync(options.svg, renderChart(report));
    console.log(`wrote ${options.svg}`);
  }
  if (options.markdown) {
    const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
    const before = existsSync(options.markdown) ? readFileSync(options.markdown, 'utf8') : '';
    writeFileSync(options.markdown, replaceMarked(before, markdownReport(report, command, seconds)));
    console.log(`updated ${options.markdown}`);
  }
  const failed = report.results.filter((r) => r.error !== undefined && r.role === 'pixprep');
  if (failed.length > 0) {
    console.error(`pixprep failed in ${failed.length} case(s): ${failed.map((r) => `${r.case} (${r.error})`).join('; ')}`);
    process.exitCode = 1;
  }
}

await main();
