// TypeScript twin of assembly/pool.ts: max pooling (NHWC, valid windows). The forward keeps only the maxima; the
// backward finds each window's winner again as the first element in window order equal to its maximum (every
// element before the forward's winner is strictly smaller), so no index is stored between the two passes.

export function maxPoolForward(out: Float32Array, input: Float32Array, batch: number, height: number, width: number,
  channels: number, pool: number, stride: number, outH: number, outW: number): void {
  let i = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < channels; c++, i++) {
          let best = input[((b * height + oy * stride) * width + ox * stride) * channels + c];
          for (let ky = 0; ky < pool; ky++) {
            for (let kx = 0; kx < pool; kx++) {
              const v = input[((b * height + oy * stride + ky) * width + ox * stride + kx) * channels + c];
              // Strictly greater: ties keep the first in window order (and a NaN first element stays, as it does
              // in the SIMD version's pmax).
              if (v > best) best = v;
            }
          }
          out[i] = best;
        }
      }
    }
  }
}

/**
 * dInput = dOut at each window's winner (the first element equal to `out`; a NaN maximum matches nothing), zero
 * elsewhere; overlapping windows add up. Every element of dInput is written. When `relu` (the input is a relu's
 * output), a window whose maximum is not > 0 passes 0: relu's derivative at the winner, applied here for the layer
 * below.
 */
export function maxPoolBackward(dInput: Float32Array, dOut: Float32Array, input: Float32Array, out: Float32Array,
  batch: number, height: number, width: number, channels: number, pool: number, stride: number, outH: number,
  outW: number, relu: boolean): void {
  dInput.fill(0, 0, batch * height * width * channels);
  let i = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < channels; c++, i++) {
          search: for (let ky = 0; ky < pool; ky++) {
            for (let kx = 0; kx < pool; kx++) {
              const index = ((b * height + oy * stride + ky) * width + ox * stride + kx) * channels + c;
              if (input[index] === out[i]) {
                dInput[index] += relu && !(out[i] > 0) ? 0 : dOut[i];
                break search;
              }
            }
          }
        }
      }
    }
  }
}
