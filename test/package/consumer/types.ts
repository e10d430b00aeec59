// A TypeScript consumer of both entries, type-checked (strict, skipLibCheck false) under moduleResolution node16 and
// bundler against the installed package's declarations. Never run: consumer.test.ts runs the README's examples.
import {
  backend, setBackend, ImageDataGenerator, Sequential, Conv2D, MaxPooling2D, Flatten, Dense, toCategorical,
  tutorialModel, parseIdx, type BackendName, type ImageDataGeneratorOptions, type ModelJSON,
} from 'pixprep';
import { loadMnist, loadIdxDirectory, saveModel, type LoadMnistOptions } from 'pixprep/node';

const name: BackendName = backend;
setBackend(name);
const options: ImageDataGeneratorOptions = { rescale: 1 / 255, featurewiseCenter: true };
const gen = new ImageDataGenerator(options);
const loadOptions: LoadMnistOptions = { cacheDir: null };
const { train } = loadMnist(loadOptions);
gen.fit(train.x);
const mean: Float32Array | null = gen.mean;
const scaled: Float32Array = gen.standardize(train.x).data;
const oneHot = toCategorical(train.y, 10);
const model = new Sequential([
  new Conv2D({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }), new MaxPooling2D({ poolSize: 2 }),
  new Flatten(), new Dense({ units: 10, activation: 'softmax' }),
], { seed: 1 });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const json: ModelJSON = model.toJSON();
const other: Sequential = tutorialModel({ seed: 2 });
export async function later(dir: string): Promise<void> {
  const data = await loadIdxDirectory(dir);
  await saveModel(other, `${dir}/model.json`);
  parseIdx(new Uint8Array(0));
  console.log(mean, scaled.length, oneHot.shape, json.format, data.train.x.shape);
}
