// ZCA whitening (issue 8) at real sizes: the covariance step through the gemm kernel (GFLOP/s, 2·n·D² flops per
// fit), a whole fit (covariance, float64 eigendecomposition, W), and W applied to one epoch of flow (images/s).
// pixprep has no peer here (Keras needs the data as one float32 array and a D² SVD): these are call rows, each
// verified against float64. The 32×32×3 case (D = 3072, about a minute) runs only when asked for: --filter zca.
import { base64ToFloat32 } from '../../src/base64.js';
import { ImageDataGenerator } from '../../src/generator/image-data-generator.js';
import { CovarianceAccumulator, ZCA_DEFAULT_CHUNK_ROWS } from '../../src/generator/zca.js';
import { Random } from '../../src/random.js';
import { currentBackend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { seededBytes } from '../data.js';
import type { Case, Tune } from '../runner.js';
import { U } from '../verify.js';

/** One timed call after the verified one: a fit takes seconds. */
const ONCE: Tune & { rounds: number } = { budgetMs: 0, minSampleMs: 0, rounds: 1 };
const EPSILON = 0.1;
const OPTIONS = { rescale: 1 / 255, zcaWhitening: true, zcaEpsilon: EPSILON } as const;

interface Shape { n: number; h: number; w: number; c: number }

/** Float64 sums the three references need: per-pixel means of the rows, and the rows centred by channel mean. */
function statistics(rows: Float32Array, n: number, D: number, c: number) {
  const pixelMean = new Float64Array(D);
  for (let r = 0; r < n; r++) for (let i = 0; i < D; i++) pixelMean[i] += rows[r * D + i];
  for (let i = 0; i < D; i++) pixelMean[i] /= n;
  const channelMean = new Float64Array(c);
  for (let i = 0; i < D; i++) channelMean[i % c] += pixelMean[i] / (D / c);
  return { pixelMean, channelMean };
}

function casesFor({ n, h, w, c }: Shape, withEpoch: boolean): Case[] {
  const D = h * w * c;
  const bytes = seededBytes(n * D, D + n);
  const x = { data: bytes, shape: [n, h, w, c] };
  const rows = new Float32Array(n * D);
  for (let i = 0; i < rows.length; i++) rows[i] = bytes[i] / 255;
  const label = `${n}×${h}×${w}×${c}`;
  let stats: ReturnType<typeof statistics> | null = null;
  const stat = () => (stats ??= statistics(rows, n, D, c));

  // Covariance: 64 entries of the co-moment Σ(x − p)(x − p)ᵀ (p the per-pixel mean), drawn at random.
  const random = new Random(5);
  const pairs = Array.from({ length: 64 }, () => [random.int(D), random.int(D)] as const);
  const absolute = new Float64Array(pairs.length);
  let acc: CovarianceAccumulator | null = null;
  const covariance: Case = {
    name: `zca covariance ${label}`, section: 'zca', kind: 'call', unit: 'GFLOP/s', work: 2 * n * D * D, elements: n * D, ...ONCE,
    impls: [{
      name: 'pixprep wasm-simd', role: 'pixprep',
      note: `CovarianceAccumulator.add: chunks of ${ZCA_DEFAULT_CHUNK_ROWS} centred rows, Xcᵀ·Xc by the gemm kernel, float64 Chan merges (D = ${D})`,
      run: () => {
        acc?.dispose();
        acc = new CovarianceAccumulator(h, w, c);
        acc.add(rows, n);
        acc.dispose();
      },
      output: () => pairs.map(([i, j]) => acc!.comoment[i * D + j]),
      teardown: () => { acc = null; },
    }],
    verify: {
      reference: () => {
        const { pixelMean: p } = stat();
        return Float64Array.from(pairs, ([i, j], k) => {
          let sum = 0;
          let abs = 0;
          for (let r = 0; r < n; r++) {
            const a = rows[r * D + i];
            const b = rows[r * D + j];
            sum += (a - p[i]) * (b - p[j]);
            abs += (Math.abs(a) + Math.abs(p[i])) * (Math.abs(b) + Math.abs(p[j]));
          }
          absolute[k] = abs;
          return sum;
        });
      },
      tolerance: {
        text: `co-moment entries: |out − ref| ≤ (chunk rows + 4)·u·Σ(|x_i| + |p_i|)(|x_j| + |p_j|) (float32 chunk products, float64 merges)`,
        bound: (_ref, k) => (ZCA_DEFAULT_CHUNK_ROWS + 4) * U * absolute[k],
      },
    },
  };

  // Fit: W must satisfy W·W·(sigma + εI) = I; checked on four random vectors v, with sigma·v computed from the
  // data in float64 (sigma = flatᵀ·flat / n, flat = rows minus the channel mean: Keras' definition).
  const probes = Array.from({ length: 4 }, (_, k) => { const r = new Random(40 + k); return Float64Array.from({ length: D }, () => r.uniform(-1, 1)); });
  let W: Float32Array | null = null;
  const times = (m: Float32Array, v: Float64Array): Float64Array => {
    const out = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += m[i * D + j] * v[j];
      out[i] = s;
    }
    return out;
  };
  const fit: Case = {
    name: `zca fit ${label}`, section: 'zca', kind: 'call', unit: 'images/s', work: n, elements: n * D, ...ONCE,
    impls: [{
      name: 'pixprep wasm-simd', role: 'pixprep',
      note: 'ImageDataGenerator.fit with zcaWhitening, then W (float64 eigendecomposition of the D×D covariance)',
      run: () => {
        const gen = new ImageDataGenerator(OPTIONS).fit(x);
        W = base64ToFloat32(gen.toJSON().zca!.matrix!, D * D); // toJSON forms W
      },
      output: () => {
        const { channelMean } = stat();
        const out: number[] = [];
        for (const v of probes) {
          const sv = new Float64Array(D);
          for (let r = 0; r < n; r++) {
            let dot = 0;
            for (let i = 0; i < D; i++) dot += (rows[r * D + i] - channelMean[i % c]) * v[i];
            for (let i = 0; i < D; i++) sv[i] += (rows[r * D + i] - channelMean[i % c]) * dot;
          }
          for (let i = 0; i < D; i++) sv[i] = sv[i] / n + EPSILON * v[i];
          out.push(...times(W!, times(W!, sv)));
        }
        return out;
      },
    }],
    verify: {
      reference: () => Float64Array.from(probes.flatMap((v) => [...v])),
      tolerance: { text: 'W·W·(sigma + εI)·v = v for four random v in [−1, 1]^D: |out − v| ≤ 1e-4 (W in float32)', bound: () => 1e-4 },
    },
  };
  const cases = [covariance, fit];

  if (withEpoch) {
    let gen: ImageDataGenerator | null = null;
    let block: HeapBlock<'f32'> | null = null;
    const sums = new Float64Array(D);
    const epoch = (accumulate: boolean) => {
      const it = gen!.flow(x, null, { batchSize: 64, seed: 1 });
      block ??= currentBackend().heap.block('f32', 64 * D);
      for (let i = 0; i < it.length; i++) {
        const count = it.batchInto(i, block.view, null);
        if (accumulate) for (let k = 0; k < count * D; k++) sums[k % D] += block.view[k];
      }
      it.dispose();
    };
    const bound = new Float64Array(D);
    cases.push({
      name: `zca flow epoch ${label}, batch 64`, section: 'zca', kind: 'call', unit: 'images/s', work: n, elements: n * D, ...ONCE,
      impls: [{
        name: 'pixprep wasm-simd', role: 'pixprep',
        note: 'one shuffled epoch of flow.batchInto: centring by the fused affine kernel, then x·W by gemm per batch',
        setup: () => {
          gen = new ImageDataGenerator(OPTIONS).fit(x);
          W = base64ToFloat32(gen.toJSON().zca!.matrix!, D * D); // forms W outside the timing
        },
        run: () => epoch(false),
        output: () => {
          sums.fill(0);
          epoch(true);
          return sums;
        },
        teardown: () => {
          block?.free();
          block = null;
          gen = null;
        },
      }],
      verify: {
        // Σ over the epoch of each whitened feature: (Σ_r flat_r)·W, whatever the order.
        reference: () => {
          const { channelMean } = stat();
          const total = new Float64Array(D);
          const absTotal = new Float64Array(D);
          for (let r = 0; r < n; r++) {
            for (let i = 0; i < D; i++) {
              const f = rows[r * D + i] - channelMean[i % c];
              total[i] += f;
              absTotal[i] += Math.abs(f);
            }
          }
          const out = new Float64Array(D);
          bound.fill(0);
          for (let i = 0; i < D; i++) {
            for (let j = 0; j < D; j++) {
              out[j] += total[i] * W![i * D + j];
              bound[j] += absTotal[i] * Math.abs(W![i * D + j]);
            }
          }
          for (let j = 0; j < D; j++) bound[j] *= (D + 4) * U;
          return out;
        },
        tolerance: { text: 'per-feature sums over the epoch: |out − ref| ≤ (D + 4)·u·Σ|flat|·|W| (float32 products, float64 sums)', bound: (_r, j) => bound[j] },
      },
    });
  }
  return cases;
}

export function zcaGroup(quick: boolean, images: number, includeCifar: boolean): { cases: Case[]; dispose(): void } {
  const cases = quick
    ? casesFor({ n: 128, h: 12, w: 12, c: 1 }, true)
    : [...casesFor({ n: images, h: 28, w: 28, c: 1 }, true), ...(includeCifar ? casesFor({ n: 10_000, h: 32, w: 32, c: 3 }, false) : [])];
  return { cases, dispose: () => {} };
}
