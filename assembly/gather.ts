// Gathering rows: out[k] = source[indices[k]] for rows of rowBytes bytes. This is how a shuffled batch is assembled
// from a data set that lives in linear memory: one memory.copy per image, instead of one JS typed-array call each.

/** For k < count: copies rowBytes bytes from source + indices[k]·rowBytes to out + k·rowBytes. */
export function gatherRows(out: usize, source: usize, indices: usize, count: i32, rowBytes: i32): void {
  const row = <usize>rowBytes;
  for (let k = 0; k < count; k++) {
    const index = <usize>load<i32>(indices + (<usize>k << 2));
    memory.copy(out + <usize>k * row, source + index * row, row);
  }
}
