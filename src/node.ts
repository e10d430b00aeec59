// Node-only entry point (pixprep/node): everything in the main entry, plus loaders that need node:fs / node:zlib.
export * from './index.js';
