// The module's exports, nothing else. Every kernel takes byte offsets into this module's memory and sizes;
// the TypeScript side (src/runtime/) owns the memory above heapBase().
export { scaleU8, scaleF32, affineU8, affineF32 } from './scale';
export { momentsU8, momentsF32, sampleMomentsU8, sampleMomentsF32 } from './stats';

/** First byte free for the TypeScript allocator: static data (kernel scratch) lies below it. */
export function heapBase(): usize {
  return __heap_base;
}
