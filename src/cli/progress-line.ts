// compare's progress on a terminal: one line per training (its name, epoch, batch, the epoch's running loss),
// redrawn in place on stderr, so that minutes of training are not minutes of silence. Only on a terminal: piped or
// redirected, stderr gets nothing (no carriage returns in logs), and stdout (the table, --json) never does.
import type { BatchLogs } from '../nn/types.js';

/** The part of a stream the line needs (process.stderr, or a test's fake). */
export interface TerminalStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Redraws at most this often; an epoch's first and last batches are always drawn. */
const REDRAW_MS = 100;

export class ProgressLine {
  private drawn = false;
  private lastDraw = -Infinity;
  private epoch = -1;
  private lossSum = 0;
  private seen = 0;

  constructor(private readonly stream: TerminalStream) {}

  /** A line drawer on `stream` if it is a terminal, else null (nothing to draw). */
  static on(stream: TerminalStream | undefined | null): ProgressLine | null {
    return stream?.isTTY === true ? new ProgressLine(stream) : null;
  }

  /** fit's batch callback for one training: `name` (the scaling), `epochs` in all. */
  batchEnd(name: string, epochs: number, epoch: number, batch: number, batches: number, logs: BatchLogs): void {
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.lossSum = 0;
      this.seen = 0;
      this.lastDraw = -Infinity; // a new epoch shows at once
    }
    this.lossSum += logs.loss * logs.size;
    this.seen += logs.size;
    const now = performance.now();
    if (batch + 1 < batches && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const loss = (this.lossSum / this.seen).toFixed(4);
    this.stream.write(`\r${name}: epoch ${epoch + 1}/${epochs}, batch ${batch + 1}/${batches}, loss ${loss}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the line (before other output, and when a training ends), ready for the next training. */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
    this.lastDraw = -Infinity;
    this.epoch = -1;
  }
}
