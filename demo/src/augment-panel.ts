// Augmentation, seen: the same digits, each randomly transformed eight times (the generator's randomTransform with
// seeds 0..7), redrawn whenever a slider changes a range. The canvas carries the options it shows and a redraw count
// (data-options, data-draws) for the browser test.
import { ImageDataGenerator, type AugmentationOptions, type LabeledImages } from '../../src/index.js';
import { drawDigits } from './digit-grid.js';

const DIGITS = 8;
const COPIES = 8;
const SLIDERS = [
  { id: 'rotation', label: 'rotation ±°', max: 45, step: 1, value: 10 },
  { id: 'shift', label: 'shift (fraction)', max: 0.3, step: 0.01, value: 0.1 },
  { id: 'zoom', label: 'zoom ±', max: 0.5, step: 0.01, value: 0.1 },
  { id: 'shear', label: 'shear ±°', max: 45, step: 1, value: 0 },
] as const;

export function renderAugmentation(container: HTMLElement, train: LabeledImages): void {
  const size = 28 * 28;
  const firsts = Array.from({ length: DIGITS }, (_, d) => Math.max(0, train.y.indexOf(d)));
  const controls = document.createElement('div');
  controls.className = 'augment-controls';
  const inputs: Record<string, HTMLInputElement> = {};
  for (const s of SLIDERS) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', id: `aug-${s.id}`, min: '0', max: String(s.max), step: String(s.step), value: String(s.value) });
    const shown = document.createElement('output');
    shown.textContent = String(s.value);
    input.addEventListener('input', () => {
      shown.textContent = input.value;
      draw();
    });
    label.append(`${s.label} `, input, ' ', shown);
    controls.append(label);
    inputs[s.id] = input;
  }
  const grid = document.createElement('canvas');
  grid.className = 'digits augment-grid';
  grid.id = 'augment-grid';
  grid.dataset.draws = '0';
  container.append(controls, grid);

  const pixels = new Float32Array(DIGITS * COPIES * size);
  function draw(): void {
    const shift = Number(inputs.shift.value);
    const options: AugmentationOptions = {
      rotationRange: Number(inputs.rotation.value), widthShiftRange: shift, heightShiftRange: shift,
      zoomRange: Number(inputs.zoom.value), shearRange: Number(inputs.shear.value),
    };
    const generator = new ImageDataGenerator(options);
    firsts.forEach((index, row) => {
      const image = { data: train.x.data.subarray(index * size, (index + 1) * size), shape: [28, 28, 1] };
      for (let k = 0; k < COPIES; k++) pixels.set(generator.randomTransform(image, k).data, (row * COPIES + k) * size);
    });
    drawDigits(grid, pixels, DIGITS * COPIES, COPIES, 0, 255);
    grid.dataset.options = JSON.stringify(options);
    grid.dataset.draws = String(Number(grid.dataset.draws) + 1);
  }
  draw();
}
