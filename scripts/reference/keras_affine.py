"""Keras' affine augmentation, as Keras writes it (keras/src/legacy/preprocessing/image.py in Keras 3, the same in
keras_preprocessing 1.1): transform_matrix_offset_center and apply_affine_transform, step for step — the argument
checks, the four matrices multiplied with np.dot, the offset to the centre, np.rollaxis, the row/column swap, one
scipy.ndimage.affine_transform per channel (Keras calls it through the deprecated scipy.ndimage.interpolation name:
the same function), np.stack and np.rollaxis back. Mirrored, not imported: Keras is not installable here.

Used by scripts/reference/augment_fixtures.py (the scipy fixtures of the tests) and by bench/peers/python_peer.py
(the bench's "Keras' path" row), so that both run the same code; KerasIteratorMirror (below) adds what Keras'
iterator does around it per image (get_random_transform, apply_transform, standardize), for the bench's "Keras'
iterator path" row. Needs numpy and scipy (Debian's python3-scipy).
"""
import numpy as np
import scipy.ndimage


def transform_matrix_offset_center(matrix, x, y):
    o_x = float(x) / 2 - 0.5
    o_y = float(y) / 2 - 0.5
    offset_matrix = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset_matrix = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    transform_matrix = np.dot(np.dot(offset_matrix, matrix), reset_matrix)
    return transform_matrix


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1, col_axis=2, channel_axis=0,
                           fill_mode='nearest', cval=0., order=1):
    if np.unique([row_axis, col_axis, channel_axis]).size != 3:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be distinct")
    valid_indices = set([0, 1, 2])
    actual_indices = set([row_axis, col_axis, channel_axis])
    if actual_indices != valid_indices:
        raise ValueError(f"Invalid axis' indices: {actual_indices - valid_indices}")
    if x.ndim != 3:
        raise ValueError('Input arrays must be multi-channel 2D images.')
    if channel_axis not in [0, 2]:
        raise ValueError('Channels are allowed and the first and last dimensions.')

    transform_matrix = None
    if theta != 0:
        theta = np.deg2rad(theta)
        rotation_matrix = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
        transform_matrix = rotation_matrix
    if tx != 0 or ty != 0:
        shift_matrix = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        transform_matrix = shift_matrix if transform_matrix is None else np.dot(transform_matrix, shift_matrix)
    if shear != 0:
        shear = np.deg2rad(shear)
        shear_matrix = np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
        transform_matrix = shear_matrix if transform_matrix is None else np.dot(transform_matrix, shear_matrix)
    if zx != 1 or zy != 1:
        zoom_matrix = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
        transform_matrix = zoom_matrix if transform_matrix is None else np.dot(transform_matrix, zoom_matrix)

    if transform_matrix is not None:
        h, w = x.shape[row_axis], x.shape[col_axis]
        transform_matrix = transform_matrix_offset_center(transform_matrix, h, w)
        x = np.rollaxis(x, channel_axis, 0)
        if col_axis > row_axis:
            transform_matrix[:, [0, 1]] = transform_matrix[:, [1, 0]]
            transform_matrix[[0, 1]] = transform_matrix[[1, 0]]
        final_affine_matrix = transform_matrix[:2, :2]
        final_offset = transform_matrix[:2, 2]
        channel_images = [scipy.ndimage.affine_transform(x_channel, final_affine_matrix, final_offset, order=order,
                                                         mode=fill_mode, cval=cval) for x_channel in x]
        x = np.stack(channel_images, axis=0)
        x = np.rollaxis(x, 0, channel_axis + 1)
    return x


class KerasIteratorMirror:
    """What Keras' NumpyArrayIterator does per image of a batch (keras/src/legacy/preprocessing/image.py,
    _get_batches_of_transformed_samples): params = get_random_transform(x.shape); x = apply_transform(x, params);
    x = standardize(x); batch_x[i] = x. The three methods are ImageDataGenerator's, mirrored for channels_last images
    and the options the bench uses (rotation, width/height shift, shear, zoom, flips; featurewise center and std;
    no channel shift, brightness, rescale, preprocessing function or ZCA). Used by bench/peers/python_peer.py's
    "Keras' iterator path" row, which times the draw (Keras' code, np.random included) but applies pixprep's draw for
    the same image, so that its output can be checked against the bench's float64 reference."""

    def __init__(self, rotation_range=0., width_shift_range=0., height_shift_range=0., shear_range=0.,
                 zoom_range=0., horizontal_flip=False, vertical_flip=False, mean=None, std=None):
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.zoom_range = [1 - zoom_range, 1 + zoom_range] if np.isscalar(zoom_range) else [zoom_range[0], zoom_range[1]]
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.channel_shift_range = 0.
        self.brightness_range = None
        self.row_axis, self.col_axis, self.channel_axis = 1, 2, 3
        self.fill_mode, self.cval, self.interpolation_order = 'nearest', 0., 1
        self.featurewise_center = mean is not None
        self.featurewise_std_normalization = std is not None
        self.mean, self.std = mean, std   # as Keras' fit leaves them: float32 arrays of shape (1, 1, channels)

    def get_random_transform(self, img_shape, seed=None):
        img_row_axis = self.row_axis - 1
        img_col_axis = self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        if self.height_shift_range:
            try:  # 1-D array-like or int
                tx = np.random.choice(self.height_shift_range)
                tx *= np.random.choice([-1, 1])
            except ValueError:  # floating point
                tx = np.random.uniform(-self.height_shift_range, self.height_shift_range)
            if np.max(self.height_shift_range) < 1:
                tx *= img_shape[img_row_axis]
        else:
            tx = 0
        if self.width_shift_range:
            try:  # 1-D array-like or int
                ty = np.random.choice(self.width_shift_range)
                ty *= np.random.choice([-1, 1])
            except ValueError:  # floating point
                ty = np.random.uniform(-self.width_shift_range, self.width_shift_range)
            if np.max(self.width_shift_range) < 1:
                ty *= img_shape[img_col_axis]
        else:
            ty = 0
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(self.brightness_range[0], self.brightness_range[1])
        return {'theta': theta, 'tx': tx, 'ty': ty, 'shear': shear, 'zx': zx, 'zy': zy,
                'flip_horizontal': flip_horizontal, 'flip_vertical': flip_vertical,
                'channel_shift_intensity': channel_shift_intensity, 'brightness': brightness}

    def apply_transform(self, x, transform_parameters):
        img_row_axis = self.row_axis - 1
        img_col_axis = self.col_axis - 1
        img_channel_axis = self.channel_axis - 1
        x = apply_affine_transform(x, transform_parameters.get('theta', 0), transform_parameters.get('tx', 0),
                                   transform_parameters.get('ty', 0), transform_parameters.get('shear', 0),
                                   transform_parameters.get('zx', 1), transform_parameters.get('zy', 1),
                                   row_axis=img_row_axis, col_axis=img_col_axis, channel_axis=img_channel_axis,
                                   fill_mode=self.fill_mode, cval=self.cval, order=self.interpolation_order)
        if transform_parameters.get('channel_shift_intensity') is not None:
            raise NotImplementedError('channel shift is not mirrored')
        if transform_parameters.get('flip_horizontal', False):
            x = np.asarray(x).swapaxes(img_col_axis, 0)[::-1, ...].swapaxes(0, img_col_axis)   # Keras' flip_axis
        if transform_parameters.get('flip_vertical', False):
            x = np.asarray(x).swapaxes(img_row_axis, 0)[::-1, ...].swapaxes(0, img_row_axis)
        if transform_parameters.get('brightness') is not None:
            raise NotImplementedError('brightness is not mirrored')
        return x

    def standardize(self, x):
        if self.featurewise_center:
            x -= self.mean
        if self.featurewise_std_normalization:
            x /= self.std + 1e-6
        return x
