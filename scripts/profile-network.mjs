// The tutorial network's training step and inference at batch 64 on one thread, pixprep (one or more builds) against
// PyTorch measured in the same run, in turns; and pixprep's time per layer (forward and backward) for one step.
//
//   node scripts/profile-network.mjs [--rounds 3] [--steps 8] [dist ...]
//
// Each `dist` is a built pixprep (default: ./dist), e.g. another checkout's dist to compare before and after.
// PyTorch (scripts/reference/tutorial_torch.py's network, torch.set_num_threads(1)) runs when /usr/bin/python3 has
// torch. Times are CPU time of the process (process.cpuUsage, Python's time.process_time), which a loaded machine
// disturbs far less than wall time; still, only ratios between rows of one run mean anything.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  args.splice(i, 2);
  return value;
};
const rounds = option('--rounds', 3);
const steps = option('--steps', 8);
const dists = (args.length ? args : ['dist']).map((d) => resolve(d));
const BATCH = 64;
const IMAGE = 28 * 28;

function seeded(n, seed) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}
const x = seeded(steps * BATCH * IMAGE, 21);
/** CPU time of this process in ms: time spent descheduled on a shared machine does not count. */
const now = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const y = Uint8Array.from(seeded(steps * BATCH, 22), (v) => Math.floor((v + 0.5) * 10));

async function pixprep(dist) {
  const { tutorialModel } = await import(pathToFileURL(`${dist}/tutorial.js`).href);
  // The default backend of that build (relaxed SIMD where this node has it); PIXPREP_BACKEND picks another.
  const { backend } = await import(pathToFileURL(`${dist}/runtime/backend.js`).href);
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
  await model.fit(source, { epochs: 1, verbose: 0 });
  const input = { data: x, shape: [steps * BATCH, 28, 28, 1] };
  model.predict(input, { batchSize: BATCH });
  // Per layer: each instance's forward and backward timed (performance.now() around the call).
  const profile = model.layers.map((layer) => ({ name: `${layer.className} ${layer.outputShape.join('×')}`, forward: 0, backward: 0 }));
  model.layers.forEach((layer, i) => {
    const { forward, backward } = layer;
    layer.forward = function (...a) { const t = now(); forward.apply(this, a); profile[i].forward += now() - t; };
    layer.backward = function (...a) { const t = now(); backward.apply(this, a); profile[i].backward += now() - t; };
  });
  return {
    backend,
    train: async () => {
      for (const p of profile) p.forward = p.backward = 0;
      const t = now();
      await model.fit(source, { epochs: 1, verbose: 0 });
      return { ms: (now() - t) / steps, profile: profile.map((p) => ({ ...p, forward: p.forward / steps, backward: p.backward / steps })) };
    },
    infer: () => {
      const t = now();
      model.predict(input, { batchSize: BATCH });
      return (now() - t) / steps;
    },
  };
}

const TORCH = `
import sys, time, torch, torch.nn.functional as F
torch.set_num_threads(1)
torch.manual_seed(0)
steps, reps = int(sys.argv[1]), int(sys.argv[2])
x = torch.rand(steps, 64, 1, 28, 28) - 0.5
y = torch.randint(0, 10, (steps, 64))
shapes = [(32, 1, 3, 3), (64, 32, 3, 3), (64, 1600), (10, 64)]
params = []
for s in shapes:
    params += [(torch.rand(s) * 0.2 - 0.1).requires_grad_(), torch.zeros(s[0], requires_grad=True)]
k1, b1, k2, b2, d1, c1, d2, c2 = params
def logits(x):
    h = F.max_pool2d(F.relu(F.conv2d(x, k1, b1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, k2, b2)), 2)
    h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)
    return F.linear(F.relu(F.linear(h, d1, c1)), d2, c2)
opt = torch.optim.Adam(params, lr=1e-3, eps=1e-7)
def train():
    for i in range(steps):
        loss = F.cross_entropy(logits(x[i]), y[i])
        opt.zero_grad(); loss.backward(); opt.step()
def infer():
    with torch.no_grad():
        for i in range(steps): logits(x[i])
train(); infer()
for _ in range(reps):
    t = time.process_time(); train(); tr = (time.process_time() - t) / steps
    t = time.process_time(); infer(); inf = (time.process_time() - t) / steps
    print(tr * 1000, inf * 1000)
`;

function torch(reps) {
  const r = spawnSync('/usr/bin/python3', ['-c', TORCH, String(steps), String(reps)], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return r.stdout.trim().split('\n').map((l) => l.split(' ').map(Number));
}

const runners = [];
for (const d of dists) {
  const run = await pixprep(d);
  runners.push({ ...run, name: `${d} (${run.backend})` });
}
const times = new Map();
const add = (key, ms) => (times.get(key) ?? times.set(key, []).get(key)).push(ms);
const profiles = new Map();
let hasTorch = true;
for (let r = 0; r < rounds; r++) {
  for (const run of runners) {
    for (let k = 0; k < 2; k++) {
      const t = await run.train();
      add(`${run.name} train`, t.ms);
      (profiles.get(run.name) ?? profiles.set(run.name, []).get(run.name)).push(t.profile);
      add(`${run.name} infer`, run.infer());
    }
  }
  if (hasTorch) {
    const t = torch(2);
    if (t === null) hasTorch = false;
    else for (const [tr, inf] of t) { add('torch train', tr); add('torch infer', inf); }
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
console.log(`batch ${BATCH}, ${steps} steps per sample, ${rounds} rounds in turns; median CPU ms per batch (images/s)`);
for (const [key, a] of times) {
  const ms = median(a);
  const peer = times.get(`torch ${key.endsWith('train') ? 'train' : 'infer'}`);
  const ratio = peer ? ` = ${(median(peer) / ms).toFixed(2)}× PyTorch` : '';
  console.log(`  ${key}: ${ms.toFixed(2)} ms (${(BATCH * 1000 / ms).toFixed(0)} images/s)${ratio}`);
}
if (!hasTorch) console.log('  torch: skipped (no /usr/bin/python3 with torch)');
for (const [name, list] of profiles) {
  const total = median(times.get(`${name} train`));
  console.log(`per layer, one training step, ${name} (median over samples; share of the step):`);
  for (let i = 0; i < list[0].length; i++) {
    const f = median(list.map((p) => p[i].forward)), b = median(list.map((p) => p[i].backward));
    console.log(`  ${list[0][i].name.padEnd(24)} forward ${f.toFixed(2).padStart(6)} ms (${(100 * f / total).toFixed(1).padStart(4)}%)  ` +
      `backward ${b.toFixed(2).padStart(6)} ms (${(100 * b / total).toFixed(1).padStart(4)}%)`);
  }
}
