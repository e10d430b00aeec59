// Where the threads' time goes in a training step of the tutorial network at batch 64 (issue 16), in figures that do
// not depend on how loaded the machine is:
//   - round trips per step: calls the pool cut into parts (each wakes the helpers and waits for the parts), and how
//     many of them a helper took part in (parts go to whichever thread is free: pool.ts),
//   - split coverage: the share of the one-thread step's kernel time spent in kernels that the split rules cut at
//     this thread count, and the kernels left whole, largest first,
//   - the calling thread's time waiting for helpers after its own part (and how often it had to sleep), and the
//     helpers' idle time (the step's wall time minus the time each spent running parts),
//   - CPU / wall of the process (2.0 would be both cores busy all step; only meaningful on a quiet machine).
//
//   node scripts/profile-threads.mjs [--steps 8] [--threads 2] [--infer] [dist]
//
// --infer profiles inference (predict, batch 64) instead of training. A step's kernel calls are the same sequence
// on one thread and on several, so the one-thread run's per-call times are matched to the several-thread run's
// split/whole record call by call.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
import { scriptArgs } from './script-args.mjs';
import { seededFloats } from './seeded-floats.mjs';

const { number: option, flag, rest: args } = scriptArgs();
const steps = option('--steps', 8);
const threadCount = option('--threads', 2);
const infer = flag('--infer');
const dist = resolve(args[0] ?? 'dist');
const BATCH = 64;
const IMAGE = 28 * 28;

const { tutorialModel } = await import(pathToFileURL(`${dist}/tutorial.js`).href);
const backend = await import(pathToFileURL(`${dist}/runtime/backend.js`).href);

const x = seededFloats(steps * BATCH * IMAGE, 21, 0.5);
const labels = Uint8Array.from(seededFloats(steps * BATCH, 22, 0.5), (v) => Math.floor((v + 0.5) * 10));
const source = {
  batchSize: BATCH, imageShape: [28, 28, 1], labelWidth: 1, sampleCount: steps * BATCH, length: steps,
  batchInto(i, xs, ys) {
    xs.set(x.subarray(i * BATCH * IMAGE, (i + 1) * BATCH * IMAGE));
    if (ys !== null) for (let j = 0; j < BATCH; j++) ys[j] = labels[i * BATCH + j];
    return BATCH;
  },
  onEpochEnd() {},
};
const input = { data: x, shape: [steps * BATCH, 28, 28, 1] };
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const LAYERS = ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'dense1', 'dense2'];

/** Calls the pool has cut into parts (whoever ran them). */
const splitCalls = (pool) => (pool ? [...pool.splitsByKernel.values()].reduce((a, b) => a + b, 0) : 0);

/** One run at `threads`: per kernel call (in order) its wall ms and whether it ran on several threads; totals. */
async function run(threads) {
  backend.setThreads(threads);
  await backend.ready();
  const model = tutorialModel({ seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const work = async () => (infer ? model.predict(input, { batchSize: BATCH }) : model.fit(source, { epochs: 1, verbose: 0 }));
  await work();
  await work();
  const current = backend.currentBackend();
  const pool = current.shared?.pool ?? null;
  const kernels = current.kernels;
  let layer = null;
  model.layers.forEach((l, i) => {
    for (const pass of ['forward', 'backward']) {
      const original = l[pass];
      l[pass] = function (...a) {
        layer = `${LAYERS[i]} ${pass}`;
        try { return original.apply(this, a); } finally { layer = null; }
      };
    }
  });
  const calls = [];
  const originals = { ...kernels };
  for (const name of Object.keys(originals)) {
    kernels[name] = (...a) => {
      const before = splitCalls(pool);
      const t = performance.now();
      const r = originals[name](...a);
      calls.push({ key: `${layer ?? (infer ? 'output' : 'loss+optimizer')}: ${name}`, ms: performance.now() - t,
        split: splitCalls(pool) > before });
      return r;
    };
  }
  const p0 = pool ? { split: splitCalls(pool), trips: pool.parallelCalls, wait: pool.waitMs, sleeps: pool.mainSleeps, helpers: pool.helperStats() } : null;
  const w0 = performance.now(), c0 = cpu();
  await work();
  const wallMs = performance.now() - w0, cpuMs = cpu() - c0;
  Object.assign(kernels, originals);
  let threadsOut = null;
  if (pool) {
    const helpers = pool.helperStats().map((h, i) => ({
      busyMs: (h.busyMs - p0.helpers[i].busyMs) / steps, parts: (h.parts - p0.helpers[i].parts) / steps,
      sleeps: (h.sleeps - p0.helpers[i].sleeps) / steps,
    }));
    threadsOut = {
      split: (splitCalls(pool) - p0.split) / steps,
      roundTrips: (pool.parallelCalls - p0.trips) / steps, waitMs: (pool.waitMs - p0.wait) / steps,
      mainSleeps: (pool.mainSleeps - p0.sleeps) / steps, helpers,
    };
  }
  model.dispose();
  return { calls, wallMs: wallMs / steps, cpuMs: cpuMs / steps, pool: threadsOut };
}

const one = await run(1);
const many = await run(threadCount);
backend.setThreads(1);
if (one.calls.length !== many.calls.length || one.calls.some((c, i) => c.key !== many.calls[i].key)) {
  throw new Error('the kernel calls differ between 1 and several threads: the split coverage cannot be matched');
}
const perKernel = new Map();
let splitMs = 0, wholeMs = 0;
one.calls.forEach((c, i) => {
  const split = many.calls[i].split;
  if (split) splitMs += c.ms; else wholeMs += c.ms;
  const k = perKernel.get(c.key) ?? { ms: 0, calls: 0, split: 0, msMany: 0 };
  k.ms += c.ms / steps;
  k.msMany += many.calls[i].ms / steps;
  k.calls += 1 / steps;
  k.split += (split ? 1 : 0) / steps;
  perKernel.set(c.key, k);
});
const kernelMs = (splitMs + wholeMs) / steps;
const f = (v, d = 2) => v.toFixed(d);
console.log(`pixprep ${infer ? 'inference' : 'training'} step, tutorial network, batch ${BATCH}, ${steps} steps; ` +
  `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (times are wall ms per step)`);
console.log(`\n| | 1 thread | ${threadCount} threads |\n|---|---|---|`);
console.log(`| step (wall ms, instrumented) | ${f(one.wallMs)} | ${f(many.wallMs)} |`);
console.log(`| CPU / wall | ${f(one.cpuMs / one.wallMs)} | ${f(many.cpuMs / many.wallMs)} |`);
console.log(`| kernel calls per step | ${f(one.calls.length / steps, 0)} | ${f(many.calls.length / steps, 0)} |`);
console.log(`| calls split per step (round trips) | 0 | ${f(many.pool.split, 1)} |`);
console.log(`| of which a helper ran a part (the rest ran whole here: no helper free in time) | | ${f(many.pool.roundTrips, 1)} |`);
console.log(`| 1-thread kernel time in calls split at ${threadCount} threads | ${f((100 * splitMs) / steps / kernelMs, 1)}% of ${f(kernelMs)} ms | |`);
console.log(`| calling thread waiting for helpers (ms per step; sleeps) | | ${f(many.pool.waitMs)}; ${f(many.pool.mainSleeps, 1)} |`);
many.pool.helpers.forEach((h, i) => {
  console.log(`| helper ${i + 1}: busy / idle ms per step (parts; sleeps) | | ${f(h.busyMs)} / ${f(many.wallMs - h.busyMs)} ` +
    `(${f(h.parts, 1)}; ${f(h.sleeps, 1)}) |`);
});
console.log(`\n| kernel (layer: name) | calls | split | 1 thread ms | ${threadCount} threads ms |\n|---|---|---|---|---|`);
for (const [key, k] of [...perKernel].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`| ${key} | ${f(k.calls, 0)} | ${f(k.split, 0)} | ${f(k.ms)} | ${f(k.msMany)} |`);
}
