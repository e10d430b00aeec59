// The js backend: each kernel of the table (types.ts) picked by name from its TypeScript twin. A new kernel in an
// existing file needs nothing here; a new file adds one import and one spread.
import { KERNELS, type Kernels } from './types.js';
import * as activations from './activations.js';
import * as bias from './bias.js';
import * as convDirect from './conv-direct.js';
import * as conv2d from './conv2d.js';
import * as gather from './gather.js';
import * as gemm from './gemm.js';
import * as jpeg from './jpeg.js';
import * as jpegHuffman from './jpeg-huffman.js';
import * as linalg from './linalg.js';
import * as loss from './loss.js';
import * as optimizers from './optimizers.js';
import * as pool from './pool.js';
import * as resize from './resize.js';
import * as scale from './scale.js';
import * as stats from './stats.js';
import * as warp from './warp.js';
import * as winograd from './winograd.js';

// Typed as Kernels so that the compiler checks every twin against its declaration (a missing or mistyped twin is a
// type error here).
const twins: Kernels = {
  ...activations, ...bias, ...convDirect, ...conv2d, ...gather, ...gemm, ...jpeg, ...jpegHuffman, ...linalg, ...loss, ...optimizers, ...pool,
  ...resize, ...scale, ...stats, ...warp, ...winograd,
};

function pick(from: Kernels): Kernels {
  const kernels: Record<string, unknown> = {};
  for (const name of Object.keys(KERNELS) as (keyof Kernels)[]) kernels[name] = from[name];
  return kernels as Kernels;
}

/** The TypeScript twins under the Kernels interface: only the table's names (helpers such as tileAt stay out). */
export const jsKernels: Kernels = pick(twins);
