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
  /** Section, for --filter and for grouping the table: limit, scaling, fit, flow, network, gemm, sizes. */
  section: string;
  unit: Unit;
  /** Work per call in the unit's numerator: bytes read + written, images, or floating-point operations. */
  work: number;
  /** Elements per call (for the chart's x axis and the JSON). */
  elements: number;
  /** Name of the limit case (a TypedArray.set of the same bytes) this case is compared against. */
  limit?: string;
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
  /** median / median of the case's limit (TypedArray.set of the same output bytes): 1 = at memory speed. */
  vsLimit: number;
  error?: string;
  note?: string;
}

const SCALE: Record<Unit, number> = { 'GB/s': 1e9, 'images/s': 1, 'GFLOP/s': 1e9 };

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/** Times every implementation of a case; failures become results with an error, never an aborted run. */
export async function runCase(c: Case, log: (line: string) => void): Promise<Result[]> {
  const results: Result[] = [];
  for (const impl of c.impls) {
    collectGarbage();
    const base = {
      case: c.name, section: c.section, impl: impl.name, role: impl.role, unit: c.unit, elements: c.elements, work: c.work,
      note: impl.note,
    };
    try {
      await impl.setup?.();
      // Two untimed calls (first touch of the pages, first compilation), then one timed to size the samples:
      // a call shorter than minSampleMs is repeated inside one sample, so that timer resolution and per-call
      // jitter do not dominate; the sample's time is divided back to one call.
      await impl.run();
      const t0 = performance.now();
      const first = impl.run();
      const async = first instanceof Promise;
      await first;
      const single = performance.now() - t0;
      const repeat = async || single >= c.minSampleMs ? 1 : Math.min(100_000, Math.ceil(c.minSampleMs / Math.max(single, 1e-4)));
      const run = impl.run;
      const bench = new Bench({
        iterations: c.iterations,
        time: c.timeMs,
        warmupIterations: single > 50 ? 0 : Math.min(2, c.iterations),
        warmupTime: 0,
        throws: true,
      });
      bench.add(impl.name, repeat === 1 ? run : () => { for (let r = 0; r < repeat; r++) run(); });
      await bench.run();
      const result = bench.tasks[0].result;
      if (result.state !== 'completed') {
        throw result.state === 'errored' ? result.error : new Error(`tinybench task ${result.state}`);
      }
      const min = result.latency.min / repeat;
      const max = result.latency.max / repeat;
      const median = result.latency.p50 / repeat;
      results.push({
        ...base, min, median, max, samples: result.latency.samplesCount, repeat,
        throughput: c.work / (median / 1000) / SCALE[c.unit],
        spread: (max - min) / median,
        vsFastest: NaN, vsBestPeer: NaN, vsLimit: NaN,
      });
      log(`  ${c.name} · ${impl.name}: ${median.toPrecision(4)} ms`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.push({
        ...base, min: NaN, median: NaN, max: NaN, samples: 0, repeat: 0, throughput: NaN, spread: NaN,
        vsFastest: NaN, vsBestPeer: NaN, vsLimit: NaN, error: message.split('\n')[0].slice(0, 200),
      });
      log(`  ${c.name} · ${impl.name}: failed: ${message.split('\n')[0]}`);
    } finally {
      await impl.teardown?.();
    }
  }
  return results;
}

/** Fills the ratio fields once every case has run: each ratio uses figures from this run only. */
export function computeRatios(results: Result[], cases: Case[]): void {
  const byCase = new Map<string, Result[]>();
  for (const r of results) byCase.set(r.case, [...(byCase.get(r.case) ?? []), r]);
  const limitOf = (name: string | undefined): number => {
    if (name === undefined) return NaN;
    const set = byCase.get(name)?.find((r) => r.impl === LIMIT_SET);
    return set?.median ?? NaN;
  };
  for (const c of cases) {
    const rows = (byCase.get(c.name) ?? []).filter((r) => Number.isFinite(r.median));
    const fastest = Math.min(...rows.map((r) => r.median));
    const peers = rows.filter((r) => r.role === 'peer').map((r) => r.median);
    const bestPeer = peers.length > 0 ? Math.min(...peers) : NaN;
    const limit = limitOf(c.limit ?? (isLimitCase(c) ? c.name : undefined));
    for (const r of rows) {
      r.vsFastest = r.median / fastest;
      r.vsBestPeer = r.median / bestPeer;
      r.vsLimit = r.median / limit;
    }
  }
}

export function isLimitCase(c: Case): boolean {
  return c.impls.length > 0 && c.impls.every((i) => i.role === 'limit');
}

/** The implementation name of the memory-bandwidth limit: a TypedArray.prototype.set of the same bytes. */
export const LIMIT_SET = 'TypedArray.set';
