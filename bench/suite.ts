// The whole suite in one process: groups of cases built lazily (each group's data is made, measured and freed
// before the next, so the run's memory stays bounded), then every ratio computed from this run's figures.
import { layerGroup } from './cases/layers.js';
import { augmentGroup } from './cases/augment.js';
import { imagesGroup } from './cases/images.js';
import { mnistGroup } from './cases/mnist.js';
import { networkGroup } from './cases/network.js';
import { onnxGroup } from './cases/onnx.js';
import { sizeGroup, sweepSizes } from './cases/sizes.js';
import { zcaGroup } from './cases/zca.js';
import { getThreads } from '../src/runtime/backend.js';
import { closePython } from './peers/python.js';
import { load, machine, source, type Machine, type Source } from './record.js';
import { computeRatios, ROUNDS, runCase, type Case, type Result, type Tune } from './runner.js';

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

export interface SuiteReport {
  date: string;
  source: Source;
  options: { quick: boolean; filter: string | null; images: number; sizes: number[] };
  machine: Machine;
  /** Wall time of the suite, seconds. */
  seconds: number;
  results: Result[];
}

interface Group {
  label: string;
  make: () => Promise<{ cases: Case[]; dispose(): void }> | { cases: Case[]; dispose(): void };
}

export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
  const log = options.log ?? (() => {});
  const loadBefore = load();
  // The default, before a row sets another count: what the machine record reports.
  const defaultThreads = getThreads();
  const started = performance.now();
  const src = source();
  const quick = options.quick;
  const images = options.images ?? (quick ? 256 : 60_000);
  const sizes = sweepSizes(quick, options.maxExponent ?? 8);
  const tune: Tune = quick ? { budgetMs: 3, minSampleMs: 0.2 } : { budgetMs: 1200, minSampleMs: 2 };
  const filter = options.filter?.toLowerCase();

  // Each group registers its cases in one line, so that adding a file of cases is a one-line change.
  const groups: Group[] = [
    { label: `MNIST scale (${images} images)`, make: () => mnistGroup(images, tune) },
    { label: 'network (tutorial CNN, batch 64)', make: () => networkGroup(quick) },
    { label: 'layers (tutorial CNN, batch 64)', make: () => layerGroup(quick) },
    { label: 'ONNX Runtime (tutorial CNN inference, one thread)', make: () => onnxGroup(quick) },
    // 32×32×3 ZCA takes minutes (a 3072² eigendecomposition): only when the filter names zca.
    { label: 'ZCA whitening', make: () => zcaGroup(quick, images, filter?.includes('zca') ?? false) },
    { label: 'augmentation', make: () => augmentGroup(quick, images) },
    { label: 'image files (JPEG → load_img → standardize)', make: () => imagesGroup(quick) },
    ...sizes.map((n): Group => ({ label: `size ${n}`, make: () => sizeGroup(n, quick) })),
  ];

  const results: Result[] = [];
  const ran: Case[] = [];
  try {
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
    return {
      date: new Date().toISOString(),
      source: src,
      options: { quick, filter: options.filter ?? null, images, sizes },
      machine: await machine(loadBefore, defaultThreads),
      seconds: (performance.now() - started) / 1000,
      results,
    };
  } finally {
    closePython();
  }
}

function matches(c: Case, filter: string | undefined): boolean {
  if (!filter) return true;
  const text = `${c.section} ${c.name}`.toLowerCase();
  return text.includes(filter);
}
