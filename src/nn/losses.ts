// Categorical cross-entropy (fused with the last layer's softmax in the kernel) and accuracy. Labels arrive as
// class indices or one-hot rows; the kernel wants one-hot targets, so indices are expanded here, and checked:
// an index outside the classes would silently train on a wrong target.

export type LossName = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';

const ALIASES: Record<string, LossName> = {
  categoricalCrossentropy: 'categoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
};

export function toLossName(value: unknown): LossName | undefined {
  return typeof value === 'string' ? ALIASES[value] : undefined;
}

/**
 * Checks that a source's labels suit the loss and the model's classes: 'sparseCategoricalCrossentropy' takes
 * indices; 'categoricalCrossentropy' takes one-hot rows of `classes`, or indices (taken as sparse, for convenience).
 */
export function checkLabelWidth(where: string, loss: LossName, labelWidth: number, classes: number): void {
  if (labelWidth === 0) throw new RangeError(`${where}: the data has no labels (labelWidth 0); the loss needs them`);
  if (labelWidth === 1) return;
  if (loss === 'sparseCategoricalCrossentropy') {
    throw new RangeError(`${where}: loss 'sparseCategoricalCrossentropy' expects class indices, ` +
      `but the labels are rows of ${labelWidth} (use 'categoricalCrossentropy' for one-hot labels)`);
  }
  if (labelWidth !== classes) {
    throw new RangeError(`${where}: the labels are one-hot rows of ${labelWidth} classes ` +
      `but the model's last layer has ${classes} units`);
  }
}

/** Expands `count` class indices into one-hot rows of `classes`, rejecting anything that is not a class. */
export function indicesToOneHot(where: string, targets: Float32Array, indices: Float32Array, count: number,
  classes: number, batch: number): void {
  targets.fill(0, 0, count * classes);
  for (let r = 0; r < count; r++) {
    const label = indices[r];
    if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
      throw new RangeError(`${where}: label ${label} (sample ${r} of batch ${batch}) is not a class index in [0, ${classes})`);
    }
    targets[r * classes + label] = 1;
  }
}

function argmax(a: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[offset + j] > a[offset + best]) best = j;
  return best;
}

/** Rows whose highest probability is at the target's highest value (Keras' categorical accuracy). */
export function countCorrect(probs: Float32Array, targets: Float32Array, count: number, classes: number): number {
  let correct = 0;
  for (let r = 0; r < count; r++) {
    if (argmax(probs, r * classes, classes) === argmax(targets, r * classes, classes)) correct++;
  }
  return correct;
}
