// Decoding many files on worker threads, in input order, with a bounded number in flight: a folder of any size
// costs at most `prefetch` decoded images of memory, and while the consumer works on one image the workers decode
// the next ones (a slow disk or a slow decoder never leaves the consumer waiting when it can be avoided).
//
// A DecodePool owns its workers (dispose() ends them; a finalizer is no backstop for threads, so dispose it, or use
// decodeMany, which makes a pool for one pass and ends it when the iteration ends, however it ends).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describeValue } from '../errors.js';
import { checkOptionNames } from '../unknown-option-error.js';
import { ImageError, type Img } from './img.js';
import { readImageFileSync } from './load-node.js';
import { decodePrepared } from './prepare.js';
import { resolveLoadOptions, type LoadImgOptions, type ResolvedLoadOptions } from './options.js';
import type { DecodeReply, DecodeTask } from './decode-worker-node.js';

export interface DecodePoolOptions {
  /** Worker threads; 0 decodes on the calling thread. Default: the machine's available parallelism. */
  concurrency?: number;
  /** Most images decoded ahead of the consumer (in flight or waiting to be taken). Default: 2 × concurrency, at least 2. */
  prefetch?: number;
  /** 'throw' (default): the first bad file ends the iteration with its error; 'skip': it is counted in `skipped`. */
  onError?: 'throw' | 'skip';
}

/** A file to decode: its path, or its bytes with a name for messages. */
export type DecodeSource = string | { bytes: Uint8Array; name: string };

/** The images of one pass, in input order; `skipped` lists the files skipped with onError 'skip'. */
export interface DecodeStream extends AsyncIterable<Img> {
  readonly skipped: { file: string; message: string }[];
}

/**
 * The worker's module: beside this one once compiled. Run from the TypeScript sources (vitest, the bench in
 * development), there is no .js beside this file; the compiled one in dist/ is used then (npm test builds it first).
 */
function workerUrl(): URL {
  const url = new URL('./decode-worker-node.js', import.meta.url);
  if (url.protocol !== 'file:' || existsSync(fileURLToPath(url))) return url;
  const built = new URL('../../dist/image/decode-worker-node.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`DecodePool: the worker module ${fileURLToPath(url)} is missing (run npm run build)`);
}

interface Pending { resolve(reply: DecodeReply): void; worker: Worker }

export class DecodePool {
  readonly concurrency: number;
  readonly prefetch: number;
  readonly onError: 'throw' | 'skip';
  private workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private turn = 0;
  private disposed = false;

  constructor(options: DecodePoolOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError(`DecodePool: options must be an object, received ${describeValue(options)}`);
    checkOptionNames('DecodePool', options, ['concurrency', 'prefetch', 'onError']);
    const { concurrency = availableParallelism(), prefetch, onError = 'throw' } = options;
    if (!Number.isInteger(concurrency) || concurrency < 0 || concurrency > 256) {
      throw new TypeError(`DecodePool: concurrency must be an integer from 0 to 256, received ${describeValue(concurrency)}`);
    }
    const p = prefetch ?? Math.max(2, 2 * concurrency);
    if (!Number.isInteger(p) || p < 1) throw new TypeError(`DecodePool: prefetch must be a positive integer, received ${describeValue(prefetch)}`);
    if (onError !== 'throw' && onError !== 'skip') throw new TypeError(`DecodePool: onError must be 'throw' or 'skip', received ${describeValue(onError)}`);
    this.concurrency = concurrency;
    this.prefetch = p;
    this.onError = onError;
  }

  private start(): void {
    if (this.workers.length > 0 || this.concurrency === 0) return;
    const url = workerUrl();
    for (let i = 0; i < this.concurrency; i++) {
      const worker = new Worker(url);
      worker.on('message', (reply: DecodeReply) => {
        const p = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (p !== undefined) this.release(p.worker);
        p?.resolve(reply);
      });
      // A worker that dies (an uncaught error, out of memory) fails what it had and everything after it: a task
      // sent to a dead worker would never be answered.
      worker.on('error', (e) => this.breakPool(`a decode worker failed: ${e.message}`));
      worker.on('exit', (code) => {
        if (!this.disposed) this.breakPool(`a decode worker exited unexpectedly (code ${code})`);
      });
      // An idle pool must not keep the process alive; a busy one must (its replies are what the caller awaits).
      worker.unref();
      this.workers.push(worker);
      this.busy.set(worker, 0);
    }
  }

  private readonly busy = new Map<Worker, number>();

  private hold(worker: Worker): void {
    const n = this.busy.get(worker) ?? 0;
    if (n === 0) worker.ref();
    this.busy.set(worker, n + 1);
  }

  private release(worker: Worker): void {
    const n = (this.busy.get(worker) ?? 1) - 1;
    this.busy.set(worker, n);
    if (n === 0) worker.unref();
  }

  private broken: string | null = null;

  private breakPool(message: string): void {
    this.broken ??= message;
    this.failAll(message);
  }

  private failAll(message: string): void {
    for (const [id, p] of this.pending) {
      this.release(p.worker);
      p.resolve({ id, error: message, kind: 'Error' });
    }
    this.pending.clear();
  }

  private submit(source: DecodeSource, options: ResolvedLoadOptions): Promise<DecodeReply> {
    const id = this.nextId++;
    const path = typeof source === 'string' ? source : null;
    const bytes = typeof source === 'string' ? null : source.bytes;
    const name = typeof source === 'string' ? source : source.name;
    if (this.concurrency === 0) {
      return (async (): Promise<DecodeReply> => {
        try {
          // Read synchronously, as the decode that follows runs: the read costs a third of an asynchronous one's
          // time (docs/jpeg.md); what is given up is the next files' reads overlapping this decode, which only a
          // slow disk notices (workers read in parallel there).
          const b = bytes ?? readImageFileSync('decodeMany', path as string);
          const { img, decoded } = await decodePrepared(b, name, options);
          return { id, data: img.data, shape: img.shape, decoded };
        } catch (e) {
          return { id, error: e instanceof Error ? e.message : String(e), kind: e instanceof Error ? e.name : 'Error' };
        }
      })();
    }
    this.start();
    if (this.broken !== null) return Promise.resolve({ id, error: `DecodePool: ${this.broken}`, kind: 'Error' });
    return new Promise<DecodeReply>((resolve) => {
      const worker = this.workers[this.turn++ % this.workers.length];
      this.pending.set(id, { resolve, worker });
      this.hold(worker);
      worker.postMessage({ id, path, bytes, name, options } satisfies DecodeTask);
    });
  }

  /**
   * One file (a path, or { bytes, name }) as loadImg(file, options) gives it, and `decoded`: the file's own shape
   * before conversion and resize (a directory flow checks its channels against colorMode). A bad file rejects with
   * the decoder's error (ImageError, naming the file); a pool whose worker died rejects every call with that cause.
   */
  async decodeOne(source: DecodeSource, options: ResolvedLoadOptions): Promise<{ img: Img; decoded: [number, number, number] }> {
    if (this.disposed) throw new Error('DecodePool: used after dispose()');
    const r = await this.submit(source, options);
    if ('error' in r) throw r.kind === 'ImageError' ? new ImageError(r.error) : new Error(r.error);
    return { img: { data: r.data, shape: r.shape }, decoded: r.decoded };
  }

  /** Decodes `files` (paths, or { bytes, name }) as loadImg(file, options) would, yielding the images in order. */
  decodeMany(files: Iterable<DecodeSource>, options?: LoadImgOptions): DecodeStream {
    if (this.disposed) throw new Error('DecodePool: used after dispose()');
    const resolved = resolveLoadOptions('decodeMany', options);
    const pool = this;
    const skipped: { file: string; message: string }[] = [];
    return {
      skipped,
      async *[Symbol.asyncIterator]() {
        const iterator = files[Symbol.iterator]();
        const window: { name: string; reply: Promise<DecodeReply> }[] = [];
        const refill = () => {
          while (window.length < pool.prefetch) {
            const next = iterator.next();
            if (next.done === true) return;
            const source = next.value;
            if (typeof source !== 'string' && !(source !== null && typeof source === 'object' && source.bytes instanceof Uint8Array)) {
              throw new TypeError(`decodeMany: each file must be a path or { bytes: Uint8Array, name }, received ${describeValue(source)}`);
            }
            window.push({ name: typeof source === 'string' ? source : source.name, reply: pool.submit(source, resolved) });
          }
        };
        refill();
        while (window.length > 0) {
          const { name, reply } = window.shift() as { name: string; reply: Promise<DecodeReply> };
          const r = await reply;
          refill();
          if ('error' in r) {
            if (pool.onError === 'skip') {
              skipped.push({ file: name, message: r.error });
              continue;
            }
            throw r.kind === 'ImageError' ? new ImageError(r.error) : new Error(r.error);
          }
          yield { data: r.data, shape: r.shape };
        }
      },
    };
  }

  /** Ends the worker threads. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const workers = this.workers;
    this.workers = [];
    this.failAll('DecodePool: disposed while decoding');
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Decodes `files` on worker threads (a pool made for this pass, ended when the iteration ends), yielding the images
 * in input order, each as loadImg(file, options) gives it.
 */
export function decodeMany(files: Iterable<DecodeSource>, options?: LoadImgOptions, poolOptions?: DecodePoolOptions): DecodeStream {
  const pool = new DecodePool(poolOptions);
  const stream = pool.decodeMany(files, options);
  return {
    skipped: stream.skipped,
    async *[Symbol.asyncIterator]() {
      try {
        yield* stream;
      } finally {
        await pool.dispose();
      }
    },
  };
}
