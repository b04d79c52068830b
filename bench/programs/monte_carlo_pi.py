"""Monte-Carlo estimate of pi: batches of uniform points from np.random.default_rng."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (20_000, 400), "medium": (1_000_000, 25)}  # points per batch, batches


def main():
    n, batches = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]

    t0 = time.perf_counter()
    rng = np.random.default_rng(21)
    hits = 0
    estimates = []
    for _ in range(batches):
        x = rng.random(n)
        y = rng.random(n)
        hits += int(((x - 0.5) ** 2 + (y - 0.5) ** 2 < 0.25).sum())
        estimates.append(4.0 * hits / (n * (len(estimates) + 1)))
    est = np.array(estimates)
    checksum = [float(hits), est[-1], float(est.std()), float(x.sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
