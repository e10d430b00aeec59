// winogradMultiply's 36 tile products, planes e0 .. e1 − 1 only: the share of one thread when the products are
// spread over worker threads (src/runtime/threads/split.ts). Each plane is the same gemm call winogradMultiply
// makes, so the planes are the same bytes however they are shared out.
import { gemm } from './gemm';
import { winogradPlaneStride } from './winograd';

export function winogradMultiplyPlanes(out: usize, input: usize, u: usize, tiles: i32, channels: i32, filters: i32,
  adjoint: bool, e0: i32, e1: i32): void {
  const inCols = adjoint ? filters : channels;
  const outCols = adjoint ? channels : filters;
  const inPlane = <usize>winogradPlaneStride(tiles, inCols) << 2;
  const outPlane = <usize>winogradPlaneStride(tiles, outCols) << 2;
  const uPlane = <usize>winogradPlaneStride(channels, filters) << 2;
  for (let e = <usize>e0; e < <usize>e1; e++) {
    gemm(out + e * outPlane, input + e * inPlane, u + e * uPlane, tiles, outCols, inCols, false, adjoint, false);
  }
}
