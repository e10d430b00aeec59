// The measuring core: a case is one piece of work (fixed bytes, images or flops per call) done by several
// implementations; each implementation is a tinybench task, timed in this process, so that every ratio compares
// figures taken under the same load. Ratios, not absolute times, are the point: this machine is shared and noisy.
import { Bench } from 'tinybench';

export type Role = 'pixprep' | 'peer' | 'limit';
export type Unit = 'GB/s' | 'images/s' | 'GFLOP/s';

export interface Impl {
  name: string;
  role: Role;
  /** One call = the case's whole unit of work. */
  run: () => unknown;
  /** Runs once, before timing (allocate, build tensors); may fail, e.g. a peer that lacks a kernel. */
  setup?: () => unknown;
  teardown?: () => unknown;
  note?: string;
}

export interface Case {
  name: string;
  /** Section, for --filter and for grouping the table: scaling, fit, flow, network, gemm, sizes. */
  section: string;
  unit: Unit;
  /** Work per call in the unit's numerator: bytes read + written, images, or floating-point operations. A limit
   * row's throughput is the case's work done in the copy's time: what the case would reach at memory speed. */
  work: number;
  /** Elements per call (for the chart's x axis and the JSON). */
  elements: number;
  impls: Impl[];
  /** Minimum iterations and time budget (ms) for each task; the run stops when both are met. */
  iterations: number;
  timeMs: number;
  /** Calls shorter than this are repeated within one sample. */
  minSampleMs: number;
}

/** How long to measure each implementation of a case. */
export interface Tune {
  iterations: number;
  timeMs: number;
  minSampleMs: number;
}

export interface Result {
  case: string;
  section: string;
  impl: string;
  role: Role;
  unit: Unit;
  elements: number;
  work: number;
  /** Milliseconds per call; NaN when the implementation could not run (see error). */
  min: number;
  median: number;
  max: number;
  samples: number;
  /** Calls per sample (short calls are repeated inside one timed sample). */
  repeat: number;
  /** work / median, in the unit. */
  throughput: number;
  /** (max − min) / median. */
  spread: number;
  /** median / median of the fastest implementation of the case (1 = fastest). */
  vsFastest: number;
  /** median / median of the fastest peer of the case (not pixprep, not a limit): below 1 means pixprep wins. */
  vsBestPeer: number;
  /** median / median of the case's own limit row (TypedArray.set of its output bytes): 1 = at memory speed. */
  vsLimit: number;
  error?: string;
  note?: string;
}

const SCALE: Record<Unit, number> = { 'GB/s': 1e9, 'images/s': 1, 'GFLOP/s': 1e9 };

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/** Each implementation's pooled samples are taken in this many rounds, the implementations alternating. */
export const ROUNDS = 3;

interface Live {
  impl: Impl;
  /** Calls per sample (short calls are repeated inside one timed sample). */
  repeat: number;
  iterations: number;
  samples: number[];
  error?: unknown;
}

/**
 * Times every implementation of a case. The implementations take turns, ROUNDS times, and each one's samples are
 * pooled: a change in the machine's load (it is shared) then hits every implementation alike instead of whichever
 * ran during it, and the ratios between them stay fair. Failures become results with an error, never an aborted run.
 */
export async function runCase(c: Case, log: (line: string) => void, rounds = ROUNDS): Promise<Result[]> {
  const live: Live[] = [];
  for (const impl of c.impls) {
    const entry: Live = { impl, repeat: 1, iterations: c.iterations, samples: [] };
    live.push(entry);
    try {
      await impl.setup?.();
      // A first call (first touch of the pages, first compilation) sizes the samples; short calls are timed again
      // warm. A call shorter than minSampleMs is repeated inside one sample, so that timer resolution and per-call
      // jitter do not dominate; the sample's time is divided back to one call. Slow calls get fewer iterations.
      let t0 = performance.now();
      const first = impl.run();
      const async = first instanceof Promise;
      await first;
      let single = performance.now() - t0;
      if (single < 50) {
        t0 = performance.now();
        await impl.run();
        single = performance.now() - t0;
      }
      entry.repeat = async || single >= c.minSampleMs ? 1 : Math.min(100_000, Math.ceil(c.minSampleMs / Math.max(single, 1e-4)));
      entry.iterations = single > 1000 ? Math.min(3, c.iterations) : single > 200 ? Math.min(5, c.iterations) : c.iterations;
    } catch (error) {
      entry.error = error;
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const entry of live) {
      if (entry.error !== undefined) continue;
      collectGarbage();
      try {
        const run = entry.impl.run;
        const repeat = entry.repeat;
        const bench = new Bench({
          iterations: Math.max(1, Math.ceil(entry.iterations / rounds)),
          time: c.timeMs / rounds,
          warmupIterations: round === 0 && entry.repeat > 1 ? Math.min(2, c.iterations) : 0,
          warmupTime: 0,
          retainSamples: true,
          throws: true,
        });
        bench.add(entry.impl.name, repeat === 1 ? run : () => { for (let r = 0; r < repeat; r++) run(); });
        await bench.run();
        const result = bench.tasks[0].result;
        if (result.state !== 'completed') {
          throw result.state === 'errored' ? result.error : new Error(`tinybench task ${result.state}`);
        }
        for (const sample of result.latency.samples ?? []) entry.samples.push(sample / repeat);
      } catch (error) {
        entry.error = error;
      }
    }
  }
  const results: Result[] = [];
  for (const entry of live) {
    const { impl } = entry;
    try {
      await impl.teardown?.();
    } catch (error) {
      entry.error ??= error;
    }
    const base = {
      case: c.name, section: c.section, impl: impl.name, role: impl.role, unit: c.unit, elements: c.elements, work: c.work,
      note: impl.note, repeat: entry.repeat,
    };
    const sorted = entry.samples.sort((a, b) => a - b);
    if (entry.error !== undefined || sorted.length === 0) {
      const message = entry.error instanceof Error ? entry.error.message : String(entry.error ?? 'no samples');
      results.push({
        ...base, min: NaN, median: NaN, max: NaN, samples: 0, throughput: NaN, spread: NaN,
        vsFastest: NaN, vsBestPeer: NaN, vsLimit: NaN, error: message.split('\n')[0].slice(0, 200),
      });
      log(`  ${c.name} · ${impl.name}: failed: ${message.split('\n')[0]}`);
      continue;
    }
    const min = sorted[0];
    const max = sorted[sorted.length - 1];
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    results.push({
      ...base, min, median, max, samples: sorted.length,
      throughput: c.work / (median / 1000) / SCALE[c.unit],
      spread: (max - min) / median,
      vsFastest: NaN, vsBestPeer: NaN, vsLimit: NaN,
    });
    log(`  ${c.name} · ${impl.name}: ${median.toPrecision(4)} ms (${sorted.length} samples × ${entry.repeat} calls)`);
  }
  return results;
}

/** Fills the ratio fields once every case has run: each ratio uses figures from this run only. */
export function computeRatios(results: Result[], cases: Case[]): void {
  const byCase = new Map<string, Result[]>();
  for (const r of results) byCase.set(r.case, [...(byCase.get(r.case) ?? []), r]);
  for (const c of cases) {
    const rows = (byCase.get(c.name) ?? []).filter((r) => Number.isFinite(r.median));
    const fastest = Math.min(...rows.map((r) => r.median));
    const peers = rows.filter((r) => r.role === 'peer').map((r) => r.median);
    const bestPeer = peers.length > 0 ? Math.min(...peers) : NaN;
    const limit = rows.find((r) => r.role === 'limit' && r.impl === LIMIT_SET)?.median ?? NaN;
    for (const r of rows) {
      r.vsFastest = r.median / fastest;
      r.vsBestPeer = r.median / bestPeer;
      r.vsLimit = r.median / limit;
    }
  }
}

/** The implementation name of the memory-bandwidth limit: a TypedArray.prototype.set of the same bytes. */
export const LIMIT_SET = 'TypedArray.set';
