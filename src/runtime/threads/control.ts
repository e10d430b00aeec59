// The shared control block of a worker pool: one SharedArrayBuffer the calling thread and every worker read.
// Int32 words (Atomics) first, then one Float64 argument slot per worker, then the text of a worker's error.
//   PENDING      how many workers still run their share of the current call (each subtracts 1 when done)
//   FAILED       0, or 1 + the index of the first worker whose share threw
//   STOP         1 once the pool is disposed: a worker woken with it set returns
//   READY + w    1 once worker w has instantiated the module and waits for work
//   WAKE + w     worker w's futex word: the calling thread writes w's slot, then increments WAKE + w and notifies
//   SLEEPING + w 1 while worker w is (about to be) blocked in Atomics.wait: only then is a notify needed to wake it
//   MAIN_SLEEPING 1 while the calling thread is (about to be) blocked in Atomics.wait on PENDING
// A slot holds [kernel index, argument count, arguments…] as float64 (pointers, sizes, flags and float parameters
// all fit exactly). After the error text, STAT_FLOATS float64 per worker that only the worker writes, for the
// profile (scripts/profile-threads.mjs): [ms spent running parts, parts run, times it slept in Atomics.wait].
// The layout is repeated, as literals, in worker-main.ts: that function is sent to the worker as source text and
// may not import anything.
export const PENDING = 0;
export const FAILED = 1;
export const STOP = 2;
export const MAIN_SLEEPING = 3;
export const READY = 16;
export const WAKE = 16 + 64;
export const SLEEPING = 16 + 2 * 64;
export const MAX_WORKERS = 64;
export const INT_WORDS = 16 + 3 * MAX_WORKERS;
export const SLOT_FLOATS = 32;
export const ERROR_BYTES = 1024;

export const slotsByteOffset = INT_WORDS * 4;
export const errorByteOffset = slotsByteOffset + MAX_WORKERS * SLOT_FLOATS * 8;
export const STAT_FLOATS = 4;
export const statsByteOffset = errorByteOffset + ERROR_BYTES;
export const CONTROL_BYTES = statsByteOffset + MAX_WORKERS * STAT_FLOATS * 8;

/**
 * How long a thread polls before it sleeps in Atomics.wait (pool.ts: why). A futex round trip measured 12–15 µs on
 * this project's 2-vCPU VM under load; 50 µs covers the gap between two split calls of a step (an unsplit kernel,
 * the layer's JavaScript) while an idle pool still goes to sleep at once in human terms.
 */
export const SPIN_MICROSECONDS = 50;
