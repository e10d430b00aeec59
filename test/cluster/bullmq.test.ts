// The BullMQ example (examples/cluster-stats) under a fault (issue 20): a local redis-server on a free loopback port
// (no persistence, in a temporary directory), three worker processes, a producer that splits a gzip IDX file into
// shard jobs in one flow. One worker is killed (SIGKILL) in the middle of a shard job; BullMQ's stalled-job check
// (short lock and check intervals here) must hand that job to another worker, and the merged statistics written by
// the producer must equal those of one fit of the whole file. Redis and every worker are stopped in afterAll.
// Shown to fail: with maxStalledCount 0 in worker.mjs the killed job is never retried and the flow fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { encodeIdx } from '../../src/data/idx.js';
import { randomBytes, relativeError } from '../helpers.js';

const EXAMPLE = new URL('../../examples/cluster-stats/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pixprep-bullmq-'));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  rmSync(work, { recursive: true, force: true });
});

function redisServer(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (found === '') {
    throw new Error('redis-server is not installed; this test needs it (Debian/Ubuntu: sudo apt-get install redis-server; ' +
      'macOS: brew install redis). .ci/run installs it in CI.');
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Event { event: string; pid: number; queue?: string; job?: string; attempt?: number; [k: string]: unknown }

/** Starts a process, collecting its JSON-line events; `onEvent` sees each as it comes. */
function start(command: string, args: string[], env: Record<string, string>, onEvent: (e: Event, child: ChildProcess) => void = () => {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const events: Event[] = [];
  let output = '';
  let pending = '';
  child.stdout!.on('data', (buf: Buffer) => {
    output += buf;
    pending += buf;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as Event;
      events.push(e);
      onEvent(e, child);
    }
  });
  child.stderr!.on('data', (buf: Buffer) => { output += buf; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, events, exited, output: () => output };
}

function until<T>(what: string, ms: number, check: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = check();
      if (value) resolve(value);
      else if (Date.now() > deadline) reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      else setTimeout(poll, 50);
    };
    poll();
  });
}

describe('examples/cluster-stats: BullMQ flow with a worker killed mid-job', () => {
  it('retries the stalled shard elsewhere and writes the statistics of one fit', async () => {
    const server = redisServer();
    const port = await freePort();
    const redis = start(server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', work], {});
    await until('redis-server to accept connections', 10_000, () => redis.output().includes('Ready to accept connections'));

    const [N, H, W, C] = [600, 8, 8, 3];
    const pixels = randomBytes(N * H * W * C, 2020);
    const file = join(work, 'images-idx4-ubyte.gz');
    writeFileSync(file, gzipSync(encodeIdx({ data: pixels, shape: [N, H, W, C] })));

    const env = { REDIS_URL: `redis://127.0.0.1:${port}`, LOCK_DURATION_MS: '3000', STALLED_INTERVAL_MS: '500', SHARD_DELAY_MS: '1500' };
    let killed: { pid: number; job: string } | null = null;
    const workers = Array.from({ length: 3 }, () => start(process.execPath, [join(EXAMPLE, 'worker.mjs')], env, (e, child) => {
      // The first shard job to start: kill its worker while it holds the job (it sleeps SHARD_DELAY_MS before returning).
      if (killed === null && e.event === 'start' && e.queue === 'pixprep-shards') {
        killed = { pid: e.pid, job: e.job! };
        child.kill('SIGKILL');
      }
    }));
    await until('three workers ready', 20_000, () => workers.every((w) => w.events.some((e) => e.event === 'ready')));

    const out = join(work, 'stats.json');
    const producer = start(process.execPath, [join(EXAMPLE, 'producer.mjs'), '--data', file, '--shards', '6', '--out', out], env);
    const code = await Promise.race([producer.exited, until('the producer to finish', 40_000, () => false)]);
    expect(code, producer.output() + workers.map((w) => w.output()).join('\n')).toBe(0);

    // The killed job started again, in another worker, and finished there.
    const victim = killed as { pid: number; job: string } | null;
    expect(victim).not.toBeNull();
    const all = workers.flatMap((w) => w.events);
    const retried = all.filter((e) => e.job === victim!.job && e.event === 'start' && e.pid !== victim!.pid);
    expect(retried.length).toBeGreaterThanOrEqual(1);
    expect(all.some((e) => e.job === victim!.job && e.event === 'done' && e.pid !== victim!.pid)).toBe(true);
    // Every shard done (a set: on a very busy machine a healthy worker may miss a lock renewal and see its job run twice).
    const done = new Set(all.filter((e) => e.event === 'done' && e.queue === 'pixprep-shards').map((e) => Number(e.start)));
    expect([...done].sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500]);

    expect(existsSync(out)).toBe(true);
    const merged = ImageDataGenerator.fromJSON(readFileSync(out, 'utf8')).statistics!;
    const whole = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true })
      .fit({ data: pixels, shape: [N, H, W, C] }).statistics!;
    expect(merged.count).toBe(whole.count);
    for (let c = 0; c < C; c++) {
      expect(relativeError(merged.mean[c], whole.mean[c])).toBeLessThanOrEqual(1e-12);
      expect(relativeError(merged.std[c], whole.std[c])).toBeLessThanOrEqual(1e-12);
      expect([merged.min[c], merged.max[c]]).toEqual([whole.min[c], whole.max[c]]);
    }
  }, 60_000);
});
