// TypeScript twin of assembly/scale.ts: the readable specification of the scaling kernels, and the js backend.
// Math.fround after each operation reproduces the f32 arithmetic of the wasm kernels exactly.

const f32 = Math.fround;

/** out[i] = fround(fround(input[i] · mul[i % channels]) + add[i % channels]); one channel: a plain x · mul + add. */
export function affineU8(out: Float32Array, input: Uint8Array, n: number, channels: number, mul: Float32Array, add: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const c = i % channels;
    out[i] = f32(input[i] * mul[c]) + add[c];
  }
}

export function affineF32(out: Float32Array, input: Float32Array, n: number, channels: number, mul: Float32Array, add: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const c = i % channels;
    out[i] = f32(input[i] * mul[c]) + add[c];
  }
}
