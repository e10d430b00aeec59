// The whole suite in one process: groups of cases built lazily (each group's data is made, measured and freed
// before the next, so the run's memory stays bounded), then every ratio computed from this run's figures.
import os from 'node:os';
import { backend } from '../src/runtime/backend.js';
import { mnistGroup } from './cases/mnist.js';
import { networkGroup } from './cases/network.js';
import { sizeGroup, sweepSizes } from './cases/sizes.js';
import { zcaGroup } from './cases/zca.js';
import { loadTfjs, type TfjsInfo } from './peers/tfjs.js';
import { computeRatios, ROUNDS, runCase, type Case, type Result } from './runner.js';

export interface SuiteOptions {
  quick: boolean;
  /** Case-insensitive substring of "section case name". */
  filter?: string;
  /** Images at MNIST scale (60,000; --quick: 256). */
  images?: number;
  /** Largest size of the sweep, 10^maxExponent elements (default 8). */
  maxExponent?: number;
  log?: (line: string) => void;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  node: string;
  v8: string;
  platform: string;
  pixprepBackend: string;
  tfjs: TfjsInfo | { error: string };
}

export interface SuiteReport {
  date: string;
  options: { quick: boolean; filter: string | null; images: number; sizes: number[] };
  machine: Machine;
  results: Result[];
}

interface Group {
  label: string;
  make: () => Promise<{ cases: Case[]; dispose(): void }> | { cases: Case[]; dispose(): void };
}

export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
  const log = options.log ?? (() => {});
  const quick = options.quick;
  const images = options.images ?? (quick ? 256 : 60_000);
  const sizes = sweepSizes(quick, options.maxExponent ?? 8);
  const tune = quick ? { iterations: 2, timeMs: 1, minSampleMs: 0.2 } : { iterations: 7, timeMs: 400, minSampleMs: 2 };
  const filter = options.filter?.toLowerCase();

  const groups: Group[] = [
    { label: `MNIST scale (${images} images)`, make: () => mnistGroup(images, tune) },
    { label: 'network (tutorial CNN, batch 64)', make: () => networkGroup(quick) },
    // 32×32×3 ZCA takes minutes (a 3072² eigendecomposition): only when the filter names zca.
    { label: 'ZCA whitening', make: () => zcaGroup(quick, images, filter?.includes('zca') ?? false) },
    ...sizes.map((n): Group => ({ label: `size ${n}`, make: () => sizeGroup(n, quick) })),
  ];

  const results: Result[] = [];
  const ran: Case[] = [];
  for (const group of groups) {
    const { cases, dispose } = await group.make();
    const torun = cases.filter((c) => matches(c, filter));
    if (torun.length > 0) log(group.label);
    for (const c of torun) {
      results.push(...(await runCase(c, log, quick ? 1 : ROUNDS)));
      ran.push(c);
    }
    dispose();
  }
  computeRatios(results, ran);

  let tfjs: Machine['tfjs'];
  try {
    tfjs = (await loadTfjs()).info;
  } catch (error) {
    tfjs = { error: error instanceof Error ? error.message : String(error) };
  }
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    options: { quick, filter: options.filter ?? null, images, sizes },
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      v8: process.versions.v8,
      platform: `${process.platform} ${process.arch}`,
      pixprepBackend: backend,
      tfjs,
    },
    results,
  };
}

function matches(c: Case, filter: string | undefined): boolean {
  if (!filter) return true;
  const text = `${c.section} ${c.name}`.toLowerCase();
  return text.includes(filter);
}
