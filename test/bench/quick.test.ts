// The benchmark suite's CI smoke run: `--quick` on tiny sizes, through the same runner `npm run bench` uses.
// It checks that every case produced a finite positive figure, never how fast anything was.
import { threadCounts, threadsLabel } from '../../bench/threads.js';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../bench/args.js';
import { renderChart } from '../../bench/chart.js';
import { markdownReport, readmeTable, record, replaceMarked, table } from '../../bench/report.js';
import { runSuite, type SuiteReport } from '../../bench/suite.js';

// TF.js's wasm backend has no Conv2DBackpropFilter kernel, so it cannot train the CNN: the one expected failure.
const expectedFailure = (r: { case: string; impl: string }) => r.case.startsWith('CNN training') && r.impl === 'TF.js wasm';
// Sections bound by arithmetic, not memory: they have no floor row.
const COMPUTE_BOUND = new Set(['network', 'gemm', 'zca', 'layers', 'augment', 'images']);

// One run shared by the tests that read it, started by whichever runs first: each test stands alone (run with -t, or
// in any order) without running the suite twice.
let run: Promise<SuiteReport> | null = null;
const quickReport = () => (run ??= runSuite({ ...parseArgs(['--quick', '--images', '64']) }));

describe('bench --quick', () => {
  it('runs every case and gets a finite positive figure from each implementation', async () => {
    const report = await quickReport();
    const sections = new Set(report.results.map((r) => r.section));
    expect([...sections].sort()).toEqual(['augment', 'fit', 'flow', 'gemm', 'images', 'layers', 'network', 'scaling', 'sizes', 'zca']);
    // The expected failure happens, and for the expected reason.
    const failures = report.results.filter(expectedFailure);
    expect(failures.length).toBeGreaterThan(0);
    for (const r of failures) expect(r.reason, `${r.case} · ${r.impl}`).toMatch(/Conv2DBackpropFilter/);
    for (const r of report.results) {
      if (expectedFailure(r)) continue;
      if (r.status === 'skipped') continue; // a peer whose tool is absent (no python, numpy or torch)
      expect(r.reason, `${r.case} · ${r.impl}`).toBeUndefined();
      for (const value of [r.min, r.median, r.max, r.throughput]) {
        expect(Number.isFinite(value) && value > 0, `${r.case} · ${r.impl}: ${value}`).toBe(true);
      }
      if (!COMPUTE_BOUND.has(r.section)) {
        expect(Number.isFinite(r.vsFloor) && r.vsFloor > 0, `${r.case} · ${r.impl} ÷ floor`).toBe(true);
      }
      // Every row but a floor was checked against a float64 reference before it was timed (no "not checked").
      if (r.role !== 'floor') expect(r.verification?.worst, `${r.case} · ${r.impl} verified`).toBeLessThanOrEqual(1);
    }
    // Every case measures pixprep; every memory-bound case carries its own floor row.
    const cases = new Set(report.results.map((r) => r.case));
    const withPixprep = new Set(report.results.filter((r) => r.role === 'pixprep').map((r) => r.case));
    const withLimit = new Set(report.results.filter((r) => r.role === 'floor').map((r) => r.case));
    expect([...cases].filter((c) => !withPixprep.has(c))).toEqual([]);
    const memoryBound = report.results.filter((r) => !COMPUTE_BOUND.has(r.section)).map((r) => r.case);
    expect(memoryBound.filter((c) => !withLimit.has(c))).toEqual([]);
    expect(report.machine.cores).toBeGreaterThan(0);
    // Every pixprep row ran at the thread count its name says, and a row that says none on one thread: a group does
    // not inherit the count the previous group's last row left (bench/suite.ts resets it per group).
    for (const r of report.results.filter((x) => x.role === 'pixprep' && x.status !== 'skipped')) {
      const named = /, (\d+) threads?\b/.exec(r.impl);
      expect(r.threads, `${r.case} · ${r.impl}: threads`).toBe(named ? Number(named[1]) : 1);
    }
  }, 180_000);

  it('prints a table row per result, the README table, and a chart with a line per implementation', async () => {
    const report = await quickReport();
    const rec = record([report], 'npm run bench', 1);
    const text = table(rec.rows);
    expect(text.split('\n')).toHaveLength(report.results.length + 2);
    expect(readmeTable(rec, 'x.json')).toMatch(/`fit\(x\)`, call .* TF\.js wasm/);
    const svg = renderChart(rec);
    expect(svg.startsWith('<svg')).toBe(true);
    const lines = new Set(report.results.filter((r) => r.section === 'sizes' && r.status === 'ok').map((r) => r.impl)).size;
    expect(svg.match(/<path /g)?.length).toBe(3 * lines); // 3 kernels × (implementations + floor + 2 copies)
    // The network cases at 1 thread and at all threads, the speed-up of one over the other a headline of the run.
    for (const n of threadCounts()) {
      for (const c of [/^CNN training/, /^CNN inference,/]) {
        expect(report.results.some((r) => c.test(r.case) && r.impl === `pixprep wasm-simd, ${threadsLabel(n)}`), `${c} ${n}`).toBe(true);
      }
    }
    if (threadCounts().length > 1) {
      const all = threadsLabel(threadCounts()[1]);
      expect(rec.headlines.some((h) => h.id === `CNN training step, batch 64 | pixprep wasm-simd, ${all} | × pixprep wasm-simd, 1 thread`)).toBe(true);
      expect(readmeTable(rec, 'x.json')).toContain(`tutorial CNN training step, batch 64, ${all}`);
    }
    const doc = replaceMarked('# B\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\ntail\n', markdownReport(rec, 'x.json'));
    expect(doc).not.toContain('old');
    expect(doc.startsWith('# B\n\n<!-- bench:begin -->\nFrom `x.json`: made by `npm run bench`')).toBe(true);
    expect(doc.endsWith('<!-- bench:end -->\ntail\n')).toBe(true);
  }, 180_000);

  it('rejects unknown flags and bad values before measuring anything', () => {
    expect(() => parseArgs(['--quik'])).toThrow('unknown argument "--quik"');
    expect(() => parseArgs(['--images', '0'])).toThrow('--images must be an integer in 1..60000. Received: 0');
    expect(() => parseArgs(['--json'])).toThrow('--json needs a value');
    expect(parseArgs(['--filter', 'fit', '--json', 'out.json'])).toEqual({ quick: false, filter: 'fit', json: 'out.json' });
  });
});
