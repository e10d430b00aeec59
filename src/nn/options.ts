// Option checking for the network's public API, in Keras' message shape: the message names where the option was
// given, the option, what was expected and what was received, so that a typo fails at once and says how to fix it.
import { checkOptionNames } from '../unknown-option-error.js';

export type Options = Record<string, unknown>;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** Checks that `options` is a plain object whose keys are all in `known`; returns it (or {} for undefined). */
export function checkOptions(where: string, options: unknown, known: readonly string[]): Options {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object. Received: ${show(options)}`);
  }
  checkOptionNames(where, options, known);
  return options as Options;
}

export function invalid(where: string, name: string, expected: string, value: unknown): never {
  throw new RangeError(`${where}: \`${name}\` must be ${expected}. Received: ${name}=${show(value)}`);
}

export function positiveInt(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) invalid(where, name, 'a positive integer', value);
  return value;
}

export function nonNegativeInt(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) invalid(where, name, 'a non-negative integer', value);
  return value;
}

export function positiveNumber(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) invalid(where, name, 'a positive finite number', value);
  return value;
}

export function oneOf<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    invalid(where, name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

export function bool(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') invalid(where, name, 'true or false', value);
  return value;
}

export function func<T>(where: string, name: string, value: unknown): T {
  if (typeof value !== 'function') invalid(where, name, 'a function', value);
  return value as T;
}

/** A size given as n or [h, w] (Keras' kernel_size, pool_size, strides), as [h, w]. */
export function pair(where: string, name: string, value: unknown): [number, number] {
  if (typeof value === 'number') {
    positiveInt(where, name, value);
    return [value, value];
  }
  if (Array.isArray(value) && value.length === 2 && value.every((v) => Number.isInteger(v) && v >= 1)) {
    return [value[0], value[1]];
  }
  return invalid(where, name, 'a positive integer or a pair [height, width] of them', value);
}

/** A per-sample shape: a non-empty list of positive integers. */
export function shape(where: string, name: string, value: unknown, rank?: number): number[] {
  const ok = Array.isArray(value) && value.length > 0 && (rank === undefined || value.length === rank) &&
    value.every((v) => Number.isInteger(v) && v >= 1);
  if (!ok) {
    invalid(where, name, rank === 3 ? 'a shape [height, width, channels] of positive integers'
      : 'a list of positive integers', value);
  }
  return [...(value as number[])];
}
