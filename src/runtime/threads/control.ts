// The shared control block of a worker pool: one SharedArrayBuffer the calling thread and every worker read.
// Int32 words (Atomics) first, then the current call's table of parts (one Float64 slot each), then the text of a
// worker's error, then each worker's statistics.
//   DONE         parts of the current call finished (by any thread)
//   FAILED       0, or 1 + the index of the first worker whose part threw
//   STOP         1 once the pool is disposed: a worker woken with it set returns
//   MAIN_SLEEPING 1 while the calling thread is (about to be) blocked in Atomics.wait on DONE
//   CLAIM        the current call: epoch << 14 | parts << 7 | next part to take. A thread takes part `next` by a
//                compareExchange of the whole word, so a thread holding a stale word (an earlier call's) fails and
//                reads again: a part is taken exactly once, by whichever thread gets there first.
//   WAKE         the futex word the workers sleep on: the calling thread increments it once per call
//   SLEEPERS     how many workers are (about to be) blocked on WAKE: a notify is needed only then
//   READY + w    1 once worker w has instantiated the module and waits for work
// A slot holds [kernel index, argument count, arguments…] as float64 (pointers, sizes, flags and float parameters
// all fit exactly). After the error text, STAT_FLOATS float64 per worker that only the worker writes, for the
// profile (scripts/profile-threads.mjs): [ms spent running parts, parts run, times it slept in Atomics.wait].
// The layout is repeated, as literals, in worker-main.ts: that function is sent to the worker as source text and
// may not import anything.
export const DONE = 0;
export const FAILED = 1;
export const STOP = 2;
export const MAIN_SLEEPING = 3;
export const CLAIM = 4;
export const WAKE = 5;
export const SLEEPERS = 6;
export const READY = 16;
export const MAX_WORKERS = 64;
export const INT_WORDS = 16 + MAX_WORKERS;
/** The most parts a call may have (7 bits of CLAIM: next runs up to the count). */
export const MAX_PARTS = 64;
export const SLOT_FLOATS = 32;
export const ERROR_BYTES = 1024;

export const slotsByteOffset = INT_WORDS * 4;
export const errorByteOffset = slotsByteOffset + MAX_PARTS * SLOT_FLOATS * 8;
export const STAT_FLOATS = 4;
export const statsByteOffset = errorByteOffset + ERROR_BYTES;
export const CONTROL_BYTES = statsByteOffset + MAX_WORKERS * STAT_FLOATS * 8;

/**
 * How long a thread polls before it sleeps in Atomics.wait (pool.ts: why). A futex round trip measured 12–15 µs on
 * this project's 2-vCPU VM under load; 50 µs covers the gap between two split calls of a step (an unsplit kernel,
 * the layer's JavaScript) while an idle pool still goes to sleep at once in human terms.
 */
export const SPIN_MICROSECONDS = 50;
