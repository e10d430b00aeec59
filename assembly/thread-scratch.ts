// Static scratch (the packing panels and spill tiles in memory.data) is one region per module instance, and in the
// shared-memory build several instances (one per worker thread) run on one memory: each would pack its panels into
// the same bytes. So a kernel that may run on a worker addresses its scratch through scratch(): in the shared build
// (compiled with threads enabled) every worker is given its own copy of the static area, [0, heapBase), allocated on
// the heap, and scratch() moves a static address into that copy; the calling thread keeps shift 0, the static area
// itself. In the single-thread build ASC_FEATURE_THREADS is false and scratch(p) is p: that module is unchanged.

let shift: usize = 0;

/** Gives this instance its own scratch: `base` is the start of a heapBase()-byte copy of the static area. */
export function setScratchBase(base: usize): void {
  shift = base;
}

@inline export function scratch(p: usize): usize {
  return ASC_FEATURE_THREADS ? p + shift : p;
}
