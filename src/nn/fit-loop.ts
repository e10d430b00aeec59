// fit's epochs over the engine: the steps of each epoch, the running loss and accuracy, validation, history,
// progress and callbacks. Every ~50 ms of work the loop yields to the event loop (TF.js' yieldEvery idea), so a
// page that trains on its main thread keeps drawing and answering input while it trains.
import { isPreparedSource, type BatchSource } from './batch-source.js';
import { evaluateLoop, loadBatch, trainStep, type Engine } from './engine.js';
import { evaluatePrepared } from './prepared-loops.js';
import { Progress } from './progress.js';
import type { BatchLogs, EpochLogs, History, LogWriter } from './types.js';

export interface FitSettings {
  epochs: number;
  verbose: 0 | 1 | 2;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: BatchLogs) => void;
  log?: LogWriter;
}

/** Work between two yields to the event loop. */
export const YIELD_EVERY_MS = 50;

const schedule: (callback: () => void) => unknown =
  typeof setImmediate === 'function' ? setImmediate : (callback) => setTimeout(callback, 0);

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => schedule(resolve));
}

export async function fitLoop(where: string, e: Engine, source: BatchSource, validation: BatchSource | null,
  s: FitSettings): Promise<History> {
  const history: History = { epoch: [], loss: [], accuracy: [], valLoss: [], valAccuracy: [], imagesPerSecond: [] };
  const progress = new Progress(s.verbose, s.epochs, source.length, s.log);
  let lastYield = performance.now();
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    progress.epochStart(epoch);
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let i = 0; i < source.length; i++) {
      // Image files: batch i is decoded first (0 samples: every file in it was skipped with onError 'skip').
      if (isPreparedSource(source) && (await source.prepare(i)) === 0) continue;
      const count = loadBatch(where, e, source, i, true);
      const result = trainStep(e, count);
      if (!Number.isFinite(result.loss)) {
        progress.abort();
        throw new Error(`${where}: the loss became ${result.loss} at epoch ${epoch + 1}, batch ${i + 1} of ${source.length}; ` +
          "training stopped before that batch's update. Check the data for non-finite values or lower the learning rate");
      }
      lossSum += result.loss * count;
      correct += result.correct;
      seen += count;
      progress.batchEnd(i, lossSum / seen, correct / seen);
      s.onBatchEnd?.(i, { loss: result.loss, accuracy: result.correct / count, size: count });
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const logs: EpochLogs = {
      loss: lossSum / seen, accuracy: correct / seen, imagesPerSecond: seen / Math.max(trainSeconds, 1e-9), seconds: 0,
    };
    if (validation !== null) {
      const vWhere = `${where} (validationData)`;
      const val = isPreparedSource(validation) ? await evaluatePrepared(vWhere, e, validation) : evaluateLoop(vWhere, e, validation);
      logs.valLoss = val.loss;
      logs.valAccuracy = val.accuracy;
    }
    logs.seconds = (performance.now() - started) / 1000;
    history.epoch.push(epoch);
    history.loss.push(logs.loss);
    history.accuracy.push(logs.accuracy);
    history.imagesPerSecond.push(logs.imagesPerSecond);
    if (validation !== null) {
      history.valLoss.push(logs.valLoss as number);
      history.valAccuracy.push(logs.valAccuracy as number);
    }
    progress.epochEnd(epoch, logs);
    source.onEpochEnd();
    for (const used of [source, validation]) {
      if (isPreparedSource(used)) for (const line of used.takeWarnings?.() ?? []) (s.log ?? console.warn)(line);
    }
    await s.onEpochEnd?.(epoch, logs);
    // At each epoch's end as well, so progress output and timers run between epochs however short they are.
    await yieldToEventLoop();
    lastYield = performance.now();
  }
  return history;
}
