// A browser consumer, bundled by Vite from the installed package: scales a small image set, trains two steps of a
// network, and reports what it got and every resource the page fetched (the .wasm must come embedded, not fetched).
// `await ready()` is what a page does to get the SIMD kernels also where synchronous compiles are refused.
import { backend, Dense, Flatten, ImageDataGenerator, ready, Sequential } from 'pixprep';

const out: Record<string, unknown> = {};
try {
  out.backendAtImport = backend;
  out.ready = await ready();
  out.backend = backend;
  const data = new Uint8Array(4 * 3 * 3 * 1).map((_, i) => (i * 37) % 256);
  const x = { data, shape: [4, 3, 3, 1] as [number, number, number, number] };
  const gen = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true });
  gen.fit(x);
  out.data = Array.from(data);
  out.mean = gen.mean?.[0];
  out.std = gen.std?.[0];
  out.standardized = Array.from(gen.standardize(x).data);
  const model = new Sequential([new Flatten({ inputShape: [3, 3, 1] }), new Dense({ units: 2, activation: 'softmax' })], { seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit({ x: gen.standardize(x), y: new Uint8Array([0, 1, 0, 1]) }, { epochs: 2, batchSize: 2, verbose: 0 });
  out.loss = history.loss;
} catch (error) {
  out.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
out.resources = performance.getEntriesByType('resource').map((entry) => entry.name);
document.getElementById('result')!.textContent = JSON.stringify(out);
