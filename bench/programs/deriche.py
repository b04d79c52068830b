"""Polybench deriche: recursive (IIR) edge filter, causal/anticausal passes over columns, then rows."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (64, 96, 150), "medium": (700, 1400, 3)}  # height, width, repetitions


def main():
    h, w, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(9)
    img = rng.random((h, w))
    alpha = 0.25
    k = ((1.0 - np.exp(-alpha)) ** 2) / (1.0 + 2.0 * alpha * np.exp(-alpha) - np.exp(2.0 * alpha))
    a1 = a5 = k
    a2 = a6 = k * np.exp(-alpha) * (alpha - 1.0)
    a3 = a7 = k * np.exp(-alpha) * (alpha + 1.0)
    a4 = a8 = -k * np.exp(-2.0 * alpha)
    b1 = 2.0 ** (-alpha)
    b2 = -np.exp(-2.0 * alpha)
    c1 = c2 = 1.0

    t0 = time.perf_counter()
    for _ in range(reps):
        # horizontal passes: along j, all rows at once
        y1 = np.zeros((h, w))
        y2 = np.zeros((h, w))
        y1[:, 0] = a1 * img[:, 0]
        y1[:, 1] = a1 * img[:, 1] + a2 * img[:, 0] + b1 * y1[:, 0]
        for j in range(2, w):
            y1[:, j] = a1 * img[:, j] + a2 * img[:, j - 1] + b1 * y1[:, j - 1] + b2 * y1[:, j - 2]
        y2[:, w - 1] = 0.0
        y2[:, w - 2] = a3 * img[:, w - 1]
        for j in range(w - 3, -1, -1):
            y2[:, j] = a3 * img[:, j + 1] + a4 * img[:, j + 2] + b1 * y2[:, j + 1] + b2 * y2[:, j + 2]
        tmp = c1 * (y1 + y2)
        # vertical passes: along i, all columns at once
        y1[0, :] = a5 * tmp[0, :]
        y1[1, :] = a5 * tmp[1, :] + a6 * tmp[0, :] + b1 * y1[0, :]
        for i in range(2, h):
            y1[i, :] = a5 * tmp[i, :] + a6 * tmp[i - 1, :] + b1 * y1[i - 1, :] + b2 * y1[i - 2, :]
        y2[h - 1, :] = 0.0
        y2[h - 2, :] = a7 * tmp[h - 1, :]
        for i in range(h - 3, -1, -1):
            y2[i, :] = a7 * tmp[i + 1, :] + a8 * tmp[i + 2, :] + b1 * y2[i + 1, :] + b2 * y2[i + 2, :]
        out = c2 * (y1 + y2)
        img = out / np.abs(out).max()
    checksum = [float(out.sum()), float(out[h // 2, w // 2]), float(np.abs(out).max()),
                float(out[0, 0]), float(out[-1, -1])]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
