// A drawn digit, prepared the way MNIST's digits were: the ink's bounding box scaled (area-averaged, so
// anti-aliased) to fit a 20×20 box keeping its aspect ratio, then placed in a 28×28 image so that its centre of mass
// is the image's centre. Pure functions on grey levels (0 background .. 255 ink), so they run anywhere.

export const SIZE = 28;
const BOX = 20;

export interface Gray {
  data: Float32Array;
  width: number;
  height: number;
}

/** The smallest rectangle holding every pixel above `threshold`, or null when there is none. */
export function inkBounds(img: Gray, threshold = 0): { x: number; y: number; w: number; h: number } | null {
  let x0 = img.width;
  let y0 = img.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** For each of `out` cells over source pixels [start, start + length): the pixels it covers and by how much (sum 1). */
function areaWeights(start: number, length: number, out: number): { index: number; weight: number }[][] {
  const step = length / out;
  return Array.from({ length: out }, (_, i) => {
    const a = start + i * step;
    const b = a + step;
    const cells: { index: number; weight: number }[] = [];
    for (let s = Math.floor(a); s < b; s++) {
      const overlap = Math.min(b, s + 1) - Math.max(a, s);
      if (overlap > 0) cells.push({ index: s, weight: overlap / step });
    }
    return cells;
  });
}

/** The rectangle (x, y, w, h) of `img` resampled to outW × outH by area averaging. */
export function resampleArea(img: Gray, r: { x: number; y: number; w: number; h: number }, outW: number, outH: number): Gray {
  const wx = areaWeights(r.x, r.w, outW);
  const wy = areaWeights(r.y, r.h, outH);
  const data = new Float32Array(outW * outH);
  for (let ty = 0; ty < outH; ty++) {
    for (let tx = 0; tx < outW; tx++) {
      let sum = 0;
      for (const cy of wy[ty]) for (const cx of wx[tx]) sum += cy.weight * cx.weight * img.data[cy.index * img.width + cx.index];
      data[ty * outW + tx] = sum;
    }
  }
  return { data, width: outW, height: outH };
}

/** The intensity-weighted centre of the pixels (pixel centres at x + 0.5). */
export function centerOfMass(img: Gray): { x: number; y: number } {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const v = img.data[y * img.width + x];
      mass += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  return mass === 0 ? { x: img.width / 2, y: img.height / 2 } : { x: sx / mass, y: sy / mass };
}

/** A drawing (grey levels, any size) → 28×28 bytes like an MNIST digit; null when nothing is drawn. */
export function toMnistDigit(img: Gray): Uint8Array | null {
  const box = inkBounds(img);
  if (box === null) return null;
  const scale = BOX / Math.max(box.w, box.h);
  const w = Math.max(1, Math.round(box.w * scale));
  const h = Math.max(1, Math.round(box.h * scale));
  const small = resampleArea(img, box, w, h);
  const com = centerOfMass(small);
  const ox = Math.round(SIZE / 2 - com.x);
  const oy = Math.round(SIZE / 2 - com.y);
  const out = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const X = x + ox;
      const Y = y + oy;
      if (X >= 0 && X < SIZE && Y >= 0 && Y < SIZE) out[Y * SIZE + X] = Math.round(Math.min(255, small.data[y * w + x]));
    }
  }
  return out;
}
