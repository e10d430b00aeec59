// Loading the embedded module: synchronous (no top-level await, so CommonJS can require() the package), and a
// platform that refuses a synchronous compile gets the js backend and a setBackend error that says why, not a crash.
// Each case imports a fresh copy of the runtime (vi.resetModules) with WebAssembly.Module replaced for that import.
import { afterEach, expect, test, vi } from 'vitest';

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
  expect(constructed).toBe(1);
  expect(runtime.backend).toBe('wasm-simd');
  expect(runtime.availableBackends().map((b) => b.name)).toEqual(['wasm-simd', 'js']);
});

test('a refused synchronous compile (RangeError, as browsers that cap main-thread compiles throw) falls back to js', async () => {
  WebAssembly.Module = function refuse(): never {
    throw new RangeError('WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB.');
  } as unknown as typeof WebAssembly.Module;
  const runtime = await freshBackend();
  expect(runtime.backend).toBe('js');
  expect(runtime.getBackend().name).toBe('js');
  expect(runtime.availableBackends().map((b) => b.name)).toEqual(['js']);
  expect(() => runtime.setBackend('wasm-simd')).toThrow(
    "setBackend: cannot use 'wasm-simd': this runtime refused to instantiate the WebAssembly module synchronously " +
    '(WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB.)');
  // The fallback computes: a generator made now runs on the js kernels.
  const { ImageDataGenerator } = await import('../../src/generator/index.js');
  const gen = new ImageDataGenerator({ rescale: 0.5 });
  expect(Array.from(gen.standardize({ data: new Uint8Array([2, 4, 6]), shape: [1, 1, 3, 1] }).data)).toEqual([1, 2, 3]);
});

test('any other failure to compile is a broken build and is thrown at import', async () => {
  WebAssembly.Module = function broken(): never {
    throw new WebAssembly.CompileError('WebAssembly.Module(): expected magic word');
  } as unknown as typeof WebAssembly.Module;
  await expect(freshBackend()).rejects.toThrow('expected magic word');
});
