// TypeScript twin of assembly/activations.ts: relu. Math.max lets a NaN through (as f32x4.max does), so a diverging
// network shows up as a NaN loss instead of being silently clamped to 0.

export function reluForward(out: Float32Array, input: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.max(input[i], 0);
}

export function reluBackward(dInput: Float32Array, dOut: Float32Array, output: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dInput[i] = output[i] > 0 ? dOut[i] : 0;
}
