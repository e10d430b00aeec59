// Max pooling (NHWC, valid windows), four channels at a time. The forward keeps only the maxima: f32x4.pmax(best, v)
// is `best < v ? v : best`, so a tie keeps the first element in window order, as the scalar reference's strictly
// greater compare does, and a NaN first element stays. The backward finds each window's winner again as the first
// element in window order equal to the window's maximum (every element before the winner is strictly smaller, so
// this is the forward's choice), which costs one compare per element and saves the forward writing an index per
// output: with the index, the forward of the tutorial's first pooling took about twice as long.

export function maxPoolForward(out: usize, input: usize, batch: i32, height: i32, width: i32, channels: i32,
  pool: i32, stride: i32, outH: i32, outW: i32): void {
  const rowBytes = <usize>(width * channels) << 2;
  const pixelBytes = <usize>channels << 2;
  let o = out;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const base = input + (<usize>(((b * height + oy * stride) * width + ox * stride) * channels) << 2);
        let c = 0;
        if (pool == 2) {
          for (; c + 4 <= channels; c += 4) {
            const p = base + (<usize>c << 2);
            const top = f32x4.pmax(v128.load(p), v128.load(p + pixelBytes));
            const best = f32x4.pmax(f32x4.pmax(top, v128.load(p + rowBytes)), v128.load(p + rowBytes + pixelBytes));
            v128.store(o + (<usize>c << 2), best);
          }
        } else {
          for (; c + 4 <= channels; c += 4) {
            const p = base + (<usize>c << 2);
            let best = v128.load(p);
            for (let ky = 0; ky < pool; ky++) {
              for (let kx = 0; kx < pool; kx++) best = f32x4.pmax(best, v128.load(p + <usize>ky * rowBytes + <usize>kx * pixelBytes));
            }
            v128.store(o + (<usize>c << 2), best);
          }
        }
        for (; c < channels; c++) {
          const p = base + (<usize>c << 2);
          let best = load<f32>(p);
          for (let ky = 0; ky < pool; ky++) {
            for (let kx = 0; kx < pool; kx++) {
              const v = load<f32>(p + <usize>ky * rowBytes + <usize>kx * pixelBytes);
              if (v > best) best = v;
            }
          }
          store<f32>(o + (<usize>c << 2), best);
        }
        o += pixelBytes;
      }
    }
  }
}

/**
 * dInput[winner] += dOut for every window, the winner being the first element in window order equal to the window's
 * maximum `out` (a NaN maximum matches nothing and passes no gradient). Overlapping windows add up.
 */
export function maxPoolBackward(dInput: usize, dOut: usize, input: usize, out: usize, batch: i32, height: i32,
  width: i32, channels: i32, pool: i32, stride: i32, outH: i32, outW: i32): void {
  const rowBytes = <usize>(width * channels) << 2;
  const pixelBytes = <usize>channels << 2;
  let o: usize = 0; // byte offset of the window's outputs in out and dOut
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const base = <usize>(((b * height + oy * stride) * width + ox * stride) * channels) << 2;
        let c = 0;
        for (; c + 4 <= channels; c += 4) {
          const at = base + (<usize>c << 2);
          const max = v128.load(out + o + (<usize>c << 2));
          const g = v128.load(dOut + o + (<usize>c << 2));
          let open = i32x4.splat(-1); // lanes whose winner is still to be found
          for (let ky = 0; ky < pool; ky++) {
            for (let kx = 0; kx < pool; kx++) {
              const p = at + <usize>ky * rowBytes + <usize>kx * pixelBytes;
              const hit = v128.and(f32x4.eq(v128.load(input + p), max), open);
              open = v128.andnot(open, hit);
              const d = v128.load(dInput + p);
              v128.store(dInput + p, v128.bitselect(f32x4.add(d, g), d, hit));
            }
          }
        }
        for (; c < channels; c++) {
          const at = base + (<usize>c << 2);
          const max = load<f32>(out + o + (<usize>c << 2));
          let found = false;
          for (let ky = 0; ky < pool && !found; ky++) {
            for (let kx = 0; kx < pool && !found; kx++) {
              const p = at + <usize>ky * rowBytes + <usize>kx * pixelBytes;
              if (load<f32>(input + p) == max) {
                store<f32>(dInput + p, load<f32>(dInput + p) + load<f32>(dOut + o + (<usize>c << 2)));
                found = true;
              }
            }
          }
        }
        o += pixelBytes;
      }
    }
  }
}
