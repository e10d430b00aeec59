// What the producer and the workers agree on: the queue names and the Redis connection (REDIS_URL).
export const SHARD_QUEUE = 'pixprep-shards';
export const MERGE_QUEUE = 'pixprep-merge';

/** BullMQ connection options from REDIS_URL (default redis://127.0.0.1:6379). */
export function connection() {
  // maxRetriesPerRequest: null is what BullMQ's blocking worker connections require.
  return { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', maxRetriesPerRequest: null };
}

/** A positive integer from the environment, or its default. */
export function envInt(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer. Received: ${text}`);
  return n;
}

/** One JSON line on stdout per event, for people and for the fault test. */
export function log(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, pid: process.pid, ...fields }) + '\n');
}
