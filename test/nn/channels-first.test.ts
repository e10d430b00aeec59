// model.fit, evaluate and predict take channelsFirst arrays ([n, channels, height, width], the dataFormat option),
// as the generator's flow does: each batch is gathered into the network's channels-last order by the same input
// module (src/generator/image-set.ts), so training on the NCHW array is bit-identical to training on its NHWC
// transpose (written here by a plain index loop). A channelsFirst generator's flow is taken too (its batches
// transposed on the way in: src/nn/channels-last-source.ts). On both backends.
import { afterEach, describe, expect, it } from 'vitest';
import { Conv2D, Dense, Flatten, ImageDataGenerator, MaxPooling2D, Sequential, setBackend, type ImageTensor } from '../../src/index.js';
import { currentBackend } from '../../src/internal.js';
import { Random } from '../../src/random.js';

const [N, H, W, C] = [37, 7, 6, 3];
const CLASSES = 4;

function model(): Sequential {
  // No inputShape: the model is built from the first data it sees, so the NCHW run must infer [7, 6, 3] itself.
  const m = new Sequential([
    new Conv2D({ filters: 5, kernelSize: 3, activation: 'relu' }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: CLASSES, activation: 'softmax' }),
  ], { seed: 7 });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** NHWC → NCHW by index: out[n][c][y][x] = in[n][y][x][c]. */
function toChannelsFirst<T extends Uint8Array | Float64Array>(nhwc: T, make: (length: number) => T): T {
  const out = make(nhwc.length);
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let c = 0; c < C; c++) out[((n * C + c) * H + y) * W + x] = nhwc[((n * H + y) * W + x) * C + c];
      }
    }
  }
  return out;
}

function data() {
  const rng = new Random(11);
  const bytes = Uint8Array.from({ length: N * H * W * C }, () => Math.floor(rng.uniform(0, 256)));
  const floats = Float64Array.from(bytes, (v) => v / 255 - 0.3);
  const labels = Uint16Array.from({ length: N }, (_, i) => (i * 7) % CLASSES);
  return {
    labels,
    bytes: { last: { data: bytes, shape: [N, H, W, C] }, first: { data: toChannelsFirst(bytes, (l) => new Uint8Array(l)), shape: [N, C, H, W] } },
    floats: { last: { data: floats, shape: [N, H, W, C] }, first: { data: toChannelsFirst(floats, (l) => new Float64Array(l)), shape: [N, C, H, W] } },
  };
}

afterEach(() => setBackend('wasm-simd'));

describe.each(['wasm-simd', 'js'] as const)('channelsFirst arrays in the model (%s)', (backendName) => {
  it.each(['bytes', 'floats'] as const)('fit, evaluate and predict on NCHW %s equal the NHWC transpose, bit for bit', async (kind) => {
    setBackend(backendName);
    expect(currentBackend().name).toBe(backendName);
    const d = data();
    const { last, first } = d[kind];
    const firstCopy = first.data.slice();
    using a = model();
    using b = model();
    const fitOptions = { epochs: 2, batchSize: 8, verbose: 0 as const };
    const ha = await a.fit({ x: last, y: d.labels }, { ...fitOptions, validationData: { x: last, y: d.labels } });
    const hb = await b.fit({ x: first, y: d.labels }, { ...fitOptions, validationData: { x: first, y: d.labels }, dataFormat: 'channelsFirst' });
    expect(b.inputShape).toEqual([H, W, C]);
    expect(hb.loss).toEqual(ha.loss);
    expect(hb.valLoss).toEqual(ha.valLoss);
    expect(hb.valAccuracy).toEqual(ha.valAccuracy);
    const wa = a.getWeightsFlat();
    expect(b.getWeightsFlat()).toEqual(wa);
    // Training moved the weights (so equality above is not two untouched initialisations).
    using fresh = model();
    fresh.build([H, W, C]);
    expect(fresh.getWeightsFlat()).not.toEqual(wa);
    expect(b.evaluate({ x: first, y: d.labels }, { dataFormat: 'channelsFirst' })).toEqual(a.evaluate({ x: last, y: d.labels }));
    const pa = a.predict(last);
    const pb = b.predict(first, { dataFormat: 'channelsFirst', batchSize: 5 });
    expect(pb.shape).toEqual([N, CLASSES]);
    expect(pb.data).toEqual(pa.data);
    expect(first.data).toEqual(firstCopy); // the caller's array is untouched
  });

  it('an NCHW ndarray view (strided, with an offset) predicts what its NHWC images do', () => {
    setBackend(backendName);
    const d = data();
    // The NCHW images inside a larger buffer: every other float, starting at 3.
    const packed = d.floats.first.data;
    const big = new Float64Array(3 + 2 * packed.length).fill(NaN);
    for (let i = 0; i < packed.length; i++) big[3 + 2 * i] = packed[i];
    const view: ImageTensor = { data: big, shape: [N, C, H, W], stride: [2 * C * H * W, 2 * H * W, 2 * W, 2], offset: 3 };
    using m = model();
    const want = m.predict(d.floats.last).data;
    expect(m.predict(view, { dataFormat: 'channelsFirst' }).data).toEqual(want);
  });
});

describe.each(['wasm-simd', 'js'] as const)('channelsFirst flows in the model (%s)', (backendName) => {
  it("a channelsFirst generator's flow trains, evaluates and predicts as the channelsLast one does", async () => {
    setBackend(backendName);
    const d = data();
    // Rescaling only: fitted statistics would differ in their last bits between layouts (summation order).
    const genLast = new ImageDataGenerator({ rescale: 1 / 255 });
    const genFirst = new ImageDataGenerator({ rescale: 1 / 255, dataFormat: 'channelsFirst' });
    const flowLast = genLast.flow(d.bytes.last, d.labels, { batchSize: 8, seed: 3 });
    const flowFirst = genFirst.flow(d.bytes.first, d.labels, { batchSize: 8, seed: 3 });
    // The flow's own batches stay channelsFirst: [k, 3, 7, 6], the transpose of the channelsLast flow's.
    const [bl, bf] = [flowLast.at(2).x, flowFirst.at(2).x];
    expect(bf.shape).toEqual([8, C, H, W]);
    const transposed = new Float32Array(bl.data.length);
    for (let k = 0; k < 8; k++) {
      for (let c = 0; c < C; c++) {
        for (let p = 0; p < H * W; p++) transposed[(k * C + c) * H * W + p] = bl.data[(k * H * W + p) * C + c];
      }
    }
    expect(bf.data).toEqual(transposed);
    using a = model();
    using b = model();
    const ha = await a.fit(flowLast, { epochs: 2, verbose: 0 });
    const hb = await b.fit(flowFirst, { epochs: 2, verbose: 0 });
    expect(b.inputShape).toEqual([H, W, C]);
    expect(hb.loss).toEqual(ha.loss);
    expect(b.getWeightsFlat()).toEqual(a.getWeightsFlat());
    const testLast = genLast.flow(d.bytes.last, d.labels, { batchSize: 16, shuffle: false });
    const testFirst = genFirst.flow(d.bytes.first, d.labels, { batchSize: 16, shuffle: false });
    expect(b.evaluate(testFirst)).toEqual(a.evaluate(testLast));
    expect(b.predict(testFirst).data).toEqual(a.predict(testLast).data);
    for (const f of [flowLast, flowFirst, testLast, testFirst]) f.dispose();
    genLast.dispose();
    genFirst.dispose();
  });
});

describe('channelsFirst: messages', () => {
  it('a bad dataFormat, dataFormat with a flow, and NCHW data read as NHWC', async () => {
    const d = data();
    using m = model();
    await expect(m.fit({ x: d.bytes.first, y: d.labels }, { dataFormat: 'nchw' } as never)).rejects.toThrow(
      "fit: `dataFormat` must be one of 'channelsLast', 'channelsFirst'. Received: dataFormat=\"nchw\"");
    expect(() => m.predict(d.bytes.first, { dataFormat: 'NCHW' } as never)).toThrow(
      "predict: `dataFormat` must be one of 'channelsLast', 'channelsFirst'. Received: dataFormat=\"NCHW\"");
    const flow = new ImageDataGenerator().flow(d.bytes.last, d.labels, { batchSize: 8 });
    await expect(m.fit(flow, { dataFormat: 'channelsLast', verbose: 0 })).rejects.toThrow(
      "fit: `dataFormat` applies to array data only; the flow iterator has its generator's dataFormat");
    flow.dispose();
    await m.fit({ x: d.bytes.last, y: d.labels }, { verbose: 0 });
    // Without the option, the NCHW array is read as [n, 3, 7, 6]: the shape says what went wrong.
    expect(() => m.evaluate({ x: d.bytes.first, y: d.labels })).toThrow(
      "evaluate: the data's images have shape [3, 7, 6] but the model's first layer (conv2d) expects [7, 6, 3]");
  });
});
