// Scaling with size: each scaling kernel from 10^3 to 10^8 elements, with the limit at every size, to show where
// the data leaves each cache level and how close to memory speed the kernels stay. Iterations shrink as sizes grow
// so that the whole sweep takes a minute or two.
import { availableBackends } from '../../src/runtime/backend.js';
import type { Case } from '../runner.js';
import { KIND_LABEL, scalingCase, ScalingData, type ScalingKind } from './scaling.js';

/** Largest size TF.js runs at in the sweep. */
export const TFJS_MAX = 1e7;

export function sweepSizes(quick: boolean, maxExponent: number): number[] {
  const top = quick ? Math.min(maxExponent, 4) : maxExponent;
  const sizes: number[] = [];
  for (let e = 3; e <= top; e++) sizes.push(10 ** e);
  return sizes;
}

export function sizeGroup(n: number, quick: boolean): { cases: Case[]; dispose(): void } {
  const wasm = availableBackends().find((b) => b.name === 'wasm-simd') ?? null;
  const tune = quick
    ? { iterations: 2, timeMs: 1, minSampleMs: 0.2 }
    : n <= 1e6 ? { iterations: 20, timeMs: 150, minSampleMs: 2 } : n <= 1e7 ? { iterations: 5, timeMs: 0, minSampleMs: 2 } : { iterations: 3, timeMs: 0, minSampleMs: 2 };
  const data = new ScalingData(n, wasm, 11);
  const size = `n=1e${Math.round(Math.log10(n))}`;
  const cases: Case[] = [];
  for (const kind of ['normalize', 'standardize', 'f32'] as ScalingKind[]) {
    // TF.js stops at 10^7: a few seconds a call at 10^8 and over 1.5 GB of its own wasm memory, for a line that
    // is flat far below the others by then.
    cases.push(scalingCase(kind, data, wasm, { name: `${KIND_LABEL[kind]} ${size}`, section: 'sizes', tune, withTfjs: n <= TFJS_MAX }));
  }
  return { cases, dispose: () => data.dispose() };
}
