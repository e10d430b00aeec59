// The benchmark suite's CI smoke run: `--quick` on tiny sizes, through the same runner `npm run bench` uses.
// It checks that every case produced a finite positive figure, never how fast anything was.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../bench/args.js';
import { renderChart } from '../../bench/chart.js';
import { aims, markdownReport, replaceMarked, table } from '../../bench/report.js';
import { runSuite, type SuiteReport } from '../../bench/suite.js';

// TF.js's wasm backend has no Conv2DBackpropFilter kernel, so it cannot train the CNN: the one expected failure.
const expectedFailure = (r: { case: string; impl: string }) => r.case.startsWith('CNN training') && r.impl === 'TF.js wasm';
// Sections bound by arithmetic, not memory: they have no copy-limit row.
const COMPUTE_BOUND = new Set(['network', 'gemm', 'zca']);

describe('bench --quick', () => {
  let report: SuiteReport;

  it('runs every case and gets a finite positive figure from each implementation', async () => {
    report = await runSuite({ ...parseArgs(['--quick', '--images', '64']) });
    const sections = new Set(report.results.map((r) => r.section));
    expect([...sections].sort()).toEqual(['fit', 'flow', 'gemm', 'network', 'scaling', 'sizes', 'zca']);
    for (const r of report.results) {
      if (expectedFailure(r)) {
        if (r.error !== undefined) expect(r.error).toMatch(/Conv2DBackpropFilter/);
        continue;
      }
      expect(r.error, `${r.case} · ${r.impl}`).toBeUndefined();
      for (const value of [r.min, r.median, r.max, r.throughput]) {
        expect(Number.isFinite(value) && value > 0, `${r.case} · ${r.impl}: ${value}`).toBe(true);
      }
      if (!COMPUTE_BOUND.has(r.section)) {
        expect(Number.isFinite(r.vsLimit) && r.vsLimit > 0, `${r.case} · ${r.impl} ÷ limit`).toBe(true);
      }
    }
    // Every case measures pixprep; every memory-bound case carries its own limit row.
    const cases = new Set(report.results.map((r) => r.case));
    const withPixprep = new Set(report.results.filter((r) => r.role === 'pixprep').map((r) => r.case));
    const withLimit = new Set(report.results.filter((r) => r.impl === 'TypedArray.set').map((r) => r.case));
    expect([...cases].filter((c) => !withPixprep.has(c))).toEqual([]);
    const memoryBound = report.results.filter((r) => !COMPUTE_BOUND.has(r.section)).map((r) => r.case);
    expect(memoryBound.filter((c) => !withLimit.has(c))).toEqual([]);
    expect(report.machine.cores).toBeGreaterThan(0);
  }, 60_000);

  it('prints a table row per result, the aims, and a chart with a line per implementation', () => {
    const text = table(report.results);
    expect(text.split('\n')).toHaveLength(report.results.length + 2);
    expect(aims(report.results).map((a) => a.what).join('\n')).toMatch(/fit: speed-up over TF\.js wasm/);
    const svg = renderChart(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)?.length).toBe(3 * 7); // 3 kernels × (5 implementations + 2 limits)
    const doc = replaceMarked('# B\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\ntail\n', markdownReport(report, 'npm run bench', 1));
    expect(doc).not.toContain('old');
    expect(doc.startsWith('# B\n\n<!-- bench:begin -->\nMade by `npm run bench`')).toBe(true);
    expect(doc.endsWith('<!-- bench:end -->\ntail\n')).toBe(true);
  });

  it('rejects unknown flags and bad values before measuring anything', () => {
    expect(() => parseArgs(['--quik'])).toThrow('unknown argument "--quik"');
    expect(() => parseArgs(['--images', '0'])).toThrow('--images must be an integer in 1..60000. Received: 0');
    expect(() => parseArgs(['--json'])).toThrow('--json needs a value');
    expect(parseArgs(['--filter', 'fit', '--json', 'out.json'])).toEqual({ quick: false, filter: 'fit', json: 'out.json' });
  });
});
