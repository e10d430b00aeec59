// The warp kernel of two .wasm builds side by side (issue 17: a faster kernel must be measured against the one it
// replaces in the same run, on the same machine load): the bench's 'augment warp' case (2048 seeded 28×28×1 byte
// images, the light augmentation's transforms drawn as the bench draws them, bilinear, fill 'nearest', unscaled),
// run on each build in turn, alternating, so that the load of a shared machine falls on both alike. Prints the
// median images/s (per CPU second) of each and their ratio, and checks that both builds give the same bits.
//
//   node scripts/profile-warp.mjs OLD.wasm NEW.wasm [--rounds 15] [--mode 0] [--order 1] [--f32] [dist]
//
// Copy build/pixprep.wasm aside before changing assembly/warp.ts, rebuild, then compare the two.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scriptArgs } from './script-args.mjs';

const { number: option, flag, rest: args } = scriptArgs();
const rounds = option('--rounds', 15);
const mode = option('--mode', 0);
const order = option('--order', 1);
const floats = flag('--f32');
const [oldPath, newPath, distArg] = args;
if (!oldPath || !newPath) throw new Error('usage: node scripts/profile-warp.mjs OLD.wasm NEW.wasm [--rounds N] [dist]');
const dist = resolve(distArg ?? 'dist');
const url = (p) => pathToFileURL(`${dist}/${p}`).href;
const { resolveAugmentation } = await import(url('generator/augment-options.js'));
const { drawTransform, warpParams } = await import(url('generator/augment.js'));
const { Random } = await import(url('random.js'));

const N = 2048, H = 28, W = 28, P = 8;
const LIGHT = { rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1 };
const options = resolveAugmentation(LIGHT);
const random = new Random(1);
const params = new Float64Array(N * P);
for (let i = 0; i < N; i++) warpParams(drawTransform(random, options, H, W), H, W, params, i * P);
const images = new Uint8Array(N * H * W);
const bytes = new Random(17);
for (let i = 0; i < images.length; i++) images[i] = bytes.nextUint32() & 255;

/** One build's warp, with the inputs placed in its memory past its static area. */
function load(path) {
  const { exports: k } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {});
  const align = (n) => (n + 15) & ~15;
  let at = align(k.heapBase());
  const take = (bytes) => ((at += align(bytes)), at - align(bytes));
  const x = take(floats ? images.length * 4 : images.length), p = take(params.length * 8), out = take(N * H * W * 4);
  const mul = take(4), add = take(4);
  const need = at - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
  const buf = k.memory.buffer;
  if (floats) new Float32Array(buf, x, images.length).set(images);
  else new Uint8Array(buf, x, images.length).set(images);
  new Float64Array(buf, p, params.length).set(params);
  new Float32Array(buf, mul, 1)[0] = 1;
  new Float32Array(buf, add, 1)[0] = 0;
  const view = new Float32Array(buf, out, N * H * W);
  const warp = floats ? k.warpF32 : k.warpU8;
  return {
    run: () => warp(out, x, p, N, H, W, 1, false, mode, order, 0, mul, add),
    output: () => (view.fill(NaN), warp(out, x, p, N, H, W, 1, false, mode, order, 0, mul, add), view.slice()),
  };
}

const builds = [load(oldPath), load(newPath)];
const [a, b] = builds.map((k) => k.output());
let differ = 0;
const au = new Uint32Array(a.buffer), bu = new Uint32Array(b.buffer);
for (let i = 0; i < au.length; i++) if (au[i] !== bu[i]) differ++;
console.log(`outputs: ${differ === 0 ? 'bit-identical' : `${differ} of ${au.length} values differ`}`);

// CPU time of this process, ms: on a shared machine, wall time also counts the turns other processes take.
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = [[], []];
const repeat = 20;
for (let r = 0; r < rounds; r++) {
  for (const j of r % 2 ? [1, 0] : [0, 1]) {
    const t = cpu();
    for (let i = 0; i < repeat; i++) builds[j].run();
    times[j].push((cpu() - t) / repeat);
  }
}
const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
const rate = times.map((t) => N / (median(t) / 1000));
console.log(`old ${Math.round(rate[0]).toLocaleString('en')} images/s, new ${Math.round(rate[1]).toLocaleString('en')} images/s: new/old ${(rate[1] / rate[0]).toFixed(3)} (load ${loadavg()[0].toFixed(2)})`);
