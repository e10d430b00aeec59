// The tutorial's second convolution (batch 64, 13×13×32 → 11×11×64, 'valid') on raw wasm builds, kernel by kernel:
// CPU milliseconds per training step of each Winograd kernel (forward: kernel transform, input transform, tile
// products, output transform; backward: output adjoint, kernel-gradient products, input-gradient products, input
// adjoint, kernel adjoint), for several builds and block sizes in alternating rounds, so that a loaded machine loads
// them alike; and how many floats of each build's output, input gradient and kernel gradient differ from the first's.
//
//   [ROUNDS=30] node [--experimental-wasm-relaxed-simd] scripts/winograd-kernels.mjs build/pixprep.wasm@96 old.wasm@36 ...
//
// Each argument is a .wasm file (a release build: build/pixprep.wasm, or build/pixprep.relaxed.wasm with the flag on
// Node 20) and, after @, the tiles per block (default 36; the layer uses winogradBlockTiles: 96 here). It calls the
// exports directly, without the kernel table's adapter, so it also runs builds of other commits.
import { readFileSync } from 'node:fs';
const files = process.argv.slice(2);
const B = 64, H = 13, W = 13, C = 32, F = 64, outH = 11, outW = 11, pad = 0;
const tilesW = 3, tiles = B * 9;
function stride(r, c) { const n = (r * c + 15) & ~15; return (n & 16) ? n : n + 16; }
const planes = (r, c) => 36 * stride(r, c);
// A fixed linear congruential generator: every build sees the same data.
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
const input = Float32Array.from({ length: B * H * W * C }, rnd);
const kernel = Float32Array.from({ length: 9 * C * F }, () => rnd() * 0.1);
const bias = Float32Array.from({ length: F }, () => rnd() * 0.1);
const dOut = Float32Array.from({ length: B * outH * outW * F }, rnd);
const runs = files.map((spec) => {
  const [f, bs] = spec.split('@'); const block = Number(bs ?? 36), blocks = Math.ceil(tiles / block);
  const mod = new WebAssembly.Module(readFileSync(f));
  const ex = new WebAssembly.Instance(mod, {}).exports;
  let top = (ex.heapBase() + 15) & ~15;
  const need = 64 << 20;
  const mem = ex.memory; const grow = Math.ceil((top + need - mem.buffer.byteLength) / 65536); if (grow > 0) mem.grow(grow);
  const alloc = (n) => { const p = top; top += ((n * 4 + 63) & ~63); return p; };
  const p = { input: alloc(input.length), kernel: alloc(kernel.length), bias: alloc(F), out: alloc(B * outH * outW * F),
    dOut: alloc(dOut.length), dIn: alloc(input.length), dK: alloc(kernel.length), u: alloc(planes(C, F)), du: alloc(planes(C, F)),
    v: Array.from({ length: blocks }, () => alloc(planes(block, C))), m: alloc(planes(block, F)) };
  const f32 = () => new Float32Array(mem.buffer);
  f32().set(input, p.input / 4); f32().set(kernel, p.kernel / 4); f32().set(bias, p.bias / 4);
  const t = { kt: 0, it: 0, mul: 0, ot: 0, oa: 0, kg: 0, mulA: 0, ia: 0, ka: 0 };
  const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  function step(timed) {
    let a = now(), b;
    const lap = (k) => { b = now(); if (timed) t[k] += b - a; a = b; };
    ex.winogradKernelTransform(p.u, p.kernel, C, F); lap('kt');
    for (let i = 0; i < blocks; i++) {
      ex.winogradInputTransform(p.v[i], p.input, H, W, C, pad, pad, outH, outW, i * block, Math.min(block, tiles - i * block)); lap('it');
      ex.winogradMultiply(p.m, p.v[i], p.u, Math.min(block, tiles - i * block), C, F, false); lap('mul');
      ex.winogradOutputTransform(p.out, p.m, p.bias, true, outH, outW, F, i * block, Math.min(block, tiles - i * block)); lap('ot');
    }
    f32().set(dOut, p.dOut / 4); f32().fill(0, p.dIn / 4, p.dIn / 4 + input.length); f32().fill(0, p.dK / 4, p.dK / 4 + kernel.length);
    a = now();
    for (let i = 0; i < blocks; i++) {
      ex.winogradOutputAdjoint(p.m, p.dOut, outH, outW, F, i * block, Math.min(block, tiles - i * block)); lap('oa');
      ex.winogradKernelGradient(p.du, p.v[i], p.m, Math.min(block, tiles - i * block), C, F, i > 0); lap('kg');
      ex.winogradMultiply(p.v[i], p.m, p.u, Math.min(block, tiles - i * block), C, F, true); lap('mulA');
      ex.winogradInputAdjoint(p.dIn, p.v[i], H, W, C, pad, pad, outH, outW, i * block, Math.min(block, tiles - i * block)); lap('ia');
    }
    ex.winogradKernelAdjoint(p.dK, p.du, C, F); lap('ka');
  }
  return { f: spec, ex, p, t, step, f32, n: 0 };
});
const rounds = Number(process.env.ROUNDS ?? 30), reps = 3;
for (const r of runs) r.step(false);
for (let k = 0; k < rounds; k++) for (const r of runs) { for (let i = 0; i < reps; i++) r.step(true); r.n += reps; }
const ref = runs[0];
for (const r of runs) {
  const row = Object.entries(r.t).map(([k, v]) => `${k} ${(v / r.n).toFixed(2)}`).join('  ');
  const tot = Object.values(r.t).reduce((s, v) => s + v, 0) / r.n;
  const diff = (name, n) => { const a = ref.f32().subarray(ref.p[name] / 4, ref.p[name] / 4 + n), b = r.f32().subarray(r.p[name] / 4, r.p[name] / 4 + n);
    let mx = 0, neq = 0, sc = 0; for (let i = 0; i < n; i++) { if (a[i] !== b[i]) neq++; mx = Math.max(mx, Math.abs(a[i] - b[i])); sc = Math.max(sc, Math.abs(a[i])); } return `${name}: ${neq} differ, max ${mx.toExponential(1)} / ${sc.toExponential(1)}`; };
  console.log(r.f.split('/').pop(), `total ${tot.toFixed(2)} |`, row);
  console.log('   ', diff('out', B * outH * outW * F), diff('dIn', input.length), diff('dK', kernel.length));
}
