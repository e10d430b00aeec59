// C = op(A)·op(B) (+ C), row-major f32: the matrix multiply behind Conv2D (im2col), Dense and their backward passes.
//
// Shape of the computation: a 4×8 register block of C (8 f32x4 accumulators) is built by k rank-1 updates, each
// four broadcast elements of A times two f32x4 of B; with V8 on x86 that is 8 accumulators + 2 B + 1 A registers,
// and a 6×8 block spills. No FMA (relaxed SIMD is not available), so mul then add.
//
// B is packed, per block of KC rows and NC columns, into 8-column panels (p-major, 8 floats per p, zero-padded
// past n) in static scratch; transB only changes how the packing reads. A is never packed: its four rows are
// read as broadcast scalars (v128.load32_splat), contiguous along k without transA and 4 adjacent floats of one
// row of storage with it. Rows past m repeat the last row and are not stored; columns past n are zeros in the
// panel and are not stored. k is split in KC blocks so a B panel (KC·8 floats) and A's four rows stay in L1;
// blocks after the first (or all, when accumulating) add to C. For 1 to 8 rows of C (a small batch through Dense),
// packing cost more than the products it served: B's full panels are read in place, and a single row goes 32
// columns at a time (block1x32). Dense 1600 → 64 at one row, measured on a loaded machine (CPU time, alternating):
// 29 µs packed, 10 µs in place; 2 to 4 rows 29 → 18 µs; 8 rows 47 → 37 µs. Every path computes each element of C
// by the same operations in the same order, so a row of C has the same bits whatever rows it is computed with.

import { madd } from './madd';
import { scratch } from './thread-scratch';

const KC = 256;
const NC = 320;
const PANEL = memory.data(KC * NC * 4, 16); // KC·NC floats: 320 KiB; NC covers the widest CNN product (n = 288)
const TILE = memory.data(4 * 8 * 4, 16);    // an edge block goes through here to store only its valid part
const IN_PLACE_MAX_ROWS = 8;

function packB(b: usize, n: i32, k: i32, transB: bool, pc: i32, kc: i32, jc: i32, nc: i32): void {
  const panels = (nc + 7) >> 3;
  for (let jp = 0; jp < panels; jp++) {
    const dst = scratch(PANEL) + (<usize>(jp * kc) << 5);
    const j0 = jc + (jp << 3);
    const width = min(8, jc + nc - j0);
    if (!transB) {
      // Row p of B holds the panel's 8 columns contiguously.
      let src = b + ((<usize>pc * <usize>n + <usize>j0) << 2);
      const rowBytes = <usize>n << 2;
      if (width == 8) {
        for (let p = 0; p < kc; p++) {
          const d = dst + (<usize>p << 5);
          v128.store(d, v128.load(src), 0);
          v128.store(d, v128.load(src, 16), 16);
          src += rowBytes;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const d = dst + (<usize>p << 5);
          v128.store(d, i32x4.splat(0), 0);
          v128.store(d, i32x4.splat(0), 16);
          for (let jj = 0; jj < width; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(src + (<usize>jj << 2)));
          src += rowBytes;
        }
      }
    } else {
      // B is stored n×k: column j of op(B) is row j of storage, contiguous along p.
      for (let jj = 0; jj < 8; jj++) {
        const d = dst + (<usize>jj << 2);
        if (jj < width) {
          const src = b + ((<usize>(j0 + jj) * <usize>k + <usize>pc) << 2);
          for (let p = 0; p < kc; p++) store<f32>(d + (<usize>p << 5), load<f32>(src + (<usize>p << 2)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(d + (<usize>p << 5), 0);
        }
      }
    }
  }
}

// One 4×8 block of C over kc values of p. a0..a3 point at A(i + r, pc) and advance by aStep bytes per p; bp at the
// panel's 8 values for p = pc, the next p's bStep bytes on (32 in the packed panel, a row of B in place).
function block4x8(c: usize, ldc: usize, rows: i32, cols: i32, addC: bool,
  a0: usize, a1: usize, a2: usize, a3: usize, aStep: usize, bp: usize, bStep: usize, kc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp, 0);
    const b1 = v128.load(bp, 16);
    bp += bStep;
    let a = v128.load32_splat(a0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(a1);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(a2);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(a3);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a0 += aStep;
    a1 += aStep;
    a2 += aStep;
    a3 += aStep;
  }
  if (rows == 4 && cols == 8) {
    if (addC) {
      c00 = f32x4.add(c00, v128.load(c, 0));
      c01 = f32x4.add(c01, v128.load(c, 16));
      c10 = f32x4.add(c10, v128.load(c + ldc, 0));
      c11 = f32x4.add(c11, v128.load(c + ldc, 16));
      c20 = f32x4.add(c20, v128.load(c + 2 * ldc, 0));
      c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
      c30 = f32x4.add(c30, v128.load(c + 3 * ldc, 0));
      c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
    }
    v128.store(c, c00, 0);
    v128.store(c, c01, 16);
    v128.store(c + ldc, c10, 0);
    v128.store(c + ldc, c11, 16);
    v128.store(c + 2 * ldc, c20, 0);
    v128.store(c + 2 * ldc, c21, 16);
    v128.store(c + 3 * ldc, c30, 0);
    v128.store(c + 3 * ldc, c31, 16);
    return;
  }
  v128.store(scratch(TILE), c00, 0);
  v128.store(scratch(TILE), c01, 16);
  v128.store(scratch(TILE), c10, 32);
  v128.store(scratch(TILE), c11, 48);
  v128.store(scratch(TILE), c20, 64);
  v128.store(scratch(TILE), c21, 80);
  v128.store(scratch(TILE), c30, 96);
  v128.store(scratch(TILE), c31, 112);
  for (let r = 0; r < rows; r++) {
    const row = c + <usize>r * ldc;
    for (let jj = 0; jj < cols; jj++) {
      const at = row + (<usize>jj << 2);
      const v = load<f32>(scratch(TILE) + (<usize>(r * 8 + jj) << 2));
      store<f32>(at, addC ? load<f32>(at) + v : v);
    }
  }
}

// One row of C, 32 columns (4 panels of B read in place, a row of B apart), over kc values of p: for a batch of one
// through Dense, where a 4×8 block would compute three copies of its one row and leave 2 sums per p in flight (the
// adds' latency, not their number, set its pace). The same sums, each in the same order, as block4x8's.
function block1x32(c: usize, addC: bool, a0: usize, aStep: usize, bp: usize, bStep: usize, kc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const a = v128.load32_splat(a0);
    c0 = madd(a, v128.load(bp, 0), c0);
    c1 = madd(a, v128.load(bp, 16), c1);
    c2 = madd(a, v128.load(bp, 32), c2);
    c3 = madd(a, v128.load(bp, 48), c3);
    c4 = madd(a, v128.load(bp, 64), c4);
    c5 = madd(a, v128.load(bp, 80), c5);
    c6 = madd(a, v128.load(bp, 96), c6);
    c7 = madd(a, v128.load(bp, 112), c7);
    a0 += aStep;
    bp += bStep;
  }
  if (addC) {
    c0 = f32x4.add(c0, v128.load(c, 0)); c1 = f32x4.add(c1, v128.load(c, 16));
    c2 = f32x4.add(c2, v128.load(c, 32)); c3 = f32x4.add(c3, v128.load(c, 48));
    c4 = f32x4.add(c4, v128.load(c, 64)); c5 = f32x4.add(c5, v128.load(c, 80));
    c6 = f32x4.add(c6, v128.load(c, 96)); c7 = f32x4.add(c7, v128.load(c, 112));
  }
  v128.store(c, c0, 0); v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48);
  v128.store(c, c4, 64); v128.store(c, c5, 80); v128.store(c, c6, 96); v128.store(c, c7, 112);
}

export function gemm(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, accumulate: bool): void {
  gemmBlock(c, a, b, m, n, k, transA, transB, accumulate, 0, m, 0, n);
}

/**
 * Rows i0 .. i1 − 1 and columns j0 .. j1 − 1 of gemm's C, nothing else written: the share of one thread. Every
 * element is computed exactly as gemm computes it (the same k blocks in the same order, lane by lane), so C is the
 * same bytes however the rows and columns are shared out.
 */
export function gemmBlock(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool,
  accumulate: bool, i0: i32, i1: i32, j0: i32, j1: i32): void {
  if (i1 <= i0 || j1 <= j0) return;
  const ldc = <usize>n << 2;
  if (k <= 0) {
    if (!accumulate) {
      for (let i = i0; i < i1; i++) memory.fill(c + <usize>i * ldc + (<usize>j0 << 2), 0, <usize>(j1 - j0) << 2);
    }
    return;
  }
  // A(i, p) is at a + (i·rowStep + p·aStep) bytes.
  const rowStep: usize = transA ? 4 : <usize>k << 2;
  const aStep: usize = transA ? <usize>m << 2 : 4;
  // With at most two blocks of 4 rows (a batch of 1 to 8 through Dense), each panel of B would be packed to be read
  // once or twice: its 8 columns are read in place instead, a row of B apart (a panel cut short by n is packed).
  // The same products in the same order: C is the same bytes either way.
  const inPlace = !transB && i1 - i0 <= IN_PLACE_MAX_ROWS;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const addC = accumulate || pc > 0;
    for (let jc = j0; jc < j1; jc += NC) {
      const nc = min(NC, j1 - jc);
      if (inPlace) {
        const panels = (nc + 7) >> 3;
        let jp = 0;
        if (i1 - i0 == 1) {
          const a0 = a + <usize>i0 * rowStep + <usize>pc * aStep;
          for (; (jp + 4) << 3 <= nc; jp += 4) {
            const j = jc + (jp << 3);
            block1x32(c + <usize>i0 * ldc + (<usize>j << 2), addC, a0, aStep,
              b + ((<usize>pc * <usize>n + <usize>j) << 2), <usize>n << 2, kc);
          }
        }
        for (; jp < panels; jp++) {
          const j = jc + (jp << 3);
          const cols = min(8, nc - (jp << 3));
          let bp = b + ((<usize>pc * <usize>n + <usize>j) << 2), bStep = <usize>n << 2;
          if (cols < 8) {
            packB(b, n, k, false, pc, kc, j, cols);
            bp = scratch(PANEL);
            bStep = 32;
          }
          for (let i = i0; i < i1; i += 4) {
            const rows = min(4, i1 - i);
            const a0 = a + <usize>i * rowStep + <usize>pc * aStep;
            const a1 = rows > 1 ? a0 + rowStep : a0;
            const a2 = rows > 2 ? a0 + 2 * rowStep : a1;
            const a3 = rows > 3 ? a0 + 3 * rowStep : a2;
            block4x8(c + <usize>i * ldc + (<usize>j << 2), ldc, rows, cols, addC, a0, a1, a2, a3, aStep, bp, bStep, kc);
          }
        }
        continue;
      }
      packB(b, n, k, transB, pc, kc, jc, nc);
      const panels = (nc + 7) >> 3;
      for (let i = i0; i < i1; i += 4) {
        const rows = min(4, i1 - i);
        const a0 = a + <usize>i * rowStep + <usize>pc * aStep;
        const a1 = rows > 1 ? a0 + rowStep : a0;
        const a2 = rows > 2 ? a0 + 2 * rowStep : a1;
        const a3 = rows > 3 ? a0 + 3 * rowStep : a2;
        const cRow = c + <usize>i * ldc + (<usize>jc << 2);
        for (let jp = 0; jp < panels; jp++) {
          const cols = min(8, nc - (jp << 3));
          block4x8(cRow + (<usize>jp << 5), ldc, rows, cols, addC, a0, a1, a2, a3, aStep,
            scratch(PANEL) + (<usize>(jp * kc) << 5), 32, kc);
        }
      }
    }
  }
}
