#!/usr/bin/python3
"""Writes the JPEG fixtures PIL cannot write: restart markers (DRI/RSTn) and 4:4:0 and 4:1:1 chroma sampling, with
libjpeg-turbo's cjpeg (Debian: apt-get install libjpeg-turbo-progs), into test/image/fixtures/files/, and adds PIL's
decode of each (Image.open(f).convert(mode) for L, RGB, RGBA) to test/image/fixtures/decode.json, the expected
pixels test/image/decode.test.ts compares with. The tests need neither cjpeg nor PIL: both outputs are committed.

The source pictures are image_fixtures.py's photo crops (scipy's raccoon), written as PPM/PGM for cjpeg.
Run with Debian's python3 (PIL): /usr/bin/python3 scripts/reference/jpeg_cjpeg_fixtures.py
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from image_fixtures import FILES, OUT, b64, photo_crop  # noqa: E402

# name: (width, height, grayscale, cjpeg options)
FIXTURES = {
    # Restart intervals: every MCU row; every 3 MCUs (the interval ends inside a row); a single-component scan
    # (its MCUs are the component's own blocks); progressive scans (restarts inside bands and refinements).
    'restart-rows-420-37x29.jpg': (37, 29, False, ['-quality', '85', '-restart', '1']),
    'restart-3mcu-444-23x17.jpg': (23, 17, False, ['-quality', '90', '-sample', '1x1', '-restart', '3B']),
    'restart-gray-21x13.jpg': (21, 13, True, ['-quality', '80', '-restart', '2B']),
    'restart-progressive-33x21.jpg': (33, 21, False, ['-quality', '90', '-progressive', '-restart', '1B']),
    # Chroma sampling: 4:4:0 (half vertical resolution: libjpeg-turbo's h1v2 fancy upsampling), odd and even sizes;
    # 4:1:1 (a quarter horizontally: its generic box replication).
    'sample-440-31x22.jpg': (31, 22, False, ['-quality', '90', '-sample', '1x2,1x1,1x1']),
    'sample-440-9x7.jpg': (9, 7, False, ['-quality', '75', '-sample', '1x2,1x1,1x1']),
    'sample-440-restart-17x33.jpg': (17, 33, False, ['-quality', '95', '-sample', '1x2,1x1,1x1', '-restart', '1B']),
    'sample-411-35x12.jpg': (35, 12, False, ['-quality', '90', '-sample', '4x1,1x1,1x1']),
}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name, (w, h, gray, options) in FIXTURES.items():
            img = photo_crop(w, h)
            if gray:
                img = img.convert('L')
            source = os.path.join(tmp, 'source.pgm' if gray else 'source.ppm')
            img.save(source)
            with open(os.path.join(FILES, name), 'wb') as f:
                subprocess.run(['cjpeg', *options, source], stdout=f, check=True)
    path = os.path.join(OUT, 'decode.json')
    with open(path) as f:
        decode = json.load(f)
    for name in FIXTURES:
        with Image.open(os.path.join(FILES, name)) as im:
            im.load()
            decode[name] = {mode: {'shape': list(np.asarray(im.convert(mode)).reshape(im.size[1], im.size[0], -1).shape),
                                   'data': b64(np.asarray(im.convert(mode)))} for mode in ('L', 'RGB', 'RGBA')}
    with open(path, 'w') as f:
        json.dump(decode, f, indent=0)
    print(f'{len(FIXTURES)} cjpeg fixtures in {FILES}')


if __name__ == '__main__':
    main()
