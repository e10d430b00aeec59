// Browser-safe gunzip: the platform's DecompressionStream (every current browser, Node >= 18), no Node imports.
// Node code reading files uses node:zlib streaming instead (idx-node.ts).

/** True when `bytes` starts with the gzip magic number 0x1f 0x8b. (An IDX file starts with 0x00 0x00.) */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Checks the output as it grows: called after every chunk with the output's first bytes (up to HEAD_BYTES) and its
 * length so far, it throws to stop decompressing (a file longer than its header declares, say).
 */
export type OutputCheck = (head: Uint8Array, total: number) => void;

/** How much of the output's start an OutputCheck sees: enough for any IDX header (4 + 4 × 255 bytes). */
export const HEAD_BYTES = 1024;

/** Keeps the first HEAD_BYTES of a chunked output for an OutputCheck. */
export class OutputHead {
  private readonly bytes = new Uint8Array(HEAD_BYTES);
  private length = 0;

  add(chunk: Uint8Array): Uint8Array {
    if (this.length < HEAD_BYTES) {
      const take = Math.min(chunk.length, HEAD_BYTES - this.length);
      this.bytes.set(chunk.subarray(0, take), this.length);
      this.length += take;
    }
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * Decompresses gzip data with `DecompressionStream('gzip')`. A truncated or corrupt stream rejects with an Error
 * naming `name`; the partial output is never returned. `check` may stop it early by throwing (its error passes).
 */
export async function gunzip(bytes: Uint8Array, name = 'gzip data', check?: OutputCheck): Promise<Uint8Array> {
  if (typeof DecompressionStream !== 'function') {
    throw new Error(`${name}: gzip-compressed, and this runtime has no DecompressionStream to decompress it; pass the decompressed bytes`);
  }
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  // Failures surface on the reading side too; these rejections are handled there, not left unhandled.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  const head = new OutputHead();
  let total = 0;
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch (e) {
      throw new Error(`${name}: truncated or corrupt gzip data (${e instanceof Error ? e.message : String(e)})`);
    }
    if (result.done) break;
    chunks.push(result.value);
    total += result.value.length;
    try {
      check?.(head.add(result.value), total);
    } catch (e) {
      await reader.cancel().catch(() => {});
      throw e;
    }
  }
  return concatChunks(chunks, total);
}

/** Concatenates into a fresh, exactly sized buffer (so views over the result never see unrelated memory). */
export function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
