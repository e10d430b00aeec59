// The tutorial network at batch 64 on one thread: pixprep against PyTorch in the same run, per training step, per
// inference batch, and per layer (forward and backward), on both clocks: wall time (performance.now,
// time.perf_counter) and CPU time (process.cpuUsage for node; time.thread_time of Python's main thread, where torch
// runs all of its work at one thread: its process has a second thread that sometimes spins, and in one run doubled
// torch's process CPU time, so process_time overstated torch's work).
//
//   node [--experimental-wasm-relaxed-simd] scripts/profile-network.mjs [--rounds 15] [--steps 4] [--kernels] [dist ...]
//
// Each `dist` is a built pixprep (default ./dist), e.g. another checkout's dist to compare before and after; each
// runs on every wasm backend it has in this node (the relaxed build only with the flag on Node 20).
// PyTorch (scripts/reference/tutorial_torch.py's network, torch.set_num_threads(1)) runs as one long-lived Python
// process that times the same work on request, so pixprep and PyTorch alternate in short rounds and each round
// gives a ratio: on a machine others load, a round's two sides see about the same load, and the median of the
// ratios is steadier than a ratio of medians. Ratios are PyTorch time ÷ pixprep time (above 1: pixprep faster).
// --kernels adds the CPU time of each kernel call inside each layer, from separate instrumented steps.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scriptArgs } from './script-args.mjs';
import { seededFloats } from './seeded-floats.mjs';

const { number: option, flag, rest: args } = scriptArgs();
const rounds = option('--rounds', 15);
const steps = option('--steps', 4);
const withKernels = flag('--kernels');
const dists = (args.length ? args : ['dist']).map((d) => resolve(d));
const BATCH = 64;
const IMAGE = 28 * 28;

const x = seededFloats(steps * BATCH * IMAGE, 21, 0.5);
const y = Uint8Array.from(seededFloats(steps * BATCH, 22, 0.5), (v) => Math.floor((v + 0.5) * 10));
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const wall = () => performance.now();

// The tutorial network's layers, as both sides name them, with the FLOPs of a direct evaluation at batch 64
// (forward; backward is the input gradient plus the kernel gradient, or only the kernel gradient for the first layer).
const LAYERS = ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'dense1', 'dense2'];
const FLOPS = {
  conv1: [2 * BATCH * 26 * 26 * 32 * 9, 2 * BATCH * 26 * 26 * 32 * 9],
  conv2: [2 * BATCH * 11 * 11 * 64 * 9 * 32, 2 * 2 * BATCH * 11 * 11 * 64 * 9 * 32],
  dense1: [2 * BATCH * 1600 * 64, 2 * 2 * BATCH * 1600 * 64],
  dense2: [2 * BATCH * 64 * 10, 2 * 2 * BATCH * 64 * 10],
};

async function pixprep(dist, backendName) {
  const { tutorialModel } = await import(pathToFileURL(`${dist}/tutorial.js`).href);
  const backend = await import(pathToFileURL(`${dist}/runtime/backend.js`).href);
  backend.setBackend(backendName); // a model keeps the backend it was built on
  const source = {
    batchSize: BATCH, imageShape: [28, 28, 1], labelWidth: 1, sampleCount: steps * BATCH, length: steps,
    batchInto(i, xs, ys) {
      xs.set(x.subarray(i * BATCH * IMAGE, (i + 1) * BATCH * IMAGE));
      if (ys !== null) for (let j = 0; j < BATCH; j++) ys[j] = y[i * BATCH + j];
      return BATCH;
    },
    onEpochEnd() {},
  };
  const model = tutorialModel({ seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const input = { data: x, shape: [steps * BATCH, 28, 28, 1] };
  await model.fit(source, { epochs: 1, verbose: 0 });
  model.predict(input, { batchSize: BATCH });

  // Per layer: each layer's forward and backward timed on both clocks; when `kernels`, each kernel call too.
  const kernels = backend.availableBackends().find((b) => b.name === backendName).kernels;
  let layerNow = null;
  let kernelTimes = null;
  let instrumented = false;
  const perLayer = LAYERS.map(() => ({ forward: [0, 0], backward: [0, 0] }));
  model.layers.forEach((layer, i) => {
    for (const pass of ['forward', 'backward']) {
      const original = layer[pass];
      layer[pass] = function (...a) {
        if (!instrumented) return original.apply(this, a);
        layerNow = `${LAYERS[i]} ${pass}`;
        const w = wall(), c = cpu();
        original.apply(this, a);
        perLayer[i][pass][0] += wall() - w;
        perLayer[i][pass][1] += cpu() - c;
        layerNow = null;
      };
    }
  });
  const originals = { ...kernels };
  const countKernels = (on) => {
    for (const name of Object.keys(originals)) {
      if (typeof originals[name] !== 'function') continue;
      kernels[name] = on ? (...a) => {
        const c = cpu();
        const r = originals[name](...a);
        const key = `${layerNow ?? 'loss+optimizer'}: ${name}`;
        const t = kernelTimes.get(key) ?? { ms: 0, calls: 0 };
        t.ms += cpu() - c;
        t.calls++;
        kernelTimes.set(key, t);
        return r;
      } : originals[name];
    }
  };
  return {
    name: `${dist.replace(process.cwd() + '/', '')} ${backendName}`,
    train: async () => {
      const w = wall(), c = cpu();
      await model.fit(source, { epochs: 1, verbose: 0 });
      return [(wall() - w) / steps, (cpu() - c) / steps];
    },
    infer: () => {
      const w = wall(), c = cpu();
      model.predict(input, { batchSize: BATCH });
      return [(wall() - w) / steps, (cpu() - c) / steps];
    },
    layers: async () => {
      for (const p of perLayer) p.forward = [0, 0], p.backward = [0, 0];
      instrumented = true;
      await model.fit(source, { epochs: 1, verbose: 0 });
      instrumented = false;
      return perLayer.map((p) => ({ forward: p.forward.map((t) => t / steps), backward: p.backward.map((t) => t / steps) }));
    },
    kernels: async () => {
      kernelTimes = new Map();
      instrumented = true;
      countKernels(true);
      await model.fit(source, { epochs: 1, verbose: 0 });
      countKernels(false);
      instrumented = false;
      return new Map([...kernelTimes].map(([k, t]) => [k, { ms: t.ms / steps, calls: t.calls / steps }]));
    },
  };
}

// The PyTorch side: the same network and Keras' Adam, one thread; each request answered with one JSON line.
// Per layer: forward by timestamps between the layers; backward by tensor hooks, which fire when the gradient with
// respect to a layer's output is ready, so the time between two hooks is the layer in between (its relu included,
// as pixprep fuses it into the layer).
const TORCH = String.raw`
import sys, json, time, torch, torch.nn.functional as F
torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.manual_seed(0)
steps = int(sys.argv[1])
x = torch.rand(steps, 64, 1, 28, 28) - 0.5
y = torch.randint(0, 10, (steps, 64))
shapes = [(32, 1, 3, 3), (64, 32, 3, 3), (64, 1600), (10, 64)]
params = []
for s in shapes:
    params += [(torch.rand(s) * 0.2 - 0.1).requires_grad_(), torch.zeros(s[0], requires_grad=True)]
k1, b1, k2, b2, d1, c1, d2, c2 = params
opt = torch.optim.Adam(params, lr=1e-3, eps=1e-7)
clocks = lambda: (time.perf_counter() * 1000, time.thread_time() * 1000)
def logits(x, marks=None, hooks=None):
    stages = [lambda h: F.relu(F.conv2d(h, k1, b1)), lambda h: F.max_pool2d(h, 2),
              lambda h: F.relu(F.conv2d(h, k2, b2)), lambda h: F.max_pool2d(h, 2),
              lambda h: h.permute(0, 2, 3, 1).reshape(h.shape[0], -1),
              lambda h: F.relu(F.linear(h, d1, c1)), lambda h: F.linear(h, d2, c2)]
    h = x
    for i, stage in enumerate(stages):
        h = stage(h)
        if marks is not None:
            marks.append(clocks())
        if hooks is not None and h.requires_grad:
            h.register_hook(lambda g, i=i: hooks.append((i, clocks())))
    return h
def train():
    for i in range(steps):
        loss = F.cross_entropy(logits(x[i]), y[i])
        opt.zero_grad(); loss.backward(); opt.step()
def infer():
    with torch.no_grad():
        for i in range(steps): logits(x[i])
def layers():
    fwd = [[0.0, 0.0] for _ in range(7)]; bwd = [[0.0, 0.0] for _ in range(7)]
    for i in range(steps):
        marks = [clocks()]; hooks = []
        out = logits(x[i], marks, hooks)
        loss = F.cross_entropy(out, y[i])
        opt.zero_grad(); loss.backward(); end = clocks(); opt.step()
        for j in range(7):
            for c in range(2): fwd[j][c] += marks[j + 1][c] - marks[j][c]
        # hooks fire for the outputs of layers 6, 5, ..., 0 in that order; layer j's backward runs from the hook of
        # its output to the hook of its input (the end of backward for the first layer).
        at = {j: t for j, t in hooks}
        for j in range(7):
            nxt = at[j - 1] if j > 0 else end
            for c in range(2): bwd[j][c] += nxt[c] - at[j][c]
    return [{'forward': [v / steps for v in fwd[j]], 'backward': [v / steps for v in bwd[j]]} for j in range(7)]
def timed(f):
    w, c = clocks(); f(); w2, c2 = clocks()
    return [(w2 - w) / steps, (c2 - c) / steps]
train(); infer(); layers()
print('ready', flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == 'train': print(json.dumps(timed(train)), flush=True)
    elif cmd == 'infer': print(json.dumps(timed(infer)), flush=True)
    elif cmd == 'layers': print(json.dumps(layers()), flush=True)
    elif cmd == 'versions': print(json.dumps(torch.__version__), flush=True)
    elif cmd == 'threads':
        import os
        ticks = {}
        for t in os.listdir('/proc/self/task'):
            f = open('/proc/self/task/%s/stat' % t).read().rsplit(') ', 1)[1].split(' ')
            ticks[t] = int(f[11]) + int(f[12])
        print(json.dumps(ticks), flush=True)
`;

async function torchPeer() {
  const child = spawn('/usr/bin/python3', ['-c', TORCH, String(steps)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('error', (error) => { stderr += String(error.message); }); // no /usr/bin/python3: the lines just end
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`python peer ended: ${stderr.slice(-500)}`);
    return r.value;
  };
  try {
    if ((await next()) !== 'ready') return null;
  } catch (error) {
    console.log(`  torch: skipped (${String(error.message).split('\n').slice(-2).join(' ')})`);
    return null;
  }
  const ask = async (cmd) => {
    child.stdin.write(`${cmd}\n`);
    return JSON.parse(await next());
  };
  return { version: await ask('versions'), ask, close: () => child.stdin.end() };
}

const runners = [];
for (const d of dists) {
  const { availableBackends } = await import(pathToFileURL(`${d}/runtime/backend.js`).href);
  for (const b of availableBackends()) if (b.name !== 'js') runners.push(await pixprep(d, b.name));
}
const torch = await torchPeer();
const samples = new Map();
const add = (key, value) => (samples.get(key) ?? samples.set(key, []).get(key)).push(value);
const median = (a) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const CLOCKS = ['wall', 'cpu'];
for (let r = 0; r < rounds; r++) {
  const peer = torch ? { train: await torch.ask('train'), infer: await torch.ask('infer'), layers: await torch.ask('layers') } : null;
  for (const run of runners) {
    const t = { train: await run.train(), infer: run.infer(), layers: await run.layers() };
    for (const [c, clock] of CLOCKS.entries()) {
      for (const task of ['train', 'infer']) {
        add(`${run.name}|${task}|${clock}`, t[task][c]);
        if (peer) add(`${run.name}|${task}|${clock}|ratio`, peer[task][c] / t[task][c]);
      }
      for (let i = 0; i < LAYERS.length; i++) {
        for (const pass of ['forward', 'backward']) {
          add(`${run.name}|${LAYERS[i]} ${pass}|${clock}`, t.layers[i][pass][c]);
          if (peer) add(`${run.name}|${LAYERS[i]} ${pass}|${clock}|ratio`, peer.layers[i][pass][c] / t.layers[i][pass][c]);
        }
      }
    }
    if (withKernels && r >= rounds - 3) for (const [k, v] of await run.kernels()) add(`${run.name}|kernel|${k}`, v);
  }
  if (peer) {
    for (const [c, clock] of CLOCKS.entries()) {
      for (const task of ['train', 'infer']) add(`torch|${task}|${clock}`, peer[task][c]);
      for (let i = 0; i < LAYERS.length; i++) {
        for (const pass of ['forward', 'backward']) add(`torch|${LAYERS[i]} ${pass}|${clock}`, peer.layers[i][pass][c]);
      }
    }
  }
}
if (torch) console.log('torch threads, CPU ticks:', JSON.stringify(await torch.ask('threads')));
torch?.close();

const loads = (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`batch ${BATCH}, one thread, ${steps} steps per sample, ${rounds} rounds alternating pixprep and PyTorch` +
  `${torch ? ` ${torch.version}` : ''}; node ${process.version}; load average at the end ${loads}`);
console.log('medians per batch; ratio = median over rounds of (PyTorch time ÷ pixprep time), above 1: pixprep faster');
const f = (v) => v.toFixed(2).padStart(6);
const fr = (v) => (v === undefined ? '     -' : `${v.toFixed(2).padStart(5)}×`);
const rows = [...runners.map((r) => r.name), ...(torch ? ['torch'] : [])];
for (const task of ['train', 'infer']) {
  for (const name of rows) {
    const parts = CLOCKS.map((clock) => {
      const ms = median(samples.get(`${name}|${task}|${clock}`));
      const ratio = samples.get(`${name}|${task}|${clock}|ratio`);
      return `${clock} ${f(ms)} ms (${(BATCH * 1000 / ms).toFixed(0).padStart(5)} images/s)` +
        (ratio ? ` ratio ${fr(median(ratio))}` : '');
    });
    console.log(`  ${task === 'train' ? 'training step' : 'inference    '}  ${name.padEnd(28)} ${parts.join('   ')}`);
  }
}
for (const run of runners) {
  console.log(`\nper layer, one training step (${run.name}); GFLOP/s = direct-convolution FLOPs ÷ wall time`);
  console.log(`  ${'layer'.padEnd(17)} ${'pixprep wall'.padStart(12)} ${'cpu'.padStart(6)} ${'GFLOP/s'.padStart(7)}  ` +
    `${'torch wall'.padStart(10)} ${'cpu'.padStart(6)} ${'GFLOP/s'.padStart(7)}  ${'ratio wall'.padStart(10)} ${'cpu'.padStart(6)}`);
  let sums = [0, 0, 0, 0];
  for (const layer of LAYERS) {
    for (const pass of ['forward', 'backward']) {
      const key = `${layer} ${pass}`;
      const [pw, pc] = CLOCKS.map((c) => median(samples.get(`${run.name}|${key}|${c}`)));
      const [tw, tc] = torch ? CLOCKS.map((c) => median(samples.get(`torch|${key}|${c}`))) : [NaN, NaN];
      const [rw, rc] = CLOCKS.map((c) => samples.get(`${run.name}|${key}|${c}|ratio`)).map((s) => s && median(s));
      const flops = FLOPS[layer]?.[pass === 'forward' ? 0 : 1];
      const gf = (ms) => (flops === undefined || !(ms > 0) ? '' : (flops / ms / 1e6).toFixed(1));
      sums = [sums[0] + pw, sums[1] + pc, sums[2] + tw, sums[3] + tc];
      console.log(`  ${key.padEnd(17)} ${f(pw).padStart(12)} ${f(pc)} ${gf(pw).padStart(7)}  ${f(tw).padStart(10)} ${f(tc)} ` +
        `${gf(tw).padStart(7)}  ${fr(rw).padStart(10)} ${fr(rc)}`);
    }
  }
  const [sw, sc] = CLOCKS.map((c) => median(samples.get(`${run.name}|train|${c}`)));
  const [tw, tc] = torch ? CLOCKS.map((c) => median(samples.get(`torch|train|${c}`))) : [NaN, NaN];
  console.log(`  ${'layers, sum'.padEnd(17)} ${f(sums[0]).padStart(12)} ${f(sums[1])} ${''.padStart(7)}  ${f(sums[2]).padStart(10)} ${f(sums[3])}`);
  console.log(`  ${'whole step'.padEnd(17)} ${f(sw).padStart(12)} ${f(sc)} ${''.padStart(7)}  ${f(tw).padStart(10)} ${f(tc)}` +
    `   (the rest: loss, optimizer, batch copy, fit's loop)`);
  if (withKernels) {
    console.log(`  kernels inside the layers (CPU ms per step, median of the last 3 rounds; calls per step; % of the step's CPU time):`);
    const prefix = `${run.name}|kernel|`;
    for (const [key, list] of samples) {
      if (!key.startsWith(prefix)) continue;
      const ms = median(list.map((v) => v.ms));
      console.log(`    ${key.slice(prefix.length).padEnd(44)} ${f(ms)} ms  ${String(list[0].calls).padStart(4)} calls  ` +
        `(${(100 * ms / sc).toFixed(1).padStart(4)}%)`);
    }
  }
}
