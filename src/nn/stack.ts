// A model's stack of layers, checked once when the model is made: real layers, each once, softmax only last
// (pixprep fuses it with the loss), every layer in one model only, and Keras' default names (conv2d, conv2d_1, ...).
import { Layer } from './layer.js';
import { fuseReluMasks } from './relu-fusion.js';

/**
 * Checks `layers` for a new model and claims them for `owner`. A layer already built into another model throws:
 * sharing it would silently change the first model's input shape and make its results depend on the other's batches.
 */
export function claimLayers(layers: unknown, owner: object): Layer[] {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new TypeError('Sequential: `layers` must be a non-empty array of layers');
  }
  layers.forEach((layer, i) => {
    if (!(layer instanceof Layer)) {
      throw new TypeError(`Sequential: layers[${i}] is not a layer (Conv2D, MaxPooling2D, Flatten, Dense)`);
    }
    if (layer.owner !== null && layer.owner !== owner) {
      throw new Error(`Sequential: layers[${i}] (${layer.name ?? layer.className}) already belongs to another model; ` +
        'a layer belongs to one model (create a new layer, or dispose() the other model first)');
    }
  });
  if (new Set(layers).size !== layers.length) throw new TypeError('Sequential: the same layer object appears twice');
  const stack = [...layers] as Layer[];
  nameLayers(stack);
  stack.forEach((layer, i) => {
    if (layer.activation === 'softmax' && i !== stack.length - 1) {
      throw new RangeError(`Sequential: layer ${layer.name} has activation 'softmax', which pixprep supports ` +
        'only on the last layer (fused with the cross-entropy loss)');
    }
  });
  for (const layer of stack) layer.owner = owner;
  fuseReluMasks(stack);
  return stack;
}

/** Lets the layers join another model (after their model is disposed). */
export function releaseLayers(layers: readonly Layer[], owner: object): void {
  for (const layer of layers) if (layer.owner === owner) layer.owner = null;
}

/** Keras-style default names: conv2d, conv2d_1, max_pooling2d, flatten, dense, dense_1, ... unique per model. */
function nameLayers(layers: readonly Layer[]): void {
  const base: Record<string, string> = {
    Conv2D: 'conv2d', MaxPooling2D: 'max_pooling2d', Flatten: 'flatten', Dense: 'dense',
  };
  const used = new Set<string>();
  for (const layer of layers) {
    if (layer.name !== undefined) {
      if (used.has(layer.name)) throw new RangeError(`Sequential: two layers are named '${layer.name}'`);
      used.add(layer.name);
    }
  }
  const counts: Record<string, number> = {};
  for (const layer of layers) {
    if (layer.name !== undefined) continue;
    const b = base[layer.className];
    let name: string;
    do {
      const c = counts[b] ?? 0;
      counts[b] = c + 1;
      name = c === 0 ? b : `${b}_${c}`;
    } while (used.has(name));
    layer.name = name;
    used.add(name);
  }
}

/** A Keras-style table: layer (type), output shape, parameter count, and the totals. */
export function summaryTable(name: string, layers: readonly Layer[]): string {
  const names = layers.map((layer) => `${layer.name} (${layer.className})`);
  const shapes = layers.map((layer) => `(None, ${layer.outputShape.join(', ')})`);
  // Keras' column widths, widened (not wrapped) for long names.
  const widths = [Math.max(29, ...names.map((n) => n.length + 2)), Math.max(26, ...shapes.map((n) => n.length + 2)), 10];
  const row = (cells: string[]) => cells.map((c, i) => ` ${c}`.padEnd(widths[i])).join('').trimEnd();
  const rule = (ch: string) => ch.repeat(widths[0] + widths[1] + widths[2]);
  const lines = [`Model: "${name}"`, rule('_'), row(['Layer (type)', 'Output Shape', 'Param #']), rule('=')];
  layers.forEach((layer, i) => lines.push(row([names[i], shapes[i], String(layer.paramCount)])));
  const total = layers.reduce((sum, layer) => sum + layer.paramCount, 0);
  const kb = ((total * 4) / 1024).toFixed(2);
  lines.push(rule('='), `Total params: ${total} (${kb} KB)`, `Trainable params: ${total} (${kb} KB)`,
    'Non-trainable params: 0 (0.00 Byte)', rule('_'));
  return lines.join('\n');
}
