// Keras-style training progress. On a terminal (verbose 1) a bar redrawn in place, at most every 100 ms so that
// drawing costs nothing next to a batch; elsewhere (logs, CI, verbose 2, an injected writer) one line per epoch:
//   Epoch 1/5 - 12.3s - loss: 0.2134 - accuracy: 0.9351 - val_loss: 0.1012 - val_accuracy: 0.9688 - 1850 images/s
import type { EpochLogs, LogWriter } from './types.js';

export type { LogWriter };

interface Terminal {
  write(text: string): unknown;
}

function terminal(): Terminal | null {
  const proc = (globalThis as { process?: { stdout?: Terminal & { isTTY?: boolean } } }).process;
  return proc?.stdout?.isTTY ? proc.stdout : null;
}

function defaultWriter(): LogWriter {
  const proc = (globalThis as { process?: { stdout?: Terminal } }).process;
  if (proc?.stdout) return (line) => proc.stdout?.write(`${line}\n`);
  return (line) => console.log(line);
}

const BAR = 30;
const REDRAW_MS = 100;

export function formatEpochLine(epoch: number, epochs: number, logs: EpochLogs): string {
  const parts = [`Epoch ${epoch + 1}/${epochs}`, `${logs.seconds.toFixed(1)}s`,
    `loss: ${logs.loss.toFixed(4)}`, `accuracy: ${logs.accuracy.toFixed(4)}`];
  if (logs.valLoss !== undefined) parts.push(`val_loss: ${logs.valLoss.toFixed(4)}`);
  if (logs.valAccuracy !== undefined) parts.push(`val_accuracy: ${logs.valAccuracy.toFixed(4)}`);
  parts.push(`${Math.round(logs.imagesPerSecond)} images/s`);
  return parts.join(' - ');
}

export class Progress {
  private readonly tty: Terminal | null;
  private readonly write: LogWriter | null;
  private lastDraw = 0;
  private epochStarted = 0;

  constructor(private readonly verbose: 0 | 1 | 2, private readonly epochs: number, private readonly steps: number,
    log: LogWriter | undefined) {
    this.tty = verbose === 1 && log === undefined ? terminal() : null;
    this.write = verbose === 0 ? null : log ?? defaultWriter();
  }

  epochStart(epoch: number): void {
    this.epochStarted = performance.now();
    this.lastDraw = 0;
    if (this.tty !== null) this.tty.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  batchEnd(step: number, loss: number, accuracy: number): void {
    if (this.tty === null) return;
    const t = performance.now();
    if (step + 1 < this.steps && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    const done = step + 1;
    const filled = Math.floor((done / this.steps) * BAR);
    const bar = done === this.steps ? '='.repeat(BAR) : `${'='.repeat(Math.max(filled - 1, 0))}>${'.'.repeat(BAR - Math.max(filled, 1))}`;
    const elapsed = (t - this.epochStarted) / 1000;
    const eta = done < this.steps ? ` - ETA: ${Math.round((elapsed / done) * (this.steps - done))}s` : '';
    const width = String(this.steps).length;
    this.tty.write(`\r${String(done).padStart(width)}/${this.steps} [${bar}]${eta} - loss: ${loss.toFixed(4)} - accuracy: ${accuracy.toFixed(4)}\x1b[K`);
  }

  epochEnd(epoch: number, logs: EpochLogs): void {
    if (this.tty !== null) {
      this.tty.write(`\r${this.steps}/${this.steps} [${'='.repeat(BAR)}] - ${formatEpochLine(epoch, this.epochs, logs).split(' - ').slice(1).join(' - ')}\x1b[K\n`);
      return;
    }
    this.write?.(formatEpochLine(epoch, this.epochs, logs));
  }

  /** Ends a half-drawn bar line before an error is thrown. */
  abort(): void {
    if (this.tty !== null) this.tty.write('\n');
  }
}
