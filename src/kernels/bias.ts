// TypeScript twin of assembly/bias.ts: the bias of Dense and Conv2D, added to every row of an (rows × units) output;
// its gradient is the column sum of dOut, summed in float64 because a conv layer sums tens of thousands of rows.

export function biasAdd(out: Float32Array, bias: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) out[r * cols + j] += bias[j];
  }
}

export function biasGrad(dBias: Float32Array, dOut: Float32Array, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += dOut[r * cols + j];
    dBias[j] += sum;
  }
}
