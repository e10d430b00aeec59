// The worker pool's contract (src/runtime/threads/pool.ts): a part that fails on a worker is an Error on the waiting
// call, naming the worker and the kernel; a worker that died between calls is an Error on the next call, and the call
// after works again on a new worker; setThreads(1) stops the workers; a Node process with a pool exits by itself.
// Also the setting's messages (setThreads, PIXPREP_THREADS).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentBackend, setThreads, getThreads, setBackend } from '../../src/runtime/backend.js';
import type { WorkerPool } from '../../src/runtime/threads/pool.js';
import { poison, randomFloats } from '../helpers.js';
import { runNode } from '../run-node.js';

/** The pools these tests set to 'first', given back their default at the end. */
const touched = new Set<WorkerPool>();
afterAll(() => {
  for (const pool of touched) pool.callerTakes = 'any';
  setThreads(1);
});

/** The pool at `threads`, up; `callerTakes` 'first' (the default here) leaves every part but part 0 to the workers. */
async function poolOf(threads: number, callerTakes: 'any' | 'first' = 'first'): Promise<WorkerPool> {
  setThreads(threads);
  const pool = currentBackend().shared?.pool as unknown as WorkerPool | undefined;
  if (!pool) throw new Error('no pool');
  await pool.started();
  pool.callerTakes = callerTakes;
  touched.add(pool);
  return pool;
}

/** A gemm's parts: [0, 4) on this thread, [4, 8) on the worker; `bad` moves the worker's C out of memory. */
function gemmParts(bad: boolean) {
  const heap = currentBackend().heap;
  const a = heap.block('f32', 8 * 8), b = heap.block('f32', 8 * 8), c = heap.block('f32', 8 * 8);
  a.view.set(randomFloats(64, 1));
  b.view.set(randomFloats(64, 2));
  const args = [c.byteOffset, a.byteOffset, b.byteOffset, 8, 8, 8, 0, 0, 0];
  const cWorker = bad ? heap.byteLength : c.byteOffset;
  return {
    blocks: [a, b, c],
    parts: [
      { name: 'gemmBlock', args: [...args, 0, 4, 0, 8] },
      { name: 'gemmBlock', args: [cWorker, ...args.slice(1), 4, 8, 0, 8] },
    ],
  };
}

describe('worker pool', () => {
  it('a part that traps on a worker is an Error on the waiting call; the next call works', async () => {
    const pool = await poolOf(2);
    const failing = gemmParts(true);
    expect(() => pool.run('gemm', failing.parts)).toThrow(
      /^pixprep: worker thread 1 failed in gemm: RuntimeError: memory access out of bounds/);
    const fine = gemmParts(false);
    const before = pool.parallelCalls;
    pool.run('gemm', fine.parts);
    expect(pool.parallelCalls).toBe(before + 1);
    expect(Array.from(fine.blocks[2].view).some(Number.isNaN)).toBe(false);
    for (const block of [...failing.blocks, ...fine.blocks]) block.free();
  });

  it('a worker that died between calls is an Error on the next call, then a new worker takes over', async () => {
    const pool = await poolOf(2);
    // Kill the worker from outside, as a crash would.
    (pool as unknown as { workers: { terminate(): void }[] }).workers[0].terminate();
    await new Promise((r) => setTimeout(r, 500));
    const { parts, blocks } = gemmParts(false);
    expect(() => pool.run('gemm', parts)).toThrow(
      /^pixprep: worker thread 1 of 1 exited with code 1; the pool is stopped, the next call starts a new one$/);
    await pool.started();
    const before = pool.parallelCalls;
    pool.run('gemm', parts);
    expect(pool.parallelCalls).toBe(before + 1);
    for (const block of blocks) block.free();
  });

  it('a worker that dies while a call waits for it is an Error on that call, after the stall limit, not a hang', async () => {
    const pool = await poolOf(2);
    // A gemm large enough (~10^9 multiply-adds) that the worker is still on its half when it is stopped.
    const heap = currentBackend().heap;
    const n = 1024;
    const a = heap.block('f32', n * n), b = heap.block('f32', n * n), c = heap.block('f32', n * n);
    a.view.set(randomFloats(n * n, 1));
    b.view.set(randomFloats(n * n, 2));
    const args = [c.byteOffset, a.byteOffset, b.byteOffset, n, n, n, 0, 0, 0];
    const parts = [{ name: 'gemmBlock', args: [...args, 0, 4, 0, n] }, { name: 'gemmBlock', args: [...args, 4, n, 0, n] }];
    const limit = pool.stallMs;
    pool.stallMs = 1500;
    try {
      // terminate() takes effect on the worker thread while this one is blocked in run(): the exit event cannot be
      // delivered here, so only the stall limit ends the wait.
      (pool as unknown as { workers: { terminate(): void }[] }).workers[0].terminate();
      const started = Date.now();
      expect(() => pool.run('gemm', parts)).toThrow(
        /^pixprep: 1 part\(s\) of gemm taken by worker threads did not finish within 1.5 s \(a worker died during the call\?\); the pool is stopped, the next call starts a new one$/);
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      pool.stallMs = limit;
    }
    // The next call starts a new worker and works (small parts, as in the tests above).
    await pool.started();
    const fine = gemmParts(false);
    const before = pool.parallelCalls;
    pool.run('gemm', fine.parts);
    expect(pool.parallelCalls).toBe(before + 1);
    for (const block of [a, b, c, ...fine.blocks]) block.free();
  });

  it('parts go to whichever thread is free: with its worker gone, a call runs whole on the calling thread', async () => {
    const pool = await poolOf(2, 'any');
    const heap = currentBackend().heap;
    const [m, n, k] = [64, 64, 200];
    const a = heap.block('f32', m * k), b = heap.block('f32', k * n), c = heap.block('f32', m * n);
    a.view.set(randomFloats(m * k, 5));
    b.view.set(randomFloats(k * n, 6));
    const args = [c.byteOffset, a.byteOffset, b.byteOffset, m, n, k, 0, 0, 0];
    const parts = [{ name: 'gemmBlock', args: [...args, 0, 32, 0, n] }, { name: 'gemmBlock', args: [...args, 32, m, 0, n] }];
    poison(c.view);
    pool.run('gemm', parts);
    const expected = c.view.slice();
    expect(expected.some(Number.isNaN)).toBe(false);
    // Stop the worker from outside; its exit is seen only once this thread returns to its event loop, so the
    // next call still counts it as up: the calling thread takes its part rather than wait for it.
    (pool as unknown as { workers: { terminate(): void }[] }).workers[0].terminate();
    const before = pool.parallelCalls;
    poison(c.view);
    pool.run('gemm', parts);
    expect(pool.parallelCalls).toBe(before);
    expect(new Uint32Array(c.view.slice().buffer)).toEqual(new Uint32Array(expected.buffer));
    await new Promise((r) => setTimeout(r, 500));
    expect(() => pool.run('gemm', parts)).toThrow(/^pixprep: worker thread 1 of 1 exited with code 1/);
    for (const block of [a, b, c]) block.free();
  });

  it('setThreads(1) stops the workers and goes back to the one-thread module', async () => {
    const pool = await poolOf(3);
    const workers = (pool as unknown as { workers: (object | null)[] }).workers;
    expect(workers.filter(Boolean)).toHaveLength(2);
    setThreads(1);
    expect(getThreads()).toBe(1);
    expect(currentBackend().shared).toBeUndefined();
    expect(workers.filter(Boolean)).toHaveLength(0);
    setBackend('js');
    setThreads(2);
    expect(getThreads()).toBe(1); // the js kernels run on the calling thread
    setBackend('wasm-simd');
    expect(getThreads()).toBe(2);
    expect(currentBackend().shared).toBeDefined();
  });

  it('setThreads rejects what is not a thread count, naming it', () => {
    expect(() => setThreads(0)).toThrow(new RangeError('setThreads: n must be an integer from 1 to 65. Received: 0'));
    expect(() => setThreads(1.5)).toThrow(new RangeError('setThreads: n must be an integer from 1 to 65. Received: 1.5'));
    expect(() => setThreads('2' as unknown as number)).toThrow(
      new RangeError('setThreads: n must be an integer from 1 to 65. Received: "2"'));
    expect(() => setThreads(66)).toThrow(RangeError);
  });
});

describe('threads in a Node process', () => {
  const dist = resolve(import.meta.dirname, '../../dist/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'pixprep-threads-'));
  const script = join(dir, 'train.mjs');
  writeFileSync(script, `
import { tutorialModel, threads, backend } from ${JSON.stringify(dist)};
const model = tutorialModel({ seed: 1 });
const x = new Float32Array(128 * 784).map((_, i) => (i % 97) / 97);
const y = new Uint8Array(128).map((_, i) => i % 10);
await model.fit({ x: { data: x, shape: [128, 28, 28, 1] }, y }, { epochs: 1, batchSize: 64, verbose: 0 });
console.log(JSON.stringify({ threads, backend }));
`);

  it('PIXPREP_THREADS sets the count, and the process exits by itself when its work is done (workers unref\'d)', async () => {
    const run = await runNode(script, [], { env: { PIXPREP_THREADS: '3' }, timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).threads).toBe(3);
  });

  // The default (no setThreads, no PIXPREP_THREADS) is the cores: a child without the variable this suite sets
  // (vitest.config.ts) trains and predicts with the default, prints what it computed, and must then exit by itself
  // (no dispose call: the pool's workers are unref'd). The same script at PIXPREP_THREADS=1 must print the same bytes.
  const defaults = join(dir, 'default.mjs');
  writeFileSync(defaults, `
import { createHash } from 'node:crypto';
import { tutorialModel, threads } from ${JSON.stringify(dist)};
import { currentBackend } from ${JSON.stringify(resolve(import.meta.dirname, '../../dist/internal.js'))};
const digest = (a) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
const model = tutorialModel({ seed: 5 });
const x = new Float32Array(192 * 784).map((_, i) => ((i * 7919) % 251) / 251);
const y = new Uint8Array(192).map((_, i) => (i * 3) % 10);
await model.fit({ x: { data: x, shape: [192, 28, 28, 1] }, y }, { epochs: 1, batchSize: 64, verbose: 0 });
const p = model.predict({ data: x.subarray(0, 64 * 784), shape: [64, 28, 28, 1] });
console.log(JSON.stringify({ threads, weights: digest(model.getWeightsFlat()), predictions: digest(p.data),
  parallelCalls: currentBackend().shared?.pool?.parallelCalls ?? 0 }));
`);

  it('with no PIXPREP_THREADS the default is the cores, with one thread\'s bytes, and the process exits by itself', async () => {
    const timeout = 90_000;
    const [cores, one] = [
      await runNode(defaults, [], { env: { PIXPREP_THREADS: undefined }, timeout }),
      await runNode(defaults, [], { env: { PIXPREP_THREADS: '1' }, timeout }),
    ];
    for (const run of [cores, one]) {
      expect(run.timedOut, `the child did not exit within ${timeout / 1000} s of starting: its work takes a few ` +
        `seconds, so something (a worker thread?) kept it alive; stdout: ${run.stdout}`).toBe(false);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    const [a, b] = [JSON.parse(cores.stdout), JSON.parse(one.stdout)];
    const expected = Math.min(availableParallelism(), 65);
    expect(a.threads).toBe(expected);
    expect(b.threads).toBe(1);
    // Where there are several cores the workers took part (a pool that never started would prove nothing).
    if (expected > 1) expect(a.parallelCalls).toBeGreaterThan(0);
    expect(b.parallelCalls).toBe(0);
    expect(a.weights).toBe(b.weights);
    expect(a.predictions).toBe(b.predictions);
  });

  it('PIXPREP_THREADS that is not a count fails at import, naming it', async () => {
    const run = await runNode(script, [], { env: { PIXPREP_THREADS: 'two' } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('PIXPREP_THREADS must be an integer from 1 to 65. Received: "two"');
  });
});
