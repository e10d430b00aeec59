// pixprep's public API.
export { backend, setBackend, getBackend, availableBackends } from './runtime/backend.js';
export type { Backend, BackendName } from './runtime/backend.js';
