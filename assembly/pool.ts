// Max pooling (NHWC, valid windows) with the winner's flat input index kept for the backward scatter. Four
// channels at a time: a strict greater-than mask selects both the value and its index, so ties keep the first
// element in window order exactly as the scalar reference does.

export function maxPoolForward(out: usize, argmax: usize, input: usize, batch: i32, height: i32, width: i32,
  channels: i32, pool: i32, stride: i32, outH: i32, outW: i32): void {
  const lanes = i32x4(0, 1, 2, 3);
  let o: usize = 0; // element index of the output
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const base = ((b * height + oy * stride) * width + ox * stride) * channels;
        let c = 0;
        for (; c + 4 <= channels; c += 4) {
          let best = v128.load(input + (<usize>(base + c) << 2));
          let index = i32x4.add(i32x4.splat(base + c), lanes);
          for (let ky = 0; ky < pool; ky++) {
            for (let kx = 0; kx < pool; kx++) {
              const at = base + (ky * width + kx) * channels + c;
              const v = v128.load(input + (<usize>at << 2));
              const greater = f32x4.gt(v, best);
              best = v128.bitselect(v, best, greater);
              index = v128.bitselect(i32x4.add(i32x4.splat(at), lanes), index, greater);
            }
          }
          v128.store(out + ((o + <usize>c) << 2), best);
          v128.store(argmax + ((o + <usize>c) << 2), index);
        }
        for (; c < channels; c++) {
          let bestAt = base + c;
          let best = load<f32>(input + (<usize>bestAt << 2));
          for (let ky = 0; ky < pool; ky++) {
            for (let kx = 0; kx < pool; kx++) {
              const at = base + (ky * width + kx) * channels + c;
              const v = load<f32>(input + (<usize>at << 2));
              if (v > best) {
                best = v;
                bestAt = at;
              }
            }
          }
          store<f32>(out + ((o + <usize>c) << 2), best);
          store<i32>(argmax + ((o + <usize>c) << 2), bestAt);
        }
        o += <usize>channels;
      }
    }
  }
}

/** A scatter: wasm SIMD has no scatter, and this is a small fraction of a training step. */
export function maxPoolBackward(dInput: usize, dOut: usize, argmax: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const at = dInput + (<usize>load<i32>(argmax + (<usize>i << 2)) << 2);
    store<f32>(at, load<f32>(at) + load<f32>(dOut + (<usize>i << 2)));
  }
}
