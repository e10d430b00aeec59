// The augmentation stage of the pipeline: draws one transform per image, runs the warp kernel on a run of images in
// kernel memory, then the per-image colour steps. The pipeline (pipeline.ts) calls it between the gather and the
// affine scaling, or fuses the scaling into the warp when nothing per-image lies between them.
import type { Kernels } from '../kernels/types.js';
import { FILL_MODES, WARP_PARAMS } from '../kernels/warp.js';
import type { Random } from '../random.js';
import { brightness, channelShift, drawTransform, warpParams, type TransformParams } from './augment.js';
import type { ResolvedAugmentation } from './augment-options.js';


export class Augmenter {
  readonly mode: number;
  /** True when the options draw colour steps (channel shift, brightness): the scaling cannot be fused then. */
  readonly colour: boolean;

  constructor(
    readonly options: ResolvedAugmentation,
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    readonly planar: boolean,
  ) {
    this.mode = FILL_MODES.indexOf(options.fillMode);
    this.colour = options.channelShiftRange !== 0 || options.brightnessRange !== null;
  }

  /** Per image of the current run: channel shift intensity and brightness factor (NaN: none). Grows, never shrinks. */
  private colourSteps = new Float64Array(0);

  /** The draw drawInto fills (one object for every image of every run). */
  private readonly draw: TransformParams = {
    theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1, flipHorizontal: false, flipVertical: false,
    channelShiftIntensity: null, brightness: null,
  };

  /** Draws a transform from rng for image i of the run: the kernel's numbers into params, the colour steps kept here. */
  drawInto(rng: Random, params: Float64Array, i: number): void {
    this.writeInto(drawTransform(rng, this.options, this.height, this.width, this.draw), params, i);
  }

  /** Writes p for image i of the run: WARP_PARAMS numbers into params (kernel memory), the colour steps here. */
  writeInto(p: TransformParams, params: Float64Array, i: number): void {
    warpParams(p, this.height, this.width, params, i * WARP_PARAMS);
    if (this.colourSteps.length < 2 * (i + 1)) {
      const grown = new Float64Array(Math.max(2 * (i + 1), 2 * this.colourSteps.length));
      grown.set(this.colourSteps);
      this.colourSteps = grown;
    }
    this.colourSteps[2 * i] = p.channelShiftIntensity ?? NaN;
    this.colourSteps[2 * i + 1] = p.brightness ?? NaN;
  }

  /**
   * Warps k images (input, kernel memory) into out (k images, float32) with the transforms written for images
   * 0..k−1 (params in kernel memory, WARP_PARAMS each), scaled by mul/add per channel. With colour steps, mul and
   * add must be the identity (1, 0): the steps run on the warped values, before any scaling.
   */
  apply(kernels: Kernels, out: Float32Array, input: Uint8Array | Float32Array, params: Float64Array, k: number,
    mul: Float32Array, add: Float32Array): void {
    const o = this.options;
    const { height, width, channels, planar, mode } = this;
    if (input instanceof Uint8Array) kernels.warpU8(out, input, params, k, height, width, channels, planar, mode, o.interpolationOrder, o.cval, mul, add);
    else kernels.warpF32(out, input, params, k, height, width, channels, planar, mode, o.interpolationOrder, o.cval, mul, add);
    // (Not `this.colour`: applyTransform writes the caller's parameters, which may hold colour steps the options do
    // not draw.) An image without colour steps costs two tests, no view.
    if (this.colourSteps.length < 2 * k) return;
    const size = this.height * this.width * this.channels;
    for (let i = 0; i < k; i++) {
      const shift = this.colourSteps[2 * i];
      const factor = this.colourSteps[2 * i + 1];
      if (Number.isNaN(shift) && Number.isNaN(factor)) continue;
      const image = out.subarray(i * size, (i + 1) * size);
      if (!Number.isNaN(shift)) channelShift(image, shift);
      if (!Number.isNaN(factor)) brightness(image, this.channels, this.planar, factor);
    }
  }
}
