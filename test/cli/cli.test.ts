// The `pixprep` command as a user runs it: a subprocess of the built dist/cli/main.js (npm test builds first), on the
// embedded digits with a small --limit, and on an MNIST-format directory the test writes itself.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx.js';
import { Random } from '../../src/random.js';
import { runNode, type RunResult } from '../run-node.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pixprep-cli-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(...args: string[]): Promise<RunResult> {
  return runNode(CLI, args);
}

function runWith(env: Record<string, string | undefined>, ...args: string[]): Promise<RunResult> {
  return runNode(CLI, args, { env });
}

const testAccuracy = (out: string) => Number(/^Test Accuracy: (\d+\.\d{3})$/m.exec(out)?.[1]);

describe('pixprep train', () => {
  it('prints the tutorial\'s lines for each scaling, on the embedded digits', async () => {
    // One process at a time: the suite already runs test files side by side on 2 cores.
    for (const scaling of ['normalize', 'center', 'standardize', 'none'] as const) {
      const { code, stdout, stderr } = await run('train', '--scaling', scaling, '--limit', '320', '--epochs', '1', '--batch-size', '64');
      expect(code, stderr).toBe(0);
      expect(stdout).toContain('Train min=0.000, max=255.000\nTest min=0.000, max=255.000\nBatches train=5, test=32\n');
      const batch = /^Batch shape=\[64, 28, 28, 1\], min=(-?\d+\.\d{3}), max=(-?\d+\.\d{3})$/m.exec(stdout);
      expect(batch, stdout).not.toBeNull();
      const [lo, hi] = [Number(batch![1]), Number(batch![2])];
      if (scaling === 'normalize') expect([lo, hi]).toEqual([0, 1]);
      if (scaling === 'none') expect([lo, hi]).toEqual([0, 255]);
      if (scaling === 'center') expect(lo).toBeLessThan(-30); // 0 minus a mean of ~33
      if (scaling === 'standardize') expect(hi).toBeGreaterThan(2.5); // (255 − 33) / 78
      const mean = /^Mean=(\d+\.\d{3})(?:, Std=(\d+\.\d{3}))?$/m.exec(stdout);
      if (scaling === 'center' || scaling === 'standardize') {
        expect(Number(mean![1])).toBeGreaterThan(20);
        expect(Number(mean![1])).toBeLessThan(50);
        expect(mean![2] !== undefined).toBe(scaling === 'standardize');
      } else expect(mean).toBeNull();
      expect(stdout).toMatch(/^Epoch 1\/1 - \d+\.\ds - loss: \d+\.\d{4} - accuracy: \d\.\d{4} - \d+ images\/s$/m);
      const acc = testAccuracy(stdout);
      expect(acc).toBeGreaterThan(10); // chance is 10%: 320 images, one epoch, already learn something
      expect(acc).toBeLessThanOrEqual(100);
    }
  });

  it('--json prints one object with every field; the same seed gives the same result', async () => {
    const a = await run('train', '--limit', '256', '--epochs', '1', '--json', '--seed', '7');
    const b = await run('train', '--limit', '256', '--epochs', '1', '--json', '--seed', '7');
    expect(a.code, a.stderr).toBe(0);
    const r = JSON.parse(a.stdout);
    expect(Object.keys(r).sort()).toEqual(['augment', 'backend', 'batchSize', 'epochs', 'mean', 'scaling', 'seconds', 'seed', 'std',
      'testAccuracy', 'testImages', 'testLoss', 'threads', 'trainImages', 'trainImagesPerSecond']);
    expect(r).toMatchObject({ scaling: 'standardize', epochs: 1, batchSize: 64, seed: 7, trainImages: 256, testImages: 2004, backend: 'wasm-simd' });
    // The suite runs on one thread (vitest.config.ts sets PIXPREP_THREADS=1; the children inherit it).
    expect(r.threads).toBe(Number(process.env.PIXPREP_THREADS ?? 'unset'));
    expect(r.mean[0]).toBeGreaterThan(20);
    expect(r.std[0]).toBeGreaterThan(50);
    expect(r.testAccuracy).toBeGreaterThan(0.1);
    expect(r.testAccuracy).toBeLessThanOrEqual(1);
    expect(r.trainImagesPerSecond).toBeGreaterThan(0);
    const s = JSON.parse(b.stdout);
    expect(s.testAccuracy).toBe(r.testAccuracy);
    expect(s.testLoss).toBe(r.testLoss);
  });

  it('--json reports the default thread count (the cores) when PIXPREP_THREADS is not set, with one thread\'s results', async () => {
    const one = await runWith({ PIXPREP_THREADS: '1' }, 'train', '--limit', '256', '--epochs', '1', '--json', '--seed', '3');
    const cores = await runWith({ PIXPREP_THREADS: undefined }, 'train', '--limit', '256', '--epochs', '1', '--json', '--seed', '3');
    expect(one.code, one.stderr).toBe(0);
    expect(cores.code, cores.stderr).toBe(0);
    const [a, b] = [JSON.parse(one.stdout), JSON.parse(cores.stdout)];
    expect(a.threads).toBe(1);
    expect(b.threads).toBe(Math.min(availableParallelism(), 65));
    expect(b.testAccuracy).toBe(a.testAccuracy);
    expect(b.testLoss).toBe(a.testLoss);
  });

  it('learns: 2,000 normalized digits, one epoch, > 70% test accuracy (chance: 10%)', async () => {
    const { code, stdout } = await run('train', '--scaling', 'normalize', '--limit', '2000', '--epochs', '1', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).testAccuracy).toBeGreaterThan(0.7);
  });

  it('--save writes the model with the generator statistics; zca trains too', async () => {
    const file = join(work, 'model.json');
    const { code, stdout, stderr } = await run('train', '--scaling', 'zca', '--limit', '200', '--epochs', '1', '--save', file);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`Saved model and generator statistics to ${file}`);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.metadata.scaling).toBe('zca');
    expect(saved.metadata.generator.options.zcaWhitening).toBe(true);
    expect(typeof saved.metadata.generator.zca.matrix).toBe('string');
    expect(testAccuracy(stdout)).toBeGreaterThan(10);
  });

  it('trains on an MNIST-format directory (gzip and raw files)', async () => {
    const dir = join(work, 'idx');
    const rng = new Random(3);
    // Two classes of 16×16 images: a bright left half or a bright right half, plus noise.
    const make = (n: number) => {
      const x = new Uint8Array(n * 256);
      const y = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = i % 2;
        for (let p = 0; p < 256; p++) x[i * 256 + p] = ((p % 16 < 8) === (y[i] === 0) ? 200 : 0) + rng.int(40);
      }
      return { x, y };
    };
    const train = make(256);
    const test = make(64);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx({ data: train.x, shape: [256, 16, 16] })));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx({ data: train.y, shape: [256] }));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx({ data: test.x, shape: [64, 16, 16] }));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx({ data: test.y, shape: [64] })));
    const r = await run('train', '--data', dir, '--scaling', 'normalize', '--epochs', '3', '--batch-size', '32', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ trainImages: 256, testImages: 64 });
    expect(result.testAccuracy).toBeGreaterThan(0.9);
    const stats = await run('stats', '--data', dir, '--json');
    const s = JSON.parse(stats.stdout);
    expect(s.train.images).toBe(256);
    expect(s.train.shape).toEqual([16, 16, 1]);
    let sum = 0;
    for (const v of train.x) sum += v;
    expect(s.train.mean[0]).toBeCloseTo(sum / train.x.length, 9);
    expect(existsSync(join(dir, 'train-images-idx3-ubyte.gz'))).toBe(true);
  });
});

describe('pixprep compare and stats', () => {
  it('compare prints one row per scaling, starting with its name', async () => {
    const { code, stdout, stderr } = await run('compare', '--limit', '192', '--epochs', '1');
    expect(code, stderr).toBe(0);
    const [table, hint] = stdout.slice(stdout.lastIndexOf('\nscaling ') + 1).trim().split('\n\n');
    expect(hint).toBe("Test accuracy varies from seed to seed; pixprep compare --repeat N gives each scaling's mean and spread over N seeds.");
    const rows = table.split('\n');
    expect(rows[0]).toMatch(/^scaling\s+test accuracy\s+train images\/s\s+time$/);
    expect(rows.slice(1).map((row) => row.split(/\s+/)[0])).toEqual(['normalize', 'center', 'standardize']);
    for (const row of rows.slice(1)) expect(row).toMatch(/^\w+\s+\d+\.\d{3}\s+\d+\s+\d+\.\d s$/);
  });

  it('compare --repeat trains each scaling once per seed and summarizes the runs', async () => {
    const common = ['compare', '--limit', '192', '--epochs', '1', '--repeat', '2'];
    const json = await run(...common, '--json');
    expect(json.code, json.stderr).toBe(0);
    const runs = JSON.parse(json.stdout) as { scaling: string; seed: number; testAccuracy: number }[];
    expect(runs.map((r) => `${r.scaling}/${r.seed}`)).toEqual(
      ['normalize/1', 'center/1', 'standardize/1', 'normalize/2', 'center/2', 'standardize/2']);
    // A run depends on its seed only: --repeat's second seed gives what --seed 2 gives alone.
    const alone = JSON.parse((await run('compare', '--limit', '192', '--epochs', '1', '--seed', '2', '--json')).stdout);
    expect(alone.map((r: { testAccuracy: number }) => r.testAccuracy)).toEqual(runs.slice(3).map((r) => r.testAccuracy));

    const text = await run(...common);
    expect(text.code, text.stderr).toBe(0);
    for (const r of runs) {
      expect(text.stdout).toMatch(new RegExp(`^${r.scaling} +seed ${r.seed}: test accuracy ${(r.testAccuracy * 100).toFixed(3)}, \\d+ images/s, \\d+\\.\\d s$`, 'm'));
    }
    const rows = text.stdout.slice(text.stdout.lastIndexOf('scaling')).trim().split('\n');
    expect(rows[0]).toMatch(/^scaling\s+runs\s+mean accuracy\s+sd\s+min\s+max\s+train images\/s\s+time$/);
    expect(rows).toHaveLength(4);
    for (const row of rows.slice(1)) {
      const [scaling, count, mean, sd, min, max] = row.split(/\s+/);
      const acc = runs.filter((r) => r.scaling === scaling).map((r) => r.testAccuracy * 100);
      const m = (acc[0] + acc[1]) / 2;
      expect(count).toBe('2');
      expect(mean).toBe(m.toFixed(3));
      expect(sd).toBe((Math.abs(acc[0] - acc[1]) / Math.SQRT2).toFixed(3));
      expect([min, max]).toEqual([Math.min(...acc).toFixed(3), Math.max(...acc).toFixed(3)]);
    }
  });

  it('stats prints min, max, mean and std of the embedded digits', async () => {
    const { code, stdout } = await run('stats', '--json');
    expect(code).toBe(0);
    const s = JSON.parse(stdout);
    expect(s.train).toMatchObject({ images: 7996, shape: [28, 28, 1], min: [0], max: [255] });
    expect(s.test.images).toBe(2004);
    expect(s.train.mean[0]).toBeGreaterThan(30);
    expect(s.train.mean[0]).toBeLessThan(37);
    const text = await run('stats');
    expect(text.stdout).toMatch(/^train: 7996 images of 28×28×1\n {2}channel 0: min=0\.000, max=255\.000, mean=\d+\.\d{3}, std=\d+\.\d{3}$/m);
  });
});

describe('bad command lines: a clear message and a non-zero exit', () => {
  it.each([
    [['train', '--epoch', '2'], 2, 'pixprep train: unknown option --epoch (see pixprep train --help)'],
    [['train', '--epochs', '0'], 2, 'pixprep train: --epochs must be an integer >= 1. Received: 0'],
    [['train', '--batch-size', 'big'], 2, 'pixprep train: --batch-size must be an integer >= 1. Received: big'],
    [['train', '--scaling', 'whiten'], 2, 'pixprep train: --scaling must be one of normalize, center, standardize, zca, none. Received: whiten'],
    [['train', '--limit'], 2, 'pixprep train: --limit needs a value'],
    [['compare', '--repeat', '0'], 2, 'pixprep compare: --repeat must be an integer >= 1. Received: 0'],
    [['train', 'extra'], 2, "pixprep train: unexpected argument 'extra'"],
    [['fly'], 2, "pixprep: unknown command 'fly'"],
    [['stats', '--data', '/nonexistent-dir'], 1, 'pixprep: /nonexistent-dir: cannot read the directory'],
  ])('%j', async (args, exit, message) => {
    const { code, stderr, stdout } = await run(...args);
    expect(code).toBe(exit);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });

  it('--help for each command exits 0 and lists the options', async () => {
    for (const [command, option] of [['train', '--scaling'], ['compare', '--repeat'], ['stats', '--json']]) {
      const { code, stdout } = await run(command, '--help');
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: pixprep ${command} [options]`);
      expect(stdout).toContain(option);
    }
    const top = await run('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Commands:');
    expect(top.stdout).toContain('Kernels: wasm-simd.');
  });

  it('PIXPREP_BACKEND=js forces the TypeScript kernels (same statistics); a bad value is refused', async () => {
    const js = await runWith({ PIXPREP_BACKEND: 'js' }, '--help');
    expect(js.stdout).toContain('Kernels: js.');
    const [a, b] = [await runWith({ PIXPREP_BACKEND: 'js' }, 'stats', '--json'), await run('stats', '--json')];
    const [sa, sb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(Math.abs(sa.train.mean[0] - sb.train.mean[0])).toBeLessThan(1e-9);
    expect(Math.abs(sa.train.std[0] - sb.train.std[0])).toBeLessThan(1e-9);
    const bad = await runWith({ PIXPREP_BACKEND: 'gpu' }, '--help');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('PIXPREP_BACKEND must be one of \'wasm-relaxed-simd\', \'wasm-simd\', \'js\'. Received: "gpu"');
  });
});
