// A grid of 28×28 digits on a canvas, values from [lo, hi] mapped to black..white. The canvas is drawn at one
// pixel per pixel; CSS scales it up without smoothing.

export function drawDigits(canvas: HTMLCanvasElement, data: ArrayLike<number>, count: number, cols: number, lo: number, hi: number): void {
  const size = 28;
  const rows = Math.ceil(count / cols);
  canvas.width = cols * size;
  canvas.height = rows * size;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const image = ctx.createImageData(canvas.width, canvas.height);
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < count; i++) {
    const ox = (i % cols) * size;
    const oy = Math.floor(i / cols) * size;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = Math.max(0, Math.min(255, (data[i * size * size + y * size + x] - lo) * scale));
        const p = ((oy + y) * canvas.width + ox + x) * 4;
        image.data[p] = image.data[p + 1] = image.data[p + 2] = v;
        image.data[p + 3] = 255;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}
