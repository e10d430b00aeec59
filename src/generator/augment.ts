// Keras' random transforms (docs/keras-semantics.md, "Augmentation"), as pixprep computes them:
//   drawTransform  → the parameters, drawn in get_random_transform's order from a seeded Random
//   warpParams     → the inverse affine map apply_affine_transform hands to scipy, as the warp kernel's 8 numbers
//   channelShift, brightness → the two per-image colour steps, with Keras' clipping and byte rounding
import type { Random } from '../random.js';
import { WARP_PARAMS } from '../kernels/warp.js';
import type { ResolvedAugmentation, ShiftRange } from './augment-options.js';

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
 * `into`, when given, receives the draw and is returned (a flow draws once per image: no object per draw).
 */
export function drawTransform(rng: Random, o: ResolvedAugmentation, height: number, width: number, into?: TransformParams): TransformParams {
  const theta = o.rotationRange ? rng.uniform(-o.rotationRange, o.rotationRange) : 0;
  const tx = drawShift(rng, o.heightShiftRange, height);
  const ty = drawShift(rng, o.widthShiftRange, width);
  const shear = o.shearRange ? rng.uniform(-o.shearRange, o.shearRange) : 0;
  // zoomBounds (augment-options.ts), without its array.
  const z = o.zoomRange;
  const lo = typeof z === 'number' ? 1 - z : z[0];
  const hi = typeof z === 'number' ? 1 + z : z[1];
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
  if (into === undefined) return { theta, tx, ty, shear, zx, zy, flipHorizontal, flipVertical, channelShiftIntensity, brightness };
  into.theta = theta; into.tx = tx; into.ty = ty; into.shear = shear; into.zx = zx; into.zy = zy;
  into.flipHorizontal = flipHorizontal; into.flipVertical = flipVertical;
  into.channelShiftIntensity = channelShiftIntensity; into.brightness = brightness;
  return into;
}

// The product so far, a 3×3 matrix, row-major, in module-level scratch: a flow draws one transform per image, so
// nothing is allocated per draw (no arrays, no closures; this runs once per image in every augmented epoch).
const m = new Float64Array(9);

/**
 * m = m · b, b = [[b00, b01, b02], [b10, b11, b12], [0, 0, 1]], each entry summed as (m0·b0 + m1·b1) + m2·b2 with
 * every term written out (the zeros too: they decide signed zeros and NaNs), as np.dot of two 3×3 matrices sums them.
 */
function times(b00: number, b01: number, b02: number, b10: number, b11: number, b12: number): void {
  for (let i = 0; i < 9; i += 3) {
    const a0 = m[i], a1 = m[i + 1], a2 = m[i + 2];
    m[i] = a0 * b00 + a1 * b10 + a2 * 0;
    m[i + 1] = a0 * b01 + a1 * b11 + a2 * 0;
    m[i + 2] = a0 * b02 + a1 * b12 + a2 * 1;
  }
}

/** m = o · m, o = [[1, 0, ox], [0, 1, oy], [0, 0, 1]] (the centring's first product), summed as times() sums. */
function offsetTimes(ox: number, oy: number): void {
  for (let j = 0; j < 3; j++) {
    const a0 = m[j], a1 = m[3 + j], a2 = m[6 + j];
    m[j] = 1 * a0 + 0 * a1 + ox * a2;
    m[3 + j] = 0 * a0 + 1 * a1 + oy * a2;
    m[6 + j] = 0 * a0 + 0 * a1 + 1 * a2;
  }
}

/** m = b, b's bottom row (0, 0, 1): the first matrix of the product. */
function start(b00: number, b01: number, b02: number, b10: number, b11: number, b12: number): void {
  m[0] = b00; m[1] = b01; m[2] = b02;
  m[3] = b10; m[4] = b11; m[5] = b12;
  m[6] = 0; m[7] = 0; m[8] = 1;
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
  if (p.theta !== 0) {
    const t = p.theta * (Math.PI / 180);
    const c = Math.cos(t), s = Math.sin(t);
    start(c, -s, 0, s, c, 0);
    any = true;
  }
  if (p.tx !== 0 || p.ty !== 0) {
    if (any) times(1, 0, p.tx, 0, 1, p.ty);
    else start(1, 0, p.tx, 0, 1, p.ty);
    any = true;
  }
  if (p.shear !== 0) {
    const s = p.shear * (Math.PI / 180);
    if (any) times(1, -Math.sin(s), 0, 0, Math.cos(s), 0);
    else start(1, -Math.sin(s), 0, 0, Math.cos(s), 0);
    any = true;
  }
  if (p.zx !== 1 || p.zy !== 1) {
    if (any) times(p.zx, 0, 0, 0, p.zy, 0);
    else start(p.zx, 0, 0, 0, p.zy, 0);
    any = true;
  }
  if (!any) {
    out[at] = 1; out[at + 1] = 0; out[at + 2] = 0;
    out[at + 3] = 0; out[at + 4] = 1; out[at + 5] = 0;
  } else {
    // transform_matrix_offset_center: (o · m) · o⁻¹.
    const ox = height / 2 - 0.5;
    const oy = width / 2 - 0.5;
    offsetTimes(ox, oy);
    times(1, 0, -ox, 0, 1, -oy);
    // Swap: row 0 ↔ row 1 and column 0 ↔ column 1.
    out[at] = m[4]; out[at + 1] = m[3]; out[at + 2] = m[5];
    out[at + 3] = m[1]; out[at + 4] = m[0]; out[at + 5] = m[2];
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
