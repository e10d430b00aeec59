// The bench's rows at 1 thread and at all threads (issue 16), made from one row: pixprep's (setThreads before its
// model or generator is made, and again before a call if another row changed the count) and PyTorch's
// (torch.set_num_threads in the same Python process). "All threads" is pixprep's default: the cores.
//
// A row's model keeps the backend it was built on (the one-thread module, or the shared build whose pool has
// threads − 1 workers), so the network rows never change the count while timed. The call rows that read the current
// backend at each call (standardize) do: setThreads(1) stops the workers, and the next all-threads call waits for a
// new one (ready()) inside its first sample of the turn; the median over the turn's samples leaves that one out.
import { availableParallelism } from 'node:os';
import { getThreads, ready, setThreads } from '../src/runtime/backend.js';
import type { Impl } from './runner.js';

/** The thread counts every network and scaling case is measured at: 1, and all the cores (once where there is one). */
export function threadCounts(): number[] {
  const all = Math.min(availableParallelism(), 65);
  return all > 1 ? [1, all] : [1];
}

export const threadsLabel = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

/** `make(threads)` at each thread count, its name suffixed ", 1 thread" / ", N threads". */
export function atThreadCounts(make: (threads: number) => Impl): Impl[] {
  return threadCounts().map((n) => {
    const impl = make(n);
    const run = impl.run;
    return {
      ...impl,
      name: `${impl.name}, ${threadsLabel(n)}`,
      setup: async () => {
        if (getThreads() !== n) setThreads(n);
        await ready(); // the workers up before the first (verified) call
        return impl.setup?.();
      },
      ...(run ? {
        run: () => {
          if (getThreads() === n) return run();
          setThreads(n);
          return ready().then(() => run());
        },
      } : {}),
    };
  });
}
