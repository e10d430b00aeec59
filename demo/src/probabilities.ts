// The predicted probability of each class, as ten bars; the most likely one highlighted.

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function drawProbabilities(canvas: HTMLCanvasElement, probabilities: ArrayLike<number>): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const { width, height } = canvas;
  const best = argmax(probabilities);
  const slot = width / probabilities.length;
  const plot = height - 16;
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  for (let i = 0; i < probabilities.length; i++) {
    const h = Math.max(1, probabilities[i] * plot);
    ctx.fillStyle = i === best ? '#2b8a3e' : '#adb5bd';
    ctx.fillRect(i * slot + 3, plot - h, slot - 6, h);
    ctx.fillStyle = '#495057';
    ctx.fillText(String(i), i * slot + slot / 2, height - 3);
  }
}
