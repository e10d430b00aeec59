// A pool of worker threads that run kernels of the shared-memory build on the same WebAssembly.Memory as the
// calling thread. Calls stay synchronous: run() writes the call's parts into the control block's table
// (control.ts), wakes the helpers, runs part 0 itself and then takes further parts like any helper (CLAIM), and
// returns when every part is DONE. Which thread runs a part does not matter to the result: a part's outputs are its
// own and each thread has its own scratch (split.ts), so the parts go to whoever is free first. A helper that
// wakes late (a futex wake-up on a VM, or a core busy with another process) finds its parts already done instead
// of making the calling thread wait for it. (A browser's main thread may not Atomics.wait: there
// threads stay 1, and training runs in a worker, as the demo's does.)
//
// A round trip through Atomics.wait/notify costs tens of microseconds on a VM (the kernel puts the thread to sleep
// and must schedule it again), and a training step makes over a hundred. So both sides first poll for a while
// (SPIN_MICROSECONDS) before they sleep: a helper that found no part left watches WAKE for the next call, and the
// calling thread, no part left to take, watches DONE. Each side says when it sleeps (SLEEPERS, MAIN_SLEEPING), and
// the other notifies only then: a notify costs a lock and, for a sleeper, a system call.
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
  CLAIM, CONTROL_BYTES, DONE, ERROR_BYTES, FAILED, INT_WORDS, MAIN_SLEEPING, MAX_PARTS, MAX_WORKERS, READY, SLEEPERS,
  SLOT_FLOATS, SPIN_MICROSECONDS, STAT_FLOATS, STOP, WAKE, errorByteOffset, slotsByteOffset, statsByteOffset,
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
  private readonly slots = new Float64Array(this.control, slotsByteOffset, MAX_PARTS * SLOT_FLOATS);
  /** The current call's number in CLAIM (17 bits, wrapping). */
  private epoch = 0;
  private readonly workers: (PoolWorker | null)[] = [];
  /** Each helper's static scratch (assembly/thread-scratch.ts), allocated when the pool grows, never in a call. */
  private readonly scratch: number[] = [];
  private deathNote: string | null = null;
  private disposed = false;
  /** Calls in which a helper ran a part: tests read it to know the workers took part. */
  parallelCalls = 0;
  /**
   * Whether the calling thread, its part 0 done, takes further parts ('any', the default) or leaves them to the
   * helpers ('first': part 0 only, the rest always on the workers while one is up; for tests that need a part to run
   * on a worker).
   */
  callerTakes: 'any' | 'first' = 'any';
  /** Milliseconds the calling thread spent waiting for helpers after its own part, and how often it had to sleep. */
  waitMs = 0;
  mainSleeps = 0;
  /** Calls split into parts, by kernel name (round trips; tests read it to know each split rule was used). */
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

  /** Runs the parts, part 0 and any no helper took first on the calling thread; returns when all are done. */
  run(kernel: string, parts: readonly Part[]): void {
    this.throwIfDead();
    this.start();
    const ctl = this.ctl;
    const count = parts.length;
    if (count > MAX_PARTS) throw new Error(`pixprep internal error: ${kernel} was cut in ${count} parts (at most ${MAX_PARTS})`);
    let ready = 0;
    for (let w = 0; w < this.helpers; w++) if (Atomics.load(ctl, READY + w) === 1) ready++;
    const slots = this.slots;
    for (let i = 1; i < count; i++) {
      const part = parts[i], at = i * SLOT_FLOATS;
      slots[at] = PART_EXPORTS.indexOf(part.name);
      slots[at + 1] = part.args.length;
      slots.set(part.args, at + 2);
    }
    this.splitsByKernel.set(kernel, (this.splitsByKernel.get(kernel) ?? 0) + 1);
    // Part 0 is this thread's from the start (next = 1): it needs no slot. With no helper up, this thread takes all.
    Atomics.store(ctl, DONE, 0);
    this.epoch = (this.epoch + 1) & 0x1ffff;
    const first = ((this.epoch << 14) | (count << 7) | 1) >>> 0;
    Atomics.store(ctl, CLAIM, first);
    if (ready > 0) {
      // Publish, then look for sleepers: a helper counts itself in SLEEPERS before its Atomics.wait, which rechecks
      // WAKE, so either it sees the new WAKE or this thread sees it counted (both sequentially consistent).
      Atomics.add(ctl, WAKE, 1);
      if (Atomics.load(ctl, SLEEPERS) !== 0) Atomics.notify(ctl, WAKE);
    }
    let mine = 0;
    let failure: unknown = null;
    try {
      this.callOnThisThread(parts[0]);
      mine++;
      Atomics.add(ctl, DONE, 1);
      if (this.callerTakes === 'any' || ready === 0) {
        for (let i = this.claim(); i >= 0; i = this.claim()) {
          mine++;
          try {
            this.callOnThisThread(parts[i]);
          } finally {
            Atomics.add(ctl, DONE, 1);
          }
        }
      }
    } catch (error) {
      failure = error;
      // Take every part not yet taken, unrun, so that the wait below ends; part 0 counts as done too if it threw.
      if (mine === 0) Atomics.add(ctl, DONE, 1);
      let skipped = 0;
      while (this.claim() >= 0) skipped++;
      Atomics.add(ctl, DONE, skipped);
    }
    if (mine < count) this.parallelCalls++;
    this.waitForHelpers(kernel, count);
    if (failure !== null) throw failure;
  }

  /** Takes the next part of the current call: its index, or −1 when every part is taken. */
  private claim(): number {
    const ctl = this.ctl;
    for (;;) {
      const word = Atomics.load(ctl, CLAIM);
      const parts = (word >> 7) & 127, next = word & 127;
      if (next >= parts) return -1;
      if (Atomics.compareExchange(ctl, CLAIM, word, word + 1) === word) return next;
    }
  }

  private callOnThisThread(part: Part): void {
    this.caller[part.name](...part.args);
  }

  private waitForHelpers(kernel: string, count: number): void {
    const ctl = this.ctl;
    const start = performance.now();
    if (Atomics.load(ctl, DONE) !== count) {
      // Poll first: the helpers took parts as large as this thread's and usually finish within microseconds of it.
      const spinUntil = start + SPIN_MICROSECONDS / 1000;
      for (let polls = 1; Atomics.load(ctl, DONE) !== count; polls++) {
        if ((polls & 15) === 0 && performance.now() > spinUntil) break;
      }
    }
    if (Atomics.load(ctl, DONE) !== count) {
      this.mainSleeps++;
      const deadline = Date.now() + this.stallMs;
      // Announce the sleep before the wait rechecks DONE (see run: the same handshake in the other direction).
      Atomics.store(ctl, MAIN_SLEEPING, 1);
      try {
        for (;;) {
          const done = Atomics.load(ctl, DONE);
          if (done === count) break;
          if (Date.now() > deadline) {
            this.stopAll();
            throw new Error(`pixprep: ${count - done} part(s) of ${kernel} taken by worker threads did not finish within ` +
              `${this.stallMs / 1000} s (a worker died during the call?); the pool is stopped, the next call starts a new one`);
          }
          Atomics.wait(ctl, DONE, done, 1000);
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
    Atomics.add(this.ctl, WAKE, 1);
    Atomics.notify(this.ctl, WAKE);
    for (let w = 0; w < this.workers.length; w++) this.stopWorker(w);
    for (const base of this.scratch.splice(0)) this.heap.free(base);
  }
}
