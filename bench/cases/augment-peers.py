#!/usr/bin/python3
"""Peers for bench/cases/augment.ts: the same light augmentation (rotation 10°, shifts 0.1, zoom 0.1, bilinear,
nearest fill) of n 28×28 byte images, one thread, done once per "run" line read on stdin ("done" is printed after).

  scipy        Keras' path: per image, Keras' matrix (rotation · shift · zoom, offset to the centre, rows/columns
               swapped) and scipy.ndimage.affine_transform, order 1, mode 'nearest' — the affine part alone.
  torch        PyTorch batched: affine_grid + grid_sample (bilinear, border) on all n images at once.
  torchvision  torchvision.transforms.RandomAffine per image (tensor input, bilinear).

Prints "ready" once set up, or "skipped: <reason>" and exits when the library is missing.
Usage: augment-peers.py scipy|torch|torchvision N
"""
import sys


def main():
    which, n = sys.argv[1], int(sys.argv[2])
    try:
        import numpy as np
    except ImportError as error:
        print(f'skipped: {error}', flush=True)
        return
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)

    def draws():
        theta = np.deg2rad(rng.uniform(-10, 10, n))
        tx = rng.uniform(-0.1, 0.1, n) * 28
        ty = rng.uniform(-0.1, 0.1, n) * 28
        zoom = rng.uniform(0.9, 1.1, (n, 2))
        return theta, tx, ty, zoom

    if which == 'scipy':
        try:
            import scipy.ndimage as ndi
        except ImportError as error:
            print(f'skipped: {error}', flush=True)
            return
        x = images.astype(np.float32)
        o = 28 / 2 - 0.5
        offset = np.array([[1, 0, o], [0, 1, o], [0, 0, 1]])
        reset = np.array([[1, 0, -o], [0, 1, -o], [0, 0, 1]])

        def run():
            theta, tx, ty, zoom = draws()
            out = np.empty_like(x)
            for i in range(n):
                c, s = np.cos(theta[i]), np.sin(theta[i])
                m = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
                m = np.dot(m, np.array([[1, 0, tx[i]], [0, 1, ty[i]], [0, 0, 1]]))
                m = np.dot(m, np.array([[zoom[i, 0], 0, 0], [0, zoom[i, 1], 0], [0, 0, 1]]))
                m = np.dot(np.dot(offset, m), reset)
                m[:, [0, 1]] = m[:, [1, 0]]
                m[[0, 1]] = m[[1, 0]]
                out[i] = ndi.affine_transform(x[i], m[:2, :2], m[:2, 2], order=1, mode='nearest')
            return out
    elif which in ('torch', 'torchvision'):
        try:
            import torch
            import torch.nn.functional as F
            if which == 'torchvision':
                import torchvision.transforms as T
        except ImportError as error:
            print(f'skipped: {error}', flush=True)
            return
        torch.set_num_threads(1)
        x = torch.from_numpy(images.astype(np.float32)).unsqueeze(1)
        if which == 'torch':
            def run():
                theta, tx, ty, zoom = draws()
                t = torch.from_numpy(theta).float()
                z = torch.from_numpy(zoom).float()
                a = torch.zeros(n, 2, 3)
                a[:, 0, 0] = torch.cos(t) * z[:, 0]
                a[:, 0, 1] = -torch.sin(t) * z[:, 1]
                a[:, 1, 0] = torch.sin(t) * z[:, 0]
                a[:, 1, 1] = torch.cos(t) * z[:, 1]
                a[:, 0, 2] = torch.from_numpy(tx).float() * (2 / 28)
                a[:, 1, 2] = torch.from_numpy(ty).float() * (2 / 28)
                grid = F.affine_grid(a, list(x.shape), align_corners=False)
                return F.grid_sample(x, grid, mode='bilinear', padding_mode='border', align_corners=False)
        else:
            affine = T.RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1),
                                    interpolation=T.InterpolationMode.BILINEAR)

            def run():
                return [affine(x[i]) for i in range(n)]
    else:
        print(f'skipped: unknown peer {which}', flush=True)
        return

    run()  # warm up (imports, first allocations)
    print('ready', flush=True)
    for line in sys.stdin:
        if line.strip() != 'run':
            break
        run()
        print('done', flush=True)


if __name__ == '__main__':
    main()
