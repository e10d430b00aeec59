// Softmax fused with categorical cross-entropy, in f64 per row (rows × classes is small: 64 × 10 per batch, so
// SIMD would buy nothing). Loss as log-sum-exp minus the target logit keeps logits of any size finite.

/** dLogits = 0 means no gradient (inference): no heap array starts at address 0, which is static data. */
export function softmaxCrossEntropy(probs: usize, dLogits: usize, logits: usize, targets: usize, rows: i32, classes: i32): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * classes) << 2;
    let top = -Infinity;
    for (let j = 0; j < classes; j++) top = max(top, <f64>load<f32>(logits + row + (<usize>j << 2)));
    let sum: f64 = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(<f64>load<f32>(logits + row + (<usize>j << 2)) - top);
    const logSum = Math.log(sum);
    for (let j = 0; j < classes; j++) {
      const at = row + (<usize>j << 2);
      const shifted = <f64>load<f32>(logits + at) - top;
      store<f32>(probs + at, <f32>(Math.exp(shifted) / sum));
      const t = <f64>load<f32>(targets + at);
      if (t != 0) total += t * (logSum - shifted);
    }
  }
  if (dLogits != 0) {
    const n = rows * classes;
    for (let i = 0; i < n; i++) {
      const at = <usize>i << 2;
      store<f32>(dLogits + at, <f32>((<f64>load<f32>(probs + at) - <f64>load<f32>(targets + at)) / <f64>rows));
    }
  }
  return rows > 0 ? total / <f64>rows : 0;
}
