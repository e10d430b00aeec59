// The one error for an options object with a name nobody reads, thrown by the generator, flow, the layers, the
// model and the exporters alike, in one wording:
//   ImageDataGenerator: unknown option `featurewiseCentre`. Did you mean `featurewiseCenter`? Known options: rescale, …
// A misspelt option must fail at once: silently ignored, it would train on data scaled some other way. The
// suggestion catches Keras' snake_case names (batch_size → batchSize), slips of one or two letters, and a known
// option's unfinished prefix; nothing is suggested when nothing is close.
import { capText } from './errors.js';

/** Names Keras users type that are not a spelling of pixprep's. */
const ALIASES: Readonly<Record<string, string>> = { lr: 'learningRate' };

export class UnknownOptionError extends TypeError {
  override name = 'UnknownOptionError';
  /** The name that was given, the names that are read there, and the one suggested (or null). */
  readonly option: string;
  readonly known: readonly string[];
  readonly suggestion: string | null;

  /** `where` names the call ("ImageDataGenerator", "flow", "fit", "Conv2D"); `noun` what the keys are ("option"). */
  constructor(readonly where: string, option: string, known: readonly string[], readonly noun = 'option') {
    const suggestion = suggest(option, known);
    super(`${where}: unknown ${noun} \`${capText(option)}\`.` + (suggestion === null ? '' : ` Did you mean \`${suggestion}\`?`) +
      ` Known ${noun}s: ${known.join(', ')}`);
    this.option = option;
    this.known = [...known];
    this.suggestion = suggestion;
  }

  /** The same error said from further out: "<context>: <where>: unknown option ...". */
  within(context: string): UnknownOptionError {
    return new UnknownOptionError(`${context}: ${this.where}`, this.option, this.known, this.noun);
  }
}

/**
 * `cause` rethrown from an outer call: its message prefixed with `context: `, its class kept (an
 * UnknownOptionError keeps its fields; any other error class is made again from the new message).
 */
export function withContext(cause: unknown, context: string): Error {
  if (cause instanceof UnknownOptionError) return cause.within(context);
  const error = cause as Error;
  return new (error.constructor as ErrorConstructor)(`${context}: ${error.message}`, { cause });
}

/**
 * Throws UnknownOptionError for the first own key of `options` that is not in `known`. Own keys only: a key
 * named `constructor` or `__proto__` is an unknown option, not Object.prototype's member.
 */
export function checkOptionNames(where: string, options: object, known: readonly string[], noun = 'option'): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new UnknownOptionError(where, key, known, noun);
  }
}

const plain = (name: string) => name.toLowerCase().replace(/[_-]/g, '');

/** The known name the caller most likely meant, or null. */
export function suggest(option: string, known: readonly string[]): string | null {
  const given = plain(option);
  if (given === '') return null;
  const alias = Object.hasOwn(ALIASES, given) ? ALIASES[given] : undefined;
  if (alias !== undefined && known.includes(alias)) return alias;
  // Keras' snake_case, or another capitalisation.
  const same = known.find((k) => plain(k) === given);
  if (same !== undefined) return same;
  // One or two letters off (a slip, a swapped pair, British spelling); the closest wins, the first of equals.
  let best: string | null = null;
  let bestDistance = given.length < 4 ? 1 : 2;
  for (const k of known) {
    const d = distance(given, plain(k), bestDistance);
    if (d < bestDistance || (d === bestDistance && best === null)) {
      best = k;
      bestDistance = d;
    }
  }
  if (best !== null) return best;
  // An unfinished name: the one known option it begins.
  if (given.length >= 5) {
    const prefixed = known.filter((k) => plain(k).startsWith(given));
    if (prefixed.length === 1) return prefixed[0];
  }
  return null;
}

/** Levenshtein distance between a and b, or `limit + 1` as soon as it is certainly above `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length];
}
