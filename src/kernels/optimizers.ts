// TypeScript twin of assembly/optimizers.ts: the parameter updates, over one flat parameter arena at a time.
// Adam is Keras's form (bias correction folded into the step size, epsilon outside the square root).

export function adam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, n: number,
  learningRate: number, beta1: number, beta2: number, epsilon: number, step: number): void {
  const lrT = learningRate * Math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step);
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    m[i] += (g - m[i]) * (1 - beta1);
    v[i] += (g * g - v[i]) * (1 - beta2);
    param[i] -= lrT * m[i] / (Math.sqrt(v[i]) + epsilon);
  }
}

export function sgd(param: Float32Array, grad: Float32Array, n: number, learningRate: number): void {
  for (let i = 0; i < n; i++) param[i] -= learningRate * grad[i];
}
