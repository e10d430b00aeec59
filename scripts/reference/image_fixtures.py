#!/usr/bin/python3
"""Writes test/image/fixtures/: image files in every variant pixprep decodes, and what PIL makes of them.

- files/*.png|bmp|ppm|pgm|pbm: written by PIL where PIL writes the variant, else by the small PNG writer below
  (interlaced, 16-bit colour, 2/4-bit gray, tRNS colour keys, every filter type), which PIL then reads back;
- decode.json: for each file, PIL's Image.open(f).convert(mode) for mode L, RGB, RGBA (Keras' load_img converts
  only when the mode differs, which gives the same bytes);
- resize.json: Keras' load_img resize (mirrored below from keras/utils/image_utils.py: the crop box for
  keep_aspect_ratio, then img.resize((w, h), resample, box)) on noise images, for every interpolation.

Run with Debian's python3 (PIL): /usr/bin/python3 scripts/reference/image_fixtures.py
"""
import base64
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'image', 'fixtures')
FILES = os.path.join(OUT, 'files')
rng = np.random.default_rng(18)


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode()


def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_rows(rows, bpp):
    """Filters each packed row with filter type (row index % 5), so every filter is exercised."""
    out = bytearray()
    prev = bytes(len(rows[0])) if rows else b''
    for y, row in enumerate(rows):
        t = y % 5
        out.append(t)
        for i in range(len(row)):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][t]
            out.append((row[i] - pred) & 255)
        prev = row
    return bytes(out)


def pack_row(samples, depth):
    if depth == 8:
        return bytes(int(s) for s in samples)
    if depth == 16:
        return b''.join(struct.pack('>H', int(s)) for s in samples)
    per = 8 // depth
    out = bytearray()
    for i in range(0, len(samples), per):
        byte = 0
        for j in range(per):
            v = samples[i + j] if i + j < len(samples) else 0
            byte |= int(v) << (8 - depth * (j + 1))
        out.append(byte)
    return bytes(out)


def write_png(path, pixels, depth, color_type, interlace=False, extra=b''):
    """pixels: h × w × samples integers."""
    h, w = pixels.shape[:2]
    s = pixels.shape[2]
    bpp = max(1, s * depth // 8)
    raw = b''
    if not interlace:
        raw = filter_rows([pack_row(pixels[y].reshape(-1), depth) for y in range(h)], bpp)
    else:
        for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
            sub = pixels[y0::dy, x0::dx]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            raw += filter_rows([pack_row(sub[y].reshape(-1), depth) for y in range(sub.shape[0])], bpp)
    ihdr = struct.pack('>IIBBBBB', w, h, depth, color_type, 0, 0, 1 if interlace else 0)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + extra + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(data)


def photo_crop(w, h):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        import scipy.misc
        face = scipy.misc.face()
    return Image.fromarray(face[300:300 + 3 * h:3, 400:400 + 3 * w:3].copy(), 'RGB')


def noise(h, w, c, top=256):
    return rng.integers(0, top, size=(h, w, c))


def main():
    os.makedirs(FILES, exist_ok=True)
    made = []

    def pil(name, img, **kw):
        img.save(os.path.join(FILES, name), **kw)
        made.append(name)

    def own(name, *args, **kw):
        write_png(os.path.join(FILES, name), *args, **kw)
        made.append(name)

    # PNG written by PIL: L, RGB, RGBA, LA, P, P with transparency, 1-bit.
    pil('gray-17x13.png', Image.fromarray(noise(13, 17, 1)[:, :, 0].astype(np.uint8), 'L'))
    pil('rgb-19x11.png', Image.fromarray(noise(11, 19, 3).astype(np.uint8), 'RGB'))
    pil('rgba-7x9.png', Image.fromarray(noise(9, 7, 4).astype(np.uint8), 'RGBA'))
    pil('la-5x6.png', Image.fromarray(noise(6, 5, 2).astype(np.uint8), 'LA'))
    p = Image.fromarray(noise(10, 13, 3).astype(np.uint8), 'RGB').convert('P', palette=Image.ADAPTIVE, colors=37)
    pil('palette-13x10.png', p)
    pt = p.copy()
    pt.info['transparency'] = bytes(range(0, 250, 7))
    pil('palette-trns-13x10.png', pt, transparency=bytes(range(0, 250, 7)))
    pil('bilevel-21x3.png', Image.fromarray(noise(3, 21, 1, 2)[:, :, 0].astype(bool)))
    pil('one-1x1.png', Image.fromarray(np.array([[200]], dtype=np.uint8), 'L'))
    # PNG variants PIL does not write.
    own('gray2-11x5.png', noise(5, 11, 1, 4), 2, 0)
    own('gray4-9x7.png', noise(7, 9, 1, 16), 4, 0)
    own('gray-interlaced-23x17.png', noise(17, 23, 1), 8, 0, interlace=True)
    own('rgb-interlaced-10x9.png', noise(9, 10, 3), 8, 2, interlace=True)
    own('rgba-interlaced-3x2.png', noise(2, 3, 4), 8, 6, interlace=True)
    own('palette4-interlaced-13x11.png', noise(11, 13, 1, 16), 4, 3, interlace=True,
        extra=chunk(b'PLTE', bytes(noise(16, 1, 3).reshape(-1).astype(np.uint8))))
    own('rgb16-6x5.png', noise(5, 6, 3, 65536), 16, 2)
    own('rgba16-4x3.png', noise(3, 4, 4, 65536), 16, 6)
    own('la16-3x3.png', noise(3, 3, 2, 65536), 16, 4)
    g = noise(6, 8, 1, 4) * 60
    own('gray-trns-8x6.png', g, 8, 0, extra=chunk(b'tRNS', struct.pack('>H', 120)))
    c = noise(5, 7, 3, 3) * 100
    own('rgb-trns-7x5.png', c, 8, 2, extra=chunk(b'tRNS', struct.pack('>HHH', 100, 0, 200)))
    # BMP and Netpbm, written by PIL.
    pil('rgb-15x7.bmp', Image.fromarray(noise(7, 15, 3).astype(np.uint8), 'RGB'))
    pil('gray-9x4.bmp', Image.fromarray(noise(4, 9, 1)[:, :, 0].astype(np.uint8), 'L'))
    pil('palette-11x6.bmp', p.crop((0, 0, 11, 6)))
    pil('bilevel-13x5.bmp', Image.fromarray(noise(5, 13, 1, 2)[:, :, 0].astype(bool)))
    pil('rgb-8x3.ppm', Image.fromarray(noise(3, 8, 3).astype(np.uint8), 'RGB'))
    pil('gray-5x9.pgm', Image.fromarray(noise(9, 5, 1)[:, :, 0].astype(np.uint8), 'L'))
    pil('bilevel-10x2.pbm', Image.fromarray(noise(2, 10, 1, 2)[:, :, 0].astype(bool)))

    # JPEG written by PIL (libjpeg-turbo): every subsampling, progressive, optimized tables, extreme qualities, sizes
    # that are not whole MCUs, chroma planes at most 2 samples wide (libjpeg's box upsampling).
    photo = photo_crop(61, 45)
    pil('photo-420-q90-61x45.jpg', photo, quality=90)
    pil('photo-444-q75-33x17.jpg', photo_crop(33, 17), quality=75, subsampling=0)
    pil('photo-422-q80-29x31.jpg', photo_crop(29, 31), quality=80, subsampling=1)
    pil('photo-gray-23x19.jpg', photo_crop(23, 19).convert('L'), quality=85)
    pil('photo-progressive-57x41.jpg', photo_crop(57, 41), quality=90, progressive=True)
    pil('photo-progressive-444-40x24.jpg', photo_crop(40, 24), quality=95, progressive=True, subsampling=0)
    pil('photo-progressive-gray-19x27.jpg', photo_crop(19, 27).convert('L'), quality=70, progressive=True)
    pil('photo-optimized-35x22.jpg', photo_crop(35, 22), quality=90, optimize=True)
    pil('photo-q100-16x16.jpg', photo_crop(16, 16), quality=100)
    pil('photo-q5-47x9.jpg', photo_crop(47, 9), quality=5)
    pil('noise-q95-24x24.jpg', Image.fromarray(noise(24, 24, 3).astype(np.uint8), 'RGB'), quality=95)
    pil('one-1x1.jpg', Image.fromarray(np.array([[[200, 30, 90]]], dtype=np.uint8), 'RGB'), quality=90)
    pil('narrow-3x40.jpg', photo_crop(3, 40), quality=90)
    pil('narrow-4x5.jpg', photo_crop(4, 5), quality=90)

    # Files pixprep refuses (test/image/errors.test.ts pins the messages).
    bad = os.path.join(OUT, 'bad')
    os.makedirs(bad, exist_ok=True)
    photo_crop(8, 8).convert('CMYK').save(os.path.join(bad, 'cmyk.jpg'), quality=90)
    photo_crop(8, 8).save(os.path.join(bad, 'image.tif'))
    photo_crop(8, 8).save(os.path.join(bad, 'image.gif'))
    write_png(os.path.join(bad, 'gray16.png'), noise(3, 4, 1, 65536), 16, 0)

    decode = {}
    # Also the files other scripts wrote there (jpeg_cjpeg_fixtures.py: cjpeg's restart and 4:4:0 files).
    for name in made + sorted(set(os.listdir(FILES)) - set(made)):
        with Image.open(os.path.join(FILES, name)) as im:
            im.load()
            decode[name] = {mode: {'shape': list(np.asarray(im.convert(mode)).reshape(im.size[1], im.size[0], -1).shape),
                                   'data': b64(np.asarray(im.convert(mode)))} for mode in ('L', 'RGB', 'RGBA')}
    with open(os.path.join(OUT, 'decode.json'), 'w') as f:
        json.dump(decode, f, indent=0)

    # Resizing as Keras' load_img does it.
    sources = {'L': noise(29, 37, 1)[:, :, 0], 'RGB': noise(29, 37, 3), 'RGBA': noise(29, 37, 4)}
    resample = {'nearest': Image.NEAREST, 'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC}
    targets = [(16, 16), (40, 23), (9, 31), (1, 1), (29, 37), (29, 80), (100, 37), (3, 5)]
    cases = []
    for mode, arr in sources.items():
        img = Image.fromarray(arr.astype(np.uint8), mode)
        for interp, filt in resample.items():
            for (th, tw) in targets:
                for keep in (False, True):
                    out = keras_resize(img, (tw, th), filt, keep)
                    cases.append({'mode': mode, 'interpolation': interp, 'target': [th, tw], 'keepAspectRatio': keep,
                                  'data': b64(np.asarray(out))})
    with open(os.path.join(OUT, 'resize.json'), 'w') as f:
        json.dump({'sources': {m: {'shape': list(a.reshape(29, 37, -1).shape), 'data': b64(a)} for m, a in sources.items()},
                   'cases': cases}, f, indent=0)
    # Keras' load_img end to end (convert to the colour mode, then resize) on a few files.
    loads = []
    for name, color_mode, target, interp, keep in [
            ('photo-420-q90-61x45.jpg', 'grayscale', (16, 16), 'bilinear', True),
            ('photo-420-q90-61x45.jpg', 'rgb', (30, 20), 'nearest', False),
            ('photo-progressive-57x41.jpg', 'rgb', (64, 64), 'bicubic', False),
            ('rgba-7x9.png', 'rgba', (5, 11), 'bicubic', True),
            ('palette-trns-13x10.png', 'rgb', (7, 7), 'bilinear', False)]:
        with Image.open(os.path.join(FILES, name)) as im:
            mode = {'grayscale': 'L', 'rgb': 'RGB', 'rgba': 'RGBA'}[color_mode]
            if im.mode != mode:
                im = im.convert(mode)
            out = keras_resize(im, (target[1], target[0]), resample[interp], keep)
            loads.append({'file': name, 'colorMode': color_mode, 'targetSize': list(target), 'interpolation': interp,
                          'keepAspectRatio': keep, 'shape': list(np.asarray(out).reshape(target[0], target[1], -1).shape),
                          'data': b64(np.asarray(out))})
    with open(os.path.join(OUT, 'load.json'), 'w') as f:
        json.dump(loads, f, indent=0)
    print(f'{len(made)} files, {len(cases)} resize cases in {OUT}')


def keras_resize(img, width_height_tuple, resample, keep_aspect_ratio):
    """keras/utils/image_utils.py load_img, the resizing part."""
    if img.size == width_height_tuple:
        return img
    if keep_aspect_ratio:
        width, height = img.size
        target_width, target_height = width_height_tuple
        crop_height = (width * target_height) // target_width
        crop_width = (height * target_width) // target_height
        crop_height = min(height, crop_height)
        crop_width = min(width, crop_width)
        crop_box_hstart = (height - crop_height) // 2
        crop_box_wstart = (width - crop_width) // 2
        crop_box_wend = crop_box_wstart + crop_width
        crop_box_hend = crop_box_hstart + crop_height
        crop_box = [crop_box_wstart, crop_box_hstart, crop_box_wend, crop_box_hend]
        return img.resize(width_height_tuple, resample, box=crop_box)
    return img.resize(width_height_tuple, resample)


if __name__ == '__main__':
    main()
