// TypeScript twin of assembly/loss.ts: softmax fused with categorical cross-entropy. With the row max subtracted
// and the loss written as log-sum-exp minus the target logit, logits of any size give finite results, and the
// gradient is the simple (probs − targets) / rows.

export function softmaxCrossEntropy(probs: Float32Array, dLogits: Float32Array | null, logits: Float32Array,
  targets: Float32Array, rows: number, classes: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, logits[row + j]);
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(logits[row + j] - max);
    const logSum = Math.log(sum);
    for (let j = 0; j < classes; j++) {
      const shifted = logits[row + j] - max;
      probs[row + j] = Math.exp(shifted) / sum;
      // −t·log p = t·(logSum − shifted); skipping t = 0 keeps a −Infinity logit from making 0·Infinity = NaN.
      if (targets[row + j] !== 0) total += targets[row + j] * (logSum - shifted);
    }
  }
  if (dLogits !== null) {
    for (let i = 0; i < rows * classes; i++) dLogits[i] = (probs[i] - targets[i]) / rows;
  }
  return rows > 0 ? total / rows : 0;
}
