"""Attention-style softmax over the last axis of a 4-D array, with scaling and masking, repeated."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (2, 4, 32, 64, 1500), "medium": (4, 8, 128, 256, 30)}  # B, H, Q, K, repetitions


def main():
    b, h, q, k, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(15)
    scores = rng.standard_normal((b, h, q, k)).astype(np.float64)
    causal = np.arange(k)[None, :] > (np.arange(q)[:, None] * k // q)

    t0 = time.perf_counter()
    acc = np.zeros((b, h, q, k))
    for r in range(reps):
        s = scores * (1.0 / np.sqrt(k)) + 0.01 * r
        s = np.where(causal, -np.inf, s)
        m = s.max(axis=-1, keepdims=True)
        e = np.exp(s - m)
        p = e / e.sum(axis=-1, keepdims=True)
        acc += p
        scores = scores + 0.1 * p
    ent = -(p * np.log(np.where(p > 0, p, 1.0))).sum(axis=-1)
    checksum = [float(acc.sum()), float(acc[0, 0, -1, 3]), float(ent.mean()), float(p.max())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
