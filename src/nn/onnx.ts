// Export to ONNX (opset 17, IR version 8), so ONNX Runtime (servers, phones, the web) runs a pixprep-trained model.
// The graph takes images [n, height, width, channels] like pixprep (n free), and gives [n, units]:
//   input → (Cast → Mul → Add → ZCA MatMul: the generator's scaling, with `preprocessing`)
//         → Transpose to NCHW (ONNX's Conv and MaxPool are channels-first) → Conv(+Relu) / MaxPool ...
//         → Transpose back to NHWC → Flatten (so that features come in Keras' channels-last order and the Dense
//           kernels stay as trained) → Gemm(+Relu) ... → Softmax
// Opset 17 because every operator used has had its present meaning since then (later opsets only add types), so the
// file loads in runtimes back to ONNX Runtime 1.13. The model is read through its public surface only: the input
// shape, each layer's className and getConfig(), and the weights with their names (weightSpecs/getWeights).
import { bakedScaling } from './baked-scaling.js';
import { ProtoWriter } from './protobuf.js';
import { checkOptions, oneOf } from './options.js';
import type { ModelSnapshot } from './types.js';
import { splitWeights } from './weights.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export const ONNX_INPUT_NAME = 'input';
export const ONNX_OUTPUT_NAME = 'output';

export interface OnnxExportOptions {
  /** A fitted ImageDataGenerator whose scaling the graph applies to raw pixels itself. */
  preprocessing?: unknown;
  /** The input's element type: 'uint8' (the default with `preprocessing`) or 'float32' (the default without). */
  inputDtype?: 'uint8' | 'float32';
}

// TensorProto.DataType
const FLOAT = 1;
const UINT8 = 2;
const INT64 = 7;
// AttributeProto.AttributeType
const ATTR_INT = 2;
const ATTR_INTS = 7;

type Attribute = { name: string; i: number } | { name: string; ints: number[] };

/** The graph being built: nodes, constant tensors, and fresh value names. */
class GraphBuilder {
  readonly nodes: ProtoWriter[] = [];
  readonly initializers: ProtoWriter[] = [];
  private count = 0;

  node(opType: string, inputs: string[], attributes: Attribute[] = [], output = `${opType.toLowerCase()}_${this.count++}`): string {
    const n = new ProtoWriter();
    for (const input of inputs) n.string(1, input);
    n.string(2, output).string(3, output).string(4, opType);
    for (const a of attributes) {
      const attr = new ProtoWriter().string(1, a.name);
      if ('i' in a) attr.int64(3, a.i).uint(20, ATTR_INT);
      else attr.packedInt64(8, a.ints).uint(20, ATTR_INTS);
      n.message(5, attr);
    }
    this.nodes.push(n);
    return output;
  }

  floats(name: string, dims: number[], data: Float32Array): string {
    // raw_data is little-endian by the ONNX spec; every platform pixprep runs on is (serialize.ts checks it).
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push(new ProtoWriter().packedInt64(1, dims).uint(2, FLOAT).string(8, name).bytes(9, bytes.slice()));
    return name;
  }

  int64s(name: string, values: number[]): string {
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push(new ProtoWriter().packedInt64(1, [values.length]).uint(2, INT64).string(8, name).bytes(9, bytes));
    return name;
  }
}

/** ValueInfoProto of a tensor [batch, ...dims] (the batch dimension symbolic). */
function valueInfo(name: string, elemType: number, dims: number[]): ProtoWriter {
  const shape = new ProtoWriter().message(1, new ProtoWriter().string(2, 'batch'));
  for (const d of dims) shape.message(1, new ProtoWriter().uint(1, d));
  const tensorType = new ProtoWriter().uint(1, elemType).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

export function toOnnx(model: ModelSnapshot, options: OnnxExportOptions = {}): Uint8Array {
  const where = 'toOnnx';
  const o = checkOptions(where, options, ['preprocessing', 'inputDtype']);
  const baked = o.preprocessing === undefined ? null : bakedScaling(where, o.preprocessing, model.inputShape);
  const inputDtype = oneOf(where, 'inputDtype', o.inputDtype ?? (baked ? 'uint8' : 'float32'), ['uint8', 'float32'] as const);
  const inputShape = model.inputShape;
  const g = new GraphBuilder();

  let x = ONNX_INPUT_NAME;
  if (inputDtype === 'uint8') x = g.node('Cast', [x], [{ name: 'to', i: FLOAT }]);
  if (baked) {
    // NHWC: the channel is the last axis, so [c]-shaped constants broadcast per channel.
    const c = inputShape[2];
    x = g.node('Mul', [x, g.floats('preprocessing/mul', [c], baked.mul)]);
    x = g.node('Add', [x, g.floats('preprocessing/add', [c], baked.add)]);
    if (baked.zca) {
      const size = inputShape.reduce((a, b) => a * b, 1);
      x = g.node('Reshape', [x, g.int64s('preprocessing/flat_shape', [-1, size])]);
      x = g.node('MatMul', [x, g.floats('preprocessing/zca', [size, size], baked.zca)]);
      x = g.node('Reshape', [x, g.int64s('preprocessing/image_shape', [-1, ...inputShape])]);
    }
  }

  const entries = splitWeights(model.weightSpecs, model.weights);
  const weightOf = (layerName: string, param: 'kernel' | 'bias'): { shape: number[]; data: Float32Array } | null =>
    entries.find((e) => e.name === `${layerName}/${param}`) ?? null;

  // Where the activations are: images channels-last (as given), images channels-first, or flat rows.
  let layout =  (inputShape.length === 3 ? 'nhwc' : 'flat') as 'nhwc' | 'nchw' | 'flat';
  let shape = [...inputShape];
  const layers = model.layers;
  for (const [index, layer] of layers.entries()) {
    const config = layer.getConfig();
    const name = String(config.name);
    if (layer.className === 'Conv2D' || layer.className === 'MaxPooling2D') {
      if (layout === 'nhwc') {
        x = g.node('Transpose', [x], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
        layout = 'nchw';
      }
      const [h, w] = shape;
      if (layer.className === 'Conv2D') {
        const [kh, kw] = config.kernelSize as [number, number];
        const s = config.strides as number;
        const kernel = weightOf(name, 'kernel')!;
        const cin = kernel.shape[2];
        const cout = kernel.shape[3];
        // TensorFlow's 'same' (as Conv2D.outputShapeFor): output ceil(size / stride), the odd pixel of padding at the
        // bottom/right; ONNX takes the pads explicitly [top, left, bottom, right].
        let outH = Math.floor((h - kh) / s) + 1;
        let outW = Math.floor((w - kw) / s) + 1;
        let pads = [0, 0, 0, 0];
        if (config.padding === 'same') {
          outH = Math.ceil(h / s);
          outW = Math.ceil(w / s);
          const padH = Math.max((outH - 1) * s + kh - h, 0);
          const padW = Math.max((outW - 1) * s + kw - w, 0);
          pads = [Math.floor(padH / 2), Math.floor(padW / 2), padH - Math.floor(padH / 2), padW - Math.floor(padW / 2)];
        }
        const inputs = [x, g.floats(`${name}/kernel`, [cout, cin, kh, kw], kerasToOnnxKernel(kernel.data, kh, kw, cin, cout))];
        const bias = weightOf(name, 'bias');
        if (bias) inputs.push(g.floats(`${name}/bias`, [cout], bias.data));
        x = g.node('Conv', inputs, [
          { name: 'kernel_shape', ints: [kh, kw] }, { name: 'strides', ints: [s, s] }, { name: 'pads', ints: pads },
        ]);
        shape = [outH, outW, cout];
      } else {
        const p = config.poolSize as number;
        const s = config.strides as number;
        x = g.node('MaxPool', [x], [{ name: 'kernel_shape', ints: [p, p] }, { name: 'strides', ints: [s, s] }]);
        shape = [Math.floor((h - p) / s) + 1, Math.floor((w - p) / s) + 1, shape[2]];
      }
    } else if (layer.className === 'Flatten') {
      // Keras flattens channels-last: back to NHWC first, so that Dense kernels apply to the features they learned.
      if (layout === 'nchw') x = g.node('Transpose', [x], [{ name: 'perm', ints: [0, 2, 3, 1] }]);
      x = g.node('Flatten', [x], [{ name: 'axis', i: 1 }]);
      layout = 'flat';
      shape = [shape.reduce((a, b) => a * b, 1)];
    } else if (layer.className === 'Dense') {
      const kernel = weightOf(name, 'kernel')!;
      const bias = weightOf(name, 'bias');
      const b = g.floats(`${name}/kernel`, kernel.shape, kernel.data);
      x = bias ? g.node('Gemm', [x, b, g.floats(`${name}/bias`, bias.shape, bias.data)]) : g.node('MatMul', [x, b]);
      shape = [kernel.shape[1]];
    } else {
      throw new Error(`${where}: layer ${index} (${layer.className}) has no ONNX mapping`);
    }
    if (config.activation === 'relu') x = g.node('Relu', [x]);
    // pixprep allows softmax on the last layer only (Sequential's constructor checks it); predict applies it there.
    if (config.activation === 'softmax') x = g.node('Softmax', [x], [{ name: 'axis', i: 1 }]);
  }
  if (layout === 'nchw') x = g.node('Transpose', [x], [{ name: 'perm', ints: [0, 2, 3, 1] }]);
  // A named output, whatever the last operator was.
  g.node('Identity', [x], [], ONNX_OUTPUT_NAME);

  const graph = new ProtoWriter();
  for (const n of g.nodes) graph.message(1, n);
  graph.string(2, model.name);
  for (const t of g.initializers) graph.message(5, t);
  graph.message(11, valueInfo(ONNX_INPUT_NAME, inputDtype === 'uint8' ? UINT8 : FLOAT, inputShape));
  graph.message(12, valueInfo(ONNX_OUTPUT_NAME, FLOAT, shape));
  return new ProtoWriter()
    .uint(1, ONNX_IR_VERSION)
    .string(2, 'pixprep')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').uint(2, ONNX_OPSET))
    .finish();
}

/** Keras' [kh, kw, cin, cout] to ONNX's [cout, cin, kh, kw]. */
function kerasToOnnxKernel(k: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o];
      }
    }
  }
  return out;
}
