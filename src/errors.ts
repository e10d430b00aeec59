// Values echoed in error messages. A message says what it received, but what a caller passes can be a 60,000-image
// array, a megabyte of text or a cyclic object: describeValue writes at most ~200 characters, summarising arrays
// and typed arrays by type, length and first values, so that a message stays one readable line whatever it got.

/** The most characters describeValue writes. */
export const VALUE_TEXT_LIMIT = 200;
/** Values shown of a long array before "…"; arrays up to this length are shown whole. */
const FIRST_VALUES = 5;
/** Nesting shown of arrays and objects; deeper ones are named, not opened. */
const DEPTH = 2;

/**
 * A short, readable rendering of `value` for an error message: strings quoted, numbers as JavaScript writes them
 * (NaN, Infinity, -0), short arrays whole (`[3, 0]`), long arrays and typed arrays as type, length and first values
 * (`Float32Array(784) [0, 0.5, 1, 0, 0, …]`), plain objects by their first keys, other objects by their class.
 * Never longer than `limit` characters; never throws (a getter that throws is named, not followed).
 */
export function describeValue(value: unknown, limit = VALUE_TEXT_LIMIT): string {
  let text: string;
  try {
    text = render(value, DEPTH, limit);
  } catch {
    try {
      text = kindOf(value);
    } catch {
      text = 'a value that cannot be inspected';
    }
  }
  return text.length <= limit ? text : `${text.slice(0, Math.max(0, limit - 1))}…`;
}

/** `text` itself when short, else its first `limit - 1` characters and "…" (for names taken from the caller). */
export function capText(text: string, limit = VALUE_TEXT_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, Math.max(0, limit - 1))}…`;
}

/** What kind of thing `value` is, in words: "a string", "null", "a Float64Array", "an Array", "an object". */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object') return article(typeof value);
  const name = className(value);
  return name === 'Object' || name === '' ? 'an object' : article(name);
}

function article(word: string): string {
  return `${/^[aeiouAEIOU]/.test(word) ? 'an' : 'a'} ${word}`;
}

function className(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  if (proto === null) return 'Object';
  const name = proto.constructor?.name;
  return typeof name === 'string' ? name : '';
}

function render(value: unknown, depth: number, limit: number): string {
  switch (typeof value) {
    case 'string':
      return value.length > limit ? `${JSON.stringify(value.slice(0, limit))}…` : JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return 'a function';
    case 'undefined':
    case 'boolean':
      return String(value);
  }
  if (value === null) return 'null';
  const object = value as object;
  if (ArrayBuffer.isView(object)) {
    if (object instanceof DataView) return `DataView(${object.byteLength} bytes)`;
    const typed = object as unknown as ArrayLike<number | bigint>;
    return list(className(object), typed.length, (i) => render(typed[i], 0, limit), true);
  }
  if (object instanceof ArrayBuffer) return `ArrayBuffer(${object.byteLength} bytes)`;
  if (Array.isArray(object)) {
    if (depth === 0) return `Array(${object.length})`;
    return list('Array', object.length, (i) => render(object[i], depth - 1, limit), false);
  }
  const name = className(object);
  if (name !== 'Object') return name === '' ? 'an object' : name;
  if (depth === 0) return '{…}';
  const entries: string[] = [];
  let more = false;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    if (entries.length === FIRST_VALUES) {
      more = true;
      break;
    }
    const shownKey = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
    entries.push(`${shownKey}: ${render((object as Record<string, unknown>)[key], depth - 1, limit)}`);
  }
  return `{${entries.join(', ')}${more ? ', …' : ''}}`;
}

/** `[a, b]` for a short plain array; `Type(length) [a, b, c, d, e, …]` for a typed array or a long one. */
function list(type: string, length: number, item: (i: number) => string, typed: boolean): string {
  const shown: string[] = [];
  for (let i = 0; i < Math.min(length, FIRST_VALUES); i++) shown.push(item(i));
  const values = `[${shown.join(', ')}${length > FIRST_VALUES ? ', …' : ''}]`;
  return typed || length > FIRST_VALUES ? `${type}(${length}) ${values}` : values;
}
