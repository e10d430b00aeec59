#!/usr/bin/env python3
"""An independent implementation of the Keras pixel-scaling tutorial, in PyTorch, to judge pixprep's results by.

Same recipe as `pixprep train`, none of pixprep's code: Keras' initialisers (Glorot uniform kernels, zero biases),
Keras' Adam (lr 1e-3, beta 0.9/0.999, epsilon 1e-7 added to sqrt(v), not to the bias-corrected sqrt(v_hat) as
torch.optim.Adam does), softmax cross-entropy on the logits, batch 64 reshuffled every epoch, Keras' channels_last
Flatten order. Its own random numbers, so its runs are other draws from the same distribution, not pixprep's runs.

    node scripts/export-mnist-idx.mjs /tmp/digits        # pixprep's embedded split as MNIST IDX files
    python3 scripts/reference/tutorial_torch.py /tmp/digits --scaling center --seeds 1-20

Needs numpy and torch (Debian: apt install python3-torch, then run it with /usr/bin/python3). Not part of
`npm test`: CI has no PyTorch.
"""
import argparse, json, statistics, struct
import numpy as np
import torch
import torch.nn.functional as F


def read_idx(path):
    with open(path, 'rb') as f:
        raw = f.read()
    zero, dtype, ndim = raw[0] << 8 | raw[1], raw[2], raw[3]
    if zero != 0 or dtype != 0x08:
        raise ValueError(f'{path}: not an unsigned-byte IDX file')
    shape = struct.unpack(f'>{ndim}I', raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def scaled(x, scaling, mean, std):
    x = x.astype(np.float32)
    if scaling == 'normalize':
        return x * np.float32(1 / 255)
    x = x - np.float32(mean)                   # featurewise_center: the training set's mean
    if scaling == 'standardize':
        x = x / np.float32(std + 1e-6)         # featurewise_std_normalization: population std + 1e-6
    return x


def glorot_uniform(shape, fan_in, fan_out, gen):
    limit = (6 / (fan_in + fan_out)) ** 0.5
    return torch.rand(shape, generator=gen) * 2 * limit - limit


def tutorial_logits(params):
    """The tutorial network's logits from its 8 torch parameters (conv OIHW, dense [out, in]); the bench's PyTorch
    rows (bench/peers/python_peer.py) use it too."""
    k1, b1, k2, b2, d1, c1, d2, c2 = params

    def logits(x):
        h = F.max_pool2d(F.relu(F.conv2d(x, k1, b1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, k2, b2)), 2)
        h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)   # Keras' channels_last Flatten
        return F.linear(F.relu(F.linear(h, d1, c1)), d2, c2)
    return logits


def keras_adam_update(params, grads, m, v, step, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7):
    """One update of Keras' Adam (epsilon added to sqrt(v), the bias correction folded into the rate), in place."""
    lr_t = lr * (1 - beta2 ** step) ** 0.5 / (1 - beta1 ** step)
    with torch.no_grad():
        for p, g, mp, vp in zip(params, grads, m, v):
            mp.mul_(beta1).add_(g, alpha=1 - beta1)
            vp.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            p.sub_(lr_t * mp / (vp.sqrt() + eps))


def train_once(data, scaling, seed, epochs, batch):
    trx, try_, tex, tey = data
    mean, std = trx.astype(np.float64).mean(), trx.astype(np.float64).std()
    xtr = torch.from_numpy(scaled(trx, scaling, mean, std)).unsqueeze(1)   # NCHW for torch's conv
    xte = torch.from_numpy(scaled(tex, scaling, mean, std)).unsqueeze(1)
    ytr, yte = torch.from_numpy(try_.astype(np.int64)), torch.from_numpy(tey.astype(np.int64))
    gen = torch.Generator().manual_seed(seed)
    shapes = [((32, 1, 3, 3), 9, 9 * 32), ((64, 32, 3, 3), 9 * 32, 9 * 64), ((64, 1600), 1600, 64), ((10, 64), 64, 10)]
    params = []
    for shape, fan_in, fan_out in shapes:
        params += [glorot_uniform(shape, fan_in, fan_out, gen).requires_grad_(), torch.zeros(shape[0], requires_grad=True)]
    logits = tutorial_logits(params)
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    step, n = 0, len(ytr)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            loss = F.cross_entropy(logits(xtr[idx]), ytr[idx])
            step += 1
            keras_adam_update(params, torch.autograd.grad(loss, params), m, v, step)
    with torch.no_grad():
        return (logits(xte).argmax(1) == yte).float().mean().item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('dir')
    ap.add_argument('--scaling', choices=['normalize', 'center', 'standardize'], default='center')
    ap.add_argument('--seeds', default='1-5', help='A-B or A')
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--batch-size', type=int, default=64)
    a = ap.parse_args()
    lo, _, hi = a.seeds.partition('-')
    seeds = range(int(lo), int(hi or lo) + 1)
    torch.set_num_threads(1)
    d = a.dir.rstrip('/')
    data = tuple(read_idx(f'{d}/{name}') for name in
                 ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'))
    accs = []
    for seed in seeds:
        accs.append(train_once(data, a.scaling, seed, a.epochs, a.batch_size))
        print(json.dumps({'scaling': a.scaling, 'seed': seed, 'testAccuracy': accs[-1]}), flush=True)
    if len(accs) > 1:
        print(f'{a.scaling}: {len(accs)} runs, mean {100 * statistics.mean(accs):.3f}, sd {100 * statistics.stdev(accs):.3f}, '
              f'min {100 * min(accs):.3f}, max {100 * max(accs):.3f}')


if __name__ == '__main__':
    main()
