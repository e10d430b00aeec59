// evaluate and predict over a PreparedSource (image files): the loops of engine.ts with each batch awaited first,
// so decoding (ahead, by the source) overlaps the network's work and the page or process stays responsive.
import type { PreparedSource } from './batch-source.js';
import { forward, loadBatch, testStep, viewsOf, type Engine } from './engine.js';

export async function evaluatePrepared(where: string, e: Engine, source: PreparedSource): Promise<{ loss: number; accuracy: number }> {
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  for (let i = 0; i < source.length; i++) {
    if ((await source.prepare(i)) === 0) continue;
    const count = loadBatch(where, e, source, i, true);
    const result = testStep(e, count);
    lossSum += result.loss * count;
    correct += result.correct;
    seen += count;
  }
  if (seen === 0) throw new Error(`${where}: every file of the source was skipped; nothing to evaluate`);
  return { loss: lossSum / seen, accuracy: correct / seen };
}

/** Rows in the source's order; files skipped with onError 'skip' have no row (the source's skippedFiles names them). */
export async function predictPrepared(where: string, e: Engine, source: PreparedSource): Promise<Float32Array> {
  const units = e.classes;
  const out = new Float32Array(source.sampleCount * units);
  const softmax = e.layers[e.layers.length - 1].activation === 'softmax';
  let row = 0;
  for (let i = 0; i < source.length; i++) {
    if ((await source.prepare(i)) === 0) continue;
    viewsOf(e).targets.fill(0);
    const count = loadBatch(where, e, source, i, false);
    const v = viewsOf(e);
    forward(e, v, count);
    const logits = v.acts[e.layers.length];
    // With zero targets the fused kernel is a plain, stable softmax (its loss is ignored).
    if (softmax) e.backend.kernels.softmaxCrossEntropy(v.probs, null, logits, v.targets, count, units);
    out.set((softmax ? v.probs : logits).subarray(0, count * units), row * units);
    row += count;
  }
  return row === source.sampleCount ? out : out.slice(0, row * units);
}
