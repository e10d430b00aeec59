// Splits an IDX images file (raw or gzip) into shard jobs, in one BullMQ flow whose parent job merges the shards'
// statistics, waits for the flow, and writes the merged generator JSON atomically (the app loads it with
// ImageDataGenerator.fromJSON). Workers (worker.mjs) must see the file at the same path (a shared file system, or
// the same copy on every machine).
//   REDIS_URL=redis://queue-host:6379 node producer.mjs --data /data/train-images-idx3-ubyte.gz --shards 64 \
//     --out stats.json [--scaling standardize|center|normalize|zca|none] [--mergeable]
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FlowProducer, QueueEvents } from 'bullmq';
import { scalingOptions } from 'pixprep';
import { readIdxImagesHeader } from 'pixprep/node';
import { MERGE_QUEUE, SHARD_QUEUE, connection, log } from './shared.mjs';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    shards: { type: 'string', default: '16' },
    out: { type: 'string' },
    scaling: { type: 'string', default: 'standardize' },
    mergeable: { type: 'boolean', default: false },
  },
});
if (values.data === undefined || values.out === undefined) {
  console.error('usage: node producer.mjs --data FILE --out stats.json [--shards N] [--scaling NAME] [--mergeable]');
  process.exit(2);
}
const shards = Number(values.shards);
if (!Number.isSafeInteger(shards) || shards < 1) {
  console.error(`--shards must be a positive integer. Received: ${values.shards}`);
  process.exit(2);
}

/** Replaces `path` whole or not at all: a temporary file beside it, flushed, then renamed over it. */
async function writeAtomic(path, text) {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

const file = resolve(values.data);
const header = await readIdxImagesHeader(file);
const options = scalingOptions(values.scaling);
const children = Array.from({ length: shards }, (_, i) => {
  const start = Math.floor((i * header.n) / shards);
  const end = Math.floor(((i + 1) * header.n) / shards);
  return {
    name: `shard ${i}`,
    queueName: SHARD_QUEUE,
    data: { file, start, end, options },
    // A shard that throws (a file not reachable on that machine, say) is tried again, then fails the whole flow.
    opts: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, failParentOnFailure: true },
  };
});

const flows = new FlowProducer({ connection: connection() });
const events = new QueueEvents(MERGE_QUEUE, { connection: connection() });
try {
  await events.waitUntilReady();
  const flow = await flows.add({ name: `merge ${basename(file)}`, queueName: MERGE_QUEUE, data: { file, mergeable: values.mergeable }, children });
  log('queued', { job: flow.job.id, shards, images: header.n });
  const merged = await flow.job.waitUntilFinished(events);
  await writeAtomic(resolve(values.out), JSON.stringify(merged) + '\n');
  log('written', { out: resolve(values.out), images: header.n });
} finally {
  await Promise.all([flows.close(), events.close()]);
}
