// Browser-safe gunzip: the platform's DecompressionStream (every current browser, Node >= 18), no Node imports.
// Node code reading files uses node:zlib streaming instead (idx-node.ts).

/** True when `bytes` starts with the gzip magic number 0x1f 0x8b. (An IDX file starts with 0x00 0x00.) */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip data with `DecompressionStream('gzip')`. A truncated or corrupt stream rejects with an Error
 * naming `name`; the partial output is never returned.
 */
export async function gunzip(bytes: Uint8Array, name = 'gzip data'): Promise<Uint8Array> {
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
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } catch (e) {
    throw new Error(`${name}: truncated or corrupt gzip data (${e instanceof Error ? e.message : String(e)})`);
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
