// Augmentation (issue 17): the light augmentation of the tutorial (rotation 10°, width/height shift 0.1, zoom 0.1,
// bilinear, nearest fill) on 28×28×1 bytes, one thread.
//   augment epoch  — a whole shuffled epoch of flow.batchInto, drawn, warped and standardized in one kernel pass,
//                    next to the same epoch without augmentation (their ratio is the cost of augmenting) and to
//                    PyTorch doing the same epoch batch by batch (gather, affine_grid + grid_sample, standardize per
//                    batch of 64, one thread: the peer with the epoch's shape); each row's first and last batches
//                    are checked against its own float64 answer before timing
//   augment iterator — the same epoch shape on PEER_IMAGES images, next to Keras' own loop: NumpyArrayIterator's
//                    get_random_transform, apply_transform and standardize per image (its rows' first and last
//                    batches checked likewise)
//   augment warp   — the warp of PEER_IMAGES images with the SAME transforms (drawn by pixprep's getRandomTransform,
//                    handed to every implementation) by pixprep's kernel; Keras' path, its affine part alone (Keras'
//                    apply_affine_transform per image as Keras writes it, scipy underneath: the aim is
//                    against this row); scipy's affine_transform per image with the matrices precomputed (a lean
//                    peer: scipy's own cost); PyTorch's batched affine_grid + grid_sample mapped to the same geometry
//                    (the strong peer). Each output is checked against a float64 warp before anything is timed.
// torchvision's RandomAffine (issue 17's third peer) draws its own transforms and cannot be handed pixprep's, so it
// has no row (nor is torchvision installed here). Self-contained: registered with one line in bench/suite.ts.
import { resolveAugmentation } from '../../src/generator/augment-options.js';
import { drawTransform, warpParams } from '../../src/generator/augment.js';
import { imageSeed } from '../../src/generator/flow.js';
import { EPSILON } from '../../src/generator/pipeline.js';
import { ImageDataGenerator } from '../../src/generator/image-data-generator.js';
import { WARP_PARAMS } from '../../src/kernels/warp.js';
import { Random } from '../../src/random.js';
import { currentBackend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { seededBytes } from '../data.js';
import { pythonImpl } from '../peers/python.js';
import type { Case, Impl, Tolerance } from '../runner.js';
import { momentsReference, U, WARP_FLOAT64, warpReference, warpTolerance } from '../verify.js';

const LIGHT = { rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1 } as const;
const STANDARDIZE = { featurewiseCenter: true, featurewiseStdNormalization: true } as const;
const PEER_IMAGES = 2048;
const BATCH = 64;
const SEED = 1;
const H = 28;
const W = 28;

/**
 * The float64 answer for an epoch's first and last batches (`checked`: the image indices the flow's order puts
 * there): the images, warped (when `gen` augments) with the transforms getRandomTransform draws from each image's
 * seed (the warp's inputs, as in the 'augment warp' case), then standardized with float64 statistics of x:
 * (v − mean) / (std + 1e-6). Also the warp's bound for those transforms (warpTolerance, with `slack`), or null.
 */
interface EpochReference {
  values: Float64Array;
  mean: number;
  std: number;
  warpBound: Tolerance | null;
}

function epochReference(gen: ImageDataGenerator | null, x: { data: Uint8Array }, checked: Int32Array, seed: number, slack: number): EpochReference {
  const size = H * W;
  const images = new Uint8Array(checked.length * size);
  checked.forEach((j, k) => images.set(x.data.subarray(j * size, (j + 1) * size), k * size));
  let values: ArrayLike<number> = images;
  const [mean, std] = momentsReference(x.data, 1);
  let warpBound: Tolerance | null = null;
  if (gen !== null) {
    const params = new Float64Array(checked.length * WARP_PARAMS);
    checked.forEach((j, k) => warpParams(gen.getRandomTransform([H, W, 1], imageSeed(seed, 0, j)), H, W, params, k * WARP_PARAMS));
    values = warpReference(images, params, checked.length, H, W);
    warpBound = warpTolerance(params, H, W, slack);
  }
  return { values: Float64Array.from(values, (v) => (v - mean) / (std + EPSILON)), mean, std, warpBound };
}

/** The image indices of an epoch's first and last batches, in the flow's order. */
function firstAndLast(order: Int32Array): Int32Array {
  const lastFrom = (Math.ceil(order.length / BATCH) - 1) * BATCH;
  return Int32Array.from([...order.subarray(0, Math.min(BATCH, order.length)), ...(lastFrom > 0 ? order.subarray(lastFrom) : [])]);
}

/**
 * The tolerance of an epoch row: the warp's bound (src/kernels/warp.ts, per image, from the transforms the reference
 * drew: none without augmentation) divided by std, plus the affine map's roundings with float32 mean and std. Reads
 * `state` after reference() has run (the runner computes output, reference, then applies the tolerance).
 */
function epochTolerance(state: () => EpochReference | null, what = "the warp's float32 bound"): Tolerance {
  return {
    text: `|out − ref| ≤ (${what})/std + 8u·(|ref| + 2·mean/std), u = 2⁻²⁴`,
    bound: (ref, i) => {
      const s = state()!;
      return (s.warpBound?.bound(ref, i) ?? 0) / s.std + 8 * U * (Math.abs(ref) + 2 * s.mean / s.std);
    },
  };
}

/**
 * One shuffled epoch of flow.batchInto over x into a batch in kernel memory. Verified (not timed) on the epoch's
 * first and last batches against float64 (epochReference).
 */
function epochImpl(name: string, note: string, options: object, x: { data: Uint8Array; shape: number[] }): Impl {
  let gen: ImageDataGenerator | null = null;
  let block: HeapBlock<'f32'> | null = null;
  let checked: Int32Array | null = null;
  let state: EpochReference | null = null;
  const augmenting = Object.keys(options).length > 0;
  const size = H * W;
  return {
    name, role: 'pixprep', note,
    setup: () => {
      gen = new ImageDataGenerator({ ...STANDARDIZE, ...options }).fit(x);
    },
    run: () => {
      const flow = gen!.flow(x, null, { batchSize: BATCH, seed: SEED });
      block ??= currentBackend().heap.block('f32', BATCH * size);
      for (let i = 0; i < flow.length; i++) flow.batchInto(i, block.view, null);
      flow.dispose();
    },
    output: () => {
      const flow = gen!.flow(x, null, { batchSize: BATCH, seed: SEED });
      const order = flow.indexOrder;
      const last = flow.length - 1;
      const lastFrom = last * BATCH;
      checked = firstAndLast(order);
      const out = new Float32Array(checked.length * size);
      const firstCount = flow.batchInto(0, block!.view, null);
      out.set(block!.view.subarray(0, firstCount * size));
      if (last > 0) {
        flow.batchInto(last, block!.view, null);
        out.set(block!.view.subarray(0, (order.length - lastFrom) * size), BATCH * size);
      }
      flow.dispose();
      return out;
    },
    reference: () => {
      state = epochReference(augmenting ? gen : null, x, checked!, SEED, 1);
      return state.values;
    },
    tolerance: epochTolerance(() => state),
    teardown: () => {
      block?.free();
      block = null;
      gen?.dispose();
      gen = null;
    },
  };
}

/** A Python peer of an augment epoch case, and how its output is checked. */
interface EpochPeer {
  name: string;
  needs: 'numpy' | 'torch';
  task: string;
  note: string;
  /** The draws of the n images in the form the peer's task reads, added to its arguments. */
  draws: (gen: ImageDataGenerator, n: number) => Record<string, unknown>;
  /** epochReference's slack on the float32 warp's bound, or the peer's own warp bound in its place. */
  slack: number;
  warpBound?: Tolerance;
  /** The warp's bound in the tolerance's words. */
  what: string;
}

/**
 * A Python peer's epoch over the same images, order and transforms as pixprep's augmented row (its flow's index
 * order and getRandomTransform's draws, made in setup), verified like pixprep's rows on the epoch's first and last
 * batches (epochReference).
 */
function epochPeerImpl(x: { data: Uint8Array; shape: number[] }, peer: EpochPeer): Impl {
  const n = x.shape[0];
  let gen: ImageDataGenerator | null = null;
  let order: Int32Array | null = null;
  let state: EpochReference | null = null;
  const inputs = () => {
    gen = new ImageDataGenerator({ ...STANDARDIZE, ...LIGHT }).fit(x);
    const flow = gen.flow(x, null, { batchSize: BATCH, seed: SEED });
    order = flow.indexOrder;
    flow.dispose();
    const [mean, std] = momentsReference(x.data, 1);
    return { images: x.data, ...peer.draws(gen, n), order, n, height: H, width: W, batch: BATCH, mean, std };
  };
  const impl = pythonImpl({ name: peer.name, needs: peer.needs, task: peer.task, note: peer.note, args: inputs });
  return {
    ...impl,
    teardown: async () => {
      await impl.teardown?.();
      gen?.dispose();
      gen = null;
    },
    reference: () => {
      const reference = epochReference(gen, x, firstAndLast(order!), SEED, peer.slack);
      state = peer.warpBound === undefined ? reference : { ...reference, warpBound: peer.warpBound };
      return state.values;
    },
    tolerance: epochTolerance(() => state, peer.what),
  };
}

/** PyTorch's augmented, standardized epoch (python_peer.py, epoch_torch), per batch of 64. */
function torchEpochImpl(x: { data: Uint8Array; shape: number[] }): Impl {
  return epochPeerImpl(x, {
    name: 'PyTorch epoch: affine_grid + grid_sample + standardize per batch of 64', needs: 'torch', task: 'epoch_torch',
    note: "per batch in the flow's order: index_select from the uint8 dataset, .float(), affine_grid + grid_sample (bilinear, border, align_corners=True), (x − mean)/(std + 1e-6) into a preallocated batch; 1 thread; pixprep's transforms as thetas made in setup (not timed: favours PyTorch)",
    draws: (gen, n) => {
      const params = new Float64Array(n * WARP_PARAMS);
      for (let j = 0; j < n; j++) warpParams(gen.getRandomTransform([H, W, 1], imageSeed(SEED, 0, j)), H, W, params, j * WARP_PARAMS);
      return { params };
    },
    slack: 4,
    what: "the warp's float32 bound with 4δ: a float32 grid through normalised coordinates and back",
  });
}

/**
 * Keras' iterator path (python_peer.py, epoch_keras): NumpyArrayIterator's per-image get_random_transform,
 * apply_transform and standardize, over the same images, order and transforms as pixprep's row of its case.
 */
function kerasIteratorImpl(x: { data: Uint8Array; shape: number[] }): Impl {
  return epochPeerImpl(x, {
    name: "Keras' iterator path: get_random_transform + apply_transform + standardize per image", needs: 'numpy', task: 'epoch_keras',
    note: "NumpyArrayIterator's loop as Keras writes it (scripts/reference/keras_affine.py: Keras' draw code timed, its values replaced by pixprep's draw of the same image; apply_affine_transform with scipy; x -= mean; x /= std + 1e-6; into a new float32 batch per batch of 64)",
    draws: (gen, n) => {
      const transforms = new Float64Array(n * 6);
      for (let j = 0; j < n; j++) {
        const t = gen.getRandomTransform([H, W, 1], imageSeed(SEED, 0, j));
        transforms.set([t.theta, t.tx, t.ty, t.shear, t.zx, t.zy], j * 6);
      }
      return { transforms, options: LIGHT };
    },
    slack: 1,
    warpBound: WARP_FLOAT64,
    what: 'a float64 warp rounded to float32: 2u·255',
  });
}

/** pixprep's warp kernel on images and transforms placed in kernel memory in setup, unscaled (mul 1, add 0). */
function kernelImpl(images: Uint8Array, params: Float64Array, n: number): Impl {
  let blocks: { x: HeapBlock<'u8'>; p: HeapBlock<'f64'>; out: HeapBlock<'f32'>; mul: HeapBlock<'f32'>; add: HeapBlock<'f32'> } | null = null;
  const backend = currentBackend();
  return {
    name: `pixprep ${backend.name}`, role: 'pixprep',
    note: 'warpU8 over all images in kernel memory; unscaled (mul 1, add 0: the fused standardize costs the same)',
    setup: () => {
      const heap = backend.heap;
      blocks = { x: heap.block('u8', images.length), p: heap.block('f64', params.length), out: heap.block('f32', n * H * W),
        mul: heap.block('f32', 1), add: heap.block('f32', 1) };
      // Views after every block exists (an allocation may replace the heap's buffer).
      blocks.x.view.set(images);
      blocks.p.view.set(params);
      blocks.mul.view[0] = 1;
      blocks.add.view[0] = 0;
      blocks.out.view.fill(NaN);
    },
    run: () => {
      const b = blocks!;
      backend.kernels.warpU8(b.out.view, b.x.view, b.p.view, n, H, W, 1, false, 0, 1, 0, b.mul.view, b.add.view);
    },
    output: () => blocks!.out.view.slice(),
    teardown: () => {
      if (blocks) for (const b of Object.values(blocks)) b.free();
      blocks = null;
    },
  };
}

export function augmentGroup(quick: boolean, images: number): { cases: Case[]; dispose(): void } {
  const n = images;
  const x = { data: seededBytes(n * H * W, 17), shape: [n, H, W, 1] };
  const epoch: Case = {
    name: `augment epoch ${n}×28×28×1, batch ${BATCH}`, section: 'augment', kind: 'call', unit: 'images/s', work: n,
    elements: n * H * W, budgetMs: quick ? 50 : 8000, rounds: quick ? 1 : 3, minSampleMs: 0,
    // Rows with different outputs (augmented and not): each has its own reference (epochReference).
    verify: { tolerance: { text: 'each row has its own (epochReference)', bound: () => 0 } },
    impls: [
      epochImpl('pixprep augmented + standardized', 'draw + warp + standardize fused in one kernel pass (rotation 10, shifts 0.1, zoom 0.1, bilinear)', LIGHT, x),
      epochImpl('pixprep standardized, no augmentation', 'the same epoch through the affine kernel alone', {}, x),
      // --quick (the test suite's smoke run) leaves the Python peer out: it takes seconds to start.
      ...(quick ? [] : [torchEpochImpl(x)]),
    ],
  };
  const m = Math.min(n, PEER_IMAGES);
  const few = x.data.slice(0, m * H * W);
  // The transforms, drawn once as a flow draws them, handed to every implementation: the warp kernel's 8 numbers
  // (pixprep, the lean scipy row, PyTorch) and Keras' parameters (the Keras-path row builds its matrices from them).
  const params = new Float64Array(m * WARP_PARAMS);
  const transforms = new Float64Array(m * 6);
  const options = resolveAugmentation(LIGHT);
  const random = new Random(1);
  for (let i = 0; i < m; i++) {
    const t = drawTransform(random, options, H, W);
    warpParams(t, H, W, params, i * WARP_PARAMS);
    transforms.set([t.theta, t.tx, t.ty, t.shear, t.zx, t.zy], i * 6);
  }
  const inputs = () => ({ images: few, params, transforms, n: m, height: H, width: W });
  const warp: Case = {
    name: `augment warp ${m}×28×28×1, same transforms`, section: 'augment', kind: 'kernel', unit: 'images/s', work: m,
    elements: m * H * W, budgetMs: quick ? 50 : 4000, rounds: quick ? 1 : 3, minSampleMs: 0,
    verify: { reference: () => warpReference(few, params, m, H, W), tolerance: warpTolerance(params, H, W) },
    // --quick (the test suite's smoke run) verifies pixprep's row alone: the Python peers take seconds to start.
    impls: quick ? [kernelImpl(few, params, m)] : [
      kernelImpl(few, params, m),
      {
        ...pythonImpl({
          name: "Keras' path: apply_affine_transform per image (scipy)", needs: 'numpy', task: 'warp_keras',
          note: "Keras' apply_affine_transform as Keras writes it (np.dot matrices, offset to the centre, rollaxis, scipy.ndimage.affine_transform per channel, np.stack) on each float32 28×28×1 image, from the same draws, into a preallocated batch",
          args: inputs,
        }),
        tolerance: WARP_FLOAT64,
      },
      {
        ...pythonImpl({
          name: 'scipy affine_transform per image, matrices precomputed (lean)', needs: 'numpy', task: 'warp_scipy',
          note: "scipy.ndimage.affine_transform(order=1, mode=nearest) per float32 image with pixprep's matrices made in setup, into a preallocated output: scipy without Keras' steps around it",
          args: inputs,
        }),
        tolerance: WARP_FLOAT64,
      },
      {
        ...pythonImpl({
          name: 'PyTorch affine_grid + grid_sample, batched', needs: 'torch', task: 'warp_torch',
          note: 'all images in one call, 1 thread, bilinear, border, align_corners=True: the same geometry',
          args: inputs,
        }),
        tolerance: warpTolerance(params, H, W, 4, "float32 grid through normalised coordinates and back: pixprep's bound with 4δ"),
      },
    ],
  };
  // Keras' own loop is ~100× slower than pixprep's: the same epoch shape on PEER_IMAGES images.
  const subset = { data: few, shape: [m, H, W, 1] };
  const iterator: Case = {
    name: `augment iterator ${m}×28×28×1, batch ${BATCH}`, section: 'augment', kind: 'call', unit: 'images/s', work: m,
    elements: m * H * W, budgetMs: quick ? 50 : 4000, rounds: quick ? 1 : 3, minSampleMs: 0,
    verify: { tolerance: { text: 'each row has its own (epochReference)', bound: () => 0 } },
    impls: [
      epochImpl('pixprep augmented + standardized', 'the augment epoch case\'s row on these images: draw + warp + standardize fused in one kernel pass', LIGHT, subset),
      ...(quick ? [] : [kerasIteratorImpl(subset)]),
    ],
  };
  return { cases: [epoch, warp, iterator], dispose: () => {} };
}
