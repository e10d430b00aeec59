// One way to start a pool worker in Node (worker_threads) and in browsers (Worker), behind one small interface.
// The worker's code is workerMain's source text (worker-main.ts: why), run with `eval: true` in Node and from a Blob
// URL in a browser, so no file has to be located at run time. Node's module is reached without a static import of
// 'node:worker_threads' (this file is in the browser-safe entry): process.getBuiltinModule where Node has it
// (20.16+, 22.3+), else a dynamic import that resolves before the first parallel call is needed (the pool runs
// everything on the calling thread until its workers are up, with the same results).
import { workerMain, type WorkerInit } from './worker-main.js';

export interface PoolWorker {
  /** Stops the thread at once (it may be blocked in Atomics.wait: termination interrupts that). */
  terminate(): void;
}

export type SpawnWorker = (init: WorkerInit, onDeath: (why: string) => void) => PoolWorker;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  postMessage(message: unknown): void;
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true }) => NodeWorker;
}

const BODY = `const workerMain = ${String(workerMain)};\n`;

function nodeSpawner(threads: NodeWorkerThreads): SpawnWorker {
  const source = `${BODY}require('node:worker_threads').parentPort.once('message', workerMain);\n`;
  return (init, onDeath) => {
    const worker = new threads.Worker(source, { eval: true });
    // The pool's workers never keep a process alive: when the user's work is done, Node exits and stops them.
    worker.unref();
    worker.on('error', (error) => onDeath(`failed: ${error.message}`));
    worker.on('exit', (code) => onDeath(`exited with code ${code}`));
    worker.postMessage(init);
    return { terminate: () => void worker.terminate() };
  };
}

function browserSpawner(): SpawnWorker {
  const source = `${BODY}self.onmessage = (event) => { self.onmessage = null; workerMain(event.data); };\n`;
  return (init, onDeath) => {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    worker.onerror = (event) => onDeath(`failed: ${event.message}`);
    worker.postMessage(init);
    return { terminate: () => worker.terminate() };
  };
}

function isNode(): boolean {
  return typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
}

let spawner: SpawnWorker | null = null;
let loading: Promise<void> | null = null;

/** The way to start workers here, or null while Node's worker_threads is still being imported (see above). */
export function workerSpawner(): SpawnWorker | null {
  if (spawner !== null) return spawner;
  if (!isNode()) return (spawner = browserSpawner());
  const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof builtin === 'function') return (spawner = nodeSpawner(builtin('node:worker_threads') as NodeWorkerThreads));
  const id = 'node:worker_threads';
  loading ??= (import(/* @vite-ignore */ id) as Promise<NodeWorkerThreads>).then((m) => { spawner = nodeSpawner(m); });
  return null;
}

/** Resolves once workerSpawner() can answer (at once everywhere but Node before 20.16 / 22.3). */
export async function spawnerReady(): Promise<void> {
  if (workerSpawner() === null) await loading;
}
