// The network kernels' interface (issue 5), implemented twice with the same names: src/kernels/nn/*.ts in plain
// TypeScript (the readable specification and the js backend) and assembly/*.ts in WebAssembly SIMD.
// Conventions as in types.ts: outputs first, then inputs, then sizes; row-major f32; NHWC images; nothing allocated;
// for the wasm backend every array is a view into the backend heap (HeapBlock.view).

export interface NnKernels {
  /**
   * C = op(A) · op(B) (+ C when accumulate), row-major. op(A) is m×k: A is stored m×k, or k×m when transA.
   * op(B) is k×n: B is stored k×n, or n×k when transB. C is m×n. Any of m, n, k may be 0.
   */
  gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number,
    transA: boolean, transB: boolean, accumulate: boolean): void;

  /**
   * Unfolds image patches into rows: row r = (b, oy, ox) of batch·outH·outW rows, column (ky, kx, ci) of
   * kernelH·kernelW·channels columns: cols[r][(ky·kernelW + kx)·channels + ci] =
   * input[b][oy·stride + ky − padTop][ox·stride + kx − padLeft][ci], or 0 outside the image.
   */
  im2col(cols: Float32Array, input: Float32Array, batch: number, height: number, width: number, channels: number,
    kernelH: number, kernelW: number, stride: number, padTop: number, padLeft: number, outH: number, outW: number): void;
  /** The adjoint of im2col: dInput[...] += cols[r][...] for every (r, column) im2col reads. Caller zeroes dInput. */
  col2im(dInput: Float32Array, cols: Float32Array, batch: number, height: number, width: number, channels: number,
    kernelH: number, kernelW: number, stride: number, padTop: number, padLeft: number, outH: number, outW: number): void;

  /**
   * A direct convolution: out[b][oy][ox][f] = bias[f] (0 when null) + Σ input[b][oy·stride + ky − padTop]
   * [ox·stride + kx − padLeft][c] · kernel[ky][kx][c][f] (zero outside the image), then max(·, 0) when relu. For few
   * channels: kernelH·kernelW·channels · filters (rounded up to 8) ≤ 16384 and filters ≤ 4096 (conv2dDirectFits).
   */
  conv2dDirect(out: Float32Array, input: Float32Array, kernel: Float32Array, bias: Float32Array | null, relu: boolean,
    batch: number, height: number, width: number, channels: number, kernelH: number, kernelW: number, stride: number,
    padTop: number, padLeft: number, outH: number, outW: number, filters: number): void;

  /**
   * Winograd F(4×4, 3×3) for 3×3 stride-1 convolutions (src/kernels/nn/winograd.ts). The batch's output is cut in
   * 4×4 tiles, t = (b·ceil(outH/4) + ty)·ceil(outW/4) + tx; each call but the kernel transform handles the `tiles`
   * tiles from tile0 (a block small enough for its planes to stay in cache). Operands are 36 planes
   * winogradPlaneStride(rows, cols) floats apart: U (channels × filters), V (tiles × channels), M (tiles × filters).
   * U = G g Gᵀ of the Keras kernel [3, 3, channels, filters].
   */
  winogradKernelTransform(u: Float32Array, kernel: Float32Array, channels: number, filters: number): void;
  /** V = Bᵀ d B of each tile's 6×6 input patch at (4·ty − padTop, 4·tx − padLeft), zeros outside the image. */
  winogradInputTransform(v: Float32Array, input: Float32Array, height: number, width: number, channels: number,
    padTop: number, padLeft: number, outH: number, outW: number, tile0: number, tiles: number): void;
  /** out[e] = input[e] · U[e] (tiles × filters), or, when adjoint, input[e] · U[e]ᵀ (tiles × channels). */
  winogradMultiply(out: Float32Array, input: Float32Array, u: Float32Array, tiles: number, channels: number,
    filters: number, adjoint: boolean): void;
  /** out = Aᵀ M A per tile (+ bias, when not null; then max(·, 0) when relu), the valid outH × outW outputs only. */
  winogradOutputTransform(out: Float32Array, m: Float32Array, bias: Float32Array | null, relu: boolean, outH: number,
    outW: number, filters: number, tile0: number, tiles: number): void;
  /** dM = A dY Aᵀ per tile (dY zero past outH × outW): the output transform's adjoint. */
  winogradOutputAdjoint(dm: Float32Array, dOut: Float32Array, outH: number, outW: number, filters: number,
    tile0: number, tiles: number): void;
  /** dInput += B dV Bᵀ at each tile's patch (outside pixels dropped): the input transform's adjoint. */
  winogradInputAdjoint(dInput: Float32Array, dv: Float32Array, height: number, width: number, channels: number,
    padTop: number, padLeft: number, outH: number, outW: number, tile0: number, tiles: number): void;

  /** Max over pool×pool windows moved by stride (valid); argmax[i] = flat index into input of out[i]'s winner
   * (first maximum in row-major window order). */
  maxPoolForward(out: Float32Array, argmax: Int32Array, input: Float32Array, batch: number, height: number, width: number,
    channels: number, pool: number, stride: number, outH: number, outW: number): void;
  /** dInput[argmax[i]] += dOut[i] for i < n. Caller zeroes dInput. */
  maxPoolBackward(dInput: Float32Array, dOut: Float32Array, argmax: Int32Array, n: number): void;

  /** out[r·cols + j] += bias[j]. */
  biasAdd(out: Float32Array, bias: Float32Array, rows: number, cols: number): void;
  /** dBias[j] += Σ_r dOut[r·cols + j]. */
  biasGrad(dBias: Float32Array, dOut: Float32Array, rows: number, cols: number): void;

  /** out[i] = max(input[i], 0); out may equal input. */
  reluForward(out: Float32Array, input: Float32Array, n: number): void;
  /** dInput[i] = output[i] > 0 ? dOut[i] : 0; dInput may equal dOut. */
  reluBackward(dInput: Float32Array, dOut: Float32Array, output: Float32Array, n: number): void;

  /**
   * Row-wise softmax of logits into probs (max-subtracted, stable), and the mean categorical cross-entropy against
   * one-hot (or soft) targets over the rows, returned in float64. dLogits = (probs − targets) / rows, the gradient
   * of that mean. dLogits may be null (inference). Loss terms use log(max(p, 1e-7))-free exact log-sum-exp form.
   */
  softmaxCrossEntropy(probs: Float32Array, dLogits: Float32Array | null, logits: Float32Array, targets: Float32Array,
    rows: number, classes: number): number;

  /**
   * One Adam step as Keras does it (t ≥ 1): lr_t = lr·sqrt(1 − β2^t)/(1 − β1^t); m += (g − m)(1 − β1);
   * v += (g² − v)(1 − β2); param −= lr_t · m / (sqrt(v) + ε).
   */
  adam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, n: number,
    learningRate: number, beta1: number, beta2: number, epsilon: number, step: number): void;
  /** param −= learningRate · grad. */
  sgd(param: Float32Array, grad: Float32Array, n: number, learningRate: number): void;
}
