// `pixprep compare`: the tutorial's conclusion, one training per scaling; with --repeat N, N seeds per scaling and
// their mean, spread and range. One seed is one draw: on the embedded digits the test accuracy of a scaling moves
// by about ±0.6 points from seed to seed, as much as the gaps between scalings, so a ranking needs several.
import type { DataSet } from '../data/types.js';
import { checkTutorialInput, SCALINGS, type TutorialScaling } from '../tutorial.js';
import { trainOnce, type TrainResult, type TrainSettings } from './train.js';
import type { AugmentationOptions } from '../generator/augment-options.js';
import type { ProgressLine } from './progress-line.js';

export interface CompareSettings extends Omit<TrainSettings, 'scaling' | 'save' | 'verbose' | 'seed'> {
  /** The first seed; run k uses firstSeed + k. */
  firstSeed: number;
  repeat: number;
  json: boolean;
  /** Adds a row: standardize with these random transforms of the training images. */
  augment?: AugmentationOptions | null;
}

/** A table row's name: the scaling, and "+augment" when the training images were transformed. */
export function rowName(r: Pick<TrainResult, 'scaling' | 'augment'>): string {
  return r.augment ? `${r.scaling}+augment` : r.scaling;
}

/**
 * Trains every tutorial scaling `repeat` times; returns the results in run order (seed by seed, scalings within).
 * `progress` (a terminal's line, or null) follows each training batch by batch; it is erased before anything is
 * printed, so `print`'s lines are never mixed with it.
 */
export async function compareScalings(data: DataSet, s: CompareSettings, print: (line: string) => void,
  progress: ProgressLine | null = null): Promise<TrainResult[]> {
  checkTutorialInput(data.train.x.shape[1], data.train.x.shape[2]); // before the first heading is printed
  const say = progress === null ? print : (line: string) => {
    progress.clear();
    print(line);
  };
  const scalings = Object.keys(SCALINGS) as TutorialScaling[];
  const runs: { scaling: TutorialScaling; augment: AugmentationOptions | null }[] = scalings.map((scaling) => ({ scaling, augment: null }));
  if (s.augment) runs.push({ scaling: 'standardize', augment: s.augment });
  const results: TrainResult[] = [];
  // One run: the tutorial's own lines under a heading. Several: one line per run (the table summarizes them).
  const single = s.repeat === 1 && !s.json;
  // Seeds outermost, so that a machine's load drifting during a long run weighs on every scaling alike.
  for (let k = 0; k < s.repeat; k++) {
    const seed = s.firstSeed + k;
    for (const { scaling, augment } of runs) {
      const name = rowName({ scaling, augment });
      if (single) say(`\n== ${name} ==`);
      // With --repeat, the seed too: the line says which of the runs is under way.
      const label = s.repeat > 1 ? `${name} seed ${seed}` : name;
      const onBatchEnd = progress === null ? undefined : progress.batchEnd.bind(progress, label, s.epochs);
      let result: TrainResult;
      try {
        result = await trainOnce(data, { ...s, scaling, seed, save: null, verbose: 0, augment }, single ? say : null, onBatchEnd);
      } finally {
        progress?.clear();
      }
      results.push(result);
      if (!single && !s.json) {
        say(`${name.padEnd(11)} seed ${seed}: test accuracy ${percent(result.testAccuracy)}, ` +
          `${Math.round(result.trainImagesPerSecond)} images/s, ${result.seconds.toFixed(1)} s`);
      }
    }
  }
  return results;
}

const percent = (fraction: number) => (fraction * 100).toFixed(3);

/** The tutorial's table: one row per run, starting with the scaling's name. */
export function compareTable(results: readonly TrainResult[]): string {
  return table([['scaling', 'test accuracy', 'train images/s', 'time'], ...results.map((r) => [
    rowName(r), percent(r.testAccuracy), Math.round(r.trainImagesPerSecond).toString(), `${r.seconds.toFixed(1)} s`,
  ])]);
}

export interface ScalingSummary {
  scaling: string;
  runs: number;
  /** Test accuracy as a fraction: mean, sample standard deviation (n − 1), min and max over the runs. */
  mean: number;
  sd: number;
  min: number;
  max: number;
  trainImagesPerSecond: number;
  seconds: number;
}

/** Per scaling, in order of first appearance: the test accuracy's mean, sd and range, mean throughput, total time. */
export function summarize(results: readonly TrainResult[]): ScalingSummary[] {
  const groups = new Map<string, TrainResult[]>();
  for (const r of results) {
    const name = rowName(r);
    const group = groups.get(name);
    if (group) group.push(r);
    else groups.set(name, [r]);
  }
  return [...groups].map(([scaling, runs]) => {
    const acc = runs.map((r) => r.testAccuracy);
    const mean = acc.reduce((a, b) => a + b, 0) / acc.length;
    const sd = acc.length < 2 ? 0 : Math.sqrt(acc.reduce((a, b) => a + (b - mean) ** 2, 0) / (acc.length - 1));
    return {
      scaling, runs: runs.length, mean, sd, min: acc.reduce((a, b) => Math.min(a, b)), max: acc.reduce((a, b) => Math.max(a, b)),
      trainImagesPerSecond: runs.reduce((a, r) => a + r.trainImagesPerSecond, 0) / runs.length,
      seconds: runs.reduce((a, r) => a + r.seconds, 0),
    };
  });
}

/** The --repeat table: accuracies in percent as the tutorial prints them. */
export function summaryTable(summaries: readonly ScalingSummary[]): string {
  return table([['scaling', 'runs', 'mean accuracy', 'sd', 'min', 'max', 'train images/s', 'time'], ...summaries.map((s) => [
    s.scaling, s.runs.toString(), percent(s.mean), percent(s.sd), percent(s.min), percent(s.max),
    Math.round(s.trainImagesPerSecond).toString(), `${s.seconds.toFixed(1)} s`,
  ])]);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => rows.reduce((w, row) => Math.max(w, row[i].length), 0));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ')).join('\n');
}
