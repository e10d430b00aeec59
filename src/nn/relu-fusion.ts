// Where a relu layer is followed by max pooling, the pooling's backward applies the relu's derivative: its gradient
// goes only to each window's winner, whose value is the window's maximum, so the mask there is just max > 0, one
// compare per pooled output instead of a sweep over the relu layer's whole output (for the tutorial's first layer,
// 5.5 MB of dOut read and written again, and as much of its output read, per step). The gradients are the same bits
// as masking afterwards (src/kernels/pool.ts). Decided once per model, from the order of its layers.
import { Layer } from './layer.js';
import { MaxPooling2D } from './max-pooling2d.js';

/**
 * Marks each relu layer followed by a MaxPooling2D, and that pooling layer, so the pooling masks for it; and gives
 * every layer its next (a first layer may do the next one's backward too: Layer.fusesNextBackward).
 */
export function fuseReluMasks(layers: readonly Layer[]): void {
  layers.forEach((layer, i) => {
    const next = layers[i + 1];
    layer.next = next ?? null;
    const fused = layer.activation === 'relu' && next instanceof MaxPooling2D;
    layer.dOutMasked = fused;
    if (next instanceof MaxPooling2D) next.masksRelu = fused;
  });
  if (layers[0] instanceof MaxPooling2D) layers[0].masksRelu = false;
}
