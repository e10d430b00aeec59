// The shared control block of a worker pool: one SharedArrayBuffer the calling thread and every worker read.
// Int32 words (Atomics) first, then one Float64 argument slot per worker, then the text of a worker's error.
//   PENDING      how many workers still run their share of the current call (each subtracts 1 when done)
//   FAILED       0, or 1 + the index of the first worker whose share threw
//   STOP         1 once the pool is disposed: a worker woken with it set returns
//   READY + w    1 once worker w has instantiated the module and waits for work
//   WAKE + w     worker w's futex word: the calling thread writes w's slot, then increments WAKE + w and notifies
// A slot holds [kernel index, argument count, arguments…] as float64 (pointers, sizes, flags and float parameters
// all fit exactly). The layout is repeated, as literals, in worker-main.ts: that function is sent to the worker as
// source text and may not import anything.
export const PENDING = 0;
export const FAILED = 1;
export const STOP = 2;
export const READY = 16;
export const WAKE = 16 + 64;
export const MAX_WORKERS = 64;
export const INT_WORDS = 16 + 2 * MAX_WORKERS;
export const SLOT_FLOATS = 32;
export const ERROR_BYTES = 1024;

export const slotsByteOffset = INT_WORDS * 4;
export const errorByteOffset = slotsByteOffset + MAX_WORKERS * SLOT_FLOATS * 8;
export const CONTROL_BYTES = errorByteOffset + ERROR_BYTES;
