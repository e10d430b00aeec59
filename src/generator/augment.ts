// Keras' random transforms (docs/keras-semantics.md, "Augmentation"), as pixprep computes them:
//   drawTransform  → the parameters, drawn in get_random_transform's order from a seeded Random
//   warpParams     → the inverse affine map apply_affine_transform hands to scipy, as the warp kernel's 8 numbers
//   channelShift, brightness → the two per-image colour steps, with Keras' clipping and byte rounding
import type { Random } from '../random.js';
import { WARP_PARAMS } from '../kernels/warp.js';
import { zoomBounds, type ResolvedAugmentation, type ShiftRange } from './augment-options.js';

/** Keras' transform parameters (camelCase): degrees for theta and shear, pixels for tx (rows) and ty (columns). */
export interface TransformParams {
  theta: number;
  tx: number;
  ty: number;
  shear: number;
  zx: number;
  zy: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
  /** null: no channel shift. */
  channelShiftIntensity: number | null;
  /** null: no brightness change. */
  brightness: number | null;
}

function drawShift(rng: Random, range: ShiftRange, size: number): number {
  if (typeof range === 'number' && range === 0) return 0;
  let t: number;
  if (typeof range === 'number') t = rng.uniform(-range, range);
  else t = range[rng.int(range.length)] * (rng.int(2) === 0 ? -1 : 1) + 0; // + 0: no −0
  const max = typeof range === 'number' ? range : Math.max(...range);
  // Keras: a range whose largest value is below 1 is a fraction of the size.
  return max < 1 ? t * size : t;
}

/**
 * One draw of every parameter, in Keras' order: theta, tx (heightShiftRange, times the height), ty (widthShiftRange,
 * times the width), shear, zx and zy, the two flips (each a coin always tossed), channel shift, brightness.
 */
export function drawTransform(rng: Random, o: ResolvedAugmentation, height: number, width: number): TransformParams {
  const theta = o.rotationRange ? rng.uniform(-o.rotationRange, o.rotationRange) : 0;
  const tx = drawShift(rng, o.heightShiftRange, height);
  const ty = drawShift(rng, o.widthShiftRange, width);
  const shear = o.shearRange ? rng.uniform(-o.shearRange, o.shearRange) : 0;
  const [lo, hi] = zoomBounds(o.zoomRange);
  let zx = 1;
  let zy = 1;
  if (lo !== 1 || hi !== 1) {
    zx = rng.uniform(lo, hi);
    zy = rng.uniform(lo, hi);
  }
  const flipHorizontal = rng.next() < 0.5 && o.horizontalFlip;
  const flipVertical = rng.next() < 0.5 && o.verticalFlip;
  const channelShiftIntensity = o.channelShiftRange !== 0 ? rng.uniform(-o.channelShiftRange, o.channelShiftRange) : null;
  const brightness = o.brightnessRange !== null ? rng.uniform(o.brightnessRange[0], o.brightnessRange[1]) : null;
  return { theta, tx, ty, shear, zx, zy, flipHorizontal, flipVertical, channelShiftIntensity, brightness };
}

// 3×3 matrices, row-major, in module-level scratch: a flow draws one per image, so nothing is allocated per draw.
const m = new Float64Array(9);
const next = new Float64Array(9);
const product = new Float64Array(9);

/** product = a · b (row-major 3×3), each entry summed as (a0·b0 + a1·b1) + a2·b2. */
function dot(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) product[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  }
}

function setMatrix(into: Float64Array, a00: number, a01: number, a02: number, a10: number, a11: number, a12: number): void {
  into[0] = a00; into[1] = a01; into[2] = a02;
  into[3] = a10; into[4] = a11; into[5] = a12;
  into[6] = 0; into[7] = 0; into[8] = 1;
}

/**
 * Writes the warp kernel's 8 numbers for p into out[at ..]: Keras' apply_affine_transform, step for step.
 * The matrices compose as rotation · shift · shear · zoom (each only when it is not the identity); the result is
 * moved to the centre with o = (h/2 − 0.5, w/2 − 0.5), where Keras' first coordinate is the row, and then its rows
 * and columns 0 and 1 are swapped ("M' = PMP") before scipy reads it as (row, col). The swap is applied after the
 * centring, so tx moves columns and the centre's halves trade places: see docs/keras-semantics.md.
 */
export function warpParams(p: TransformParams, height: number, width: number, out: Float64Array, at = 0): void {
  let any = false;
  const then = () => {
    if (any) {
      dot(m, next);
      m.set(product);
    } else m.set(next);
    any = true;
  };
  if (p.theta !== 0) {
    const t = p.theta * (Math.PI / 180);
    setMatrix(next, Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0);
    then();
  }
  if (p.tx !== 0 || p.ty !== 0) {
    setMatrix(next, 1, 0, p.tx, 0, 1, p.ty);
    then();
  }
  if (p.shear !== 0) {
    const s = p.shear * (Math.PI / 180);
    setMatrix(next, 1, -Math.sin(s), 0, 0, Math.cos(s), 0);
    then();
  }
  if (p.zx !== 1 || p.zy !== 1) {
    setMatrix(next, p.zx, 0, 0, 0, p.zy, 0);
    then();
  }
  if (!any) {
    out[at] = 1; out[at + 1] = 0; out[at + 2] = 0;
    out[at + 3] = 0; out[at + 4] = 1; out[at + 5] = 0;
  } else {
    const ox = height / 2 - 0.5;
    const oy = width / 2 - 0.5;
    setMatrix(next, 1, 0, ox, 0, 1, oy);
    dot(next, m);
    setMatrix(next, 1, 0, -ox, 0, 1, -oy);
    m.set(product);
    dot(m, next);
    // Swap: row 0 ↔ row 1 and column 0 ↔ column 1.
    const c = product;
    out[at] = c[4]; out[at + 1] = c[3]; out[at + 2] = c[5];
    out[at + 3] = c[1]; out[at + 4] = c[0]; out[at + 5] = c[2];
  }
  out[at + 6] = p.flipHorizontal ? 1 : 0;
  out[at + 7] = p.flipVertical ? 1 : 0;
  if (WARP_PARAMS !== 8) throw new Error('pixprep internal error: warp parameter layout changed');
}

/** Where one image's channel ch, pixel i, lives in its data. */
function layout(size: number, channels: number, planar: boolean): (i: number, ch: number) => number {
  const plane = size / channels;
  return planar ? (i, ch) => ch * plane + i : (i, ch) => i * channels + ch;
}

/** Keras' apply_channel_shift: x + intensity on every channel, clipped to the image's min and max (float32). */
export function channelShift(image: Float32Array, intensity: number): void {
  let min = Infinity;
  let max = -Infinity;
  for (const v of image) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const s = Math.fround(intensity);
  for (let i = 0; i < image.length; i++) {
    const v = Math.fround(image[i] + s);
    image[i] = v < min ? min : v > max ? max : v;
  }
}

/**
 * Keras' apply_brightness_shift(x, brightness, scale=False), which goes through an 8-bit PIL image:
 * values outside [0, 255] are first mapped to [0, 255] by the image's own min and max; the pixels are truncated to
 * bytes; PIL's Brightness multiplies them by the factor in float32 and truncates again (clipping to 255 above 1),
 * leaving an RGBA image's alpha alone; the result is mapped back to the original min..max if it was mapped.
 */
export function brightness(image: Float32Array, channels: number, planar: boolean, factor: number): void {
  const f32 = Math.fround;
  let min = Infinity;
  let max = -Infinity;
  for (const v of image) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const rescaled = min < 0 || max > 255;
  const range = f32(max - min);
  const alpha = f32(factor);
  const at = layout(image.length, channels, planar);
  const pixels = image.length / channels;
  for (let i = 0; i < pixels; i++) {
    for (let ch = 0; ch < channels; ch++) {
      const k = at(i, ch);
      let v = image[k];
      if (rescaled) {
        v = f32(v - min);
        if (range !== 0) v = f32(v / range);
        v = f32(v * 255);
      }
      const byte = Math.trunc(v);
      let b = byte;
      if (!(channels === 4 && ch === 3)) {
        const t = f32(alpha * byte);
        b = t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t);
      }
      image[k] = rescaled ? f32(f32(f32(b / 255) * range) + min) : b;
    }
  }
}
