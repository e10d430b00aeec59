// The bench's rows at 1 thread and at all threads (issue 16), made from one row: pixprep's (setThreads before its
// model is built; its run puts the count back if another row changed it) and PyTorch's (torch.set_num_threads in the
// same Python process). "All threads" is pixprep's default: the cores (os.availableParallelism).
import { availableParallelism } from 'node:os';
import { getThreads, setThreads } from '../src/runtime/backend.js';
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
    const ensure = () => { if (getThreads() !== n) setThreads(n); };
    return {
      ...impl,
      name: `${impl.name}, ${threadsLabel(n)}`,
      setup: () => { ensure(); return impl.setup?.(); },
      ...(impl.run ? { run: () => { ensure(); return impl.run!(); } } : {}),
    };
  });
}
