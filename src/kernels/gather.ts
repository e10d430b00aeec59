// TypeScript twin of assembly/gather.ts.

/** For k < count: out[k·rowBytes ..] = source[indices[k]·rowBytes ..], rows of rowBytes bytes. */
export function gatherRows(out: Uint8Array, source: Uint8Array, indices: Int32Array, count: number, rowBytes: number): void {
  for (let k = 0; k < count; k++) {
    const from = indices[k] * rowBytes;
    out.set(source.subarray(from, from + rowBytes), k * rowBytes);
  }
}
