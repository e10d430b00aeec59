// The body of a pool worker, sent to it as source text (String(workerMain)) so that no worker script file has to be
// found at run time (bundlers and packages move files; a Blob URL or `eval: true` needs none). It therefore imports
// nothing: the control block's layout (control.ts) is written here as literals.
//
// The worker instantiates the shared build on the pool's memory, takes its own static scratch (setScratchBase), sets
// READY, then waits for calls on the WAKE word: it polls the word for spinMicroseconds after each call (the next
// split call of a step usually follows within that), then counts itself in SLEEPERS and blocks in Atomics.wait
// (pool.ts: why). Woken, it takes parts of the call (CLAIM) until none is left, records an error instead of dying
// (the calling thread is waiting and could not see an 'error' event), counts each part in DONE, and notifies the
// calling thread only if that one sleeps.

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** Export names, indexed by the slot's kernel number. */
  names: string[];
  index: number;
  scratchBase: number;
  /** How long to poll WAKE before sleeping (control.ts, SPIN_MICROSECONDS). */
  spinMicroseconds: number;
}

export function workerMain(init: WorkerInit): void {
  const DONE = 0, FAILED = 1, STOP = 2, MAIN_SLEEPING = 3, CLAIM = 4, WAKE = 5, SLEEPERS = 6, READY = 16;
  const INT_WORDS = 16 + 64, MAX_PARTS = 64, SLOT_FLOATS = 32, STAT_FLOATS = 4;
  const ERROR_OFFSET = INT_WORDS * 4 + MAX_PARTS * SLOT_FLOATS * 8, ERROR_BYTES = 1024;
  const STATS_OFFSET = ERROR_OFFSET + ERROR_BYTES;
  const ctl = new Int32Array(init.control, 0, INT_WORDS);
  const table = new Float64Array(init.control, INT_WORDS * 4, MAX_PARTS * SLOT_FLOATS);
  // [ms running parts, parts run, sleeps]: written by this worker only, read by the profile.
  const stats = new Float64Array(init.control, STATS_OFFSET + init.index * STAT_FLOATS * 8, STAT_FLOATS);
  const spinMs = init.spinMicroseconds / 1000;
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
  let seen = Atomics.load(ctl, WAKE);
  Atomics.store(ctl, READY + init.index, 1);
  Atomics.notify(ctl, READY + init.index);
  const args: number[] = [];
  for (;;) {
    let now = Atomics.load(ctl, WAKE);
    if (now === seen) {
      const spinUntil = performance.now() + spinMs;
      for (let polls = 1; now === seen; polls++) {
        if ((polls & 15) === 0 && performance.now() > spinUntil) break;
        now = Atomics.load(ctl, WAKE);
      }
    }
    if (now === seen) {
      // Counted before sleeping: the calling thread notifies only when there are sleepers, and the wait rechecks WAKE.
      Atomics.add(ctl, SLEEPERS, 1);
      Atomics.wait(ctl, WAKE, seen);
      Atomics.sub(ctl, SLEEPERS, 1);
      stats[2]++;
      continue;
    }
    seen = now;
    if (Atomics.load(ctl, STOP) !== 0) return;
    for (;;) {
      const word = Atomics.load(ctl, CLAIM);
      const count = (word >> 7) & 127, next = word & 127;
      if (next >= count) break;
      if (Atomics.compareExchange(ctl, CLAIM, word, word + 1) !== word) continue;
      const started = performance.now();
      try {
        const at = next * SLOT_FLOATS;
        const n = table[at + 1];
        args.length = n;
        for (let i = 0; i < n; i++) args[i] = table[at + 2 + i];
        kernels[table[at]](...args);
      } catch (error) {
        fail(error);
      }
      stats[0] += performance.now() - started;
      stats[1]++;
      if (Atomics.add(ctl, DONE, 1) + 1 === count && Atomics.load(ctl, MAIN_SLEEPING) !== 0) Atomics.notify(ctl, DONE);
    }
  }
}
