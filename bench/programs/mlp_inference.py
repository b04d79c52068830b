"""Small MLP inference: dense layers with @, bias, ReLU, and a row softmax, over batches."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (64, 100, 64, 2500), "medium": (1024, 256, 512, 15)}  # batch, in, hidden, batches


def relu(x):
    return np.maximum(x, 0.0)


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    batch, d_in, hidden, nbatches = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(10)
    W1 = rng.standard_normal((d_in, hidden)) / np.sqrt(d_in)
    b1 = rng.standard_normal(hidden) * 0.1
    W2 = rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)
    b2 = rng.standard_normal(hidden) * 0.1
    W3 = rng.standard_normal((hidden, 10)) / np.sqrt(hidden)
    b3 = rng.standard_normal(10) * 0.1
    X = rng.standard_normal((8, batch, d_in))

    t0 = time.perf_counter()
    counts = np.zeros(10)
    total_logp = 0.0
    for k in range(nbatches):
        x = X[k % len(X)] * (1.0 + 0.001 * k)
        x = (x - x.mean(axis=1, keepdims=True)) / (x.std(axis=1, keepdims=True) + 1e-5)
        h = relu(x @ W1 + b1)
        h = relu(h @ W2 + b2) + h
        probs = softmax(h @ W3 + b3)
        pred = probs.argmax(axis=1)
        counts += np.bincount(pred, minlength=10)
        total_logp += float(np.log(probs.max(axis=1)).sum())
    checksum = [float(counts[0]), float(counts[5]), total_logp, float(probs.sum()),
                float(probs[0, 3])]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
