// TypeScript twin of assembly/gemm.ts: C = op(A)·op(B) (+ C), row-major f32, the specification of the js backend.
// Each element of C is one dot product summed in float64 and rounded once, so this is also the most accurate
// version; the wasm kernel sums in f32 in another order and agrees to ~1e-6 relative.

export function gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number,
  transA: boolean, transB: boolean, accumulate: boolean): void {
  // Strides that make A(i, p) = a[i·aRow + p·aCol] and B(p, j) = b[p·bRow + j·bCol] for every layout.
  const aRow = transA ? 1 : k, aCol = transA ? m : 1;
  const bRow = transB ? 1 : n, bCol = transB ? k : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = accumulate ? c[i * n + j] : 0;
      for (let p = 0; p < k; p++) sum += a[i * aRow + p * aCol] * b[p * bRow + j * bCol];
      c[i * n + j] = sum;
    }
  }
}
