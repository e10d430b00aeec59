// TypeScript twin of assembly/conv2d.ts: im2col turns a convolution into one gemm (cols · W, W stored
// kernelH·kernelW·channels × filters, as Keras stores a Conv2D kernel), and col2im is its adjoint, which the
// backward pass needs for dInput = col2im(dY · Wᵀ).

export function im2col(cols: Float32Array, input: Float32Array, batch: number, height: number, width: number,
  channels: number, kernelH: number, kernelW: number, stride: number, padTop: number, padLeft: number,
  outH: number, outW: number): void {
  const rowLength = kernelH * kernelW * channels;
  let r = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, r++) {
        for (let ky = 0; ky < kernelH; ky++) {
          const y = oy * stride + ky - padTop;
          for (let kx = 0; kx < kernelW; kx++) {
            const x = ox * stride + kx - padLeft;
            const to = r * rowLength + (ky * kernelW + kx) * channels;
            const inside = y >= 0 && y < height && x >= 0 && x < width;
            const from = ((b * height + y) * width + x) * channels;
            for (let ci = 0; ci < channels; ci++) cols[to + ci] = inside ? input[from + ci] : 0;
          }
        }
      }
    }
  }
}

export function col2im(dInput: Float32Array, cols: Float32Array, batch: number, height: number, width: number,
  channels: number, kernelH: number, kernelW: number, stride: number, padTop: number, padLeft: number,
  outH: number, outW: number): void {
  const rowLength = kernelH * kernelW * channels;
  let r = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, r++) {
        for (let ky = 0; ky < kernelH; ky++) {
          const y = oy * stride + ky - padTop;
          if (y < 0 || y >= height) continue;
          for (let kx = 0; kx < kernelW; kx++) {
            const x = ox * stride + kx - padLeft;
            if (x < 0 || x >= width) continue;
            const from = r * rowLength + (ky * kernelW + kx) * channels;
            const to = ((b * height + y) * width + x) * channels;
            for (let ci = 0; ci < channels; ci++) dInput[to + ci] += cols[from + ci];
          }
        }
      }
    }
  }
}
