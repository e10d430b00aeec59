// A pool of worker threads that run kernels of the shared-memory build on the same WebAssembly.Memory as the
// calling thread. Calls stay synchronous: run() hands each helper its part (control.ts), does part 0 itself, then
// waits until the helpers have counted PENDING down to 0. (A browser's main thread may not Atomics.wait: there
// threads stay 1, and training runs in a worker, as the demo's does.)
//
// A round trip through Atomics.wait/notify costs tens of microseconds on a VM (the kernel puts the thread to sleep
// and must schedule it again), and a training step makes dozens. So both sides first poll for a while
// (SPIN_MICROSECONDS) before they sleep: a helper that finished its part watches its WAKE word for the next call,
// and the calling thread, its own part done, watches PENDING. Each side says when it sleeps (SLEEPING + w,
// MAIN_SLEEPING), and the other notifies only then: a notify costs a lock and, for a sleeper, a system call.
// The poll is bounded so that an idle pool costs nothing: between epochs, or when the user's code runs, the helpers
// sleep. Which thread computes which output never depends on timing (split.ts), only how long a thread waits does.
//
// Workers start lazily, at the first call that is worth splitting, and stay for the next; until one is up its part
// runs on the calling thread (the same bytes either way: split.ts). They are unref'd in Node, so they never keep a
// process alive. A part that throws on a worker (a trap) is reported as an Error on the waiting call; a worker that
// died between calls is reported on the next call, which also stops the pool (the one after starts a new one).
// A worker that dies in the middle of a call cannot be seen from a thread blocked in Atomics.wait: only then does a
// long timeout end the wait, with an error, rather than hang.
import type { Heap } from '../heap.js';
import {
  CONTROL_BYTES, ERROR_BYTES, FAILED, INT_WORDS, MAIN_SLEEPING, MAX_WORKERS, PENDING, READY, SLEEPING, SLOT_FLOATS,
  SPIN_MICROSECONDS, STAT_FLOATS, STOP, WAKE, errorByteOffset, slotsByteOffset, statsByteOffset,
} from './control.js';
import { PART_EXPORTS, type Part } from './split.js';
import type { ThreadPool } from './thread-pool.js';
import { spawnerReady, workerSpawner, type PoolWorker } from './spawn.js';

/** The last resort for a worker that died during a call (see above): far longer than any part of any kernel. */
const STALL_MS = 300_000;

type Exports = Record<string, (...args: number[]) => unknown>;

export class WorkerPool implements ThreadPool {
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly ctl = new Int32Array(this.control, 0, INT_WORDS);
  private readonly slots = new Float64Array(this.control, slotsByteOffset, MAX_WORKERS * SLOT_FLOATS);
  private readonly workers: (PoolWorker | null)[] = [];
  /** Each helper's static scratch (assembly/thread-scratch.ts), allocated when the pool grows, never in a call. */
  private readonly scratch: number[] = [];
  private deathNote: string | null = null;
  private disposed = false;
  /** Calls that ran on more than one thread (round trips): tests read it to know the workers took part. */
  parallelCalls = 0;
  /** Milliseconds the calling thread spent waiting for helpers after its own part, and how often it had to sleep. */
  waitMs = 0;
  mainSleeps = 0;
  /** Round trips by kernel name (tests read it to know each split rule ran on the workers). */
  readonly splitsByKernel = new Map<string, number>();
  /** How long a call may wait for a helper before the pool gives up on it (STALL_MS; tests shorten it). */
  stallMs = STALL_MS;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly heap: Heap,
    private readonly caller: Exports,
    private readonly scratchBytes: number,
    private helpers: number,
  ) {
    this.reserve(helpers);
  }

  /** How many helper threads (threads − 1) the next calls use; reserves their scratch now, outside any step. */
  resize(helpers: number): void {
    this.helpers = Math.min(helpers, MAX_WORKERS);
    this.reserve(this.helpers);
    for (let w = this.helpers; w < this.workers.length; w++) this.stopWorker(w);
  }

  get threads(): number {
    return this.helpers + 1;
  }

  private reserve(helpers: number): void {
    while (this.scratch.length < helpers) this.scratch.push(this.heap.alloc(this.scratchBytes));
  }

  /** Starts the helpers that are not running (no wait: each announces itself in READY). */
  private start(): void {
    const spawn = workerSpawner();
    if (spawn === null || this.disposed) return;
    for (let w = 0; w < this.helpers; w++) {
      if (this.workers[w]) continue;
      Atomics.store(this.ctl, READY + w, 0);
      const index = w;
      const worker: PoolWorker = spawn({
        module: this.module, memory: this.memory, control: this.control, names: [...PART_EXPORTS], index,
        scratchBase: this.scratch[w], spinMicroseconds: SPIN_MICROSECONDS,
      }, (why) => {
        if (this.workers[index] !== worker) return; // stopped on purpose
        this.deathNote ??= `pixprep: worker thread ${index + 1} of ${this.helpers} ${why}`;
      });
      this.workers[w] = worker;
    }
  }

  /** Resolves when every helper is up (or failed to start), so that the next calls use them all. */
  async started(): Promise<void> {
    await spawnerReady();
    this.start();
    for (let w = 0; w < this.helpers; w++) {
      while (Atomics.load(this.ctl, READY + w) === 0 && this.deathNote === null) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    this.throwIfDead();
  }

  /** Runs the parts, part 0 (and any part no helper is up for) on the calling thread; returns when all are done. */
  run(kernel: string, parts: readonly Part[]): void {
    this.throwIfDead();
    this.start();
    const assigned: number[] = [];
    for (let w = 0; w < this.helpers && assigned.length < parts.length - 1; w++) {
      if (Atomics.load(this.ctl, READY + w) === 1) assigned.push(w);
    }
    const slots = this.slots;
    Atomics.store(this.ctl, PENDING, assigned.length);
    assigned.forEach((w, i) => {
      const part = parts[i + 1];
      const slot = w * SLOT_FLOATS;
      slots[slot] = PART_EXPORTS.indexOf(part.name);
      slots[slot + 1] = part.args.length;
      slots.set(part.args, slot + 2);
      // Publish, then look whether the helper sleeps: it sets SLEEPING before its Atomics.wait, which rechecks WAKE,
      // so either it sees the new WAKE or this thread sees SLEEPING (both are sequentially consistent).
      Atomics.add(this.ctl, WAKE + w, 1);
      if (Atomics.load(this.ctl, SLEEPING + w) !== 0) Atomics.notify(this.ctl, WAKE + w, 1);
    });
    if (assigned.length > 0) {
      this.parallelCalls++;
      this.splitsByKernel.set(kernel, (this.splitsByKernel.get(kernel) ?? 0) + 1);
    }
    try {
      this.callOnThisThread(parts[0]);
      for (let p = assigned.length + 1; p < parts.length; p++) this.callOnThisThread(parts[p]);
    } finally {
      this.waitForHelpers(kernel);
    }
  }

  private callOnThisThread(part: Part): void {
    this.caller[part.name](...part.args);
  }

  private waitForHelpers(kernel: string): void {
    const ctl = this.ctl;
    const start = performance.now();
    if (Atomics.load(ctl, PENDING) !== 0) {
      // Poll first: the helpers got parts as large as this thread's and usually finish within microseconds of it.
      const spinUntil = start + SPIN_MICROSECONDS / 1000;
      for (let polls = 1; Atomics.load(ctl, PENDING) !== 0; polls++) {
        if ((polls & 15) === 0 && performance.now() > spinUntil) break;
      }
    }
    if (Atomics.load(ctl, PENDING) !== 0) {
      this.mainSleeps++;
      const deadline = Date.now() + this.stallMs;
      // Announce the sleep before the wait rechecks PENDING (see run: the same handshake in the other direction).
      Atomics.store(ctl, MAIN_SLEEPING, 1);
      try {
        for (;;) {
          const pending = Atomics.load(ctl, PENDING);
          if (pending === 0) break;
          if (Date.now() > deadline) {
            this.stopAll();
            Atomics.store(ctl, PENDING, 0);
            throw new Error(`pixprep: ${pending} worker thread(s) did not finish their part of ${kernel} within ` +
              `${this.stallMs / 1000} s (a worker died during the call?); the pool is stopped, the next call starts a new one`);
          }
          Atomics.wait(ctl, PENDING, pending, 1000);
        }
      } finally {
        Atomics.store(ctl, MAIN_SLEEPING, 0);
      }
    }
    this.waitMs += performance.now() - start;
    const failed = Atomics.load(this.ctl, FAILED);
    if (failed !== 0) {
      const bytes = new Uint8Array(this.control, errorByteOffset, ERROR_BYTES).slice();
      const text = new TextDecoder().decode(bytes.subarray(0, Math.max(0, bytes.indexOf(0))));
      Atomics.store(this.ctl, FAILED, 0);
      throw new Error(`pixprep: worker thread ${failed} failed in ${kernel}: ${text}`);
    }
  }

  /** What each helper has recorded (control.ts): ms running parts, parts run, sleeps in Atomics.wait. */
  helperStats(): { busyMs: number; parts: number; sleeps: number }[] {
    const stats = new Float64Array(this.control, statsByteOffset, MAX_WORKERS * STAT_FLOATS);
    return Array.from({ length: this.helpers }, (_, w) => ({
      busyMs: stats[w * STAT_FLOATS], parts: stats[w * STAT_FLOATS + 1], sleeps: stats[w * STAT_FLOATS + 2],
    }));
  }

  private throwIfDead(): void {
    const note = this.deathNote;
    if (note === null) return;
    this.stopAll();
    this.deathNote = null;
    throw new Error(`${note}; the pool is stopped, the next call starts a new one`);
  }

  private stopAll(): void {
    for (let w = 0; w < this.workers.length; w++) this.stopWorker(w);
  }

  private stopWorker(w: number): void {
    const worker = this.workers[w];
    if (!worker) return;
    this.workers[w] = null;
    Atomics.store(this.ctl, READY + w, 0);
    worker.terminate();
  }

  /** Stops every worker and frees their scratch; the pool may not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctl, STOP, 1);
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.add(this.ctl, WAKE + w, 1);
      Atomics.notify(this.ctl, WAKE + w);
      this.stopWorker(w);
    }
    for (const base of this.scratch.splice(0)) this.heap.free(base);
  }
}
