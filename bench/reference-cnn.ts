// The tutorial network's layers in float64, written the plain way, with no code of pixprep's: the reference the
// network, layer and PyTorch rows are verified against. Layouts are Keras': images NHWC, conv kernels HWIO, dense
// kernels [in, out], Flatten in channels_last order. Each affine layer also returns Σ|w·x| + |b| per output, the
// scale its float32 rounding error is bounded by.

export interface Affine {
  /** Pre-activation z = w·x + b. */
  z: Float64Array;
  /** Σ|w·x| + |b| per output. */
  abs: Float64Array;
}

/** 'valid' 3×3 (or kh×kw) convolution, stride 1: x [B, H, W, C] → z [B, H−kh+1, W−kw+1, F]. */
export function conv2d(x: ArrayLike<number>, B: number, H: number, W: number, C: number,
  kernel: ArrayLike<number>, bias: ArrayLike<number>, kh: number, kw: number, F: number): Affine {
  const Ho = H - kh + 1;
  const Wo = W - kw + 1;
  const z = new Float64Array(B * Ho * Wo * F);
  const abs = new Float64Array(z.length);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        const o = ((b * Ho + i) * Wo + j) * F;
        for (let f = 0; f < F; f++) {
          z[o + f] = bias[f];
          abs[o + f] = Math.abs(bias[f]);
        }
        for (let di = 0; di < kh; di++) {
          for (let dj = 0; dj < kw; dj++) {
            const xi = ((b * H + i + di) * W + j + dj) * C;
            for (let c = 0; c < C; c++) {
              const v = x[xi + c];
              if (v === 0) continue;
              const k = ((di * kw + dj) * C + c) * F;
              for (let f = 0; f < F; f++) {
                const p = v * kernel[k + f];
                z[o + f] += p;
                abs[o + f] += Math.abs(p);
              }
            }
          }
        }
      }
    }
  }
  return { z, abs };
}

/** Dense: x [B, I] → z [B, O] with kernel [I, O]. */
export function dense(x: ArrayLike<number>, B: number, I: number, kernel: ArrayLike<number>, bias: ArrayLike<number>, O: number): Affine {
  const z = new Float64Array(B * O);
  const abs = new Float64Array(B * O);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < O; o++) {
      z[b * O + o] = bias[o];
      abs[b * O + o] = Math.abs(bias[o]);
    }
    for (let i = 0; i < I; i++) {
      const v = x[b * I + i];
      if (v === 0) continue;
      for (let o = 0; o < O; o++) {
        const p = v * kernel[i * O + o];
        z[b * O + o] += p;
        abs[b * O + o] += Math.abs(p);
      }
    }
  }
  return { z, abs };
}

export function relu(z: Float64Array): Float64Array {
  return z.map((v) => (v > 0 ? v : 0));
}

/** 2×2 max pooling, stride 2, floor: [B, H, W, C] → [B, ⌊H/2⌋, ⌊W/2⌋, C]. */
export function maxPool2(x: ArrayLike<number>, B: number, H: number, W: number, C: number): Float64Array {
  const Ho = Math.floor(H / 2);
  const Wo = Math.floor(W / 2);
  const out = new Float64Array(B * Ho * Wo * C);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        for (let c = 0; c < C; c++) {
          let m = -Infinity;
          for (let di = 0; di < 2; di++) {
            for (let dj = 0; dj < 2; dj++) m = Math.max(m, x[((b * H + 2 * i + di) * W + 2 * j + dj) * C + c]);
          }
          out[((b * Ho + i) * Wo + j) * C + c] = m;
        }
      }
    }
  }
  return out;
}

/** The tutorial network's weights in getWeights' order, as views of one flat array. */
export function splitWeights(flat: ArrayLike<number> & { subarray?: unknown }): ArrayLike<number>[] {
  const sizes = [3 * 3 * 1 * 32, 32, 3 * 3 * 32 * 64, 64, 1600 * 64, 64, 64 * 10, 10];
  const total = sizes.reduce((a, b) => a + b, 0);
  if (flat.length !== total) throw new Error(`tutorial weights: expected ${total} values. Received: ${flat.length}`);
  const out: ArrayLike<number>[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(Array.prototype.slice.call(flat, at, at + size) as number[]);
    at += size;
  }
  return out;
}

/** Softmax probabilities [B, 10] of the tutorial network for B images of 28×28×1. */
export function tutorialProbabilities(weights: ArrayLike<number>, images: ArrayLike<number>, B: number): Float64Array {
  const [k1, b1, k2, b2, d1, c1, d2, c2] = splitWeights(weights);
  const h1 = maxPool2(relu(conv2d(images, B, 28, 28, 1, k1, b1, 3, 3, 32).z), B, 26, 26, 32);
  const h2 = maxPool2(relu(conv2d(h1, B, 13, 13, 32, k2, b2, 3, 3, 64).z), B, 11, 11, 64);
  const h3 = relu(dense(h2, B, 1600, d1, c1, 64).z);
  const logits = dense(h3, B, 64, d2, c2, 10).z;
  const probs = new Float64Array(B * 10);
  for (let b = 0; b < B; b++) {
    let max = -Infinity;
    for (let o = 0; o < 10; o++) max = Math.max(max, logits[b * 10 + o]);
    let sum = 0;
    for (let o = 0; o < 10; o++) sum += Math.exp(logits[b * 10 + o] - max);
    for (let o = 0; o < 10; o++) probs[b * 10 + o] = Math.exp(logits[b * 10 + o] - max) / sum;
  }
  return probs;
}

/** Mean categorical cross-entropy of B images with class-index labels. */
export function tutorialLoss(weights: ArrayLike<number>, images: ArrayLike<number>, labels: ArrayLike<number>, B: number): number {
  const probs = tutorialProbabilities(weights, images, B);
  let sum = 0;
  for (let b = 0; b < B; b++) sum -= Math.log(probs[b * 10 + labels[b]]);
  return sum / B;
}
