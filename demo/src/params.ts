// Settings from the page's URL, for quick runs: ?epochs=1&limit=2000&scaling=normalize&batchSize=64&seed=1, and
// ?backend=js to run the TypeScript kernels instead of WebAssembly SIMD (or wasm-simd, wasm-relaxed-simd).
import { SCALINGS, type BackendName, type TutorialScaling } from '../../src/index.js';
import { TUTORIAL_DEFAULTS, type TutorialSettings } from '../../src/tutorial-run.js';

/** What the page trains: the tutorial's run (src/tutorial-run.ts), on a prefix of the digits, tested every epoch for the plot. */
export interface TrainSettings extends TutorialSettings {
  scaling: TutorialScaling;
  /** Train on the first `limit` training images (the test set stays whole); Infinity for all. */
  limit: number;
}

/** `pixprep train`'s defaults, so the page trains what the command trains. */
export const DEFAULT_SETTINGS: Readonly<TrainSettings> = { ...TUTORIAL_DEFAULTS, limit: Infinity, testEachEpoch: true };

function integer(params: URLSearchParams, name: 'epochs' | 'batchSize' | 'limit' | 'seed', min: number): number {
  const text = params.get(name);
  if (text === null) return DEFAULT_SETTINGS[name] as number;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`URL parameter \`${name}\` must be an integer ≥ ${min}. Received: ${text}`);
  }
  return value;
}

/** The kernels asked for, or undefined for pixprep's own choice (relaxed SIMD, else SIMD, where the browser has it). */
export function backendFromUrl(search: string): BackendName | undefined {
  const name = new URLSearchParams(search).get('backend');
  if (name === null) return undefined;
  if (name !== 'js' && name !== 'wasm-simd' && name !== 'wasm-relaxed-simd') {
    throw new RangeError(`URL parameter \`backend\` must be js, wasm-simd or wasm-relaxed-simd. Received: ${name}`);
  }
  return name;
}

export function settingsFromUrl(search: string): TrainSettings {
  const params = new URLSearchParams(search);
  const scaling = params.get('scaling') ?? DEFAULT_SETTINGS.scaling;
  if (!Object.hasOwn(SCALINGS, scaling)) {
    throw new RangeError(`URL parameter \`scaling\` must be one of ${Object.keys(SCALINGS).join(', ')}. Received: ${scaling}`);
  }
  return {
    ...DEFAULT_SETTINGS,
    scaling: scaling as TutorialScaling,
    epochs: integer(params, 'epochs', 1),
    batchSize: integer(params, 'batchSize', 1),
    limit: integer(params, 'limit', 1),
    seed: integer(params, 'seed', 0),
  };
}
