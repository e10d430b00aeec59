// Scaling with size: each scaling kernel from 10^3 to 10^8 elements, kernel rows, with the floors at every size,
// to show where the data leaves each cache level and how close to the floor the kernels stay.
import { availableBackends } from '../../src/runtime/backend.js';
import type { Case } from '../runner.js';
import { KIND_LABEL, scalingKernelCase, ScalingData, type ScalingKind } from './scaling.js';

/** Largest size TF.js and numpy run at in the sweep. */
export const PEER_MAX = 1e7;

export function sweepSizes(quick: boolean, maxExponent: number): number[] {
  const top = quick ? Math.min(maxExponent, 4) : maxExponent;
  const sizes: number[] = [];
  for (let e = 3; e <= top; e++) sizes.push(10 ** e);
  return sizes;
}

export function sizeGroup(n: number, quick: boolean): { cases: Case[]; dispose(): void } {
  const wasm = availableBackends().find((b) => b.name === 'wasm-simd') ?? null;
  const tune = quick ? { budgetMs: 3, minSampleMs: 0.2 } : { budgetMs: n <= 1e7 ? 240 : 600, minSampleMs: 2 };
  const data = new ScalingData(n, wasm, 11);
  const size = `n=1e${Math.round(Math.log10(n))}`;
  const cases: Case[] = [];
  for (const kind of ['normalize', 'standardize', 'f32'] as ScalingKind[]) {
    // TF.js and numpy stop at 10^7: at 10^8 TF.js needs over 1.5 GB of its own wasm memory and numpy's input goes
    // through a 400 MB file, for lines that are flat by then.
    cases.push(scalingKernelCase(kind, data, wasm, {
      name: `${KIND_LABEL[kind]} ${size}`, section: 'sizes', tune, withTfjs: n <= PEER_MAX, withNumpy: n <= PEER_MAX,
    }));
  }
  return { cases, dispose: () => data.dispose() };
}
