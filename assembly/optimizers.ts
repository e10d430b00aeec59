// Parameter updates over a flat parameter arena, four at a time in f32. The step size's bias correction is
// computed once in f64 (β^t for large t needs it) and the per-element work is Keras's Adam.

export function adam(param: usize, grad: usize, m: usize, v: usize, n: i32,
  learningRate: f64, beta1: f64, beta2: f64, epsilon: f64, step: f64): void {
  const lrT = <f32>(learningRate * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
  const b1 = <f32>(1 - beta1), b2 = <f32>(1 - beta2), eps = <f32>epsilon;
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vEps = f32x4.splat(eps), vLr = f32x4.splat(lrT);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    const g = v128.load(grad + p);
    let mi = v128.load(m + p);
    let vi = v128.load(v + p);
    mi = f32x4.add(mi, f32x4.mul(f32x4.sub(g, mi), vb1));
    vi = f32x4.add(vi, f32x4.mul(f32x4.sub(f32x4.mul(g, g), vi), vb2));
    v128.store(m + p, mi);
    v128.store(v + p, vi);
    const delta = f32x4.div(f32x4.mul(vLr, mi), f32x4.add(f32x4.sqrt(vi), vEps));
    v128.store(param + p, f32x4.sub(v128.load(param + p), delta));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const g = load<f32>(grad + p);
    let mi = load<f32>(m + p);
    let vi = load<f32>(v + p);
    mi += (g - mi) * b1;
    vi += (g * g - vi) * b2;
    store<f32>(m + p, mi);
    store<f32>(v + p, vi);
    store<f32>(param + p, load<f32>(param + p) - lrT * mi / (Mathf.sqrt(vi) + eps));
  }
}

export function sgd(param: usize, grad: usize, n: i32, learningRate: f32): void {
  const lr = f32x4.splat(learningRate);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(param + p, f32x4.sub(v128.load(param + p), f32x4.mul(lr, v128.load(grad + p))));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(param + p, load<f32>(param + p) - learningRate * load<f32>(grad + p));
  }
}
