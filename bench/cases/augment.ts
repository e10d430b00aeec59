// Augmentation (issue 17): the light augmentation of the tutorial (rotation 10°, width/height shift 0.1, zoom 0.1,
// bilinear, nearest fill) on 28×28×1 bytes, one thread.
//   augment epoch  — a whole shuffled epoch of flow.batchInto, augmented and standardized in one kernel pass, next
//                    to the same epoch without augmentation (the ratio of the two is the cost of augmenting)
//   augment peers  — the same augmentation of PEER_IMAGES images by pixprep and by Python peers through
//                    /usr/bin/python3 (bench/cases/augment-peers.py): scipy's affine_transform per image (Keras'
//                    path, its affine part alone), PyTorch's batched affine_grid + grid_sample, torchvision's
//                    RandomAffine per image. A missing peer is a row with an error ("skipped: ...").
// Self-contained: register with one line in bench/suite.ts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ImageDataGenerator } from '../../src/generator/image-data-generator.js';
import { currentBackend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { seededBytes } from '../data.js';
import { Skip, type Case, type Impl } from '../runner.js';

const PYTHON = '/usr/bin/python3';
const LIGHT = { rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1 } as const;
const STANDARDIZE = { featurewiseCenter: true, featurewiseStdNormalization: true } as const;
const PEER_IMAGES = 2048;
// Public calls (flow.batchInto over an epoch; the peers' own loops), timed as a user sees them. The outputs are
// checked elsewhere, bit for bit: test/generator/augment-scipy.test.ts (against scipy) and augment-flow.test.ts.
const CALL = {
  kind: 'call' as const,
  minSampleMs: 0,
  unverified: "random transforms: each side draws its own; pixprep's outputs equal scipy's bit for bit in test/generator/augment-scipy.test.ts",
};

// The peer script sits next to this file in the sources; the compiled bench runs from dist-bench/bench/cases.
function peerScript(): string | null {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const candidate of [`${here}augment-peers.py`, `${here}../../../bench/cases/augment-peers.py`]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** A Python peer kept running between calls, so that its start-up and imports are not timed. */
function pythonPeer(which: string, name: string, note: string, n: number): Impl {
  let child: ChildProcessWithoutNullStreams | null = null;
  let lines: Interface | null = null;
  const nextLine = () => new Promise<string>((resolve, reject) => {
    lines!.once('line', resolve);
    child!.once('exit', () => reject(new Error(`${name} exited`)));
  });
  return {
    name, role: 'peer', note,
    setup: async () => {
      const script = peerScript();
      if (!existsSync(PYTHON) || script === null) throw new Skip(`${PYTHON} or the peer script is missing`);
      child = spawn(PYTHON, [script, which, String(n)], { stdio: ['pipe', 'pipe', 'pipe'] });
      lines = createInterface({ input: child.stdout });
      const first = await nextLine();
      if (first !== 'ready') throw first.startsWith('skipped: ') ? new Skip(first.slice('skipped: '.length)) : new Error(`${name}: ${first}`);
    },
    run: async () => {
      child!.stdin.write('run\n');
      const line = await nextLine();
      if (line !== 'done') throw new Error(`${name}: ${line}`);
    },
    teardown: () => {
      child?.stdin.end();
      child?.kill();
      child = null;
    },
  };
}

/** One shuffled epoch of flow.batchInto over x into a batch in kernel memory. */
function epochImpl(name: string, note: string, options: object, x: { data: Uint8Array; shape: number[] }): Impl {
  let gen: ImageDataGenerator | null = null;
  let block: HeapBlock<'f32'> | null = null;
  return {
    name, role: 'pixprep', note,
    setup: () => {
      gen = new ImageDataGenerator({ ...STANDARDIZE, ...options }).fit(x);
    },
    run: () => {
      const flow = gen!.flow(x, null, { batchSize: 64, seed: 1 });
      block ??= currentBackend().heap.block('f32', 64 * 784);
      for (let i = 0; i < flow.length; i++) flow.batchInto(i, block.view, null);
      flow.dispose();
    },
    teardown: () => {
      block?.free();
      block = null;
      gen = null;
    },
  };
}

export function augmentGroup(quick: boolean, images: number): { cases: Case[]; dispose(): void } {
  const n = images;
  const x = { data: seededBytes(n * 784, 17), shape: [n, 28, 28, 1] };
  const peerN = PEER_IMAGES;
  const few = { data: x.data.subarray(0, Math.min(n, peerN) * 784), shape: [Math.min(n, peerN), 28, 28, 1] };
  const epoch: Case = {
    name: `augment epoch ${n}×28×28×1, batch 64`, section: 'augment', unit: 'images/s', work: n, elements: n * 784, ...CALL, budgetMs: quick ? 50 : 8000, rounds: quick ? 1 : 3,
    impls: [
      epochImpl('pixprep augmented + standardized', 'rotation 10, shifts 0.1, zoom 0.1, bilinear; warp and standardize fused in one kernel pass', LIGHT, x),
      epochImpl('pixprep standardized, no augmentation', 'the same epoch through the affine kernel alone', {}, x),
    ],
  };
  // --quick (the test suite's smoke run) leaves the Python peers out: they need /usr/bin/python3 and take seconds.
  if (quick) return { cases: [epoch], dispose: () => {} };
  const peers: Case = {
    name: `augment ${few.shape[0]} images 28×28×1, peers`, section: 'augment', unit: 'images/s', work: few.shape[0],
    elements: few.shape[0] * 784, ...CALL, budgetMs: 4000, rounds: 3,
    impls: [
      epochImpl('pixprep wasm-simd', 'flow.batchInto: draw + warp + standardize (peers: the warp alone)', LIGHT, few),
      pythonPeer('scipy', "Keras' path: scipy affine_transform per image", 'numpy matrices + scipy.ndimage.affine_transform(order=1, nearest) per image, as Keras', few.shape[0]),
      pythonPeer('torch', 'PyTorch affine_grid + grid_sample, batched', 'all images in one call, 1 thread, bilinear, border', few.shape[0]),
      pythonPeer('torchvision', 'torchvision RandomAffine per image', 'tensor input, bilinear, 1 thread', few.shape[0]),
    ],
  };
  return { cases: [epoch, peers], dispose: () => {} };
}
