// A float64 warp written from the definitions of scipy's fill modes and splines (not from the kernels' code), for
// the warp kernel tests and the scipy fixture test: the exact value at Keras' coordinates, optionally moved by
// (dy, dx), so that a float32 kernel's output can be checked "at some point within its coordinate error".

/** Sample k (possibly outside 0..n−1) of a line of length n, extended as the mode defines it. */
function extended(k: number, n: number, mode: string): number | null {
  if (k >= 0 && k < n) return k;
  if (mode === 'constant') return null;
  if (mode === 'nearest' || n === 1) return k < 0 ? 0 : n - 1;
  if (mode === 'reflect') {
    // half-sample symmetric: period 2n, the second half mirrored (d c b a | a b c d | d c b a)
    const m = ((k % (2 * n)) + 2 * n) % (2 * n);
    return m < n ? m : 2 * n - 1 - m;
  }
  throw new Error('wrap is defined on coordinates, not samples');
}

/** One coordinate brought into the image the way the mode says, with the taps and weights of order 0 or 1. */
function taps(x: number, n: number, mode: string, order: number): [number, number][] | null {
  if (mode === 'constant' && (x < 0 || x > n - 1)) return null;
  if (mode === 'nearest') x = Math.min(Math.max(x, 0), n - 1);
  if (mode === 'wrap' && n > 1 && (x < 0 || x > n - 1)) {
    // scipy's 'wrap': period n − 1, first and last samples overlap; x lands in [0, n − 1]
    const p = n - 1;
    x = x < 0 ? x + p * (Math.trunc(-x / p) + 1) : x - p * Math.trunc(x / p);
  }
  if (mode === 'wrap' && n === 1) x = 0;
  if (order === 0) {
    const k = Math.floor(x + 0.5);
    return [[extended(k, n, mode === 'wrap' ? 'nearest' : mode)!, 1]];
  }
  const k = Math.floor(x);
  const f = x - k;
  const m = mode === 'wrap' ? 'nearest' : mode;
  return [[extended(k, n, m) ?? 0, 1 - f], [extended(k + 1, n, m) ?? 0, f]];
}

export const MODES = ['nearest', 'constant', 'reflect', 'wrap'];

/** The float64 warp of nImages images (params: 8 per image, as the kernels take them), coordinates moved by (dy, dx). */
export function float64Warp(input: ArrayLike<number>, params: ArrayLike<number>, nImages: number, h: number, w: number,
  C: number, planar: boolean, mode: string, order: number, cval: number, dy = 0, dx = 0): Float64Array {
  const out = new Float64Array(nImages * h * w * C);
  const index = (img: number, r: number, c: number, ch: number) =>
    planar ? ((img * C + ch) * h + r) * w + c : ((img * h + r) * w + c) * C + ch;
  for (let img = 0; img < nImages; img++) {
    const p = img * 8;
    const [m00, m01, s0, m10, m11, s1, fh, fv] = Array.from({ length: 8 }, (_, i) => params[p + i]);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const rr = fv ? h - 1 - r : r;
        const cc = fh ? w - 1 - c : c;
        const ty = taps(rr * m00 + cc * m01 + s0 + dy, h, mode, order);
        const tx = taps(rr * m10 + cc * m11 + s1 + dx, w, mode, order);
        for (let ch = 0; ch < C; ch++) {
          let v = cval;
          if (ty && tx) {
            v = 0;
            for (const [iy, wy] of ty) for (const [ix, wx] of tx) v += wy * wx * input[index(img, iy, ix, ch)];
          }
          out[index(img, r, c, ch)] = v;
        }
      }
    }
  }
  return out;
}

/**
 * Indices i where out[i] is neither within `bound` of the exact warp nor within 2·bound of the exact warp at some
 * point (y ± dy, x ± dx) (a discontinuity crossed by the float32 coordinate error; see src/kernels/warp.ts).
 * `ref(dy, dx)` computes the float64 warp with moved coordinates; bound(i) is the allowed error at i.
 */
export function outsideBound(out: ArrayLike<number>, ref: (dy: number, dx: number) => ArrayLike<number>,
  bound: (i: number) => number, dy: number, dx: number): number[] {
  const exact = ref(0, 0);
  let far: number[] = [];
  for (let i = 0; i < out.length; i++) if (!(Math.abs(out[i] - exact[i]) <= bound(i))) far.push(i);
  for (const [sy, sx] of [[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]]) {
    if (far.length === 0) break;
    const moved = ref(sy * dy, sx * dx);
    far = far.filter((i) => !(Math.abs(out[i] - moved[i]) <= 2 * bound(i)));
  }
  return far;
}
