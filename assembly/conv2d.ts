// im2col and its adjoint col2im (NHWC). For one output pixel and one kernel row ky, the kernelW·channels values
// im2col gathers are contiguous both in the input and in the column row, so whenever the kernel row lies wholly
// inside the image they move as one v128 run; only the border pixels go kx by kx (zeros for padding).

@inline function copyRun(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

@inline function zeroRun(dst: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), i32x4.splat(0));
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), 0);
}

@inline function addRun(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = dst + (<usize>i << 2);
    v128.store(at, f32x4.add(v128.load(at), v128.load(src + (<usize>i << 2))));
  }
  for (; i < count; i++) {
    const at = dst + (<usize>i << 2);
    store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>i << 2)));
  }
}

export function im2col(cols: usize, input: usize, batch: i32, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, stride: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32): void {
  const run = kernelW * channels;
  let dst = cols;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - padLeft;
        const whole = x0 >= 0 && x0 + kernelW <= width;
        for (let ky = 0; ky < kernelH; ky++) {
          const y = oy * stride + ky - padTop;
          if (y < 0 || y >= height) {
            zeroRun(dst, run);
          } else {
            const rowStart = input + (<usize>((b * height + y) * width) * <usize>channels << 2);
            if (whole) {
              copyRun(dst, rowStart + (<usize>(x0 * channels) << 2), run);
            } else {
              for (let kx = 0; kx < kernelW; kx++) {
                const x = x0 + kx;
                const to = dst + (<usize>(kx * channels) << 2);
                if (x < 0 || x >= width) zeroRun(to, channels);
                else copyRun(to, rowStart + (<usize>(x * channels) << 2), channels);
              }
            }
          }
          dst += <usize>run << 2;
        }
      }
    }
  }
}

export function col2im(dInput: usize, cols: usize, batch: i32, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, stride: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32): void {
  const run = kernelW * channels;
  let src = cols;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - padLeft;
        const whole = x0 >= 0 && x0 + kernelW <= width;
        for (let ky = 0; ky < kernelH; ky++) {
          const y = oy * stride + ky - padTop;
          if (y >= 0 && y < height) {
            const rowStart = dInput + (<usize>((b * height + y) * width) * <usize>channels << 2);
            if (whole) {
              addRun(rowStart + (<usize>(x0 * channels) << 2), src, run);
            } else {
              for (let kx = 0; kx < kernelW; kx++) {
                const x = x0 + kx;
                if (x >= 0 && x < width) addRun(rowStart + (<usize>(x * channels) << 2), src + (<usize>(kx * channels) << 2), channels);
              }
            }
          }
          src += <usize>run << 2;
        }
      }
    }
  }
}
