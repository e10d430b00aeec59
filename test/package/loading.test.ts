// Loading the embedded module: synchronous (no top-level await, so CommonJS can require() the package); a platform
// that refuses a synchronous compile (as Chromium builds that cap main-thread compiles at 4 KB do) gets the js backend,
// a setBackend error that says why, and ready() that compiles asynchronously and switches. Each case imports a fresh
// copy of the runtime (vi.resetModules) with WebAssembly.Module replaced for that import.
import { afterEach, expect, test, vi } from 'vitest';
import { relaxedSimdSupported } from '../../src/runtime/simd.js';

// Where the runtime has relaxed SIMD (Node ≥ 22, or Node 20 with its flag), its build loads too and is the default.
const RELAXED = relaxedSimdSupported();
const WASM_NAMES = RELAXED ? ['wasm-relaxed-simd', 'wasm-simd'] : ['wasm-simd'];

const RealModule = WebAssembly.Module;

afterEach(() => {
  WebAssembly.Module = RealModule;
  vi.resetModules();
});

async function freshBackend(): Promise<typeof import('../../src/runtime/backend.js')> {
  vi.resetModules();
  return import('../../src/runtime/backend.js');
}

test('the embedded module is instantiated during import, with no await', async () => {
  let constructed = 0;
  WebAssembly.Module = new Proxy(RealModule, {
    construct(target, args) {
      constructed++;
      return Reflect.construct(target, args);
    },
  });
  const runtime = await freshBackend();
  // With threads (the default where there are several cores), the shared-memory build of the default backend too.
  expect(constructed).toBe(WASM_NAMES.length + (runtime.threads > 1 ? 1 : 0));
  expect(runtime.backend).toBe(WASM_NAMES[0]);
  expect(runtime.availableBackends().map((b) => b.name)).toEqual([...WASM_NAMES, 'js']);
});

const REFUSAL = 'WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB.';

function refuseSyncCompiles(): void {
  WebAssembly.Module = function refuse(): never {
    throw new RangeError(REFUSAL);
  } as unknown as typeof WebAssembly.Module;
}

test('a refused synchronous compile falls back to js, and setBackend says why and what to do', async () => {
  refuseSyncCompiles();
  const runtime = await freshBackend();
  expect(runtime.backend).toBe('js');
  expect(runtime.getBackend()).toBe('js');
  expect(runtime.availableBackends().map((b) => b.name)).toEqual(['js']);
  expect(() => runtime.setBackend('wasm-simd')).toThrow(
    "setBackend: cannot use 'wasm-simd': this runtime refused to compile the WebAssembly module synchronously " +
    `(${REFUSAL}); await ready() first, which compiles it asynchronously`);
  // The fallback computes: a generator made now runs on the js kernels.
  const { ImageDataGenerator } = await import('../../src/generator/index.js');
  const gen = new ImageDataGenerator({ rescale: 0.5 });
  expect(Array.from(gen.standardize({ data: new Uint8Array([2, 4, 6]), shape: [1, 1, 3, 1] }).data)).toEqual([1, 2, 3]);
});

test('after a refused synchronous compile, ready() instantiates asynchronously and switches to wasm-simd', async () => {
  refuseSyncCompiles();
  const runtime = await freshBackend();
  expect(runtime.backend).toBe('js');
  const [first, second] = await Promise.all([runtime.ready(), runtime.ready()]);
  expect([first, second]).toEqual([WASM_NAMES[0], WASM_NAMES[0]]);
  expect(runtime.backend).toBe(WASM_NAMES[0]);
  expect(runtime.getBackend()).toBe(WASM_NAMES[0]);
  expect(runtime.availableBackends().map((b) => b.name)).toEqual([...WASM_NAMES, 'js']);
  // The asynchronously made backend computes, in its own memory.
  const { ImageDataGenerator } = await import('../../src/generator/index.js');
  const out = new ImageDataGenerator({ rescale: 0.5 }).standardize({ data: new Uint8Array([2, 4, 6]), shape: [1, 1, 3, 1] });
  expect(Array.from(out.data)).toEqual([1, 2, 3]);
});

test('ready() keeps a backend the caller chose before it', async () => {
  refuseSyncCompiles();
  const runtime = await freshBackend();
  runtime.setBackend('js');
  expect(await runtime.ready()).toBe('js');
  expect(runtime.backend).toBe('js');
  runtime.setBackend('wasm-simd'); // now available
  expect(runtime.backend).toBe('wasm-simd');
});

test('PIXPREP_BACKEND=wasm-simd on a platform that refuses synchronous compiles gets wasm-simd from ready()', async () => {
  refuseSyncCompiles();
  vi.stubEnv('PIXPREP_BACKEND', 'wasm-simd');
  try {
    const runtime = await freshBackend();
    expect(runtime.backend).toBe('js');
    expect(await runtime.ready()).toBe('wasm-simd');
  } finally {
    vi.unstubAllEnvs();
  }
});

test('where the synchronous compile works, ready() resolves to the backend already in use', async () => {
  const runtime = await freshBackend();
  expect(await runtime.ready()).toBe(WASM_NAMES[0]);
  runtime.setBackend('js');
  expect(await runtime.ready()).toBe('js');
});

test('any other failure to compile is a broken build and is thrown at import', async () => {
  WebAssembly.Module = function broken(): never {
    throw new WebAssembly.CompileError('WebAssembly.Module(): expected magic word');
  } as unknown as typeof WebAssembly.Module;
  await expect(freshBackend()).rejects.toThrow('expected magic word');
});
