// TypeScript twin of assembly/pool.ts: max pooling (NHWC, valid windows). The forward pass records each winner's
// flat input index so the backward pass is a scatter that needs neither the input nor the output again.

export function maxPoolForward(out: Float32Array, argmax: Int32Array, input: Float32Array, batch: number,
  height: number, width: number, channels: number, pool: number, stride: number, outH: number, outW: number): void {
  let i = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < channels; c++, i++) {
          let bestIndex = ((b * height + oy * stride) * width + ox * stride) * channels + c;
          let best = input[bestIndex];
          for (let ky = 0; ky < pool; ky++) {
            for (let kx = 0; kx < pool; kx++) {
              const index = ((b * height + oy * stride + ky) * width + ox * stride + kx) * channels + c;
              // Strictly greater: ties keep the first in window order (and a NaN first element stays, as it would
              // in the SIMD version's compare-and-select).
              if (input[index] > best) {
                best = input[index];
                bestIndex = index;
              }
            }
          }
          out[i] = best;
          argmax[i] = bestIndex;
        }
      }
    }
  }
}

export function maxPoolBackward(dInput: Float32Array, dOut: Float32Array, argmax: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) dInput[argmax[i]] += dOut[i];
}
