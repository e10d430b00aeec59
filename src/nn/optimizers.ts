// Optimizers step the whole parameter block at once: parameters, gradients and Adam's moments are each one flat
// heap block in the same layout, so one kernel call updates every layer.
import type { Kernels } from '../kernels/types.js';
import { checkOptions, positiveNumber, invalid } from './options.js';

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface SGDOptions {
  learningRate?: number;
}

export interface OptimizerConfig {
  className: 'Adam' | 'SGD';
  config: Record<string, number>;
}

export abstract class Optimizer {
  abstract readonly className: 'Adam' | 'SGD';
  /** Number of extra per-parameter state blocks (Adam: m and v). */
  abstract readonly slots: number;
  abstract getConfig(): Record<string, number>;
  /** One update; `slots` are the state blocks, `step` counts updates from 1. */
  abstract apply(k: Kernels, params: Float32Array, grads: Float32Array, slots: Float32Array[], n: number, step: number): void;
}

function fraction(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) invalid(where, name, 'a number in [0, 1)', value);
  return value;
}

export class Adam extends Optimizer {
  readonly className = 'Adam';
  readonly slots = 2;
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(options: AdamOptions = {}) {
    super();
    const o = checkOptions('Adam', options, ['learningRate', 'beta1', 'beta2', 'epsilon']);
    this.learningRate = positiveNumber('Adam', 'learningRate', o.learningRate ?? 1e-3);
    this.beta1 = fraction('Adam', 'beta1', o.beta1 ?? 0.9);
    this.beta2 = fraction('Adam', 'beta2', o.beta2 ?? 0.999);
    this.epsilon = positiveNumber('Adam', 'epsilon', o.epsilon ?? 1e-7);
  }

  getConfig(): Record<string, number> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  apply(k: Kernels, params: Float32Array, grads: Float32Array, slots: Float32Array[], n: number, step: number): void {
    k.adam(params, grads, slots[0], slots[1], n, this.learningRate, this.beta1, this.beta2, this.epsilon, step);
  }
}

export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly slots = 0;
  readonly learningRate: number;

  constructor(options: SGDOptions = {}) {
    super();
    const o = checkOptions('SGD', options, ['learningRate']);
    this.learningRate = positiveNumber('SGD', 'learningRate', o.learningRate ?? 0.01);
  }

  getConfig(): Record<string, number> {
    return { learningRate: this.learningRate };
  }

  apply(k: Kernels, params: Float32Array, grads: Float32Array, _slots: Float32Array[], n: number): void {
    k.sgd(params, grads, n, this.learningRate);
  }
}

/** compile's `optimizer`: an instance, 'adam' / 'sgd' (Keras defaults), or a saved {className, config}. */
export function toOptimizer(value: unknown): Optimizer {
  if (value instanceof Optimizer) return value;
  if (value === 'adam' || value === 'Adam') return new Adam();
  if (value === 'sgd' || value === 'SGD') return new SGD();
  if (value !== null && typeof value === 'object' && 'className' in value) {
    const saved = value as OptimizerConfig;
    if (saved.className === 'Adam') return new Adam(saved.config);
    if (saved.className === 'SGD') return new SGD(saved.config);
  }
  return invalid('compile', 'optimizer', "'adam', 'sgd', or an Adam or SGD instance", value);
}
