#!/usr/bin/python3
"""Writes N JPEG files of 320×240 (PIL, quality 90, 4:2:0: PIL's defaults but the quality) into a directory: crops of
scipy's bundled raccoon photo at varying offsets and scales, some mirrored, so that every file differs and has a
photograph's detail. The image benchmark (bench/cases/images.ts) and the JPEG tests use them.

Usage: /usr/bin/python3 scripts/reference/image_jpegs.py DIR [N=400] [WIDTH=320] [HEIGHT=240] [--reference SIZE]
With --reference SIZE, also writes DIR/first-SIZE.rgb: the first file as Keras' load_img(f, target_size=(SIZE, SIZE))
gives it (PIL: convert('RGB'), resize NEAREST), raw RGB bytes, for the bench's verification.
"""
import os
import sys
import warnings

import numpy as np
from PIL import Image


def main():
    reference = None
    if '--reference' in sys.argv:
        k = sys.argv.index('--reference')
        reference = int(sys.argv[k + 1])
        del sys.argv[k:k + 2]
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 320
    height = int(sys.argv[4]) if len(sys.argv) > 4 else 240
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        import scipy.misc
        face = Image.fromarray(scipy.misc.face())  # 1024 × 768
    rng = np.random.default_rng(400)
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        scale = rng.uniform(1.0, 3.0)
        w, h = int(width * scale), int(height * scale)
        w, h = min(w, face.width), min(h, face.height)
        x0 = int(rng.integers(0, face.width - w + 1))
        y0 = int(rng.integers(0, face.height - h + 1))
        img = face.crop((x0, y0, x0 + w, y0 + h)).resize((width, height), Image.BILINEAR)
        if i % 2:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        img.save(os.path.join(out, f'{i:04d}.jpg'), quality=90)
    if reference is not None:
        with Image.open(os.path.join(out, '0000.jpg')) as im:
            im = im.convert('RGB').resize((reference, reference), Image.NEAREST)
            with open(os.path.join(out, f'first-{reference}.rgb'), 'wb') as f:
                f.write(im.tobytes())
    print(f'{n} JPEGs of {width}×{height} in {out}')


if __name__ == '__main__':
    main()
