// A channelsFirst flow iterator as the network reads it. The generator's flow yields [k, channels, height, width]
// batches when made with dataFormat 'channelsFirst'; the network is channels-last inside, so each batch is staged
// as the flow writes it and transposed into the model's input. The flow itself is left as it is (its own
// for..of batches stay channelsFirst), and the staging buffer is made once per fit/evaluate/predict call.
import type { BatchSource } from './batch-source.js';

export class ChannelsLastSource implements BatchSource {
  readonly imageShape: readonly [number, number, number];
  private readonly staging: Float32Array;

  constructor(private readonly flow: BatchSource) {
    const [c, h, w] = flow.imageShape;
    this.imageShape = [h, w, c];
    this.staging = new Float32Array(Math.min(flow.batchSize, flow.sampleCount) * c * h * w);
  }

  get length(): number {
    return this.flow.length;
  }

  get batchSize(): number {
    return this.flow.batchSize;
  }

  get sampleCount(): number {
    return this.flow.sampleCount;
  }

  get labelWidth(): number {
    return this.flow.labelWidth;
  }

  get shuffle(): boolean | undefined {
    return this.flow.shuffle;
  }

  batchInto(i: number, x: Float32Array, y: Float32Array | null): number {
    const count = this.flow.batchInto(i, this.staging, y);
    const [h, w, c] = this.imageShape;
    const plane = h * w;
    const size = plane * c;
    for (let k = 0; k < count; k++) {
      const from = k * size;
      for (let p = 0; p < plane; p++) {
        for (let ch = 0; ch < c; ch++) x[from + p * c + ch] = this.staging[from + ch * plane + p];
      }
    }
    return count;
  }

  onEpochEnd(): void {
    this.flow.onEpochEnd();
  }
}
