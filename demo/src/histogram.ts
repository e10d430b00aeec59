// A histogram of pixel values. Counts are drawn on a log scale: most MNIST pixels are background, and a linear
// scale would show one bar at the low end and nothing else.

export function valueRange(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

export function histogram(values: ArrayLike<number>, bins: number, min: number, max: number): Uint32Array {
  const counts = new Uint32Array(bins);
  const width = (max - min) / bins || 1;
  for (let i = 0; i < values.length; i++) {
    counts[Math.min(bins - 1, Math.max(0, Math.floor((values[i] - min) / width)))]++;
  }
  return counts;
}

export function drawHistogram(canvas: HTMLCanvasElement, values: ArrayLike<number>, color: string): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const { width, height } = canvas;
  const { min, max } = valueRange(values);
  const bins = 48;
  const counts = histogram(values, bins, min, max);
  const top = Math.log1p(Math.max(...counts));
  const plot = { x: 4, y: 4, w: width - 8, h: height - 22 };
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = color;
  counts.forEach((n, i) => {
    const h = n === 0 ? 0 : Math.max(1, (Math.log1p(n) / top) * plot.h);
    ctx.fillRect(plot.x + (i * plot.w) / bins, plot.y + plot.h - h, plot.w / bins - 1, h);
  });
  ctx.fillStyle = '#555';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left';
  ctx.fillText(format(min), plot.x, height - 2);
  ctx.textAlign = 'right';
  ctx.fillText(format(max), plot.x + plot.w, height - 2);
  ctx.textAlign = 'center';
  ctx.fillText('pixel value (log count)', width / 2, height - 2);
}

/** 3 decimals (1 from 100 up); a value that rounds to zero prints as 0.000, not -0.000. */
export function format(v: number): string {
  const text = Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
  return /^-0\.0*$/.test(text) ? text.slice(1) : text;
}
