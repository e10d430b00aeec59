// The bench's rows at 1 thread and at all threads (issue 16), made from one row: pixprep's (the runner sets the
// row's count before its setup, so its model or generator is made on that many threads, and again before each timed
// turn, outside the timing) and PyTorch's (torch.set_num_threads in the same Python process). "All threads" is all
// the cores.
//
// A row's model keeps the backend it was built on (the one-thread module, or the shared build whose pool has
// threads − 1 workers). The call rows that read the current backend at each call (standardize) run on the count the
// runner set for their turn: setThreads(1) stops the workers, and the runner waits for new ones (ready()) before an
// all-threads turn starts.
import { availableParallelism } from 'node:os';
import type { Impl } from './runner.js';

/** The thread counts every network and scaling case is measured at: 1, and all the cores (once where there is one). */
export function threadCounts(): number[] {
  const all = Math.min(availableParallelism(), 65);
  return all > 1 ? [1, all] : [1];
}

export const threadsLabel = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

/**
 * `make(threads)` at each thread count, its name suffixed ", 1 thread" / ", N threads". A pixprep row's count is set
 * by the runner before its setup and before each timed turn (bench/runner.ts, Impl.threads); a Python row sets its
 * own from the `threads` it is made with.
 */
export function atThreadCounts(make: (threads: number) => Impl): Impl[] {
  return threadCounts().map((n) => {
    const impl = make(n);
    return { ...impl, name: `${impl.name}, ${threadsLabel(n)}`, threads: n };
  });
}
