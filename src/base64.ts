// Base64 (RFC 4648, padded) of raw bytes and of float32 arrays, with the web platform's btoa/atob (globals in Node
// ≥ 16 too): the model format and the generator's ZCA matrix need no Buffer, and the same code runs in browsers.
// Float32 values are written as little-endian bytes whatever the host, so the text is the same everywhere and
// decodes bit-exactly (NaN payloads, -0 and subnormals included).

const CHUNK = 0x8000; // String.fromCharCode's argument count stays well under engines' limits
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function swapWords(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) {
    const b0 = bytes[i], b1 = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b1;
    bytes[i + 3] = b0;
  }
}

/** Base64 of a's values as little-endian float32 bytes. */
export function float32ToBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.byteLength);
  bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  if (!LITTLE_ENDIAN) swapWords(bytes);
  return bytesToBase64(bytes);
}

/**
 * Inverse of float32ToBase64. When `expectedLength` is given, the text must decode to exactly that many floats
 * (a ZCA matrix must be D×D). Throws on malformed text with a message saying what was wrong.
 */
export function base64ToFloat32(text: string, expectedLength?: number): Float32Array {
  if (typeof text !== 'string') throw new TypeError(`base64ToFloat32: expected a base64 string. Received: ${typeof text}`);
  if (text.length % 4 !== 0) {
    throw new RangeError(`base64ToFloat32: base64 text length must be a multiple of 4. Received: length ${text.length}`);
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  for (let i = 0; i < text.length - padding; i++) {
    if (!ALPHABET.includes(text[i])) {
      throw new RangeError(`base64ToFloat32: invalid base64 character ${JSON.stringify(text[i])} at position ${i}`);
    }
  }
  const byteLength = (text.length / 4) * 3 - padding;
  if (byteLength % 4 !== 0) {
    throw new RangeError(`base64ToFloat32: the text decodes to ${byteLength} bytes, not a whole number of float32 values ` +
      '(a multiple of 4 bytes)');
  }
  if (expectedLength !== undefined && byteLength / 4 !== expectedLength) {
    throw new RangeError(`base64ToFloat32: expected ${expectedLength} float32 values. Received: ${byteLength / 4}`);
  }
  const bytes = base64ToBytes(text);
  if (!LITTLE_ENDIAN) swapWords(bytes);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function swapDoubles(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 8) bytes.subarray(i, i + 8).reverse();
}

/** Base64 of a's values as little-endian float64 bytes (ZCA's mergeable covariance sums: no rounding to f32). */
export function float64ToBase64(a: Float64Array): string {
  const bytes = new Uint8Array(a.byteLength);
  bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  if (!LITTLE_ENDIAN) swapDoubles(bytes);
  return bytesToBase64(bytes);
}

/** Inverse of float64ToBase64; the text must decode to exactly `expectedLength` float64 values. */
export function base64ToFloat64(text: string, expectedLength: number): Float64Array {
  if (typeof text !== 'string') throw new TypeError(`base64ToFloat64: expected a base64 string. Received: ${typeof text}`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const byteLength = (text.length / 4) * 3 - padding;
  if (text.length % 4 !== 0 || byteLength !== expectedLength * 8) {
    throw new RangeError(`base64ToFloat64: expected ${expectedLength} float64 values (${expectedLength * 8} bytes, ` +
      `${Math.ceil((expectedLength * 8) / 3) * 4} base64 characters). Received: ${text.length} characters`);
  }
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(text);
  } catch (cause) {
    throw new RangeError('base64ToFloat64: the text is not valid base64', { cause });
  }
  if (!LITTLE_ENDIAN) swapDoubles(bytes);
  return new Float64Array(bytes.buffer, bytes.byteOffset, expectedLength);
}
