// pixprep's public API (browser-safe; Node-only loaders and file saving are in pixprep/node).
export { backend, setBackend, getBackend, availableBackends } from './runtime/backend.js';
export type { Backend, BackendName } from './runtime/backend.js';
export * from './generator/index.js';
export * from './nn/index.js';
export { Random } from './random.js';
