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
 * dInput = the gradient of the pooling: dOut at each window's winner, the first element in window order equal to the
 * window's maximum `out` (a NaN maximum matches nothing and passes no gradient), zero elsewhere. Every element of
 * dInput is written. Windows that tile the input (stride = pool, the usual case) are written in one pass, with no
 * separate zeroing: the pass is bound by memory traffic, and a zeroing pass plus read-modify-write doubled it.
 * Overlapping or gapped windows zero dInput first and add (overlapping windows' gradients add up).
 * When `relu`, the input is a relu's output and each window passes its gradient only where its maximum is > 0: the
 * relu's derivative at the winner (zero elsewhere anyway), which the layer below then need not apply in a sweep of
 * the whole dInput of its own (for the tutorial's first layer, 5.5 MB read and written per step).
 */
export function maxPoolBackward(dInput: usize, dOut: usize, input: usize, out: usize, batch: i32, height: i32,
  width: i32, channels: i32, pool: i32, stride: i32, outH: i32, outW: i32, relu: bool): void {
  if (stride != pool) {
    memory.fill(dInput, 0, <usize>(batch * height * width * channels) << 2);
    accumulateWindows(dInput, dOut, input, out, batch, height, width, channels, pool, stride, outH, outW, relu);
    return;
  }
  const rowBytes = <usize>(width * channels) << 2;
  const pixelBytes = <usize>channels << 2;
  const zero = f32x4.splat(0);
  let o: usize = 0; // byte offset of the window's outputs in out and dOut
  for (let b = 0; b < batch; b++) {
    const image = <usize>(b * height * width * channels) << 2;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const base = image + (<usize>((oy * width + ox) * pool * channels) << 2);
        let c = 0;
        if (pool == 2) {
          for (; c + 4 <= channels; c += 4) {
            const p0 = base + (<usize>c << 2), p1 = p0 + pixelBytes, p2 = p0 + rowBytes, p3 = p2 + pixelBytes;
            const max = v128.load(out + o + (<usize>c << 2));
            // 0 + g, as the old zero-then-add gave: −0 becomes +0.
            const g = windowGradient(v128.load(dOut + o + (<usize>c << 2)), max, relu);
            const h0 = f32x4.eq(v128.load(input + p0), max);
            const h1 = v128.andnot(f32x4.eq(v128.load(input + p1), max), h0);
            const before2 = v128.or(h0, h1);
            const h2 = v128.andnot(f32x4.eq(v128.load(input + p2), max), before2);
            const h3 = v128.andnot(f32x4.eq(v128.load(input + p3), max), v128.or(before2, h2));
            v128.store(dInput + p0, v128.and(g, h0));
            v128.store(dInput + p1, v128.and(g, h1));
            v128.store(dInput + p2, v128.and(g, h2));
            v128.store(dInput + p3, v128.and(g, h3));
          }
        }
        for (; c + 4 <= channels; c += 4) {
          const at = base + (<usize>c << 2);
          const max = v128.load(out + o + (<usize>c << 2));
          const g = windowGradient(v128.load(dOut + o + (<usize>c << 2)), max, relu);
          let open = i32x4.splat(-1); // lanes whose winner is still to be found
          for (let ky = 0; ky < pool; ky++) {
            for (let kx = 0; kx < pool; kx++) {
              const p = at + <usize>ky * rowBytes + <usize>kx * pixelBytes;
              const hit = v128.and(f32x4.eq(v128.load(input + p), max), open);
              open = v128.andnot(open, hit);
              v128.store(dInput + p, v128.and(g, hit));
            }
          }
        }
        for (; c < channels; c++) {
          const at = base + (<usize>c << 2);
          const max = load<f32>(out + o + (<usize>c << 2));
          const g = relu && !(max > 0) ? <f32>0 : <f32>0 + load<f32>(dOut + o + (<usize>c << 2));
          let found = false;
          for (let ky = 0; ky < pool; ky++) {
            for (let kx = 0; kx < pool; kx++) {
              const p = at + <usize>ky * rowBytes + <usize>kx * pixelBytes;
              const hit = !found && load<f32>(input + p) == max;
              store<f32>(dInput + p, hit ? g : 0);
              found = found || hit;
            }
          }
        }
        o += pixelBytes;
      }
      // Columns right of the last window, in this row of windows.
      const right = outW * pool;
      if (right < width) {
        for (let ky = 0; ky < pool; ky++) {
          const row = dInput + image + (<usize>(((oy * pool + ky) * width + right) * channels) << 2);
          memory.fill(row, 0, <usize>((width - right) * channels) << 2);
        }
      }
    }
    // Rows below the last window.
    const bottom = outH * pool;
    if (bottom < height) memory.fill(dInput + image + <usize>bottom * rowBytes, 0, <usize>(height - bottom) * rowBytes);
  }
}

/** 0 + g (−0 becomes +0, as a zeroed dInput plus g gave), or +0 where relu and the window's maximum is not > 0. */
@inline function windowGradient(g: v128, max: v128, relu: bool): v128 {
  const zero = f32x4.splat(0);
  const sum = f32x4.add(zero, g);
  return relu ? v128.and(sum, f32x4.gt(max, zero)) : sum;
}

// dInput[winner] += dOut per window (any pool and stride; windows may overlap).
function accumulateWindows(dInput: usize, dOut: usize, input: usize, out: usize, batch: i32, height: i32,
  width: i32, channels: i32, pool: i32, stride: i32, outH: i32, outW: i32, relu: bool): void {
  const rowBytes = <usize>(width * channels) << 2;
  const pixelBytes = <usize>channels << 2;
  let o: usize = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const base = <usize>(((b * height + oy * stride) * width + ox * stride) * channels) << 2;
        let c = 0;
        for (; c + 4 <= channels; c += 4) {
          const at = base + (<usize>c << 2);
          const max = v128.load(out + o + (<usize>c << 2));
          const g = windowGradient(v128.load(dOut + o + (<usize>c << 2)), max, relu);
          let open = i32x4.splat(-1);
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
                const g = relu && !(max > 0) ? <f32>0 : load<f32>(dOut + o + (<usize>c << 2));
                store<f32>(dInput + p, load<f32>(dInput + p) + g);
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
