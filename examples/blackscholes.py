"""Black-Scholes European option prices: a long transcendental chain, plain NumPy.

    python examples/blackscholes.py [N]
    python -m lazynp run --compare examples/blackscholes.py 2000000

The cumulative normal distribution uses the Abramowitz-Stegun polynomial with ``np.where``
for the negative half, so the whole pricing is elementwise and fuses into few kernels.
"""

import sys

import numpy as np

A1, A2, A3, A4, A5 = 0.31938153, -0.356563782, 1.781477937, -1.821255978, 1.330274429
INV_SQRT_2PI = 0.3989422804014327


def cnd(d):
    """Cumulative standard normal distribution (Abramowitz-Stegun 26.2.17)."""
    ad = np.abs(d)
    k = 1.0 / (1.0 + 0.2316419 * ad)
    poly = k * (A1 + k * (A2 + k * (A3 + k * (A4 + k * A5))))
    w = 1.0 - INV_SQRT_2PI * np.exp(-0.5 * ad * ad) * poly
    return np.where(d < 0, 1.0 - w, w)


def price(s, k, t, r, v):
    sqrt_t = np.sqrt(t)
    d1 = (np.log(s / k) + (r + 0.5 * v * v) * t) / (v * sqrt_t)
    d2 = d1 - v * sqrt_t
    discount = k * np.exp(-r * t)
    call = s * cnd(d1) - discount * cnd(d2)
    put = discount * cnd(-d2) - s * cnd(-d1)
    return call, put


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    rng = np.random.default_rng(42)
    s = rng.uniform(5.0, 30.0, n)
    k = rng.uniform(1.0, 100.0, n)
    t = rng.uniform(0.25, 10.0, n)
    call, put = price(s, k, t, 0.02, 0.30)
    parity = call - put - (s - k * np.exp(-0.02 * t))
    print(f"n={n}")
    print(f"mean call   = {call.mean():.6f}")
    print(f"mean put    = {put.mean():.6f}")
    print(f"max |parity error| < 1e-6: {bool(np.abs(parity).max() < 1e-6)}")
    print(f"calls worth more than 1: {int((call > 1.0).sum())}")


if __name__ == "__main__":
    main()
