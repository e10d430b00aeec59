// What every fuzz property shares: a fixed seed and run counts (PIXPREP_FUZZ_SCALE multiplies them: `npm run fuzz`
// runs the long version), the test that a thrown error is pixprep's own (an Error naming the call and the argument,
// not a platform TypeError from inside the implementation), and the check that the caller's input is unchanged.
import fc from 'fast-check';
import { expect } from 'vitest';

const scale = Number(process.env.PIXPREP_FUZZ_SCALE ?? 1);
/** Fixed unless PIXPREP_FUZZ_SEED says otherwise, so CI sees the same inputs on every run. */
export const FUZZ_SEED = Number(process.env.PIXPREP_FUZZ_SEED ?? 13);

export function params(runs: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(runs * (Number.isFinite(scale) && scale > 0 ? scale : 1))), endOnFailure: true };
}

/** A vitest timeout for a property of `runs` base runs, scaled with them. */
export function timeoutFor(ms: number): number {
  return Math.max(ms, ms * scale);
}

// The platform's own messages: a property that sees one of these found a defect, whatever the error's class.
const PLATFORM = [
  /is not a function/, /Cannot read propert/, /Cannot set propert/, /Cannot convert/, /Invalid typed array length/,
  /Invalid array length/, /Maximum call stack/, /detached ArrayBuffer/, /Do not know how to serialize/, /Cannot perform/,
  /is not iterable/, /Invalid character/, /Array buffer allocation failed/, /out of memory/, /offset is out of bounds/,
  /Start offset .* is outside/, /Invalid string length/, /is not defined/, /Cannot mix BigInt/,
  /Cannot create property/, /is not a constructor/, /pixprep internal error/,
];

/** Longest message a property accepts: what any caller value is echoed as is capped at ~200 characters. */
const MESSAGE_LIMIT = 1500;

/**
 * Asserts that `error` is a clear error from pixprep: an Error, whose message names the call (`where`, any of them)
 * and the argument or field (any of `names`), is not one of the platform's own messages, and stays short.
 */
export function expectOwnError(error: unknown, where: readonly string[], names: readonly string[]): void {
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  for (const platform of PLATFORM) {
    if (platform.test(message)) throw new Error(`a platform error escaped: ${(error as Error).name}: ${message}\n${(error as Error).stack}`);
  }
  if (!where.some((w) => message.includes(w))) throw new Error(`the message does not name the call (${where.join(' | ')}): ${message}`);
  if (!names.some((n) => message.includes(n))) throw new Error(`the message does not name the argument (${names.join(' | ')}): ${message}`);
  if (message.length >= MESSAGE_LIMIT) throw new Error(`a message of ${message.length} characters: ${message.slice(0, 300)}…`);
}

/** Runs f; returns its result, or undefined after checking that what it threw is pixprep's own error. */
export function attempt<T>(f: () => T, where: readonly string[], names: readonly string[]): T | undefined {
  try {
    return f();
  } catch (error) {
    expectOwnError(error, where, names);
    return undefined;
  }
}

export async function attemptAsync<T>(f: () => Promise<T>, where: readonly string[], names: readonly string[]): Promise<T | undefined> {
  try {
    return await f();
  } catch (error) {
    expectOwnError(error, where, names);
    return undefined;
  }
}

/**
 * A deep copy to compare the input with after the call (structuredClone keeps typed arrays, NaN and -0); null for
 * what cannot be cloned (symbols, functions), which the property then does not compare.
 */
export function copyOf(value: unknown): { value: unknown } | null {
  try {
    return { value: structuredClone(value) };
  } catch {
    return null;
  }
}

export function expectUnchanged(value: unknown, copy: { value: unknown } | null): void {
  if (copy !== null) expect(value).toEqual(copy.value);
}

/** Any value at all, typed arrays, sparse arrays, null prototypes and big integers included. */
export const anything = fc.anything({
  withTypedArray: true, withBigInt: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true,
  withMap: true, withSet: true, withDate: true, maxDepth: 2, maxKeys: 4,
});

/** Numbers a hostile caller tries first. */
export const awkwardNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, 1e39),
  fc.integer({ min: -3, max: 9 }),
  fc.double(),
);

/** Replaces the value at a random path inside a JSON-like document with `replacement` (a copy; doc is untouched). */
export function replaceAt(doc: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  if (doc === null || typeof doc !== 'object') return doc;
  const copy: Record<string | number, unknown> = Array.isArray(doc) ? [...doc] as never : { ...(doc as object) };
  const [head, ...rest] = path;
  copy[head] = replaceAt(copy[head], rest, replacement);
  return copy;
}

/** Every path (keys and indices) inside a JSON-like document, the root included. */
export function pathsOf(doc: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (doc !== null && typeof doc === 'object') {
    for (const [key, value] of Object.entries(doc)) pathsOf(value, [...prefix, Array.isArray(doc) ? Number(key) : key], out);
  }
  return out;
}
