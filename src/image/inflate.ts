// zlib streams (PNG's IDAT, and deflate for the PNG writer) without a static Node import, so this file stays
// browser-safe: in Node, node:zlib is reached through process.getBuiltinModule (Node >= 20.16) and runs
// synchronously; elsewhere the platform's DecompressionStream / CompressionStream run asynchronously.
import { concatChunks } from '../data/gunzip.js';

interface SyncZlib {
  inflateSync(data: Uint8Array, options?: { maxOutputLength?: number }): Uint8Array;
  deflateSync(data: Uint8Array, options?: { level?: number }): Uint8Array;
}

let zlib: SyncZlib | null | undefined;

/** node:zlib when this runtime has it (Node, Deno, Bun), else null. */
export function syncZlib(): SyncZlib | null {
  if (zlib === undefined) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
    zlib = (typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('node:zlib') as SyncZlib : null) ?? null;
  }
  return zlib;
}

/**
 * Inflates a zlib stream of at most `maxBytes` output bytes; synchronous where node:zlib exists. Rejects (or throws)
 * with `what` in the message when the stream is corrupt, truncated, or longer than maxBytes.
 */
export function inflate(data: Uint8Array, maxBytes: number, what: string): Uint8Array | Promise<Uint8Array> {
  const z = syncZlib();
  if (z !== null) {
    try {
      // One byte more than allowed, so that a stream longer than the image is seen (not silently cut).
      return z.inflateSync(data, { maxOutputLength: Math.max(1, maxBytes + 1) });
    } catch (e) {
      throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return inflateStream(data, maxBytes, what);
}

/** The platform's DecompressionStream path (browsers; tests run it in Node too). */
export async function inflateStream(data: Uint8Array, maxBytes: number, what: string): Promise<Uint8Array> {
  if (typeof DecompressionStream !== 'function') throw new Error(`${what}: this runtime has no DecompressionStream`);
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await reader.read();
    } catch (e) {
      throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (r.done) break;
    chunks.push(r.value);
    total += r.value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return concatChunks(chunks, total);
}

/** Deflates into a zlib stream; synchronous where node:zlib exists. */
export function deflate(data: Uint8Array): Uint8Array | Promise<Uint8Array> {
  const z = syncZlib();
  if (z !== null) return z.deflateSync(data, { level: 6 });
  return deflateStream(data);
}

async function deflateStream(data: Uint8Array): Promise<Uint8Array> {
  const stream = new CompressionStream('deflate');
  const writer = stream.writable.getWriter();
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.readable.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    chunks.push(r.value);
    total += r.value.length;
  }
  return concatChunks(chunks, total);
}
