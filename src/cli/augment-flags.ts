// The augmentation flags of `pixprep train` and `pixprep compare` (Keras' options under short names), and the light
// augmentation `compare --augment` uses when no flag chooses another.
import type { AugmentationOptions } from '../generator/augment-options.js';
import { FILL_MODES } from '../kernels/warp.js';
import type { FlagSpec, Flags } from './args.js';

export const AUGMENT_FLAGS: Record<string, FlagSpec> = {
  rotation: { kind: 'number', min: 0, default: 0, help: 'augment: random rotations within ±N degrees (rotationRange)' },
  shift: { kind: 'number', min: 0, default: 0, help: 'augment: random shifts, a fraction of the size (< 1) or pixels (widthShiftRange and heightShiftRange)' },
  zoom: { kind: 'number', min: 0, default: 0, help: 'augment: random zoom in [1 − N, 1 + N], x and y apart (zoomRange)' },
  shear: { kind: 'number', min: 0, default: 0, help: 'augment: random shear within ±N degrees (shearRange)' },
  flip: { kind: 'choice', choices: ['none', 'horizontal', 'vertical', 'both'], default: 'none', help: 'augment: random flips (horizontalFlip, verticalFlip)' },
  'fill-mode': { kind: 'choice', choices: FILL_MODES, default: 'nearest', help: 'augment: how points outside the image are filled (fillMode)' },
};

/** The tutorial-sized light augmentation: rotation 10°, shifts 0.1, zoom 0.1. */
export const LIGHT_AUGMENTATION: Readonly<AugmentationOptions> = { rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1 };

/** The generator options the flags ask for, or null when they ask for no transform. */
export function augmentationFromFlags(f: Flags): AugmentationOptions | null {
  const flip = f.flip as string;
  const o: AugmentationOptions = {
    rotationRange: f.rotation as number,
    widthShiftRange: f.shift as number,
    heightShiftRange: f.shift as number,
    zoomRange: f.zoom as number,
    shearRange: f.shear as number,
    horizontalFlip: flip === 'horizontal' || flip === 'both',
    verticalFlip: flip === 'vertical' || flip === 'both',
  };
  const any = o.rotationRange || o.widthShiftRange || o.zoomRange || o.shearRange || o.horizontalFlip || o.verticalFlip;
  if (!any) return null;
  return { ...o, fillMode: f['fill-mode'] as AugmentationOptions['fillMode'] };
}
