// Image files (issue 18): Keras' load_img + img_to_array + standardization of a folder of photographs, as
// flow_from_directory runs it, on IMAGES JPEG files of 320×240 resized to 224×224 RGB (nearest, Keras' default):
//   pixprep, this thread   — decodeMany with concurrency 0: read, decode (pixprep's own JPEG decoder), resize
//                            (its kernels), then the standardization as a directory flow does it: the image copied
//                            into kernel memory and scaled by the affine kernel, x·(1/std) + (−mean/std) in float32
//                            (src/generator/pipeline.ts folds Keras' (x − mean) / std into that form)
//   pixprep, 2 workers     — the same through the decode pool's 2 worker threads
//   PIL (Keras' load_img)  — python_peer.py: Image.open, convert('RGB'), resize((224, 224), NEAREST),
//                            np.asarray(float32), the same standardization; one process
// The files are written by scripts/reference/image_jpegs.py (PIL): without /usr/bin/python3 and PIL every row is
// skipped. Verified against PIL's own decoded first image (written by the same script run): pixprep's decode and
// resize are byte-exact with PIL's, so the only difference allowed is float32 rounding in the standardization (the
// tolerance bounds it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DecodePool } from '../../src/image/decode-pool-node.js';
import { currentBackend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { pythonImpl, PYTHON } from '../peers/python.js';
import { Skip, type Case, type Impl } from '../runner.js';

const SIZE: [number, number] = [224, 224];
const MEAN = [123.675, 116.28, 103.53];
const STD = [58.395, 57.12, 57.375];
/** Values of the first image compared with the reference (its first rows). */
const CHECKED = 4096;

function script(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [join(here, '..', '..', 'scripts', 'reference', 'image_jpegs.py'), join(here, '..', '..', '..', 'scripts', 'reference', 'image_jpegs.py')]) {
    if (existsSync(c)) return c;
  }
  return null;
}

/**
 * The standardization a directory flow applies to each image (src/generator/pipeline.ts): (x − mean) / std folded
 * into x·mul + add with mul = 1/std and add = −mean/std (float64, then float32), run by the affine kernel on the
 * image copied into kernel memory, as the flow copies each file into its batch there.
 */
class Standardizer {
  private readonly input: HeapBlock<'u8'>;
  private readonly output: HeapBlock<'f32'>;
  private readonly mul: HeapBlock<'f32'>;
  private readonly add: HeapBlock<'f32'>;
  constructor(readonly size: number) {
    const { heap } = currentBackend();
    this.input = heap.block('u8', size);
    this.output = heap.block('f32', size);
    this.mul = heap.block('f32', 3);
    this.add = heap.block('f32', 3);
    for (let c = 0; c < 3; c++) {
      this.mul.view[c] = 1 / STD[c];
      this.add.view[c] = -MEAN[c] / STD[c];
    }
  }
  run(data: Uint8Array): Float32Array {
    const out = this.output.view;
    this.input.view.set(data);
    currentBackend().kernels.affineU8(out, this.input.view, this.size, 3, this.mul.view, this.add.view);
    return out;
  }
  dispose(): void {
    for (const b of [this.input, this.output, this.mul, this.add]) b.free();
  }
}

function pixprepImpl(name: string, concurrency: number, files: () => string[]): Impl {
  let first: Float32Array | null = null;
  // One pool for the whole case, as a directory flow keeps one across epochs: worker start-up is not timed.
  let pool: DecodePool | null = null;
  let standardizer: Standardizer | null = null;
  return {
    name, role: 'pixprep',
    note: concurrency === 0 ? 'DecodePool.decodeMany, concurrency 0: read, decode, resize and standardize (the affine kernel) on this thread'
      : `DecodePool.decodeMany on ${concurrency} worker threads (read, decode, resize there), standardize (the affine kernel) here`,
    setup: () => {
      pool = new DecodePool({ concurrency });
      standardizer = new Standardizer(SIZE[0] * SIZE[1] * 3);
    },
    teardown: async () => {
      await pool?.dispose();
      standardizer?.dispose();
    },
    run: async () => {
      let i = 0;
      for await (const img of (pool as DecodePool).decodeMany(files(), { targetSize: SIZE, interpolation: 'nearest' })) {
        const out = (standardizer as Standardizer).run(img.data);
        if (i++ === 0) first = out.slice(0, CHECKED);
      }
    },
    output: () => first as Float32Array,
  };
}

export function imagesGroup(quick: boolean): { cases: Case[]; dispose(): void } {
  const count = quick ? 16 : 400;
  let dir: string | null = null;
  let reason: string | null = null;
  const files = (): string[] => {
    if (dir === null && reason === null) {
      const s = script();
      if (s === null) reason = 'scripts/reference/image_jpegs.py not found';
      else if (!existsSync(PYTHON)) reason = `no ${PYTHON}`;
      else {
        const d = mkdtempSync(join(tmpdir(), 'pixprep-jpegs-'));
        const r = spawnSync(PYTHON, [s, d, String(count), '320', '240', '--reference', '224'], { encoding: 'utf8' });
        if (r.status !== 0) {
          rmSync(d, { recursive: true, force: true });
          reason = `${PYTHON} ${s}: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
        } else dir = d;
      }
    }
    if (dir === null) throw new Skip(reason ?? 'no JPEG files');
    return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(dir as string, f));
  };
  const reference = () => {
    files();
    const raw = readFileSync(join(dir as string, 'first-224.rgb'));
    const ref = new Float64Array(CHECKED);
    for (let i = 0; i < CHECKED; i++) ref[i] = (raw[i] - MEAN[i % 3]) / STD[i % 3];
    return ref;
  };
  const guarded = (impl: Impl): Impl => ({ ...impl, setup: async () => { files(); await impl.setup?.(); } });
  const load: Case = {
    name: `images load_img + standardize ${count} JPEG 320×240 → 224×224×3`, section: 'images', kind: 'call',
    unit: 'images/s', work: count, elements: count * SIZE[0] * SIZE[1] * 3, budgetMs: quick ? 0 : 6000, minSampleMs: 0,
    rounds: quick ? 1 : 3,
    verify: {
      reference,
      // PIL's row: (x − mean) / std in float32, two roundings: ≤ 2u·(|ref| + 1) with u = 2⁻²⁴ (|x − mean| ≥ |ref|).
      // pixprep's: fl(fl(x·fl(1/std)) + fl(−mean/std)): ≤ u·(2·255/std + mean/std) for mul, the product and add, and
      // u·|ref| for the sum; 255/std ≤ 4.5 and mean/std ≤ 2.2 here, so both are within u·(|ref| + 16).
      tolerance: { text: '|out − ref| ≤ 2⁻²⁴·(|ref| + 16): float32 rounding of (x − mean) / std, or of x·(1/std) − mean/std', bound: (ref) => 2 ** -24 * (Math.abs(ref) + 16) },
    },
    impls: [
      guarded(pixprepImpl('pixprep, this thread', 0, files)),
      guarded(pixprepImpl('pixprep, 2 worker threads', 2, files)),
      guarded(pythonImpl({
        name: "PIL (Keras' load_img + img_to_array), one process", note: 'python_peer.py pil_load_img: PIL decode (libjpeg-turbo), convert, resize NEAREST, float32 standardize',
        task: 'pil_load_img', needs: 'numpy',
        args: () => ({ files: files(), size: SIZE, mean: MEAN, std: STD, checked: CHECKED }),
      })),
    ],
  };
  return {
    cases: [load],
    dispose: () => {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
}
