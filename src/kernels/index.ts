// The js backend: every kernel's TypeScript reference, gathered under the Kernels interface.
import type { Kernels } from './types.js';
import { scaleU8, scaleF32, affineU8, affineF32 } from './scale.js';
import { momentsU8, momentsF32, sampleMomentsU8, sampleMomentsF32 } from './stats.js';
import { gatherRows } from './gather.js';
import { rotateRowsF64, tred2SymvF64, tred2Rank2F64, tred2AccumulateF64, gramBlockF64 } from './linalg.js';
import { warpU8, warpF32 } from './warp.js';
import { resizeNearestU8, resampleHorizontalU8, resampleVerticalU8 } from './resize.js';
import { jsNnKernels } from './nn/index.js';

export const jsKernels: Kernels = {
  scaleU8, scaleF32, affineU8, affineF32,
  momentsU8, momentsF32, sampleMomentsU8, sampleMomentsF32, gatherRows,
  rotateRowsF64, tred2SymvF64, tred2Rank2F64, tred2AccumulateF64, gramBlockF64,
  warpU8, warpF32,
  resizeNearestU8, resampleHorizontalU8, resampleVerticalU8,
  ...jsNnKernels,
};
