// A pixprep statistics worker: run one per core on every machine, each with REDIS_URL pointing at the same Redis.
//   REDIS_URL=redis://queue-host:6379 node worker.mjs
// It takes shard jobs (a file and a range of images: fits them, streamed, and returns the shard's mergeable
// generator JSON) and merge jobs (the parent of a flow: merges its children's results). A worker that dies in
// the middle of a job loses nothing: BullMQ sees the job's lock expire and hands it to another worker.
// Tuning (environment): LOCK_DURATION_MS (default 30000: how long a silent worker keeps its job),
// STALLED_INTERVAL_MS (default 30000: how often workers look for such jobs), SHARD_DELAY_MS (default 0: hold
// every shard job this long, to watch a cluster at work or to kill a worker in the middle of a job).
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'bullmq';
import { ImageDataGenerator } from 'pixprep';
import { idxImageChunks } from 'pixprep/node';
import { MERGE_QUEUE, SHARD_QUEUE, connection, envInt, log } from './shared.mjs';

const lockDuration = envInt('LOCK_DURATION_MS', 30_000);
const stalledInterval = envInt('STALLED_INTERVAL_MS', 30_000);
const shardDelay = envInt('SHARD_DELAY_MS', 0);
// A job whose worker died is put back in the queue up to this many times before it counts as failed.
const settings = { connection: connection(), concurrency: 1, lockDuration, stalledInterval, maxStalledCount: 3 };

async function fitShard(job) {
  const { file, start, end, options } = job.data;
  log('start', { queue: SHARD_QUEUE, job: job.id, file, start, end, attempt: job.attemptsStarted });
  const gen = new ImageDataGenerator(options);
  try {
    if (end > start) await gen.fitStream(idxImageChunks(file, { start, end }));
    if (shardDelay > 0) await sleep(shardDelay);
    const json = gen.toJSON({ mergeable: true });
    log('done', { queue: SHARD_QUEUE, job: job.id, start, end });
    return { ...json, source: { file, start, end } };
  } finally {
    gen.dispose();
  }
}

async function mergeShards(job) {
  log('start', { queue: MERGE_QUEUE, job: job.id, attempt: job.attemptsStarted });
  // Sorted by range, so that the merge (and its float64 rounding) is the same on every run.
  const shards = Object.values(await job.getChildrenValues()).sort((a, b) => a.source.start - b.source.start);
  const merged = ImageDataGenerator.merge(...shards);
  try {
    log('done', { queue: MERGE_QUEUE, job: job.id, shards: shards.length });
    return merged.toJSON({ mergeable: job.data.mergeable === true });
  } finally {
    merged.dispose();
  }
}

const workers = [new Worker(SHARD_QUEUE, fitShard, settings), new Worker(MERGE_QUEUE, mergeShards, settings)];
for (const w of workers) w.on('error', (e) => log('error', { message: e.message }));
await Promise.all(workers.map((w) => w.waitUntilReady()));
log('ready', { lockDuration, stalledInterval });

async function stop() {
  await Promise.all(workers.map((w) => w.close()));
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
