#!/usr/bin/python3
"""Writes Fashion-MNIST out as a folder of PNG images, the way a user's own photos would arrive.

    write_image_folder.py IDX_FOLDER OUT_FOLDER [--train N] [--test N] [--scale K]

OUT_FOLDER gets train/<class>/<index>.png and test/<class>/<index>.png, one subfolder per class named after the
class (so the class index is the position of the name in ordinal order, as an image folder defines it: the names
are prefixed with the label to keep Fashion-MNIST's order). Each image is written as RGB at K times the 28x28 size
(every pixel repeated KxK), so that reading it back needs the channel conversion and `--resize 28` a real photo
needs. Only the standard library is used: the PNG encoder is zlib plus the chunk format.
"""
import argparse
import gzip
import os
import struct
import zlib

CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def find(folder, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise SystemExit(f"error: {folder} has no {stem}[.gz]")


def png(width, height, rgb_rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + row for row in rgb_rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def write_split(idx_folder, prefix, split, count, out, scale):
    (n, rows, cols), pixels = read_idx(find(idx_folder, f"{prefix}-images-idx3-ubyte"))
    _, labels = read_idx(find(idx_folder, f"{prefix}-labels-idx1-ubyte"))
    for i in range(min(count, n)):
        label = labels[i]
        folder = os.path.join(out, split, f"{label}-{CLASSES[label]}")
        os.makedirs(folder, exist_ok=True)
        image = pixels[i * rows * cols:(i + 1) * rows * cols]
        lines = []
        for r in range(rows):
            line = b"".join(bytes([image[r * cols + c]] * 3) * scale for c in range(cols))
            lines.extend([line] * scale)
        with open(os.path.join(folder, f"{i:05d}.png"), "wb") as f:
            f.write(png(cols * scale, rows * scale, lines))
    return min(count, n)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("idx_folder")
    parser.add_argument("out_folder")
    parser.add_argument("--train", type=int, default=6000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--scale", type=int, default=2)
    args = parser.parse_args()
    written = [write_split(args.idx_folder, prefix, split, count, args.out_folder, args.scale)
               for prefix, split, count in (("train", "train", args.train), ("t10k", "test", args.test))]
    print(f"wrote {written[0]} training and {written[1]} test images ({28 * args.scale}x{28 * args.scale} RGB PNG) to {args.out_folder}")


if __name__ == "__main__":
    main()
