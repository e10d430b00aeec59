// The ONNX Runtime comparison runs pixprep on one thread, as ONNX Runtime runs on one intra-op thread, whatever
// thread count was set before: the recorded bench once compared ONNX Runtime at one thread with pixprep's
// two-thread build. The runner sets each pixprep row's count (bench/runner.ts), so this goes through runCase.
import { afterEach, describe, expect, it } from 'vitest';
import { onnxGroup } from '../../bench/cases/onnx.js';
import { runCase } from '../../bench/runner.js';
import { setThreads } from '../../src/runtime/backend.js';
import { threadsMissing } from '../../src/runtime/threads/availability.js';

describe('bench: ONNX Runtime case', () => {
  afterEach(() => setThreads(1));

  it.skipIf(threadsMissing() !== null)('runs pixprep on one thread when two were set before', async () => {
    setThreads(2);
    const { cases, dispose } = onnxGroup(true);
    try {
      const results = await runCase(cases[0], () => {}, 1);
      const ours = results.find((r) => r.role === 'pixprep');
      expect(ours?.status, ours?.reason).toBe('ok');
      expect(ours?.threads).toBe(1);
      // Verified against the float64 network before it was timed.
      expect(ours?.verification?.worst).toBeLessThanOrEqual(1);
    } finally {
      dispose();
    }
  });
});
