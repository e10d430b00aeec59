// ZCA whitening (issue 8) at real sizes: the covariance step through the gemm kernel (GFLOP/s, 2·n·D² flops per
// fit), a whole fit (covariance, float64 eigendecomposition, W), and W applied to one epoch of flow (images/s).
// The 32×32×3 case (D = 3072: a 3072² eigendecomposition, minutes) runs only when asked for: --filter zca.
import { ImageDataGenerator } from '../../src/generator/image-data-generator.js';
import { CovarianceAccumulator } from '../../src/generator/zca.js';
import { getBackend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { seededBytes } from '../data.js';
import type { Case } from '../runner.js';

const ONCE = { iterations: 1, timeMs: 0, minSampleMs: 0 };
const OPTIONS = { rescale: 1 / 255, zcaWhitening: true, zcaEpsilon: 0.1 } as const;

interface Shape { n: number; h: number; w: number; c: number }

function casesFor({ n, h, w, c }: Shape, withEpoch: boolean): Case[] {
  const D = h * w * c;
  const bytes = seededBytes(n * D, D + n);
  const x = { data: bytes, shape: [n, h, w, c] };
  const rows = new Float32Array(n * D);
  for (let i = 0; i < rows.length; i++) rows[i] = bytes[i] / 255;
  const label = `${n}×${h}×${w}×${c}`;
  const cases: Case[] = [{
    name: `zca covariance ${label}`, section: 'zca', unit: 'GFLOP/s', work: 2 * n * D * D, elements: n * D, ...ONCE,
    impls: [{
      name: 'pixprep wasm-simd', role: 'pixprep',
      note: `CovarianceAccumulator.add: chunks of 512 centred rows, Xcᵀ·Xc by the gemm kernel, float64 Chan merges (D = ${D})`,
      run: () => {
        const acc = new CovarianceAccumulator(h, w, c);
        acc.add(rows, n);
        acc.dispose();
      },
    }],
  }, {
    name: `zca fit ${label}`, section: 'zca', unit: 'images/s', work: n, elements: n * D, ...ONCE,
    impls: [{
      name: 'pixprep wasm-simd', role: 'pixprep',
      note: 'ImageDataGenerator.fit with zcaWhitening, then W (float64 eigendecomposition of the D×D covariance)',
      run: () => new ImageDataGenerator(OPTIONS).fit(x).standardize({ data: bytes.subarray(0, D), shape: [1, h, w, c] }),
    }],
  }];
  if (withEpoch) {
    let gen: ImageDataGenerator | null = null;
    let block: HeapBlock<'f32'> | null = null;
    cases.push({
      name: `zca flow epoch ${label}, batch 64`, section: 'zca', unit: 'images/s', work: n, elements: n * D, ...ONCE,
      impls: [{
        name: 'pixprep wasm-simd', role: 'pixprep',
        note: 'one shuffled epoch of flow.batchInto: centring by the fused affine kernel, then x·W by gemm per batch',
        setup: () => {
          gen = new ImageDataGenerator(OPTIONS).fit(x);
          gen.standardize({ data: bytes.subarray(0, D), shape: [1, h, w, c] }); // computes W outside the timing
        },
        run: () => {
          const it = gen!.flow(x, null, { batchSize: 64, seed: 1 });
          block ??= getBackend().heap.block('f32', 64 * D);
          for (let i = 0; i < it.length; i++) it.batchInto(i, block.view, null);
          it.dispose();
        },
        teardown: () => {
          block?.free();
          block = null;
          gen = null;
        },
      }],
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
