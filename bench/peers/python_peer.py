#!/usr/bin/env python3
"""The bench's external peers (numpy, PyTorch), in one long-lived process that speaks JSON lines.

bench/peers/python.ts starts it once per run (`/usr/bin/python3 bench/peers/python_peer.py`) and sends one request
a line; each gets one answer a line. Inputs and outputs travel as raw files (the inputs are tens of MB): the
client writes the input, this process reads it in `setup`; `output` writes the first call's result as float64 for
the client to check against its float64 reference. Timing happens here, with time.perf_counter, in turns with the
client's own rows (the client asks for one time-boxed batch of samples per turn).

    {"id": 1, "op": "probe"}                          -> versions of python, numpy, torch (null when absent)
    {"id": 2, "op": "setup", "key": K, "task": T, "args": {...}}
    {"id": 3, "op": "run", "key": K}                  -> the first call (verified, and the warm-up)
    {"id": 4, "op": "output", "key": K, "path": P}    -> writes the first call's output, float64
    {"id": 5, "op": "sample", "key": K, "budget_ms": B, "min_sample_ms": M}  -> {"samples": [ms...], "repeat": r}
    {"id": 6, "op": "teardown", "key": K}

The network and its Adam are imported from scripts/reference/tutorial_torch.py (Conv 32 3x3 relu, pool 2, Conv 64
3x3 relu, pool 2, channels_last Flatten, Dense 64 relu, Dense 10; Keras' Adam), here starting from weights the client
gives (pixprep's seed-1 initial weights), so that its outputs can be checked against the same float64 reference as pixprep's.
"""
import json, math, os, platform, sys, time

try:
    import numpy as np
except ImportError:  # the rows that need numpy are skipped
    np = None
try:
    import torch
    import torch.nn.functional as F
except ImportError:
    torch = None


class Skip(Exception):
    pass


def need_numpy():
    if np is None:
        raise Skip('no numpy')


def need_torch():
    need_numpy()
    if torch is None:
        raise Skip('no torch')


def read(path, dtype, n=None):
    x = np.fromfile(path, dtype=dtype)
    if n is not None and x.size != n:
        raise ValueError(f'{path}: {x.size} values, expected {n}')
    return x


# ------------------------------------------------------------------------------------------------ numpy tasks

def scale_kernel(a):
    """out = x*s + o into a preallocated float32 array (numpy has no fused multiply-add: two passes)."""
    need_numpy()
    x = read(a['path'], np.uint8 if a['dtype'] == 'u8' else np.float32, a['n'])
    out = np.empty(a['n'], np.float32)
    s, o = np.float32(a['scale']), np.float32(a['offset'])

    def run():
        np.multiply(x, s, out=out, dtype=np.float32)   # dtype: the float32 loop, whatever the scalar's type
        if o != 0:
            np.add(out, o, out=out)
        return out
    return run


def scale_call(a):
    """The Keras-port recipe: a float32 copy, then the steps in place (x *= rescale; x -= mean; x /= std)."""
    need_numpy()
    x = read(a['path'], np.uint8 if a['dtype'] == 'u8' else np.float32, a['n'])
    steps = [(op, np.float32(v)) for op, v in a['steps']]

    def run():
        y = x.astype(np.float32)
        for op, v in steps:
            if op == 'mul':
                y *= v
            elif op == 'sub':
                y -= v
            elif op == 'div':
                y /= v
            else:
                y += v
        return y
    return run


def fit_kernel(a):
    """Mean and std of bytes accumulated in float64 (numpy's own reductions), rescaled."""
    need_numpy()
    x = read(a['path'], np.uint8, a['n'])
    r = a['rescale']

    def run():
        return np.array([x.mean(dtype=np.float64) * r, x.std(dtype=np.float64) * r])
    return run


def fit_call(a):
    """Keras' ImageDataGenerator.fit: a float32 copy, rescaled, then np.mean and np.std (float32, pairwise)."""
    need_numpy()
    x = read(a['path'], np.uint8, a['n'])
    r = np.float32(a['rescale'])

    def run():
        y = x.astype(np.float32)
        y *= r
        return np.array([np.mean(y), np.std(y)], dtype=np.float64)
    return run


# ---------------------------------------------------------------------------------------------- torch tasks

def reference_module(name):
    """A module of scripts/reference/ (the tutorial network and Keras' Adam are written once, there)."""
    import importlib
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts', 'reference')
    if here not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module(name)


def threads_of(a):
    """The thread count a torch row asks for (pixprep's rows at 1 thread and at all threads have a PyTorch twin)."""
    return int(a.get('threads', 1))


def network(a):
    """The tutorial network from flat weights in Keras' layout (conv HWIO, dense [in, out]), as torch tensors."""
    need_torch()
    torch.set_num_threads(threads_of(a))
    w = torch.from_numpy(read(a['weights'], np.float32).copy())
    shapes = [(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (1600, 64), (64,), (64, 10), (10,)]
    params, at = [], 0
    for shape in shapes:
        size = math.prod(shape)
        t = w[at:at + size].reshape(shape)
        at += size
        if len(shape) == 4:
            t = t.permute(3, 2, 0, 1)      # HWIO -> OIHW
        elif len(shape) == 2:
            t = t.t()                      # [in, out] -> [out, in]
        params.append(t.contiguous().requires_grad_())
    if at != w.numel():
        raise ValueError(f'weights: {w.numel()} values, the network has {at}')
    logits = reference_module('tutorial_torch').tutorial_logits(params)
    images = read(a['images'], np.float32).reshape(-1, 28, 28, 1)
    x = torch.from_numpy(images.copy()).permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW, made once
    return params, logits, x


def torch_train(a):
    """Training steps at batch 64: forward, cross-entropy, autograd, Keras' Adam (as tutorial_torch.py)."""
    params, logits, x = network(a)
    y = torch.from_numpy(read(a['labels'], np.uint8).astype(np.int64))
    batch, steps = a['batch'], a['steps']
    keras_adam_update = reference_module('tutorial_torch').keras_adam_update
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    state = {'step': 0, 'first': None}

    threads = threads_of(a)

    def run():
        torch.set_num_threads(threads)  # the rows at other thread counts share this process
        for i in range(steps):
            xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
            loss = F.cross_entropy(logits(xb), yb)
            grads = torch.autograd.grad(loss, params)
            state['step'] += 1
            if state['first'] is None:
                state['first'] = loss.item()
            keras_adam_update(params, grads, m, v, state['step'])
        return np.array([state['first']])
    return run


def torch_infer(a):
    """Inference at batch 64: softmax of the logits, batch by batch, under no_grad."""
    params, logits, x = network(a)
    batch, steps = a['batch'], a['steps']
    threads = threads_of(a)

    def run():
        torch.set_num_threads(threads)  # the rows at other thread counts share this process
        first = None
        with torch.no_grad():
            for i in range(steps):
                p = F.softmax(logits(x[i * batch:(i + 1) * batch]), dim=1)
                if first is None:
                    first = p
        return first.numpy().reshape(-1)
    return run


def pil_load_img(a):
    """Keras' load_img(f, target_size) + img_to_array, then (x - mean) / std in float32, over a list of files."""
    need_numpy()
    try:
        from PIL import Image
    except ImportError:
        raise Skip('no PIL (python3-pil) in this Python')
    files = a['files']
    h, w = a['size']
    mean = np.asarray(a['mean'], dtype=np.float32)
    std = np.asarray(a['std'], dtype=np.float32)
    first = [None]

    def run():
        for i, f in enumerate(files):
            with open(f, 'rb') as fh:
                img = Image.open(fh)
                if img.mode != 'RGB':
                    img = img.convert('RGB')
                if img.size != (w, h):
                    img = img.resize((w, h), Image.NEAREST)
                x = np.asarray(img, dtype=np.float32)
            x = (x - mean) / std
            if i == 0:
                first[0] = x.reshape(-1)[:a['checked']]
        return first[0]
    return run


# ------------------------------------------------------------------------------------------- augmentation tasks

def warp_inputs(a):
    """n byte images (h x w, one channel) and the 8 numbers per image of pixprep's warp kernel, as pixprep drew them:
    m00 m01 s0 m10 m11 s1 flipHorizontal flipVertical (the matrix and offset Keras' apply_affine_transform hands to
    scipy, rows and columns already swapped)."""
    n, h, w = a['n'], a['height'], a['width']
    images = read(a['images'], np.uint8, n * h * w).reshape(n, h, w)
    params = read(a['params'], np.float64, n * 8).reshape(n, 8)
    if params[:, 6:].any():
        raise ValueError('warp peers: flips are not mapped (the bench draws none)')
    return n, h, w, images, params


def warp_scipy(a):
    """The lean scipy row: scipy.ndimage.affine_transform per image (order 1, mode 'nearest') on the float32 image,
    with pixprep's matrices computed beforehand, into a preallocated float32 output: scipy's own cost, without what
    Keras' apply_affine_transform adds around it (warp_keras)."""
    need_numpy()
    try:
        import scipy.ndimage as ndi
    except ImportError as error:
        raise Skip(f'no scipy: {error}')
    n, h, w, images, params = warp_inputs(a)
    x = images.astype(np.float32)
    matrices = [params[i, [0, 1, 3, 4]].reshape(2, 2).copy() for i in range(n)]
    offsets = [params[i, [2, 5]].copy() for i in range(n)]
    out = np.empty((n, h, w), np.float32)

    def run():
        for i in range(n):
            ndi.affine_transform(x[i], matrices[i], offsets[i], output=out[i], order=1, mode='nearest', cval=0.0)
        return out.reshape(-1)
    return run


def warp_keras(a):
    """Keras' path, its affine part: what ImageDataGenerator.apply_transform does to each image of a channels_last
    batch for rotation, shifts, shear and zoom, i.e. Keras' apply_affine_transform(x[i], theta, tx, ty, shear, zx, zy,
    row_axis=0, col_axis=1, channel_axis=2, fill_mode='nearest', cval=0., order=1) on the float32 (h, w, 1) image
    Keras' iterator holds, stored into a preallocated float32 batch (Keras: batch_x[i] = x). The parameters are
    pixprep's draws (Keras' names and units: degrees, pixels), 6 float64 per image; the flips are not drawn."""
    need_numpy()
    try:
        import scipy.ndimage  # noqa: F401 (keras_affine needs it)
    except ImportError as error:
        raise Skip(f'no scipy: {error}')
    # Keras' function, mirrored once for the tests' fixtures and this row: scripts/reference/keras_affine.py.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts', 'reference'))
    from keras_affine import apply_affine_transform
    n, h, w = a['n'], a['height'], a['width']
    x = read(a['images'], np.uint8, n * h * w).reshape(n, h, w, 1).astype(np.float32)
    draws = read(a['transforms'], np.float64, n * 6).reshape(n, 6).tolist()  # Python floats, as Keras' draws are
    out = np.empty((n, h, w, 1), np.float32)

    def run():
        for i in range(n):
            theta, tx, ty, shear, zx, zy = draws[i]
            out[i] = apply_affine_transform(x[i], theta, tx, ty, shear, zx, zy, row_axis=0, col_axis=1,
                                            channel_axis=2, fill_mode='nearest', cval=0., order=1)
        return out.reshape(-1)
    return run


def torch_theta(p, h, w):
    """affine_grid's theta (float32, n x 2 x 3) for the warp kernel's 8 numbers per image (p: n x 8, float64): with
    align_corners=True, pixel k of a side of n is the normalised coordinate 2k/(n - 1) - 1, so the map
    y = m00 r + m01 c + s0, x = m10 r + m11 c + s1 becomes, on normalised coordinates (gx, gy):
    ix = m11 gx + m10 (h-1)/(w-1) gy + m11 + m10 (h-1)/(w-1) + 2 s1/(w-1) - 1 (and iy likewise)."""
    ry, rx = (w - 1) / (h - 1), (h - 1) / (w - 1)
    theta64 = np.empty((p.shape[0], 2, 3))
    theta64[:, 0, 0] = p[:, 4]
    theta64[:, 0, 1] = p[:, 3] * rx
    theta64[:, 0, 2] = p[:, 4] + p[:, 3] * rx + 2 * p[:, 5] / (w - 1) - 1
    theta64[:, 1, 0] = p[:, 1] * ry
    theta64[:, 1, 1] = p[:, 0]
    theta64[:, 1, 2] = p[:, 0] + p[:, 1] * ry + 2 * p[:, 2] / (h - 1) - 1
    return torch.from_numpy(theta64.astype(np.float32))


def warp_torch(a):
    """PyTorch batched: affine_grid + grid_sample (bilinear, padding 'border', align_corners=True) on all n images
    in one call, one thread. The same geometry as scipy's (torch_theta); 'border' clamps the coordinate into the
    image, as scipy's 'nearest' does for order 1."""
    need_torch()
    torch.set_num_threads(1)
    n, h, w, images, p = warp_inputs(a)
    x = torch.from_numpy(images.astype(np.float32)).reshape(n, 1, h, w)
    theta = torch_theta(p, h, w)

    def run():
        grid = F.affine_grid(theta, [n, 1, h, w], align_corners=True)
        out = F.grid_sample(x, grid, mode='bilinear', padding_mode='border', align_corners=True)
        return out.numpy().reshape(-1)
    return run


def epoch_torch(a):
    """An augmented, standardized epoch the way a PyTorch pipeline without a DataLoader does it, one thread: per
    batch of `batch` images in the epoch's shuffled order, gather the batch from the uint8 dataset and convert it to
    float32, affine_grid + grid_sample (bilinear, 'border', align_corners=True: torch_theta's geometry), then
    standardize ((x - mean) / (std + 1e-6), Keras' order) into a preallocated batch tensor. The order and the
    transforms are pixprep's (its flow's index order; the 8 numbers of each image's draw, made into thetas in setup),
    so that the first and last batches can be checked against the case's float64 reference; drawing and building the
    matrices is therefore not timed here, while pixprep's row draws every transform in its epoch: this favours
    PyTorch. Returns the first and the last batch, concatenated."""
    need_torch()
    torch.set_num_threads(1)
    n, h, w, images, p = warp_inputs(a)
    x = torch.from_numpy(images.reshape(n, 1, h, w).copy())
    theta = torch_theta(p, h, w)
    order = torch.from_numpy(read(a['order'], np.int32, n).astype(np.int64))
    batch = a['batch']
    mean, divisor = float(a['mean']), float(a['std']) + 1e-6
    out = torch.empty((batch, 1, h, w), dtype=torch.float32)
    steps = (n + batch - 1) // batch
    kept = [None, None]

    def run():
        torch.set_num_threads(1)  # the rows at other thread counts share this process
        for i in range(steps):
            idx = order[i * batch:(i + 1) * batch]
            m = idx.numel()
            xb = x.index_select(0, idx).float()
            grid = F.affine_grid(theta.index_select(0, idx), [m, 1, h, w], align_corners=True)
            warped = F.grid_sample(xb, grid, mode='bilinear', padding_mode='border', align_corners=True)
            ob = out[:m]
            torch.sub(warped, mean, out=ob)
            ob.div_(divisor)
            if i == 0:
                kept[0] = ob.numpy().copy()
            elif i == steps - 1:
                kept[1] = ob.numpy().copy()
        parts = [kept[0]] if steps == 1 else kept
        return np.concatenate([k.reshape(-1) for k in parts])
    return run


def epoch_keras(a):
    """Keras' iterator path, per image, as NumpyArrayIterator runs it for each batch of `batch` in the epoch's
    order: batch_x = np.zeros(...); for each image, params = get_random_transform(x.shape) (Keras' draw code, its
    np.random calls and the try/except of the float shift ranges included), x = apply_transform(x.astype(float32),
    params), x = standardize(x) (x -= mean; x /= std + 1e-6, with float32 statistics as Keras' fit leaves them),
    batch_x[i] = x (scripts/reference/keras_affine.py, KerasIteratorMirror). The dataset is float32, as the iterator
    holds it. The draw is timed but its values are replaced by pixprep's draw for the same image (6 float64 per
    image: theta, tx, ty, shear, zx, zy; no flips), so that the first and last batches, returned concatenated, can be
    checked against the bench's float64 reference."""
    need_numpy()
    try:
        import scipy.ndimage  # noqa: F401 (keras_affine needs it)
    except ImportError as error:
        raise Skip(f'no scipy: {error}')
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts', 'reference'))
    from keras_affine import KerasIteratorMirror
    n, h, w, batch = a['n'], a['height'], a['width'], a['batch']
    x = read(a['images'], np.uint8, n * h * w).reshape(n, h, w, 1).astype(np.float32)
    names = ('theta', 'tx', 'ty', 'shear', 'zx', 'zy')
    draws = [dict(zip(names, d)) for d in read(a['transforms'], np.float64, n * 6).reshape(n, 6).tolist()]
    order = read(a['order'], np.int32, n).tolist()
    o = a['options']
    gen = KerasIteratorMirror(rotation_range=o['rotationRange'], width_shift_range=o['widthShiftRange'],
                              height_shift_range=o['heightShiftRange'], zoom_range=o['zoomRange'],
                              mean=np.full((1, 1, 1), a['mean'], np.float32), std=np.full((1, 1, 1), a['std'], np.float32))
    steps = (n + batch - 1) // batch
    kept = [None, None]

    def run():
        for b in range(steps):
            index_array = order[b * batch:(b + 1) * batch]
            batch_x = np.zeros((len(index_array), h, w, 1), dtype=np.float32)
            for i, j in enumerate(index_array):
                image = x[j]
                params = gen.get_random_transform(image.shape)
                params.update(draws[j])   # pixprep's values for this image, in Keras' names
                image = gen.apply_transform(image.astype(np.float32), params)
                image = gen.standardize(image)
                batch_x[i] = image
            if b == 0:
                kept[0] = batch_x
            elif b == steps - 1:
                kept[1] = batch_x
        parts = [kept[0]] if steps == 1 else kept
        return np.concatenate([k.reshape(-1) for k in parts])
    return run


TASKS = {f.__name__: f for f in (scale_kernel, scale_call, fit_kernel, fit_call, torch_train, torch_infer, pil_load_img,
                                   warp_scipy, warp_keras, warp_torch, epoch_torch, epoch_keras)}


# ---------------------------------------------------------------------------------------------------- loop

def sample(run, budget_ms, min_sample_ms):
    t0 = time.perf_counter()
    run()
    single = (time.perf_counter() - t0) * 1000
    repeat = 1 if single >= min_sample_ms else min(100000, math.ceil(min_sample_ms / max(single, 1e-4)))
    samples = []
    start = time.perf_counter()
    while True:
        t = time.perf_counter()
        for _ in range(repeat):
            run()
        samples.append((time.perf_counter() - t) * 1000 / repeat)
        if (time.perf_counter() - start) * 1000 >= budget_ms or len(samples) >= 10000:
            break
    return samples, repeat


def main():
    live = {}      # key -> [run, first output]
    for line in sys.stdin:
        req = json.loads(line)
        answer = {'id': req.get('id'), 'ok': True}
        try:
            op = req['op']
            if op == 'probe':
                answer.update(python=platform.python_version(), executable=sys.executable,
                              numpy=None if np is None else np.__version__,
                              torch=None if torch is None else torch.__version__,
                              torchThreads=None if torch is None else torch.get_num_threads())
            elif op == 'setup':
                live[req['key']] = [TASKS[req['task']](req['args']), None]
            elif op == 'run':
                entry = live[req['key']]
                entry[1] = np.asarray(entry[0](), dtype=np.float64).copy()
            elif op == 'output':
                out = live[req['key']][1]
                out.tofile(req['path'])
                answer['length'] = int(out.size)
            elif op == 'sample':
                samples, repeat = sample(live[req['key']][0], req['budget_ms'], req['min_sample_ms'])
                answer.update(samples=samples, repeat=repeat)
            elif op == 'teardown':
                live.pop(req['key'], None)
            else:
                raise ValueError(f'unknown op {op!r}')
        except Skip as e:
            answer.update(ok=False, skip=True, error=str(e))
        except Exception as e:  # reported to the client as the row's failure
            answer.update(ok=False, error=f'{type(e).__name__}: {e}')
        sys.stdout.write(json.dumps(answer) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
