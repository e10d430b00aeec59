// pixprep's public API (browser-safe; Node-only loaders are in pixprep/node).
export { backend, setBackend, getBackend, availableBackends } from './runtime/backend.js';
export type { Backend, BackendName } from './runtime/backend.js';
export * from './generator/index.js';
export { Random } from './random.js';
