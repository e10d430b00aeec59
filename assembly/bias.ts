// Bias add and its gradient. The gradient sums down columns in f64 (a conv layer sums 43264 rows at batch 64), four
// columns per pass in two f64x2 lanes each; the sums run in the reference's order, so the results agree bit for bit.

export function biasAdd(out: usize, bias: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = out + (<usize>(r * cols) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const at = row + (<usize>j << 2);
      v128.store(at, f32x4.add(v128.load(at), v128.load(bias + (<usize>j << 2))));
    }
    for (; j < cols; j++) {
      const at = row + (<usize>j << 2);
      store<f32>(at, load<f32>(at) + load<f32>(bias + (<usize>j << 2)));
    }
  }
}

export function biasGrad(dBias: usize, dOut: usize, rows: i32, cols: i32): void {
  biasGradColumns(dBias, dOut, rows, cols, 0, cols);
}

/**
 * biasGrad for columns j0 .. j1 − 1 only: one thread's share (src/runtime/threads/split.ts). Each column's sum runs
 * down its rows alone, so a column's bytes do not depend on which range it falls in.
 */
export function biasGradColumns(dBias: usize, dOut: usize, rows: i32, cols: i32, j0: i32, j1: i32): void {
  const rowBytes = <usize>cols << 2;
  let j = j0;
  for (; j + 8 <= j1; j += 8) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    let p = dOut + (<usize>j << 2);
    for (let r = 0; r < rows; r++) {
      const v = v128.load(p, 0);
      const w = v128.load(p, 16);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      s2 = f64x2.add(s2, f64x2.promote_low_f32x4(w));
      s3 = f64x2.add(s3, f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1)));
      p += rowBytes;
    }
    const d = dBias + (<usize>j << 2);
    store<f32>(d, <f32>(<f64>load<f32>(d) + f64x2.extract_lane(s0, 0)));
    store<f32>(d, <f32>(<f64>load<f32>(d, 4) + f64x2.extract_lane(s0, 1)), 4);
    store<f32>(d, <f32>(<f64>load<f32>(d, 8) + f64x2.extract_lane(s1, 0)), 8);
    store<f32>(d, <f32>(<f64>load<f32>(d, 12) + f64x2.extract_lane(s1, 1)), 12);
    store<f32>(d, <f32>(<f64>load<f32>(d, 16) + f64x2.extract_lane(s2, 0)), 16);
    store<f32>(d, <f32>(<f64>load<f32>(d, 20) + f64x2.extract_lane(s2, 1)), 20);
    store<f32>(d, <f32>(<f64>load<f32>(d, 24) + f64x2.extract_lane(s3, 0)), 24);
    store<f32>(d, <f32>(<f64>load<f32>(d, 28) + f64x2.extract_lane(s3, 1)), 28);
  }
  for (; j < j1; j++) {
    let sum: f64 = 0;
    let p = dOut + (<usize>j << 2);
    for (let r = 0; r < rows; r++) {
      sum += <f64>load<f32>(p);
      p += rowBytes;
    }
    const d = dBias + (<usize>j << 2);
    store<f32>(d, <f32>(<f64>load<f32>(d) + sum));
  }
}
