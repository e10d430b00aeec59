// Where one JPEG's time goes, in pixprep and in PIL, in the same run: what the bench's image row (bench/cases/images.ts:
// 320×240 JPEGs → Keras' load_img(target_size=(224, 224)) + img_to_array + standardize) is made of (docs/jpeg.md).
//
//   node scripts/profile-jpeg.mjs [--files 100] [--rounds 7] [--width 320] [--height 240] [--size 224] [dist]
//   node scripts/profile-jpeg.mjs --kernel-min [--rounds 7] [dist]
//
// --kernel-min times only pixprep's stages, for comparing two builds (run it on each dist folder, alternately):
// each file is decoded `rounds` times and each stage's time is the file's fastest of them, summed over the files
// (µs per image). The minimum drops what another process took while the call ran, which a loaded machine adds to
// any mean; what remains is the code's own time, comparable between runs minutes apart.
//
// The files are written by scripts/reference/image_jpegs.py (PIL, quality 90, 4:2:0; its crops are seeded, so every
// run profiles the same bytes). pixprep's stages are timed per image with performance.now around each call on this
// thread: the file read (readImageFileSync, as the decode pool does), then inside decodePrepared (decode + resize, as
// the pool runs them) the backend's kernels, each wrapped: entropy decoding (jpegDecodeSequential), dequantization +
// IDCT (jpegIdctIslow), upsampling + colour (jpegUpsampleFancy, jpegYccToRgb), the resize (resizeNearestU8: nearest,
// Keras' default); what decodePrepared spends outside them is "markers + glue" (marker parsing, table building, heap
// blocks, copies); then the bench's standardize (the affine kernel, as a directory flow runs it). A separate loop times reading the files alone
// with fs.promises.readFile (what the pool used before) and readImageFileSync. A last row times the same files through DecodePool.decodeMany (concurrency 0) + the same
// standardize, as the bench row does: the difference from the sum of stages is the stream's own cost (promises,
// prefetch window). PIL's stages are timed the same way by a Python child (time.perf_counter per image): read (open +
// read), decode (Image.open + load), resize (NEAREST), np.asarray float32, standardize. The two sides alternate
// round by round, so both see about the same load; the table gives each stage's median over rounds of its mean per
// image, and process CPU times where they differ from wall time. Times are µs per image.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { scriptArgs } from './script-args.mjs';

const { number, flag, rest: args } = scriptArgs();
const kernelMin = flag('--kernel-min');
const count = number('--files', 100);
const rounds = number('--rounds', 7);
const width = number('--width', 320);
const height = number('--height', 240);
const size = number('--size', 224);
const dist = resolve(args[0] ?? 'dist');
const url = (p) => pathToFileURL(`${dist}/${p}`).href;
const backend = await import(url('runtime/backend.js'));
const { readImageFile, readImageFileSync } = await import(url('image/load-node.js'));
// A build from before decodePrepared and readImageFileSync (to compare with): decodeImage then prepareImg, and the
// asynchronous read, as its decode pool ran them.
const decodePrepared = (await import(url('image/prepare.js')).catch(() => null))?.decodePrepared ?? await (async () => {
  const { decodeImage } = await import(url('image/decode.js'));
  const { prepareImg } = await import(url('image/load.js'));
  return (bytes, name, o) => {
    const img = decodeImage(bytes, name);
    return { img: prepareImg(img, o), decoded: img.shape };
  };
})();
const readFileOf = readImageFileSync === undefined ? (where, f) => readImageFile(where, f) : readImageFileSync;
const { resolveLoadOptions } = await import(url('image/options.js'));
const { DecodePool } = await import(url('image/decode-pool-node.js'));
backend.setThreads(1);

const PYTHON = '/usr/bin/python3';
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixprep-profile-jpeg-'));
const made = spawnSync(PYTHON, [join(here, 'reference', 'image_jpegs.py'), dir, String(count), String(width), String(height)], { encoding: 'utf8' });
if (made.status !== 0) throw new Error(`image_jpegs.py failed: ${made.stderr}`);
const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(dir, f));

const MEAN = [123.675, 116.28, 103.53];
const STD = [58.395, 57.12, 57.375];
/**
 * The bench's standardize (bench/cases/images.ts), as a directory flow runs it: the image copied into kernel memory,
 * then the affine kernel's x·(1/std) + (−mean/std) in float32.
 */
const standardize = (() => {
  const { heap, kernels: k } = backend.currentBackend();
  const n = size * size * 3;
  const input = heap.block('u8', n);
  const output = heap.block('f32', n);
  const mul = heap.block('f32', 3);
  const add = heap.block('f32', 3);
  for (let c = 0; c < 3; c++) {
    mul.view[c] = 1 / STD[c];
    add.view[c] = -MEAN[c] / STD[c];
  }
  return (data) => {
    input.view.set(data);
    k.affineU8(output.view, input.view, n, 3, mul.view, add.view);
  };
})();

// The kernels of the backend in use, wrapped to add their wall time to a stage.
const STAGE_OF = {
  jpegDecodeSequential: 'entropy decoding',
  jpegIdctIslow: 'dequantize + IDCT',
  jpegUpsampleFancy: 'upsample + colour',
  jpegYccToRgb: 'upsample + colour',
  resizeNearestU8: 'resize (nearest)',
};
const kernels = backend.currentBackend().kernels;
const spent = {};
for (const [name, stage] of Object.entries(STAGE_OF)) {
  const inner = kernels[name];
  kernels[name] = (...a) => {
    const t = performance.now();
    const r = inner(...a);
    spent[stage] = (spent[stage] ?? 0) + performance.now() - t;
    return r;
  };
}

const options = resolveLoadOptions('profile', { targetSize: [size, size], interpolation: 'nearest' });
const PIXPREP_ROWS = ['file read', 'markers + glue', 'entropy decoding', 'dequantize + IDCT', 'upsample + colour', 'resize (nearest)', 'standardize (affine kernel)'];
const READ_ROWS = ['file read, fs.promises.readFile', 'file read, readImageFileSync'];

async function pixprepRound() {
  const sums = Object.fromEntries(PIXPREP_ROWS.map((r) => [r, 0]));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const f of files) {
    let t = performance.now();
    const bytes = await readFileOf('profile', f);
    sums['file read'] += performance.now() - t;
    for (const k of Object.keys(spent)) spent[k] = 0;
    t = performance.now();
    const { img: small } = decodePrepared(bytes, f, options);
    const decodeTime = performance.now() - t;
    let inKernels = 0;
    for (const [k, v] of Object.entries(spent)) {
      sums[k] += v;
      inKernels += v;
    }
    sums['markers + glue'] += decodeTime - inKernels;
    t = performance.now();
    standardize(small.data);
    sums['standardize (affine kernel)'] += performance.now() - t;
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const perImage = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, (v * 1000) / files.length]));
  perImage.total = (wall * 1000) / files.length;
  perImage.cpu = (cpu.user + cpu.system) / files.length;
  return perImage;
}

/** The two ways of reading the files, alone (the decode pool read with the first before, with the second now). */
async function readRound() {
  const t0 = performance.now();
  for (const f of files) new Uint8Array(await readFile(f));
  const t1 = performance.now();
  for (const f of files) if (readImageFileSync !== undefined) readImageFileSync('profile', f);
  const t2 = performance.now();
  return { [READ_ROWS[0]]: ((t1 - t0) * 1000) / files.length, [READ_ROWS[1]]: ((t2 - t1) * 1000) / files.length };
}

async function streamRound() {
  const pool = new DecodePool({ concurrency: 0 });
  const t0 = performance.now();
  for await (const img of pool.decodeMany(files, { targetSize: [size, size], interpolation: 'nearest' })) standardize(img.data);
  const wall = performance.now() - t0;
  await pool.dispose();
  return (wall * 1000) / files.length;
}

const PIL = String.raw`
import io, json, sys, time, resource
import numpy as np
from PIL import Image
files = sys.argv[1:-1]
h = w = int(sys.argv[-1])
mean = np.asarray([123.675, 116.28, 103.53], dtype=np.float32)
std = np.asarray([58.395, 57.12, 57.375], dtype=np.float32)
rows = ['file read', 'decode (Image.open + load)', 'resize (NEAREST)', 'np.asarray float32', 'standardize']
sums = dict.fromkeys(rows, 0.0)
pc = time.perf_counter
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = pc()
for f in files:
    t = pc()
    with open(f, 'rb') as fh:
        data = fh.read()
    sums['file read'] += pc() - t
    t = pc()
    img = Image.open(io.BytesIO(data))
    img.load()
    if img.mode != 'RGB':
        img = img.convert('RGB')
    sums['decode (Image.open + load)'] += pc() - t
    t = pc()
    img = img.resize((w, h), Image.NEAREST)
    sums['resize (NEAREST)'] += pc() - t
    t = pc()
    x = np.asarray(img, dtype=np.float32)
    sums['np.asarray float32'] += pc() - t
    t = pc()
    x = (x - mean) / std
    sums['standardize'] += pc() - t
wall = pc() - t0
r1 = resource.getrusage(resource.RUSAGE_SELF)
out = {k: v * 1e6 / len(files) for k, v in sums.items()}
out['total'] = wall * 1e6 / len(files)
out['cpu'] = ((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)) * 1e6 / len(files)
print(json.dumps(out))
`;

function pilRound() {
  const r = spawnSync(PYTHON, ['-c', PIL, ...files, String(size)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PIL round failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

if (kernelMin) {
  const best = {};
  for (const f of files) {
    const bytes = await readFileOf('profile', f);
    const fastest = {};
    for (let r = 0; r < rounds + 1; r++) {
      for (const k of Object.keys(spent)) spent[k] = 0;
      const t = performance.now();
      decodePrepared(bytes, f, options);
      const all = performance.now() - t;
      let inKernels = 0;
      for (const v of Object.values(spent)) inKernels += v;
      if (r === 0) continue; // warm-up
      for (const [k, v] of [...Object.entries(spent), ['markers + glue', all - inKernels], ['decode + resize', all]]) {
        fastest[k] = Math.min(fastest[k] ?? Infinity, v);
      }
    }
    for (const [k, v] of Object.entries(fastest)) best[k] = (best[k] ?? 0) + v;
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`${dist}: fastest of ${rounds} per file, µs per image: ` +
    Object.entries(best).map(([k, v]) => `${k} ${((v * 1000) / files.length).toFixed(1)}`).join('; '));
  process.exit(0);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const loadBefore = loadavg();
await pixprepRound(); // warm-up: compile the kernels' callers, fill the caches
await streamRound();
const pix = [];
const pil = [];
const stream = [];
const reads = [];
for (let r = 0; r < rounds; r++) {
  reads.push(await readRound());
  pix.push(await pixprepRound());
  stream.push(await streamRound());
  pil.push(pilRound());
}
rmSync(dir, { recursive: true, force: true });

const table = (title, rows, samples) => {
  const total = median(samples.map((s) => s.total));
  const lines = [`| ${title} | µs per image | share |`, '| --- | ---: | ---: |'];
  let sum = 0;
  for (const row of rows) {
    const m = median(samples.map((s) => s[row]));
    sum += m;
    lines.push(`| ${row} | ${m.toFixed(0)} | ${((100 * m) / total).toFixed(0)} % |`);
  }
  lines.push(`| (not in a stage: the loop, timers) | ${(total - sum).toFixed(0)} | ${((100 * (total - sum)) / total).toFixed(0)} % |`);
  lines.push(`| **total, wall** | **${total.toFixed(0)}** | ${(1e6 / total).toFixed(0)} images/s |`);
  lines.push(`| process CPU time | ${median(samples.map((s) => s.cpu)).toFixed(0)} | |`);
  return lines.join('\n');
};

const pixTotal = median(pix.map((s) => s.total));
const pilTotal = median(pil.map((s) => s.total));
const streamTotal = median(stream);
console.log(`${count} JPEGs ${width}×${height} → ${size}×${size}×3 (nearest), ${rounds} rounds after a warm-up; ${cpus()[0].model}, ` +
  `${cpus().length} cores; Node ${process.version}; pixprep ${backend.getBackend()}; load ${loadBefore.map((l) => l.toFixed(2)).join(' ')} ` +
  `before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after\n`);
console.log(table('pixprep, this thread', PIXPREP_ROWS, pix));
console.log();
console.log(table("PIL (Keras' load_img + img_to_array), one process", ['file read', 'decode (Image.open + load)', 'resize (NEAREST)', 'np.asarray float32', 'standardize'], pil));
console.log();
console.log(`Reading alone, µs per file: ${READ_ROWS.map((r) => `${r} ${median(reads.map((x) => x[r])).toFixed(0)}`).join('; ')}`);
console.log(`DecodePool.decodeMany (concurrency 0) + the same standardize, as the bench row: ${streamTotal.toFixed(0)} µs per image ` +
  `(${(1e6 / streamTotal).toFixed(0)} images/s; ${(streamTotal - pixTotal).toFixed(0)} µs more than the staged loop)`);
console.log(`pixprep ÷ PIL by process CPU time per image: ${(median(pil.map((s) => s.cpu)) / median(pix.map((s) => s.cpu))).toFixed(2)}× ` +
  '(on a loaded machine the wall-time ratio depends on how much of a core each side got in its turn; CPU time less so)');
console.log(`pixprep ÷ PIL, images per second: staged loop ${(pilTotal / pixTotal).toFixed(2)}×, decodeMany ${(pilTotal / streamTotal).toFixed(2)}× ` +
  `(round by round: ${pix.map((s, i) => (pil[i].total / s.total).toFixed(2)).join(' ')})`);
