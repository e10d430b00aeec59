// The measuring core. A case is one piece of work (fixed bytes, images or flops per call) done by several
// implementations, all in the same form: a *kernel* case gives every implementation its input in its own native
// form, prepared in setup, and an output it writes without reading it back; a *call* case times what a user
// writes (public calls on JavaScript arrays, results read back). Ratios are only taken inside a case, so that
// every ratio compares like with like, and figures taken under the same load: the implementations take turns.
//
// Before anything is timed, every implementation's output is checked against a float64 reference with the case's
// stated tolerance. A row that disagrees is marked failed ("wrong output: ...") and never timed; if it is one of
// pixprep's, the whole case is marked failed and nothing of it is timed, so that no pixprep figure or ratio comes
// from a case pixprep gets wrong. A wrong peer is reported as such (a finding in itself: TF.js's float32 tf.moments
// over 47 M values is one) while the right rows are timed.
import { getThreads, ready, setThreads } from '../src/runtime/backend.js';

export type Role = 'pixprep' | 'peer' | 'floor';
export type Kind = 'kernel' | 'call';
export type Unit = 'GB/s' | 'images/s' | 'GFLOP/s';

/** Thrown by a setup when a tool is absent (no python, no torch): the row says "skipped: <message>". */
export class Skip extends Error {}

export interface Tolerance {
  /** The bound in words, printed with the case: "|out − ref| ≤ 4u·(|x·scale| + |offset|), u = 2⁻²⁴". */
  text: string;
  /** The largest error allowed at element i, whose reference value is ref. */
  bound: (ref: number, i: number) => number;
}

/** A float64 array, or the values computed on demand (for sizes where an array would take gigabytes). */
export interface Reference {
  readonly length: number;
  at(i: number): number | undefined;
}

export interface Verify {
  /**
   * The exact answer in float64, computed without any implementation's code. Omitted when the case's rows compute
   * different things on purpose (an augmented epoch and a plain one): then each implementation has its own.
   */
  reference?: () => Reference;
  tolerance: Tolerance;
}

export interface Impl {
  name: string;
  role: Role;
  note?: string;
  /** Runs once, before verification and timing (allocate, build tensors, copy inputs in); may throw Skip. */
  setup?: () => unknown;
  teardown?: () => unknown;
  /** One call = the case's whole unit of work. */
  run?: () => unknown;
  /** Instead of run: an implementation timed elsewhere (another process) returns its own samples. */
  measure?: (budgetMs: number, minSampleMs: number) => Promise<{ samples: number[]; repeat: number }>;
  /** What the first call produced, to compare with the case's reference (not timed). Floors have none. */
  output?: () => ArrayLike<number> | Promise<ArrayLike<number>>;
  /** A looser bound for this implementation only, with its reason in the text (e.g. float32 accumulation). */
  tolerance?: Tolerance;
  /** This implementation's own float64 answer, for a case whose rows do different work (see Verify.reference). */
  reference?: () => Reference;
  /**
   * pixprep's thread count for this row (pixprep rows only; default 1): the runner sets it before the row's setup and
   * before each of its timed turns, so a row never inherits the count an earlier row or case left.
   */
  threads?: number;
}

export interface Case {
  name: string;
  /** Section, for --filter and for grouping the tables: scaling, fit, flow, network, layers, gemm, sizes, zca. */
  section: string;
  kind: Kind;
  unit: Unit;
  /** Work per call in the unit's numerator: bytes read + written, images, or floating-point operations. */
  work: number;
  /** Elements per call (for the chart's x axis and the JSON). */
  elements: number;
  /** Bytes one call must read and write at least (memory-bound cases). */
  traffic?: { read: number; written: number };
  /** The floor row (an impl name) that "÷ floor" divides by. */
  floor?: string;
  verify?: Verify;
  impls: Impl[];
  /** Time each implementation gets, in all, split over the rounds. */
  budgetMs: number;
  /** Calls shorter than this are repeated inside one sample. */
  minSampleMs: number;
  /** Turns per implementation (default ROUNDS; 1 for calls that take seconds). */
  rounds?: number;
}

/** How long to measure each implementation of a case. */
export interface Tune {
  budgetMs: number;
  minSampleMs: number;
}

export type Status = 'ok' | 'failed' | 'skipped' | 'not timed';

export interface Verification {
  /** Largest |out − ref| over the elements. */
  maxError: number;
  /** Largest |out − ref| ÷ bound: at most 1 passes. */
  worst: number;
  tolerance: string;
}

export interface Result {
  case: string;
  section: string;
  kind: Kind;
  impl: string;
  role: Role;
  unit: Unit;
  elements: number;
  work: number;
  read?: number;
  written?: number;
  status: Status;
  /** Why a row failed, was skipped or not timed. */
  reason?: string;
  verification?: Verification;
  /** Milliseconds per call; NaN when not timed. */
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  samples: number;
  /** Calls per sample (short calls are repeated inside one timed sample). */
  repeat: number;
  /** work / median, in the unit. */
  throughput: number;
  /** median ÷ the fastest peer's median in this case (below 1: pixprep is faster). */
  vsBestPeer: number;
  bestPeer?: string;
  /** median ÷ the case's floor row's median (1 = at the floor). */
  vsFloor: number;
  floor?: string;
  /** median ÷ the faster of the two copy rows. */
  vsCopy: number;
  note?: string;
  /** pixprep's thread setting once the row was set up (pixprep rows only): a row that does not say its count ran on 1. */
  threads?: number;
}

const SCALE: Record<Unit, number> = { 'GB/s': 1e9, 'images/s': 1, 'GFLOP/s': 1e9 };

/** Each implementation's budget is spent in this many turns, the implementations alternating. */
export const ROUNDS = 3;

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 240);
}

/** Compares an output with the reference; returns the verification, or a reason it failed. */
export function compare(out: ArrayLike<number>, ref: Reference, tolerance: Tolerance): { v: Verification; failure?: string } {
  if (out.length !== ref.length) {
    return { v: { maxError: NaN, worst: Infinity, tolerance: tolerance.text }, failure: `output has ${out.length} values, the reference ${ref.length}` };
  }
  let maxError = 0;
  let worst = 0;
  let at = 0;
  for (let i = 0; i < ref.length; i++) {
    const r64 = ref.at(i)!;
    const error = Math.abs(out[i] - r64);
    // A NaN output (or reference) counts as an infinite error.
    const r = Number.isNaN(error) ? Infinity : error === 0 ? 0 : error / tolerance.bound(r64, i);
    if (r > worst) {
      worst = r;
      at = i;
    }
    maxError = Number.isNaN(error) ? Infinity : Math.max(maxError, error);
  }
  const v = { maxError, worst, tolerance: tolerance.text };
  if (worst > 1) {
    const r64 = ref.at(at)!;
    return { v, failure: `output[${at}] = ${out[at]}, float64 reference ${r64}: error ${Math.abs(out[at] - r64).toPrecision(3)} > bound ${tolerance.bound(r64, at).toPrecision(3)} (${tolerance.text})` };
  }
  return { v };
}

interface Live {
  impl: Impl;
  status: Status;
  reason?: string;
  verification?: Verification;
  repeat: number;
  samples: number[];
  threads?: number;
}

/**
 * A pixprep row runs at its own thread count, set here before its setup and each timed turn (outside the timing):
 * once, only groups were reset, and the rows after a case's "2 threads" row (the next cases of the group, and the
 * unsuffixed rows' later turns) ran on two threads beside one-thread peers.
 */
async function atRowThreads(impl: Impl): Promise<void> {
  if (impl.role !== 'pixprep') return;
  const n = impl.threads ?? 1;
  if (getThreads() === n) return;
  setThreads(n);
  await ready(); // the workers up before the row runs
}

async function call(run: () => unknown): Promise<void> {
  const r = run();
  if (r instanceof Promise) await r;
}

/** Samples one local implementation for `budgetMs` (at least one sample). */
async function sampleLocal(run: () => unknown, repeat: number, budgetMs: number): Promise<number[]> {
  const samples: number[] = [];
  const start = performance.now();
  do {
    const t0 = performance.now();
    for (let r = 0; r < repeat; r++) await call(run);
    samples.push((performance.now() - t0) / repeat);
  } while (performance.now() - start < budgetMs && samples.length < 10_000);
  return samples;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const x = (sorted.length - 1) * q;
  const lo = Math.floor(x);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
}

/**
 * Sets up, verifies and times every implementation of a case. Time-boxed: each implementation gets the same
 * budget, spent in `rounds` turns that alternate with the others', so that a change in the machine's load hits all
 * alike. A failure to set up marks that row failed; Skip marks it skipped; a wrong output fails its row, and a
 * wrong pixprep output the whole case.
 */
export async function runCase(c: Case, log: (line: string) => void, defaultRounds = ROUNDS): Promise<Result[]> {
  const rounds = c.rounds ?? defaultRounds;
  const live: Live[] = c.impls.map((impl) => ({ impl, status: 'ok', repeat: 1, samples: [] }));
  // Computed after the first setup (a reference may need what a setup made, e.g. the ZCA matrix).
  let reference: Reference | undefined;
  const ref = (impl: Impl): Reference => {
    if (impl.reference) return impl.reference();
    if (!c.verify?.reference) throw new Error(`bench bug: case ${c.name} has no reference, nor has ${impl.name} its own`);
    return (reference ??= c.verify.reference());
  };
  let wrong: string | null = null;
  for (const entry of live) {
    const { impl } = entry;
    try {
      await atRowThreads(impl);
      await impl.setup?.();
      if (impl.role === 'pixprep') entry.threads = getThreads();
      if (impl.run) {
        // First call: the one verified, and the warm-up (first touch of the pages, compilation).
        await call(impl.run);
        if (impl.role !== 'floor' && c.verify !== undefined) {
          if (!impl.output) throw new Error(`bench bug: ${impl.name} has no output to verify`);
          const { v, failure } = compare(await impl.output(), ref(impl), impl.tolerance ?? c.verify.tolerance);
          entry.verification = v;
          if (failure !== undefined) {
            entry.status = 'failed';
            entry.reason = `wrong output: ${failure}`;
            if (impl.role === 'pixprep') wrong ??= impl.name;
            continue;
          }
        }
        // A second call sizes the samples: calls shorter than minSampleMs are repeated inside one sample.
        if (c.minSampleMs > 0 && !impl.measure) {
          const t0 = performance.now();
          await call(impl.run);
          const single = performance.now() - t0;
          entry.repeat = single >= c.minSampleMs ? 1 : Math.min(100_000, Math.ceil(c.minSampleMs / Math.max(single, 1e-4)));
        }
      } else if (impl.output && c.verify !== undefined) {
        const { v, failure } = compare(await impl.output(), ref(impl), impl.tolerance ?? c.verify.tolerance);
        entry.verification = v;
        if (failure !== undefined) {
          entry.status = 'failed';
          entry.reason = `wrong output: ${failure}`;
          if (impl.role === 'pixprep') wrong ??= impl.name;
        }
      }
    } catch (error) {
      entry.status = error instanceof Skip ? 'skipped' : 'failed';
      entry.reason = error instanceof Skip ? `skipped: ${error.message}` : `cannot run: ${message(error)}`;
    }
  }
  if (wrong !== null) {
    for (const entry of live) {
      if (entry.status === 'ok') {
        entry.status = 'not timed';
        entry.reason = `not timed: ${wrong} failed verification`;
      }
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const entry of live) {
      if (entry.status !== 'ok') continue;
      await atRowThreads(entry.impl);
      collectGarbage();
      try {
        const budget = c.budgetMs / rounds;
        if (entry.impl.measure) {
          const { samples, repeat } = await entry.impl.measure(budget, c.minSampleMs);
          entry.samples.push(...samples);
          entry.repeat = repeat;
        } else {
          entry.samples.push(...(await sampleLocal(entry.impl.run!, entry.repeat, budget)));
        }
      } catch (error) {
        entry.status = 'failed';
        entry.reason = `failed while timed: ${message(error)}`;
      }
    }
  }
  const results: Result[] = [];
  for (const entry of live) {
    const { impl } = entry;
    try {
      await impl.teardown?.();
    } catch (error) {
      if (entry.status === 'ok') {
        entry.status = 'failed';
        entry.reason = `teardown: ${message(error)}`;
      }
    }
    const sorted = entry.status === 'ok' ? entry.samples.sort((a, b) => a - b) : [];
    const median = quantile(sorted, 0.5);
    results.push({
      case: c.name, section: c.section, kind: c.kind, impl: impl.name, role: impl.role, unit: c.unit,
      elements: c.elements, work: c.work, read: c.traffic?.read, written: c.traffic?.written,
      status: entry.status, reason: entry.reason, verification: entry.verification,
      min: sorted[0] ?? NaN, q1: quantile(sorted, 0.25), median, q3: quantile(sorted, 0.75), max: sorted[sorted.length - 1] ?? NaN,
      samples: sorted.length, repeat: entry.repeat,
      throughput: c.work / (median / 1000) / SCALE[c.unit],
      vsBestPeer: NaN, vsFloor: NaN, vsCopy: NaN, note: impl.note,
      ...(entry.threads === undefined ? {} : { threads: entry.threads }),
    });
    log(`  ${c.name} · ${impl.name}: ${entry.status === 'ok' ? `${median.toPrecision(4)} ms (${sorted.length} samples × ${entry.repeat} calls)` : entry.reason}`);
  }
  return results;
}

/** Fills the ratio fields once every case has run: each ratio uses figures of one case of this run. */
export function computeRatios(results: Result[], cases: Case[]): void {
  const byCase = new Map<string, Result[]>();
  for (const r of results) byCase.set(r.case, [...(byCase.get(r.case) ?? []), r]);
  for (const c of cases) {
    const rows = (byCase.get(c.name) ?? []).filter((r) => r.status === 'ok');
    const peers = rows.filter((r) => r.role === 'peer').sort((a, b) => a.median - b.median);
    const floor = c.floor === undefined ? undefined : rows.find((r) => r.impl === c.floor);
    const copies = rows.filter((r) => r.role === 'floor' && r.impl.startsWith('copy:')).map((r) => r.median);
    const copy = copies.length > 0 ? Math.min(...copies) : NaN;
    for (const r of rows) {
      if (peers.length > 0) {
        r.vsBestPeer = r.median / peers[0].median;
        r.bestPeer = peers[0].impl;
      }
      if (floor) {
        r.vsFloor = r.median / floor.median;
        r.floor = floor.impl;
      }
      r.vsCopy = r.median / copy;
    }
  }
}
