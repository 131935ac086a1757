"""Generator for bench/keras.ts (Debian's python3-h5py and numpy), one JSON line on stdout.

  gen SPEC_JSON H5 NPZ  writes H5: a Keras weights-only HDF5 with the layout of the published
                        vgg16_weights_tf_dim_ordering_tf_kernels.h5 (528 MB with the top), as Keras's
                        `save_weights_to_hdf5_group` writes it: root attribute `layer_names` (every layer of the model,
                        weightless ones too, as UTF-8 byte strings), one group per layer with attribute `weight_names`
                        (an empty float64 array for a weightless layer, as h5py stores []), and each weight as a
                        contiguous float32 dataset `<layer>/<weight name>` (`block1_conv1/block1_conv1_W_1:0`), made
                        with `create_dataset(name, shape, dtype)` then `dset[:] = value` as Keras does. The layer and
                        weight names and shapes come from SPEC_JSON (bench/keras.ts writes it from our
                        kerasApplicationConfig / kerasApplicationWeights('vgg16', includeTop, layerNames 'file')).
                        Values: seeded He-normal kernels (std sqrt(2 / fan_in)) and small normal biases, so that the
                        ReLU network's activations stay O(1) and its softmax is not one-hot.
                        And NPZ: one seeded input [1, 224, 224, 3] (`input`) with VGG16's output for it (`output`,
                        [1, 1000] softmax), computed here in plain numpy in float64 (im2col 'same' 3x3 convolutions,
                        2x2/2 max pools, channels-last Flatten, Dense) from the very arrays written: a reference that
                        shares no code with the converter.
"""
import json
import math
import os
import sys

import h5py
import numpy as np


def conv3x3_same_relu(x, kernel, bias):
    # x [H, W, C] float64, kernel [3, 3, C, O] (HWIO, Keras), stride 1, TensorFlow 'same' = 1 pixel each side.
    h, w, c = x.shape
    xp = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    cols = np.empty((h, w, 3, 3, c), dtype=np.float64)
    for i in range(3):
        for j in range(3):
            cols[:, :, i, j, :] = xp[i:i + h, j:j + w, :]
    y = cols.reshape(h * w, 9 * c) @ kernel.astype(np.float64).reshape(9 * c, -1) + bias
    return np.maximum(y, 0).reshape(h, w, -1)


def maxpool2(x):
    h, w, c = x.shape
    return x[:h // 2 * 2, :w // 2 * 2].reshape(h // 2, 2, w // 2, 2, c).max(axis=(1, 3))


def forward(spec, weights, x):
    # spec['layers'] in model order; the published VGG16 graph: conv blocks with pools after each block, then
    # Flatten (channels last) → fc1, fc2 (ReLU) → predictions (softmax).
    a = x[0].astype(np.float64)
    for name in spec['layerNames']:
        cls = spec['classes'][name]
        if cls == 'Conv2D':
            k, b = weights[name]
            a = conv3x3_same_relu(a, k, b.astype(np.float64))
        elif cls == 'MaxPooling2D':
            a = maxpool2(a)
        elif cls == 'Flatten':
            a = a.reshape(1, -1)
        elif cls == 'Dense':
            k, b = weights[name]
            a = a @ k.astype(np.float64) + b.astype(np.float64)
            if name == 'predictions':
                e = np.exp(a - a.max(axis=1, keepdims=True))
                a = e / e.sum(axis=1, keepdims=True)
            else:
                a = np.maximum(a, 0)
        elif cls != 'InputLayer':
            raise SystemExit(f'unexpected layer class {cls}')
    return a


def gen(spec_path, h5_path, npz_path):
    with open(spec_path) as f:
        spec = json.load(f)
    rng = np.random.default_rng(0)
    weights = {}
    tmp = f'{h5_path}.{os.getpid()}.tmp'
    parameters = 0
    with h5py.File(tmp, 'w') as f:
        f.attrs['layer_names'] = [n.encode('utf8') for n in spec['layerNames']]
        by_layer = {l['layer']: l for l in spec['layers']}
        for name in spec['layerNames']:
            g = f.create_group(name)
            ws = by_layer.get(name, {'weights': []})['weights']
            g.attrs['weight_names'] = [w['name'].encode('utf8') for w in ws]
            values = []
            for w in ws:
                shape = tuple(w['shape'])
                if len(shape) > 1:
                    fan_in = math.prod(shape[:-1])
                    v = rng.standard_normal(shape, dtype=np.float32) * np.float32(math.sqrt(2.0 / fan_in))
                else:
                    v = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.05)
                d = g.create_dataset(w['name'], shape, dtype=v.dtype)
                d[:] = v
                values.append(v)
                parameters += v.size
            if values:
                weights[name] = values
    x = np.random.default_rng(1).standard_normal((1, 224, 224, 3), dtype=np.float32)
    y = forward(spec, weights, x)
    tmp_npz = f'{npz_path}.{os.getpid()}.tmp.npz'
    np.savez(tmp_npz, input=x, output=y.astype(np.float32))
    os.replace(tmp_npz, npz_path)
    os.replace(tmp, h5_path)
    print(json.dumps({'parameters': parameters, 'bytes': os.path.getsize(h5_path), 'outputMax': float(y.max()),
                      'outputArgmax': int(y.argmax()), 'h5py': h5py.__version__, 'hdf5': h5py.version.hdf5_version,
                      'numpy': np.__version__}))


if __name__ == '__main__':
    if len(sys.argv) != 5 or sys.argv[1] != 'gen':
        raise SystemExit('usage: gen_vgg16.py gen SPEC_JSON H5 NPZ')
    gen(*sys.argv[2:5])
