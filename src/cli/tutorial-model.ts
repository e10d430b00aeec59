// The network of the Keras pixel-scaling tutorial.
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../nn/index.js';

export function tutorialModel(inputShape: [number, number, number], classes: number, seed: number): Sequential {
  const model = new Sequential([
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: classes, activation: 'softmax' }),
  ], { seed });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
