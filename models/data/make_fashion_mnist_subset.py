#!/usr/bin/env python3
"""Writes the embedded Fashion-MNIST subset (models/data/fashion-mnist-subset) from the full data set.

The first TRAIN training images and the first TEST test images, with their labels, in the same gzipped IDX
layout as the full set, so every reader of the full set reads the subset unchanged. Standard library only.

    python3 models/data/make_fashion_mnist_subset.py [/usr/share/datasets/fashion-mnist]
"""
import gzip
import os
import struct
import sys

TRAIN, TEST = 4000, 1000
HERE = os.path.dirname(os.path.abspath(__file__))


def take(source, target, count):
    with gzip.open(source, "rb") as f:
        magic, total = struct.unpack(">II", f.read(8))
        dims = magic & 0xFF
        rest = struct.unpack(">" + "I" * (dims - 1), f.read(4 * (dims - 1)))
        item = 1
        for d in rest:
            item *= d
        if count > total:
            raise SystemExit(f"{source}: has {total} items, {count} asked for")
        body = f.read(count * item)
    # mtime=0 keeps the output byte-identical from run to run.
    with gzip.GzipFile(target, "wb", compresslevel=9, mtime=0) as out:
        out.write(struct.pack(">II", magic, count) + struct.pack(">" + "I" * len(rest), *rest) + body)


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    target = os.path.join(HERE, "fashion-mnist-subset")
    os.makedirs(target, exist_ok=True)
    for prefix, count in (("train", TRAIN), ("t10k", TEST)):
        for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
            name = f"{prefix}-{kind}.gz"
            take(os.path.join(source, name), os.path.join(target, name), count)
    print(f"wrote {TRAIN} training and {TEST} test samples to {target}")


if __name__ == "__main__":
    main()
