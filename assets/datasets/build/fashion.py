"""Build assets/datasets/fashion-mnist.* : a balanced 4,000-image subset (400 per class) of
Fashion-MNIST's training set (MIT, Zalando SE), read from Debian's dataset-fashion-mnist package.
  apt-get install -y dataset-fashion-mnist && /usr/bin/python3 fashion.py
"""
import gzip
import numpy as np
from pack import write

D = "/usr/share/datasets/fashion-mnist/"
x = np.frombuffer(gzip.open(D + "train-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
y = np.frombuffer(gzip.open(D + "train-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
PER = 400
idx = np.concatenate([np.nonzero(y == c)[0][:PER] for c in range(10)])
idx = idx[np.random.RandomState(0).permutation(len(idx))]
write("fashion-mnist", x[idx], y[idx], {
    "name": "fashion-mnist",
    "description": "4,000 Zalando article images (400 per class: T-shirt, trouser, pullover, ...), 28x28 grayscale: a subset of Fashion-MNIST.",
    "classes": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "license": "Fashion-MNIST, MIT (Copyright 2017 Zalando SE); subset taken from Debian's dataset-fashion-mnist package",
})
