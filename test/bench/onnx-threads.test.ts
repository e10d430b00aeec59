// The ONNX Runtime comparison runs pixprep on one thread, as ONNX Runtime runs on one intra-op thread, whatever
// thread count the bench's earlier groups left (the network group's last rows set all the cores): the recorded
// bench once compared ONNX Runtime at one thread with pixprep's two-thread build. The count is restored afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { onnxGroup } from '../../bench/cases/onnx.js';
import { currentBackend, getThreads, setThreads } from '../../src/runtime/backend.js';
import { threadsMissing } from '../../src/runtime/threads/availability.js';

describe('bench: ONNX Runtime case', () => {
  afterEach(() => setThreads(1));

  it.skipIf(threadsMissing() !== null)('runs pixprep on one thread and restores the thread count after', async () => {
    setThreads(2);
    expect(getThreads()).toBe(2);
    const { cases, dispose } = onnxGroup(true);
    const impl = cases[0].impls.find((i) => i.role === 'pixprep');
    expect(impl).toBeDefined();
    await impl!.setup?.();
    // The model was made on the one-thread module: no worker pool behind the backend it was made on.
    expect(getThreads()).toBe(1);
    expect(currentBackend().shared).toBeUndefined();
    await impl!.run?.();
    const out = impl!.output?.() as Float32Array;
    expect(out.length).toBe(10);
    expect(Math.abs(out.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    dispose();
    expect(getThreads()).toBe(2);
  });
});
