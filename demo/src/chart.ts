// The live training plot: loss (left axis) and accuracy (right axis, 0–1) per batch, and the test accuracy after
// each epoch as dots. Points are kept; the whole plot is redrawn, at most once a frame.

interface Point {
  x: number;
  y: number;
}

const COLORS = { loss: '#d9480f', accuracy: '#1c7ed6', test: '#2b8a3e', grid: '#e9ecef', text: '#495057' };

export class TrainingChart {
  private readonly loss: Point[] = [];
  private readonly accuracy: Point[] = [];
  private readonly test: Point[] = [];
  private totalBatches = 1;
  private pending = false;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.draw();
  }

  setTotalBatches(n: number): void {
    this.totalBatches = Math.max(1, n);
  }

  addBatch(step: number, loss: number, accuracy: number): void {
    this.loss.push({ x: step, y: loss });
    this.accuracy.push({ x: step, y: accuracy });
    this.schedule();
  }

  addEpoch(step: number, testAccuracy: number): void {
    this.test.push({ x: step, y: testAccuracy });
    this.schedule();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw(): void {
    const ctx = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    const { width, height } = this.canvas;
    const p = { x: 44, y: 24, w: width - 88, h: height - 52 };
    // A loop, not Math.max(...points): one point per batch outgrows the call stack on a long run (60,000 images,
    // batch 1, a few epochs).
    let maxLoss = 0.5;
    for (const q of this.loss) if (q.y > maxLoss) maxLoss = q.y;
    const sx = (x: number) => p.x + (x / this.totalBatches) * p.w;
    const sLoss = (y: number) => p.y + p.h - (y / maxLoss) * p.h;
    const sAcc = (y: number) => p.y + p.h - y * p.h;

    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = COLORS.grid;
    ctx.fillStyle = COLORS.text;
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = p.y + (i * p.h) / 4;
      ctx.beginPath();
      ctx.moveTo(p.x, y);
      ctx.lineTo(p.x + p.w, y);
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText((maxLoss * (1 - i / 4)).toFixed(2), p.x - 4, y + 4);
      ctx.textAlign = 'left';
      ctx.fillText((1 - i / 4).toFixed(2), p.x + p.w + 4, y + 4);
    }
    ctx.textAlign = 'center';
    ctx.fillText(`batch (of ${this.totalBatches})`, p.x + p.w / 2, height - 6);

    line(ctx, this.loss.map((q) => ({ x: sx(q.x), y: sLoss(q.y) })), COLORS.loss);
    line(ctx, this.accuracy.map((q) => ({ x: sx(q.x), y: sAcc(q.y) })), COLORS.accuracy);
    ctx.fillStyle = COLORS.test;
    for (const q of this.test) {
      ctx.beginPath();
      ctx.arc(sx(q.x), sAcc(q.y), 4, 0, 2 * Math.PI);
      ctx.fill();
    }

    const legend: [string, string][] = [['loss', COLORS.loss], ['train accuracy', COLORS.accuracy], ['test accuracy', COLORS.test]];
    let x = p.x;
    ctx.textAlign = 'left';
    for (const [label, color] of legend) {
      ctx.fillStyle = color;
      ctx.fillRect(x, 8, 10, 10);
      ctx.fillStyle = COLORS.text;
      ctx.fillText(label, x + 14, 17);
      x += ctx.measureText(label).width + 30;
    }
  }
}

function line(ctx: CanvasRenderingContext2D, points: Point[], color: string): void {
  if (points.length === 0) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  points.forEach((q, i) => (i === 0 ? ctx.moveTo(q.x, q.y) : ctx.lineTo(q.x, q.y)));
  ctx.stroke();
}
