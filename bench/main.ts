// npm run bench [-- --quick] [--filter NAME] [--processes K] [--json FILE [--docs]]
// Runs the suite (in this process, or in K processes one after another), prints the tables, records the run as
// JSON, and with --docs regenerates BENCHMARKS.md, the README's speed table and the chart from that JSON.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.js';
import { writeAtomic, regenerate } from './regenerate.js';
import { machineText, record, table } from './report.js';
import { runSuite, type SuiteReport } from './suite.js';

async function main(): Promise<void> {
  let options: ReturnType<typeof parseArgs>;
  const argv = process.argv.slice(2);
  try {
    options = parseArgs(argv);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
  if (!(globalThis as { gc?: unknown }).gc) console.error('note: run node with --expose-gc for a collection between rows');
  const log = (line: string) => console.error(line);
  if (options.child !== undefined) {
    writeAtomic(options.child, JSON.stringify(await runSuite({ ...options, log })));
    return;
  }
  const started = performance.now();
  const k = options.processes ?? 1;
  const runs: SuiteReport[] = [];
  if (k === 1) {
    runs.push(await runSuite({ ...options, log }));
  } else {
    // Each process is a fresh V8 (its own JIT, heap and page-fault history): the spread over processes is the
    // honest error bar of a ratio. They run one after another, never side by side.
    const dir = mkdtempSync(join(tmpdir(), 'pixprep-bench-runs-'));
    const passOn: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--processes' || argv[i] === '--json') i++;
      else if (argv[i] !== '--docs') passOn.push(argv[i]);
    }
    try {
      for (let p = 0; p < k; p++) {
        log(`process ${p + 1} of ${k}`);
        const file = join(dir, `run-${p}.json`);
        const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...passOn, '--child', file], { stdio: 'inherit' });
        if (child.status !== 0) throw new Error(`bench process ${p + 1} failed (exit ${child.status})`);
        runs.push(JSON.parse(readFileSync(file, 'utf8')) as SuiteReport);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const command = ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  const rec = record(runs, command, seconds);
  console.log(`\n${machineText(rec)}\n`);
  console.log(table(rec.rows));
  console.log(`\nwhole run: ${seconds.toFixed(0)} s`);
  if (options.json) {
    writeAtomic(options.json, JSON.stringify(rec, null, 1) + '\n');
    console.log(`wrote ${options.json}`);
    if (options.docs) for (const file of regenerate(options.json)) console.log(`updated ${file}`);
  }
  const wrong = rec.rows.filter((r) => r.status === 'failed' && r.role === 'pixprep');
  if (wrong.length > 0) {
    console.error(`failed: ${wrong.map((r) => `${r.case} · ${r.impl} (${r.reason})`).join('; ')}`);
    process.exitCode = 1;
  }
}

await main();
