// The body of a pool worker, sent to it as source text (String(workerMain)) so that no worker script file has to be
// found at run time (bundlers and packages move files; a Blob URL or `eval: true` needs none). It therefore imports
// nothing: the control block's layout (control.ts) is written here as literals.
//
// The worker instantiates the shared build on the pool's memory, takes its own static scratch (setScratchBase), sets
// READY, then sleeps on its futex word. Woken, it runs the kernel in its slot, records an error instead of dying
// (the calling thread is blocked in Atomics.wait and could not see an 'error' event), and counts PENDING down.

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** Export names, indexed by the slot's kernel number. */
  names: string[];
  index: number;
  scratchBase: number;
}

export function workerMain(init: WorkerInit): void {
  const PENDING = 0, FAILED = 1, STOP = 2, READY = 16, WAKE = 16 + 64, INT_WORDS = 16 + 2 * 64, SLOT_FLOATS = 32;
  const ERROR_OFFSET = INT_WORDS * 4 + 64 * SLOT_FLOATS * 8, ERROR_BYTES = 1024;
  const ctl = new Int32Array(init.control, 0, INT_WORDS);
  const slot = new Float64Array(init.control, INT_WORDS * 4 + init.index * SLOT_FLOATS * 8, SLOT_FLOATS);
  const fail = (error: unknown): void => {
    if (Atomics.compareExchange(ctl, FAILED, 0, init.index + 1) !== 0) return;
    const text = new TextEncoder().encode(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    const room = new Uint8Array(init.control, ERROR_OFFSET, ERROR_BYTES);
    room.fill(0);
    room.set(text.subarray(0, ERROR_BYTES - 1));
  };
  let kernels: ((...args: number[]) => unknown)[];
  try {
    const instance = new WebAssembly.Instance(init.module, {
      env: {
        memory: init.memory,
        abort(): never { throw new Error('pixprep wasm assertion failed'); },
      },
    });
    const exports = instance.exports as Record<string, (...args: number[]) => unknown>;
    exports.setScratchBase(init.scratchBase);
    kernels = init.names.map((name) => exports[name]);
  } catch (error) {
    fail(error);
    Atomics.store(ctl, READY + init.index, -1);
    Atomics.notify(ctl, READY + init.index);
    return;
  }
  let seen = Atomics.load(ctl, WAKE + init.index);
  Atomics.store(ctl, READY + init.index, 1);
  Atomics.notify(ctl, READY + init.index);
  for (;;) {
    Atomics.wait(ctl, WAKE + init.index, seen);
    const now = Atomics.load(ctl, WAKE + init.index);
    if (now === seen) continue;
    seen = now;
    if (Atomics.load(ctl, STOP) !== 0) return;
    try {
      const count = slot[1];
      const args: number[] = [];
      for (let i = 0; i < count; i++) args.push(slot[2 + i]);
      kernels[slot[0]](...args);
    } catch (error) {
      fail(error);
    }
    if (Atomics.sub(ctl, PENDING, 1) === 1) Atomics.notify(ctl, PENDING);
  }
}
