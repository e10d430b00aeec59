// "Before and after": the same sample digits raw and under each scaling, a histogram of all training pixels after
// it, and the statistics fitted and observed. Each grid maps its own value range to black..white, so the digits look
// alike: the scalings are affine, they move and stretch the values, not the picture. The numbers show the change.
import { ImageDataGenerator, SCALINGS, type LabeledImages, type TutorialScaling as Scaling } from '../../src/index.js';
import { drawDigits } from './digit-grid.js';
import { drawHistogram, format, valueRange } from './histogram.js';

const ROWS = 3;
const COLS = 10;
const SAMPLES = ROWS * COLS;

interface Summary {
  min: number;
  max: number;
  mean: number;
  std: number;
}

function summarize(values: ArrayLike<number>): Summary {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    sq += values[i] * values[i];
  }
  const mean = sum / values.length;
  return { ...valueRange(values), mean, std: Math.sqrt(Math.max(0, sq / values.length - mean * mean)) };
}

/** The first ROWS samples of each digit, digit by digit in columns. */
function sampleIndices(labels: Uint8Array): number[] {
  const perDigit: number[][] = Array.from({ length: COLS }, () => []);
  labels.forEach((label, i) => {
    if (label < COLS && perDigit[label].length < ROWS) perDigit[label].push(i);
  });
  return Array.from({ length: ROWS * COLS }, (_, k) => perDigit[k % COLS][Math.floor(k / COLS)] ?? 0);
}

function gather(data: ArrayLike<number>, indices: number[]): Float32Array {
  const size = 28 * 28;
  const out = new Float32Array(indices.length * size);
  indices.forEach((s, i) => {
    for (let p = 0; p < size; p++) out[i * size + p] = data[s * size + p];
  });
  return out;
}

function panel(title: string, values: ArrayLike<number>, samples: Float32Array, fitted: string, id: string): HTMLElement {
  const s = summarize(values);
  const section = document.createElement('figure');
  section.className = 'scaling';
  section.id = `scaling-${id}`;
  const grid = document.createElement('canvas');
  grid.className = 'digits';
  grid.id = `grid-${id}`;
  drawDigits(grid, samples, SAMPLES, COLS, s.min, s.max);
  const hist = document.createElement('canvas');
  hist.className = 'histogram';
  hist.id = `hist-${id}`;
  hist.width = 280;
  hist.height = 110;
  drawHistogram(hist, values, '#5c7cfa');
  const caption = document.createElement('figcaption');
  caption.innerHTML = `<strong>${title}</strong>: ${fitted}<br>` +
    `min ${format(s.min)}, max ${format(s.max)}<br>mean ${format(s.mean)}, std ${format(s.std)}`;
  section.append(caption, grid, hist);
  return section;
}

export function renderScalings(container: HTMLElement, train: LabeledImages): void {
  const indices = sampleIndices(train.y);
  const raw = train.x.data;
  container.append(panel('raw bytes', raw, gather(raw, indices), 'as loaded', 'raw'));
  for (const name of Object.keys(SCALINGS) as Scaling[]) {
    const generator = new ImageDataGenerator(SCALINGS[name]);
    const featurewise = SCALINGS[name].featurewiseCenter === true;
    if (featurewise) generator.fit(train.x);
    const stats = generator.statistics;
    const o = generator.options;
    const fitted = stats === null ? `rescale ${format(o.rescale ?? 1)}`
      : `fit: mean ${format(stats.mean[0])}` + (o.featurewiseStdNormalization ? `, std ${format(stats.std[0])}` : '');
    const scaled = generator.standardize(train.x).data;
    container.append(panel(name, scaled, gather(scaled, indices), fitted, name));
  }
}
