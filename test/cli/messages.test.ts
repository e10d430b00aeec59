// The command's messages for bad data, bad targets and a bad environment: each one line on stderr, said before any
// training, and pinned here. Plus the pieces behind them, tested directly: the label range on data larger than any
// call stack, the network's true minimum input size, the one "pixprep:" prefix, the exclusive flag bound.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFlags, UsageError } from '../../src/cli/args.js';
import { errorLine } from '../../src/cli/error-line.js';
import { classCount } from '../../src/cli/train.js';
import { encodeIdx } from '../../src/data/idx.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential, type Layer } from '../../src/nn/index.js';
import { checkTutorialInput, minimumInputSize, TUTORIAL_MINIMUM_SIZE, tutorialModel } from '../../src/tutorial.js';
import { runNode, type RunResult } from '../run-node.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pixprep-cli-messages-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Every run is guarded: a spin (the procfs mkdir loop) ends as a killed child, not a hung suite.
const run = (...args: string[]): Promise<RunResult> => runNode(CLI, args, { timeout: 60_000 });

/** An MNIST-format directory of n train and 2 test images of h×w. */
function idxDirectory(name: string, n: number, h: number, w: number): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx({ data: new Uint8Array(n * h * w).fill(7), shape: [n, h, w] }));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx({ data: new Uint8Array(n).map((_, i) => i % 2), shape: [n] }));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx({ data: new Uint8Array(2 * h * w), shape: [2, h, w] }));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx({ data: Uint8Array.of(0, 1), shape: [2] }));
  return dir;
}

/** One line, starting with "pixprep" once, no stack trace. */
function expectOneLine(stderr: string, line: string) {
  expect(stderr).toBe(`${line}\n`);
  expect(stderr).not.toMatch(/pixprep: pixprep|\n\s+at /);
}

describe('bad data: named, before training', () => {
  it('a 0-image IDX file is reported with its name (not "fit: x is empty")', async () => {
    const dir = idxDirectory('zero', 0, 28, 28);
    const r = await run('train', '--data', dir);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, `pixprep: ${join(dir, 'train-images-idx3-ubyte')}: holds 0 images (shape 0×28×28); a data set needs at least one training and one test image`);
    expect(r.stdout).toBe('');
  });

  it('images too small for the network: "at least 10×10", before any training line', async () => {
    for (const [h, w] of [[8, 8], [9, 28], [28, 9]]) {
      const dir = idxDirectory(`small-${h}x${w}`, 4, h, w);
      for (const command of ['train', 'compare']) {
        const r = await run(command, '--data', dir, '--epochs', '1');
        expect(r.code).toBe(1);
        expectOneLine(r.stderr, `pixprep: images must be at least 10×10 for this network (two 3×3 convolutions, each followed by a 2×2 pooling); these are ${h}×${w}`);
        expect(r.stdout).toBe('');
      }
    }
    // 10×10 is enough: it trains.
    const r = await run('train', '--data', idxDirectory('ten', 4, 10, 10), '--epochs', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).trainImages).toBe(4);
  });
});

describe('--save targets that cannot be written: exit 2 at once, nothing trained', () => {
  it('under procfs: a clear message, no spin (the child is killed after 60 s if it spins)', async () => {
    const started = Date.now();
    const r = await run('train', '--save', '/proc/x/model.json');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, 'pixprep train: --save: cannot write /proc/x/model.json: /proc exists but refuses new files (a virtual file system such as /proc?)');
    expect(r.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('a directory, or a path through a file', async () => {
    const a = await run('train', '--save', work);
    expect(a.code).toBe(2);
    expectOneLine(a.stderr, `pixprep train: --save: ${work} is a directory, not a file`);
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    const b = await run('train', '--save', join(file, 'model.json'));
    expect(b.code).toBe(2);
    expectOneLine(b.stderr, `pixprep train: --save: cannot write ${join(file, 'model.json')}: ${file} is a file, not a directory`);
    expect(b.stdout).toBe('');
  });

  it('a save that fails half way (ulimit -f 1024: 1 MiB) keeps the previous model whole, no temporary file', async () => {
    const dir = join(work, 'saved');
    mkdirSync(dir);
    const path = join(dir, 'model.json');
    const good = '{"previous":"model"}';
    writeFileSync(path, good);
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('bash', ['-c', 'ulimit -f 1024 && exec "$0" "$@"', process.execPath, CLI, 'train', '--limit', '64', '--epochs', '1', '--json', '--save', path],
        { timeout: 120_000 }, (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }));
    });
    expect(readFileSync(path, 'utf8')).toBe(good);
    expect(readdirSync(dir)).toEqual(['model.json']);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, `pixprep: saveModel: cannot write ${path} (EFBIG: file too large, write); the previous file, if any, is untouched`);
  });
});

describe('a bad environment and the prefix', () => {
  it('a bad PIXPREP_BACKEND: one line, no stack trace, exit 2', async () => {
    for (const args of [['train'], ['--help'], ['stats', '--json']]) {
      const r = await runNode(CLI, args, { env: { PIXPREP_BACKEND: 'gpu' }, timeout: 60_000 });
      expect(r.code).toBe(2);
      expectOneLine(r.stderr, 'pixprep: PIXPREP_BACKEND must be one of \'wasm-relaxed-simd\', \'wasm-simd\', \'js\'. Received: "gpu"');
      expect(r.stdout).toBe('');
    }
  });

  it('--zca-epsilon 0 says "> 0"', async () => {
    const r = await run('train', '--scaling', 'zca', '--zca-epsilon', '0');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, 'pixprep train: --zca-epsilon must be a number > 0. Received: 0');
    const specs = { e: { kind: 'number', min: 0, exclusive: true, default: 1, help: '' } } as const;
    expect(parseFlags('x', ['--e', '5e-324'], specs).e).toBe(5e-324);
    expect(() => parseFlags('x', ['--e', '-0'], specs)).toThrow(new UsageError('pixprep x: --e must be a number > 0. Received: -0'));
    const inclusive = { e: { kind: 'number', min: 0, default: 1, help: '' } } as const;
    expect(parseFlags('x', ['--e', '0'], inclusive).e).toBe(0);
  });

  it('"pixprep: " is added once: library messages that already start with it are printed as they are', () => {
    // The cause of "pixprep: pixprep:": src/runtime/heap.ts, src/nn/serialize.ts and src/generator/pipeline.ts
    // start their messages with "pixprep: ", and the command prefixed every message again.
    const heap = 'pixprep: cannot grow kernel memory by 4096 bytes (have 0, need 4096 more contiguous)';
    expect(errorLine(new Error(heap))).toBe(heap);
    expect(errorLine(new Error('pixprep internal error: layer x used before build'))).toBe('pixprep internal error: layer x used before build');
    expect(errorLine(new UsageError('pixprep train: --epochs must be an integer >= 1. Received: 0'))).toBe('pixprep train: --epochs must be an integer >= 1. Received: 0');
    expect(errorLine(new Error('/d: cannot read the directory'))).toBe('pixprep: /d: cannot read the directory');
    expect(errorLine('plain')).toBe('pixprep: plain');
    expect(errorLine(new Error('pixprepper: x'))).toBe('pixprep: pixprepper: x');
  });

  it('through the command: a kernel-memory error has one prefix', async () => {
    // A batch far beyond what kernel memory can hold; the message is the heap's own, which starts with "pixprep: ".
    const r = await run('train', '--limit', '64', '--epochs', '1', '--json', '--batch-size', '100000000');
    if (r.code === 0) return; // once workspaces are sized by min(batch, samples) (issue 13, engine), this trains
    expect(r.stderr).toMatch(/^pixprep: cannot grow kernel memory by \d+ bytes/);
    expect(r.stderr).not.toContain('pixprep: pixprep:');
  });
});

describe('label range and input size, on their own', () => {
  it('classCount: a loop over more labels than any call stack takes (Math.max(...labels) throws on these)', () => {
    const n = 2_000_000;
    const train = new Uint8Array(n).map((_, i) => i % 7);
    const test = new Uint8Array(n / 2).map((_, i) => (i === n / 4 ? 46 : i % 3));
    expect(() => Math.max(...train, ...test)).toThrow(RangeError); // the data really is larger than the stack
    expect(classCount(train, test)).toBe(47);
    expect(classCount(Uint8Array.of(3), new Uint8Array(0))).toBe(4);
    expect(classCount(new Uint8Array(0))).toBe(0);
    expect(classCount([0, 255], Uint32Array.of(9))).toBe(256);
  });

  it('minimumInputSize inverts each layer: equal to the smallest size that builds, by search', () => {
    // The smallest h (then w) for which the model builds, searched; an independent check of the formula.
    const smallest = (make: (shape: [number, number, number]) => Layer[]) => {
      const builds = (h: number, w: number) => {
        try {
          new Sequential(make([h, w, 1])).dispose();
          return true;
        } catch {
          return false;
        }
      };
      let h = 1;
      while (!builds(h, 200)) h++;
      let w = 1;
      while (!builds(200, w)) w++;
      return [h, w];
    };
    const nets: ((s: [number, number, number]) => Layer[])[] = [
      (s) => [new Conv2D({ filters: 2, kernelSize: 3, inputShape: s }), new MaxPooling2D({ poolSize: 2 }),
        new Conv2D({ filters: 2, kernelSize: 3 }), new MaxPooling2D({ poolSize: 2 }), new Flatten(), new Dense({ units: 2 })],
      (s) => [new Conv2D({ filters: 2, kernelSize: [5, 2], strides: 2, inputShape: s }), new MaxPooling2D({ poolSize: 3, strides: 2 }),
        new Conv2D({ filters: 2, kernelSize: 3, padding: 'same', strides: 3 }), new Conv2D({ filters: 2, kernelSize: [1, 4] }), new Flatten()],
      (s) => [new Conv2D({ filters: 1, kernelSize: 4, padding: 'same', strides: 2, inputShape: s }), new Flatten(), new Dense({ units: 1 })],
    ];
    for (const make of nets) expect(minimumInputSize(make([200, 200, 1]))).toEqual(smallest(make));
    expect(TUTORIAL_MINIMUM_SIZE).toEqual([10, 10]);
  });

  it('tutorialModel and checkTutorialInput refuse smaller images with the same message', () => {
    expect(() => checkTutorialInput(9, 10)).toThrow('images must be at least 10×10 for this network (two 3×3 convolutions, each followed by a 2×2 pooling); these are 9×10');
    expect(() => tutorialModel({ inputShape: [10, 9, 1] })).toThrow('images must be at least 10×10 for this network');
    const model = tutorialModel({ inputShape: [10, 10, 1] });
    expect(model.predict({ data: new Float32Array(100), shape: [1, 10, 10, 1] }).shape).toEqual([1, 10]);
    model.dispose();
  });
});
