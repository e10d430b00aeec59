// The tutorial network's inference, per layer, in pixprep and in ONNX Runtime (one intra-op thread) in the same
// process: what bench/cases/onnx.ts's ratio is made of (docs/onnx-gap.md).
//
//   node scripts/profile-onnx.mjs [--rounds 20] [--batches 1,64,512] [--kernels] [dist]
//
// ONNX Runtime runs pixprep's own export (model.toOnnx()) of the same model, with the options of the bench row
// (intraOpNumThreads 1, sequential, graph optimizations 'all'). Its per-node times come from its own profiler
// (enableProfiling: every node's kernel time, in µs, in a JSON file written by endProfiling). A second, unprofiled
// session of the same bytes gives the time of session.run as a caller sees it. pixprep's per-layer times are taken by
// wrapping each layer's forward (and the softmax kernel, and the copy of the caller's images into kernel memory) with
// performance.now; a plain predict beside it gives the time a caller sees. The four alternate in short rounds, so a
// round's sides see about the same load; each round gives a ratio (ONNX Runtime time ÷ pixprep time, below 1: pixprep
// slower) and the tables give medians over rounds. All times are wall time (ONNX Runtime's profiler has no other);
// process CPU time is given for the whole runs. --kernels adds pixprep's kernel calls inside each layer (CPU time of
// each call, the median over separate instrumented predicts after the rounds).
import ortModule from 'onnxruntime-node';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scriptArgs } from './script-args.mjs';
import { seededFloats } from './seeded-floats.mjs';

const ort = ortModule.default ?? ortModule;
const { number, text, flag, rest: args } = scriptArgs();
const rounds = number('--rounds', 20);
const batches = text('--batches', '1,64,512').split(',').map(Number);
const withKernels = flag('--kernels');
const dist = resolve(args[0] ?? 'dist');
const url = (p) => pathToFileURL(`${dist}/${p}`).href;
const { tutorialModel } = await import(url('tutorial.js'));
const backend = await import(url('runtime/backend.js'));
const { ImageSource } = await import(url('generator/image-set.js'));
backend.setBackend('wasm-simd');
const kernels = backend.availableBackends().find((b) => b.name === 'wasm-simd').kernels;

// Runs per round for each side: a round lasts some tens of milliseconds whatever the batch.
const REPS = { 1: 40, 8: 20, 64: 8, 512: 4 };
const reps = (batch) => REPS[batch] ?? Math.max(1, Math.round(400 / batch));

// Direct-evaluation FLOPs per image (a multiply and an add each), as scripts/profile-network.mjs counts them.
const FLOPS = { conv1: 2 * 26 * 26 * 32 * 9, conv2: 2 * 11 * 11 * 64 * 9 * 32, dense1: 2 * 1600 * 64, dense2: 2 * 64 * 10 };
// The rows: pixprep's steps, and the ONNX Runtime nodes of the optimized graph that do the same work.
const ROWS = [
  ['input', 'images into the network (pixprep: copy into kernel memory; ORT: Transpose NHWC → NCHW)'],
  ['conv1', 'Conv 3×3, 1 → 32, + bias + relu'],
  ['pool1', 'MaxPool 2×2'],
  ['conv2', 'Conv 3×3, 32 → 64, + bias + relu'],
  ['pool2', 'MaxPool 2×2'],
  ['flatten', 'Flatten (ORT: ReorderOutput NCHWc → NHWC, then Flatten)'],
  ['dense1', 'Gemm 1600 → 64 + relu'],
  ['dense2', 'Gemm 64 → 10'],
  ['softmax', 'Softmax'],
];
const LAYERS = ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'dense1', 'dense2'];
/**
 * The row of an ONNX Runtime node: by its operator and, for the operators that occur twice, by how many of that
 * operator ran before it in the same run (nodes run in the graph's order).
 */
const TWICE = { Conv: ['conv1', 'conv2'], MaxPool: ['pool1', 'pool2'], Gemm: ['dense1', 'dense2'] };
function ortRowOf(op, seen) {
  if (op === 'FusedGemm') op = 'Gemm'; // Gemm + Relu fused
  if (TWICE[op]) {
    seen[op] = (seen[op] ?? 0) + 1;
    return TWICE[op][seen[op] - 1] ?? `other: ${op}`;
  }
  if (op === 'Transpose' && !seen.Conv) return 'input';
  if (op === 'ReorderOutput' || op === 'Flatten' || op === 'Reshape' || op === 'Transpose') return 'flatten';
  if (op === 'Softmax') return 'softmax';
  return `other: ${op}`;
}

const median = (a) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// pixprep, instrumented: per-layer wall and CPU times of the current predict call, accumulated into `current`.
const model = tutorialModel({ seed: 1 });
let current = null;
const timed = (key, f) => function (...a) {
  if (current === null) return f.apply(this, a);
  const t = performance.now(), c = cpuMs();
  const r = f.apply(this, a);
  current[key] = (current[key] ?? 0) + (performance.now() - t) * 1000;
  current[`${key} cpu`] = (current[`${key} cpu`] ?? 0) + (cpuMs() - c) * 1000;
  return r;
};
model.predict({ data: seededFloats(784, 1), shape: [1, 28, 28, 1] }); // builds the layers
// --kernels: each kernel call's CPU time, by the layer it ran in, in `calls` (only while it is not null).
let calls = null;
let layerNow = 'predict';
model.layers.forEach((layer, i) => {
  const f = layer.forward;
  layer.forward = function (...a) {
    layerNow = LAYERS[i];
    try { return f.apply(this, a); } finally { layerNow = 'predict'; }
  };
});
for (const name of Object.keys(kernels)) {
  const f = kernels[name];
  if (typeof f !== 'function') continue;
  kernels[name] = (...a) => {
    if (calls === null) return f(...a);
    const c = cpuMs();
    const r = f(...a);
    const key = `${layerNow}: ${name}`;
    const t = calls.get(key) ?? { us: 0, n: 0 };
    t.us += (cpuMs() - c) * 1000;
    t.n++;
    calls.set(key, t);
    return r;
  };
}
model.layers.forEach((layer, i) => { layer.forward = timed(LAYERS[i], layer.forward); });
const softmax = kernels.softmaxCrossEntropy;
kernels.softmaxCrossEntropy = timed('softmax', softmax);
const gather = ImageSource.prototype.gatherChannelsLast;
ImageSource.prototype.gatherChannelsLast = timed('input', gather);

const where = mkdtempSync(join(tmpdir(), 'pixprep-profile-onnx-'));
const bytes = model.toOnnx();
const sessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const results = [];
for (const batch of batches) {
  const x = seededFloats(batch * 784, 41 + batch);
  const input = { data: x, shape: [batch, 28, 28, 1] };
  const feeds = { input: new ort.Tensor('float32', x, input.shape) };
  const plain = await ort.InferenceSession.create(bytes, sessionOptions);
  const profiled = await ort.InferenceSession.create(bytes, { ...sessionOptions, enableProfiling: true, profileFilePrefix: join(where, `b${batch}`) });
  const n = reps(batch);
  // Outputs agree (the bench checks both against float64; here only that the same function is timed).
  const ours = model.predict(input, { batchSize: batch }).data;
  const theirs = (await plain.run(feeds)).output.data;
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  if (!(worst < 1e-5)) throw new Error(`batch ${batch}: pixprep and ONNX Runtime differ by ${worst}`);
  for (let i = 0; i < 3; i++) { await plain.run(feeds); await profiled.run(feeds); model.predict(input, { batchSize: batch }); }
  const warmRuns = 3; // the profiled session's warm-up runs (the check above ran on the plain one)
  const sample = { ortRun: [], ortCpu: [], oursRun: [], oursCpu: [], oursLayers: [], ortProfiledRun: [] };
  const each = async (f) => {
    const wall = [], cpu = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now(), c = cpuMs();
      await f();
      wall.push((performance.now() - t) * 1000);
      cpu.push((cpuMs() - c) * 1000);
    }
    return { wall, cpu };
  };
  for (let r = 0; r < rounds; r++) {
    const a = await each(() => plain.run(feeds));
    sample.ortRun.push(a.wall);
    sample.ortCpu.push(a.cpu);
    sample.ortProfiledRun.push((await each(() => profiled.run(feeds))).wall);
    const b = await each(() => model.predict(input, { batchSize: batch }));
    sample.oursRun.push(b.wall);
    sample.oursCpu.push(b.cpu);
    const layers = [];
    for (let i = 0; i < n; i++) {
      current = {};
      const t0 = performance.now(), c0 = cpuMs();
      model.predict(input, { batchSize: batch });
      current.total = (performance.now() - t0) * 1000;
      current['total cpu'] = (cpuMs() - c0) * 1000;
      layers.push(current);
      current = null;
    }
    sample.oursLayers.push(layers);
  }
  const kernelCalls = new Map();
  for (let i = 0; withKernels && i < Math.max(15, n * 3); i++) {
    calls = new Map();
    model.predict(input, { batchSize: batch });
    for (const [key, t] of calls) (kernelCalls.get(key) ?? kernelCalls.set(key, []).get(key)).push(t);
    calls = null;
  }
  // endProfiling writes <prefix>_<date>.json (the node binding does not return its name).
  profiled.endProfiling();
  const file = join(where, readdirSync(where).find((name) => name.startsWith(`b${batch}_`)));
  await plain.release();
  await profiled.release();
  const events = JSON.parse(readFileSync(file, 'utf8'));
  // Each node's kernel time, grouped by the run (model_run event) it lies in, in the order of the runs.
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const perRun = runs.map(() => ({}));
  const ops = new Map();
  const seen = runs.map(() => ({}));
  for (const e of events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time')).sort((a, b) => a.ts - b.ts)) {
    const k = runs.findIndex((run) => e.ts >= run.ts && e.ts <= run.ts + run.dur);
    if (k < 0) continue;
    const name = e.name.replace(/_kernel_time$/, '');
    const row = ortRowOf(e.args.op_name, seen[k]);
    perRun[k][row] = (perRun[k][row] ?? 0) + e.dur;
    perRun[k].nodes = (perRun[k].nodes ?? 0) + e.dur;
    ops.set(name, `${e.args.op_name} ${JSON.stringify(e.args.input_type_shape?.[0]?.float ?? '')} → ` +
      `${JSON.stringify(e.args.output_type_shape?.[0]?.float ?? '')} (${row})`);
  }
  runs.forEach((run, k) => { perRun[k].total = run.dur; });
  const measured = perRun.slice(warmRuns);
  if (measured.length !== rounds * n) throw new Error(`batch ${batch}: ${measured.length} profiled runs, expected ${rounds * n}`);
  results.push({ batch, n, sample, kernelCalls, ortRounds: Array.from({ length: rounds }, (_, r) => measured.slice(r * n, (r + 1) * n)), ops });
}
rmSync(where, { recursive: true, force: true });

const f = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
const loads = loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`pixprep ${dist.replace(process.cwd() + '/', '')} wasm-simd vs ONNX Runtime ${ort.env.versions?.common ?? ''} (node binding), ` +
  `one intra-op thread; node ${process.version}; ${cpus()[0].model}; ${rounds} rounds; load average at the end ${loads}`);
console.log('Times: µs per batch. The machine is shared, so a wall time includes other processes\' turns: each ' +
  'layer (ORT: each node, by its profiler, which gives wall time only) is taken from the run of the round in which it ' +
  'was fastest, the least interrupted (layers and nodes are short beside the scheduler\'s turns); pixprep\'s on the CPU ' +
  'clock (process.cpuUsage), ORT\'s on the wall clock. The table: medians over rounds; ratio: median over rounds of ' +
  'ORT ÷ pixprep (below 1: pixprep slower); GFLOP/s: direct-evaluation FLOPs ÷ time. Checks: pixprep\'s "median" ' +
  'takes each round\'s median run; ORT\'s "scaled" shares its CPU time per unprofiled run (median) out over the nodes ' +
  'by their wall times summed over the round\'s runs, for when even the fastest runs were interrupted.');
const min = (a) => Math.min(...a);
for (const { batch, n, sample, kernelCalls, ortRounds, ops } of results) {
  console.log(`\nbatch ${batch} (${n} runs of each per round)`);
  console.log('  ONNX Runtime nodes after its graph optimizations (one run):');
  for (const [name, desc] of ops) console.log(`    ${name.padEnd(22)} ${desc}`);
  const ALL = FLOPS.conv1 + FLOPS.conv2 + FLOPS.dense1 + FLOPS.dense2;
  const ours = sample.oursLayers;
  const rowSum = (m, suffix = '') => ROWS.reduce((sum, [k]) => sum + (m[`${k}${suffix}`] ?? 0), 0);
  // Per round: each layer's (node's) time in the run where it was fastest; pixprep's median run on the CPU clock.
  const ortFastest = (value) => ortRounds.map((runs) => min(runs.map(value)));
  const oursMedian = (value) => ours.map((runs) => median(runs.map(value)));
  const oursFastest = (value) => ours.map((runs) => min(runs.map(value)));
  // When even ORT's fastest runs were interrupted (its nodes add up to more than its CPU time per run: long runs on a
  // loaded machine), the "scaled" column shares its CPU time per run out over the nodes in proportion to their wall
  // times summed over the round's runs: interruptions land on each node in proportion to its length.
  const ortCpu = sample.ortCpu.map(median);
  const ortScaled = (key) => ortRounds.map((runs, r) =>
    ortCpu[r] * runs.reduce((sum, m) => sum + (m[key] ?? 0), 0) / runs.reduce((sum, m) => sum + m.nodes, 0));
  console.log(`  ${'layer'.padEnd(8)} ${'ORT µs'.padStart(8)} ${'scaled'.padStart(8)} ${'pixprep µs'.padStart(10)} ` +
    `${'median'.padStart(8)} ${'ratio'.padStart(6)} ${'ORT GFLOP/s'.padStart(11)} ${'pixprep GFLOP/s'.padStart(15)}  what`);
  const line = (label, ort, ortCheck, px, pxCheck, flops, what) => {
    const ratio = median(ort.map((o, r) => o / px[r]));
    const [mo, mp] = [median(ort), median(px)];
    const gf = (us) => (flops ? f(flops * batch / us / 1000) : '');
    console.log(`  ${label.padEnd(8)} ${f(mo).padStart(8)} ${(ortCheck ? f(median(ortCheck)) : '').padStart(8)} ` +
      `${f(mp).padStart(10)} ${(pxCheck ? f(median(pxCheck)) : '').padStart(8)} ${f(ratio, 2).padStart(5)}× ` +
      `${gf(mo).padStart(11)} ${gf(mp).padStart(15)}  ${what}`);
  };
  const rows = {};
  for (const [key, what] of ROWS) {
    rows[key] = line(key, ortFastest((m) => m[key] ?? 0), ortScaled(key), oursFastest((m) => m[`${key} cpu`] ?? 0),
      oursMedian((m) => m[`${key} cpu`] ?? 0), FLOPS[key], what);
  }
  line('sum', ortRounds.map((runs) => ROWS.reduce((sum, [k]) => sum + min(runs.map((m) => m[k] ?? 0)), 0)), ortCpu,
    ours.map((runs) => ROWS.reduce((sum, [k]) => sum + min(runs.map((m) => m[`${k} cpu`] ?? 0)), 0)),
    oursMedian((m) => rowSum(m, ' cpu')), ALL, 'the rows above');
  line('whole', sample.ortCpu.map(min), sample.ortCpu.map(median), sample.oursCpu.map(min), sample.oursCpu.map(median), ALL,
    'await session.run / predict, unprofiled, as the bench times them (process CPU time, fastest run)');
  console.log(`  Checks: pixprep's instrumented predict ${f(median(oursMedian((m) => m['total cpu'])))} µs, of which ` +
    `${f(median(oursMedian((m) => m['total cpu'] - rowSum(m, ' cpu'))))} outside the rows (checks, source, output array, ` +
    `the timers). ORT's fastest profiled run: model_run ${f(median(ortFastest((m) => m.total)))} µs, its nodes ` +
    `${f(median(ortFastest((m) => m.nodes)))} µs; unprofiled session.run, fastest wall ` +
    `${f(median(sample.ortRun.map(min)))} µs, profiled ${f(median(sample.ortProfiledRun.map(min)))} µs. Ratio of the ` +
    `per-round median runs: CPU ${f(median(sample.ortCpu.map((runs, r) => median(runs) / median(sample.oursCpu[r]))), 2)}×, ` +
    `wall ${f(median(sample.ortRun.map((runs, r) => median(runs) / median(sample.oursRun[r]))), 2)}×`);
  if (kernelCalls.size === 0) continue;
  console.log('  pixprep kernel calls inside the layers (CPU µs per predict, median; calls per predict):');
  for (const [key, list] of kernelCalls) {
    console.log(`    ${key.padEnd(36)} ${f(median(list.map((t) => t.us))).padStart(9)}  ${String(list[0].n).padStart(3)}`);
  }
}
