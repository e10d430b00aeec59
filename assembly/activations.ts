// relu. f32x4.max propagates NaN like Math.max in the reference, so divergence reaches the loss instead of being
// clamped away.

export function reluForward(out: usize, input: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = <usize>i << 2;
    v128.store(out + p, f32x4.max(v128.load(input + p, 0), zero), 0);
    v128.store(out + p, f32x4.max(v128.load(input + p, 16), zero), 16);
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const x = load<f32>(input + p);
    store<f32>(out + p, max(x, <f32>0));
  }
}

export function reluBackward(dInput: usize, dOut: usize, output: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(dInput + p, v128.and(v128.load(dOut + p), f32x4.gt(v128.load(output + p), zero)));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(dInput + p, load<f32>(output + p) > 0 ? load<f32>(dOut + p) : 0);
  }
}
