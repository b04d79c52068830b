"""Small CNN inference: 3x3 convolutions as sums of shifted slices, ReLU, 2x2 max-pool, dense."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (8, 28, 200), "medium": (64, 64, 4)}  # images per batch, image side, batches


def conv3x3(x, w, b):
    # x: (N, C, H, W), w: (K, C, 3, 3) -> (N, K, H-2, W-2)
    n, c, h, wd = x.shape
    k = w.shape[0]
    out = np.zeros((n, k, h - 2, wd - 2))
    for o in range(k):
        acc = np.full((n, h - 2, wd - 2), b[o])
        for ci in range(c):
            for di in range(3):
                for dj in range(3):
                    acc += w[o, ci, di, dj] * x[:, ci, di : di + h - 2, dj : dj + wd - 2]
        out[:, o] = acc
    return out


def maxpool2(x):
    n, c, h, w = x.shape
    x = x[:, :, : h // 2 * 2, : w // 2 * 2]
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def main():
    nimg, side, nbatches = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(11)
    w1 = rng.standard_normal((4, 1, 3, 3)) / 3.0
    b1 = rng.standard_normal(4) * 0.1
    w2 = rng.standard_normal((8, 4, 3, 3)) / 6.0
    b2 = rng.standard_normal(8) * 0.1
    s2 = ((side - 2) // 2 - 2) // 2
    wd = rng.standard_normal((8 * s2 * s2, 10)) / np.sqrt(8 * s2 * s2)
    images = rng.random((nbatches, nimg, 1, side, side))

    t0 = time.perf_counter()
    total = np.zeros(10)
    for k in range(nbatches):
        x = images[k]
        h = maxpool2(np.maximum(conv3x3(x, w1, b1), 0.0))
        h = maxpool2(np.maximum(conv3x3(h, w2, b2), 0.0))
        logits = h.reshape(nimg, -1) @ wd
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs = e / e.sum(axis=1, keepdims=True)
        total += probs.sum(axis=0)
    checksum = [float(total.sum()), float(total[0]), float(total[7]), float(h.sum()),
                float(probs[0].max())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
