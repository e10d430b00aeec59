// Where a training step's time goes: each layer of the tutorial network, forward and backward, at batch 64, timed
// alone on realistic activations (the network's own forward pass from seeded images). Effective GFLOP/s counts the
// FLOPs of the direct convolution (2·positions·filters·taps·channels per pass), whatever algorithm runs, so a
// faster algorithm shows as a higher figure; pooling is memory traffic (GB/s). Each forward output is checked
// against the float64 layer; each backward against float64 through the adjoint identities below.
import type { Layer, LayerViews } from '../../src/nn/layer.js';
import { Conv2D, Dense, MaxPooling2D } from '../../src/nn/index.js';
import { availableBackends, setBackend, type Backend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { tutorialModel } from '../../src/tutorial.js';
import { seededFloats } from '../data.js';
import { conv2d, dense, maxPool2 } from '../reference-cnn.js';
import type { Case, Tune } from '../runner.js';
import { U } from '../verify.js';

/** Winograd's transforms grow the rounding error by a constant factor over the direct sum: room for it. */
const ALGORITHM_ROOM = 64;

interface Blocks {
  input: HeapBlock<'f32'>;
  out: HeapBlock<'f32'>;
  dInput: HeapBlock<'f32'> | null;
  dOut: HeapBlock<'f32'>;
  kernel: HeapBlock<'f32'>;
  bias: HeapBlock<'f32'>;
  dKernel: HeapBlock<'f32'>;
  dBias: HeapBlock<'f32'>;
  scratch: HeapBlock<'f32'>;
  ints: HeapBlock<'i32'>;
}

function viewsOf(b: Blocks): LayerViews {
  return { kernel: b.kernel.view, bias: b.bias.view, dKernel: b.dKernel.view, dBias: b.dBias.view, scratch: b.scratch.view, ints: b.ints.view };
}

function sum(a: ArrayLike<number>, f: (v: number, i: number) => number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += f(a[i], i);
  return s;
}

export function layerGroup(quick: boolean): { cases: Case[]; dispose(): void } {
  const wasm = availableBackends().find((b) => b.name === 'wasm-simd') ?? null;
  if (wasm === null) return { cases: [], dispose: () => {} };
  const B = quick ? 2 : 64;
  const tune: Tune = quick ? { budgetMs: 2, minSampleMs: 0.2 } : { budgetMs: 450, minSampleMs: 2 };
  setBackend('wasm-simd');
  const model = tutorialModel({ seed: 1 });
  const weights = model.getWeights();
  // Flatten is a view of its input (no work): the dense layer reads the pooled activations directly.
  const layers = model.layers.filter((l) => l.className !== 'Flatten');
  const heap = wasm.heap;
  const size = (shape: number[]) => B * shape.reduce((a, b) => a * b, 1);
  let w = 0;
  const all: Blocks[] = layers.map((layer, i) => {
    const params = layer.paramSpecs().length;
    const kernel = heap.block('f32', Math.max(1, params > 0 ? weights[w].length : 1));
    const bias = heap.block('f32', Math.max(1, params > 0 ? weights[w + 1].length : 1));
    if (params > 0) w += 2;
    return {
      input: heap.block('f32', size(layer.inputShape)), out: heap.block('f32', size(layer.outputShape)),
      dInput: i === 0 ? null : heap.block('f32', size(layer.inputShape)), dOut: heap.block('f32', size(layer.outputShape)),
      kernel, bias, dKernel: heap.block('f32', kernel.length), dBias: heap.block('f32', bias.length),
      scratch: heap.block('f32', Math.max(1, layer.scratchFloats(B))), ints: heap.block('i32', Math.max(1, layer.scratchInts(B))),
    };
  });
  // Fill: weights, seeded images, the forward chain (each layer's input is the previous one's output), seeded dOut.
  w = 0;
  layers.forEach((layer, i) => {
    if (layer.paramSpecs().length > 0) {
      all[i].kernel.view.set(weights[w++]);
      all[i].bias.view.set(weights[w++]);
    }
  });
  all[0].input.view.set(seededFloats(all[0].input.length, 51));
  layers.forEach((layer, i) => {
    const b = all[i];
    if (i > 0) b.input.view.set(all[i - 1].out.view);
    layer.forward(wasm.kernels, b.out.view, b.input.view, viewsOf(b), B);
    // Positive gradients: the adjoint sums below then add terms of one sign, so that their rounding bound is not
    // swamped by cancellation.
    b.dOut.view.set(seededFloats(b.dOut.length, 60 + i).map((v) => (v + 0.5) * 0.01));
  });
  const dOutOriginal = all.map((b) => Float32Array.from(b.dOut.view));
  const cases: Case[] = [];
  layers.forEach((layer, i) => cases.push(forwardCase(layer, all[i], wasm, B, tune), backwardCase(layer, all[i], dOutOriginal[i], wasm, B, tune, i === 0)));
  return {
    cases,
    dispose: () => {
      for (const b of all) for (const block of Object.values(b)) block?.free();
      model.dispose();
    },
  };
}

function describe(layer: Layer): string {
  return `${layer.name} ${layer.inputShape.join('×')} → ${layer.outputShape.join('×')}`;
}

/** Pre-activation z and Σ|w·x| + |b| of an affine layer, in float64 from the layer's float32 input. */
function affine(layer: Layer, b: Blocks, B: number) {
  const x = b.input.view;
  if (layer instanceof Conv2D) {
    const [H, W, C] = layer.inputShape;
    const [kh, kw] = layer.kernelSize;
    return { ...conv2d(x, B, H, W, C, b.kernel.view, b.bias.view, kh, kw, layer.filters), taps: kh * kw * C, positions: B * layer.outputShape[0] * layer.outputShape[1], channels: layer.filters };
  }
  const d = layer as Dense;
  return { ...dense(x, B, layer.inputSize, b.kernel.view, b.bias.view, d.units), taps: layer.inputSize, positions: B, channels: d.units };
}

function flops(layer: Layer, B: number): number {
  if (layer instanceof Conv2D) {
    const [Ho, Wo, F] = layer.outputShape;
    const [kh, kw] = layer.kernelSize;
    return 2 * B * Ho * Wo * F * kh * kw * layer.inputShape[2];
  }
  return 2 * B * layer.inputSize * layer.outputSize;
}

function forwardCase(layer: Layer, b: Blocks, wasm: Backend, B: number, tune: Tune): Case {
  const pooling = layer instanceof MaxPooling2D;
  let views: LayerViews | null = null;
  let out: Float32Array | null = null;
  let input: Float32Array | null = null;
  let abs: Float64Array = new Float64Array(0);
  let taps = 1;
  return {
    name: `${describe(layer)} forward`, section: 'layers', kind: 'kernel',
    unit: pooling ? 'GB/s' : 'GFLOP/s', elements: b.out.length,
    work: pooling ? 4 * (b.input.length + 2 * b.out.length) : flops(layer, B),
    traffic: pooling ? { read: 4 * b.input.length, written: 8 * b.out.length } : undefined,
    impls: [{
      name: 'pixprep wasm-simd', role: 'pixprep',
      note: pooling ? 'max value and argmax index per window' : `${layer.className}.forward (bias and ${layer.activation} included)`,
      setup: () => {
        views = viewsOf(b);
        out = b.out.view.fill(NaN);
        input = b.input.view;
      },
      run: () => layer.forward(wasm.kernels, out!, input!, views!, B),
      output: () => out!,
    }],
    verify: pooling
      ? {
        reference: () => { const [H, W, C] = layer.inputShape; return maxPool2(b.input.view, B, H, W, C); },
        tolerance: { text: 'max pooling picks values: exact', bound: () => 0 },
      }
      : {
        reference: () => {
          const a = affine(layer, b, B);
          abs = a.abs;
          taps = a.taps;
          return layer.activation === 'relu' ? a.z.map((v) => (v > 0 ? v : 0)) : a.z;
        },
        tolerance: {
          text: `|out − ref| ≤ ${ALGORITHM_ROOM}·(taps + 2)·u·(Σ|w·x| + |b|) (float32 sums; room for Winograd's transforms)`,
          bound: (_r, i) => ALGORITHM_ROOM * (taps + 2) * U * abs[i],
        },
      },
    ...tune,
  };
}

/**
 * Backward, checked without a float64 backward pass: with g the gradient at the pre-activation (dOut masked where
 * relu's output is 0), an affine layer's gradients satisfy Σ dKernel⊙kernel = Σ g·(z − b) = Σ dInput⊙input (z is
 * linear in the kernel and in the input), and dBias = Σ g over positions. Max pooling: Σ dInput⊙input = Σ dOut⊙out
 * and Σ|dInput| = Σ|dOut| (each window's gradient goes to its maximum).
 */
function backwardCase(layer: Layer, b: Blocks, dOut0: Float32Array, wasm: Backend, B: number, tune: Tune, first: boolean): Case {
  const pooling = layer instanceof MaxPooling2D;
  let views: LayerViews | null = null;
  let run: () => void = () => {};
  let bounds: number[] = [];
  const impl = {
    name: 'pixprep wasm-simd', role: 'pixprep' as const,
    note: pooling ? 'gradient to each window\'s argmax' : `${layer.className}.backward: dKernel, dBias${first ? '' : ', dInput'} (relu mask applied in place)`,
    setup: () => {
      views = viewsOf(b);
      b.dKernel.view.fill(0);
      b.dBias.view.fill(0);
      b.dInput?.view.fill(NaN);
      const dIn = b.dInput?.view ?? null;
      const dOut = b.dOut.view;
      const out = b.out.view;
      // In the model a MaxPooling2D after a relu layer applies that relu's derivative (src/nn/relu-fusion.ts), so
      // such a layer (dOutMasked) is given its dOut masked, as the pooling above leaves it.
      if (layer.dOutMasked) for (let i = 0; i < dOut.length; i++) if (!(out[i] > 0)) dOut[i] = 0;
      const input = b.input.view;
      run = () => layer.backward(wasm.kernels, dIn, dOut, out, input, views!, B);
    },
    run: () => run(),
    output: () => {
      const dIn = b.dInput?.view;
      if (pooling) return [sum(dIn!, (v, i) => v * b.input.view[i]), sum(dIn!, Math.abs)];
      const dots = [sum(b.dKernel.view, (v, i) => v * b.kernel.view[i])];
      if (dIn) dots.push(sum(dIn, (v, i) => v * b.input.view[i]));
      return [...dots, ...b.dBias.view];
    },
  };
  const reference = (): Float64Array => {
    if (pooling) {
      const out = b.out.view;
      // After a relu, windows whose maximum is not > 0 pass no gradient (the relu's derivative, applied here).
      const g0 = (layer as MaxPooling2D).masksRelu ? dOut0.map((v, i) => (out[i] > 0 ? v : 0)) : dOut0;
      bounds = [1e-12 * sum(g0, (v, i) => Math.abs(v * out[i])), 1e-12 * sum(g0, Math.abs)];
      return Float64Array.from([sum(g0, (v, i) => v * out[i]), sum(g0, Math.abs)]);
    }
    const a = affine(layer, b, B);
    const out = b.out.view;
    const bias = b.bias.view;
    const F = a.channels;
    const g = Float64Array.from(dOut0, (v, i) => (layer.activation === 'relu' && !(out[i] > 0) ? 0 : v));
    const S = sum(g, (v, i) => v * (a.z[i] - bias[i % F]));
    const A = sum(g, (v, i) => Math.abs(v) * a.abs[i]);
    const longest = Math.max(a.positions, a.taps, F);
    const dBias = new Float64Array(F);
    const dBiasAbs = new Float64Array(F);
    for (let i = 0; i < g.length; i++) {
      dBias[i % F] += g[i];
      dBiasAbs[i % F] += Math.abs(g[i]);
    }
    const dots = first ? [S] : [S, S];
    bounds = [...dots.map(() => 4 * (longest + 2) * U * A), ...Array.from(dBiasAbs, (v) => 4 * (a.positions + 2) * U * v)];
    return Float64Array.from([...dots, ...dBias]);
  };
  const backwardFlops = pooling ? 0 : flops(layer, B) * (first ? 1 : 2);
  return {
    name: `${describe(layer)} backward`, section: 'layers', kind: 'kernel',
    unit: pooling ? 'GB/s' : 'GFLOP/s', elements: b.out.length,
    work: pooling ? 4 * (2 * b.out.length + b.input.length) : backwardFlops,
    traffic: pooling ? { read: 8 * b.out.length, written: 4 * b.input.length } : undefined,
    impls: [impl],
    verify: {
      reference,
      tolerance: {
        text: pooling
          ? 'Σ dInput⊙input = Σ dOut⊙out and Σ|dInput| = Σ|dOut| (relative 1e-12: the same products in float64)'
          : `Σ dKernel⊙kernel = Σ g·(z − b)${first ? '' : ' = Σ dInput⊙input'}: |out − ref| ≤ 4·(longest sum + 2)·u·Σ|g|·(Σ|w·x| + |b|); ` +
            'dBias = Σ g: ≤ 4·(positions + 2)·u·Σ|g|',
        bound: (_r, i) => bounds[i],
      },
    },
    ...tune,
  };
}
