// Keras' augmentation options (docs/keras-semantics.md, "Augmentation"): checked up front, each bad value named with
// what was expected and what was received. Defaults are Keras': no transform at all.
import { FILL_MODES, type FillMode } from '../kernels/warp.js';
import { describeValue } from '../errors.js';

/** A shift range: a fraction of the size (< 1), pixels (≥ 1), or the allowed values (each also drawn with a random sign). */
export type ShiftRange = number | readonly number[];

export interface AugmentationOptions {
  /** Degrees: θ is drawn uniformly from [−rotationRange, rotationRange]. */
  rotationRange?: number;
  widthShiftRange?: ShiftRange;
  heightShiftRange?: ShiftRange;
  /** Brightness factor drawn from [lo, hi] (1 keeps the image); null: none. */
  brightnessRange?: readonly [number, number] | null;
  /** Degrees (Keras' shear angle). */
  shearRange?: number;
  /** z for [1 − z, 1 + z], or [lo, hi]; x and y zoom are drawn independently. */
  zoomRange?: number | readonly [number, number];
  /** One intensity drawn from [−range, range] added to every channel, clipped to the image's own min and max. */
  channelShiftRange?: number;
  fillMode?: FillMode;
  /** The value outside the image for fillMode 'constant'. */
  cval?: number;
  horizontalFlip?: boolean;
  verticalFlip?: boolean;
  /** 0: nearest, 1: bilinear (Keras' default). */
  interpolationOrder?: 0 | 1;
}

export type ResolvedAugmentation = Required<AugmentationOptions>;

export const AUGMENTATION_DEFAULTS: ResolvedAugmentation = {
  rotationRange: 0,
  widthShiftRange: 0,
  heightShiftRange: 0,
  brightnessRange: null,
  shearRange: 0,
  zoomRange: 0,
  channelShiftRange: 0,
  fillMode: 'nearest',
  cval: 0,
  horizontalFlip: false,
  verticalFlip: false,
  interpolationOrder: 1,
};

// Echoes of the caller's values are capped (src/errors.ts): a huge array must not make a huge message.
function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.length <= 8 && v.every((e) => typeof e === 'number')) return JSON.stringify(v);
  return describeValue(v);
}

function nonNegative(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`\`${name}\` must be a finite number >= 0. Received: ${name}=${show(v)}`);
  }
  return v;
}

function shiftRange(name: string, v: unknown): ShiftRange {
  if (typeof v === 'number') return nonNegative(name, v);
  if (Array.isArray(v)) {
    if (v.length === 0 || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
      throw new RangeError(`\`${name}\` given as an array must hold at least one finite number (the allowed shifts). Received: ${name}=${show(v)}`);
    }
    return Object.freeze(v.slice());
  }
  throw new TypeError(`\`${name}\` must be a number (a fraction of the size if < 1, pixels if >= 1) or an array of allowed shifts. Received: ${name}=${show(v)}`);
}

function pair(name: string, v: unknown, what: string): readonly [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    throw new TypeError(`\`${name}\` must be ${what}. Received: ${name}=${show(v)}`);
  }
  if (v[0] > v[1]) throw new RangeError(`\`${name}\` must be [lo, hi] with lo <= hi. Received: ${name}=${show(v)}`);
  return Object.freeze([v[0], v[1]] as [number, number]);
}

/** Checks the augmentation options present in `given`; the rest take Keras' defaults. */
export function resolveAugmentation(given: Record<string, unknown>): ResolvedAugmentation {
  const out: ResolvedAugmentation = { ...AUGMENTATION_DEFAULTS };
  const has = (name: keyof ResolvedAugmentation) => given[name] !== undefined;
  if (has('rotationRange')) out.rotationRange = nonNegative('rotationRange', given.rotationRange);
  if (has('shearRange')) out.shearRange = nonNegative('shearRange', given.shearRange);
  if (has('channelShiftRange')) out.channelShiftRange = nonNegative('channelShiftRange', given.channelShiftRange);
  if (has('widthShiftRange')) out.widthShiftRange = shiftRange('widthShiftRange', given.widthShiftRange);
  if (has('heightShiftRange')) out.heightShiftRange = shiftRange('heightShiftRange', given.heightShiftRange);
  if (has('zoomRange')) {
    const z = given.zoomRange;
    if (typeof z === 'number') out.zoomRange = nonNegative('zoomRange', z);
    else out.zoomRange = pair('zoomRange', z, 'a number z (for [1 - z, 1 + z]) or [lo, hi]');
  }
  if (given.brightnessRange !== undefined && given.brightnessRange !== null) {
    const b = pair('brightnessRange', given.brightnessRange, 'null or [lo, hi], two finite numbers');
    if (b[0] < 0) throw new RangeError(`\`brightnessRange\` must not go below 0 (a brightness factor). Received: brightnessRange=${show(b)}`);
    out.brightnessRange = b;
  }
  if (has('fillMode')) {
    const m = given.fillMode;
    if (!FILL_MODES.includes(m as FillMode)) {
      throw new RangeError(`\`fillMode\` must be one of ${FILL_MODES.map((f) => `'${f}'`).join(', ')}. Received: fillMode=${show(m)}`);
    }
    out.fillMode = m as FillMode;
  }
  if (has('cval')) {
    const c = given.cval;
    if (typeof c !== 'number' || !Number.isFinite(c)) throw new RangeError(`\`cval\` must be a finite number. Received: cval=${show(c)}`);
    out.cval = c;
  }
  for (const name of ['horizontalFlip', 'verticalFlip'] as const) {
    const v = given[name];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new TypeError(`\`${name}\` must be true or false. Received: ${name}=${show(v)}`);
    out[name] = v;
  }
  if (has('interpolationOrder')) {
    const o = given.interpolationOrder;
    if (o !== 0 && o !== 1) {
      throw new RangeError(`\`interpolationOrder\` must be 0 (nearest) or 1 (bilinear); pixprep has no higher spline orders. Received: interpolationOrder=${show(o)}`);
    }
    out.interpolationOrder = o;
  }
  return out;
}

/** The zoom range as [lo, hi]. */
export function zoomBounds(zoomRange: ResolvedAugmentation['zoomRange']): [number, number] {
  return typeof zoomRange === 'number' ? [1 - zoomRange, 1 + zoomRange] : [zoomRange[0], zoomRange[1]];
}

/** True when the options ask for any random transform (Keras draws nothing otherwise, and neither does pixprep). */
export function augments(o: ResolvedAugmentation): boolean {
  const [lo, hi] = zoomBounds(o.zoomRange);
  const shifts = (r: ShiftRange) => (typeof r === 'number' ? r !== 0 : true);
  return o.rotationRange !== 0 || shifts(o.widthShiftRange) || shifts(o.heightShiftRange) || o.shearRange !== 0 ||
    lo !== 1 || hi !== 1 || o.channelShiftRange !== 0 || o.brightnessRange !== null || o.horizontalFlip || o.verticalFlip;
}
